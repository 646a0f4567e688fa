"""Leases JSON API under /api/v1 (the contract is in docs/leases.md and docs/api.md): the caller's
lease, their bills, a renewal request and notice. Rule refusals are 422 problem+json naming the
rule (``code`` and ``rule``)."""
from flask_login import current_user
from flask_smorest import Blueprint

from community.core.api import login_required_api
from community.core.errors import NotFound
from community.core.pagination import api_page
from community.leases import operations as ops
from community.leases import queries
from community.leases.schemas import LeaseBillSchema, LeaseSchema, LeaseNoticeArgs, LeaseNoticeSchema, LeaseRenewalArgs, LeaseRenewalSchema

blp = Blueprint("leases_api", __name__, url_prefix="/api/v1",
                description="Leases: the caller's lease, rent bills with the talent subsidy, renewal and notice")
blp.before_request(login_required_api)


def _current():
    lease = queries.current_lease_of(current_user)
    if lease is None or lease.status not in ("draft", "signed", "active", "ending"):
        raise NotFound()
    return lease


@blp.route("/lease")
@blp.response(200, LeaseSchema)
@blp.alt_response(404, description="The caller has no current lease")
def get_lease():
    """The caller's current lease (draft, signed, active or ending)."""
    return _current()


@blp.route("/bills")
@blp.response(200, LeaseBillSchema(many=True))
@blp.paginate(page_size=24, max_page_size=100)
def list_bills(pagination_parameters):
    """The caller's rent bills, latest period first."""
    stmt = queries.bills_of(current_user)
    return api_page(stmt, pagination_parameters)


@blp.route("/lease/notice", methods=["POST"])
@blp.arguments(LeaseNoticeArgs, required=False)  # no body: the earliest day notice allows
@blp.response(200, LeaseNoticeSchema)
@blp.alt_response(404, description="The caller has no current lease")
@blp.alt_response(409, description="The lease cannot be given notice in its state (illegal_transition)")
@blp.alt_response(422, description="The day is not allowed: notice_too_short, after_lease_end (`rule` says it)")
def give_notice(body):
    """Give notice; ``confirm: false`` only answers the last day it would set."""
    lease = _current()
    day = ops.give_notice(lease, actor=current_user, end_on=body["ends_on"], confirm=body["confirm"])
    return {"ends_on": day, "confirmed": body["confirm"], "lease": lease if body["confirm"] else None}


@blp.route("/lease/renewal", methods=["POST"])
@blp.arguments(LeaseRenewalArgs, required=False)  # no body: the default 12-month term
@blp.response(201, LeaseRenewalSchema)
@blp.alt_response(404, description="The caller has no current lease")
@blp.alt_response(409, description="The lease cannot be renewed in its state (illegal_transition)")
@blp.alt_response(422, description="The dates are not allowed: renewal_too_early, renewal_must_follow, "
                                   "renewal_term, renewal_pending (`rule` says it)")
def request_renewal(body):
    """Ask to renew for a new term; ``confirm: false`` only answers the term it would ask for."""
    lease = _current()
    answer = ops.request_renewal(lease, actor=current_user, starts_on=body["starts_on"], ends_on=body["ends_on"],
                                 confirm=body["confirm"])
    if not body["confirm"]:
        return {"id": None, "status": "preview", "starts_on": answer[0], "ends_on": answer[1], "confirmed": False}
    return {"id": answer.id, "status": answer.status, "starts_on": answer.starts_on, "ends_on": answer.ends_on,
            "confirmed": True}
