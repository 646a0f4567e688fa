"""Apartments JSON API under /api/v1 (the contract is in docs/apartments.md). Thin: scope, call one
operation or query, serialise; errors become problem+json in core.errors."""
from functools import wraps

from flask_login import current_user
from flask_smorest import Blueprint

from community.apartments import operations as ops
from community.apartments import queries
from community.apartments.presentation import reason_text
from community.apartments.schemas import (
    ApplicationCreateArgs, ApplicationSchema, EligibilitySchema, OfferSchema, RoundSchema, RoundSummarySchema,
)
from community.core.api import login_required_api
from community.core.clock import now
from community.core.pagination import api_page

blp = Blueprint("apartments_api", __name__, url_prefix="/api/v1",
                description="Apartments: rental rounds, eligibility, applications and offers")
blp.before_request(login_required_api)


def _page(stmt, pagination_parameters):
    return api_page(stmt, pagination_parameters)


class _RoundView:
    """A round with what the API adds: its units, whether it is open, the seed only once revealed."""

    def __init__(self, round_):
        self._round = round_
        self.is_open = round_.accepting_applications(now())
        self.seed = round_.seed if round_.status == "allocated" else None
        self.units = None

    def __getattr__(self, name):
        return getattr(self._round, name)


@blp.route("/rounds")
@blp.response(200, RoundSummarySchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_rounds(pagination_parameters):
    """Open and recent rounds of the caller's community, latest closing first."""
    return [_RoundView(r) for r in _page(queries.rounds_for_resident(current_user), pagination_parameters)]


@blp.route("/rounds/<int:round_id>")
@blp.response(200, RoundSchema)
@blp.alt_response(404, description="No such round in the caller's community")
def get_round(round_id):
    """One round with the units it offers."""
    view = _RoundView(queries.round_for_resident(current_user, round_id))
    view.units = queries.offered_units(view._round)
    return view


@blp.route("/rounds/<int:round_id>/eligibility")
@blp.response(200, EligibilitySchema)
@blp.alt_response(404, description="No such round in the caller's community")
def round_eligibility(round_id):
    """Whether the caller is eligible today, with every failing rule named."""
    reasons = ops.eligibility_of(current_user, round_id)
    return {"eligible": not reasons,
            "reasons": [{"code": r.code, "message": str(reason_text(r))} for r in reasons]}


def round_visible_first(view):
    """Answer 404 for a round the caller may not see before the body is validated, so a stranger
    learns nothing from validation errors (this wrapper sits above @blp.arguments)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        queries.round_for_resident(current_user, kwargs["round_id"])
        return view(*args, **kwargs)

    return wrapped


@blp.route("/rounds/<int:round_id>/applications", methods=["POST"])
@round_visible_first
@blp.arguments(ApplicationCreateArgs)
@blp.response(201, ApplicationSchema)
@blp.alt_response(409, description="Already applied (already_applied)")
@blp.alt_response(422, description="Not eligible (not_eligible, `reasons` listed), outside the window "
                                   "(outside_window) or preferences the round does not offer")
def create_application(body, round_id):
    """Apply with ranked preferences ({"layout": "2b1l"} or {"building_id": 3})."""
    round_ = queries.round_for_resident(current_user, round_id)
    return ops.apply(round_, current_user, body["preferences"], actor=current_user)


@blp.route("/applications")
@blp.response(200, ApplicationSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_applications(pagination_parameters):
    """The caller's applications, latest first; rank, score and outcome once allocated."""
    return _page(queries.applications_of(current_user), pagination_parameters)


def _with_draft(offer):
    offer.lease_draft = queries.lease_draft_of(offer)
    return offer


@blp.route("/offers")
@blp.response(200, OfferSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_offers(pagination_parameters):
    """The caller's offers, latest first."""
    return [_with_draft(o) for o in _page(queries.offers_of(current_user), pagination_parameters)]


@blp.route("/offers/<int:offer_id>/accept", methods=["POST"])
@blp.response(200, OfferSchema)
@blp.alt_response(404, description="No such offer of the caller")
@blp.alt_response(409, description="The offer is no longer open (offer_closed)")
def accept_offer(offer_id):
    """Accept: the unit is reserved and a lease draft made."""
    offer = queries.own_offer_or_404(current_user, offer_id)
    ops.accept_offer(offer, actor=current_user)
    return _with_draft(offer)


@blp.route("/offers/<int:offer_id>/decline", methods=["POST"])
@blp.response(200, OfferSchema)
@blp.alt_response(404, description="No such offer of the caller")
@blp.alt_response(409, description="The offer is no longer open (offer_closed)")
def decline_offer(offer_id):
    """Decline: the unit passes to the next applicant on the waitlist."""
    offer = queries.own_offer_or_404(current_user, offer_id)
    ops.decline_offer(offer, actor=current_user)
    return _with_draft(offer)
