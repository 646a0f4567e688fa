"""The office's lease pages: the overview (drafts to countersign, leases ending within 60 days,
overdue bills with days late, deposits held, subsidy granted this month by tier, renewal
requests), the occupancy grid by building, one lease with its actions (countersign, inspections,
early termination, waivers), subsidy rates, and CSV exports. Every object is checked against the
operator's communities: another community's is 404."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.models import Community
from community.core.clock import local_today
from community.core.csv_export import csv_response
from community.core.errors import NotFound, rerender_on_domain_error
from community.core.forms import PageForm
from community.core.pagination import paginate
from community.core.permissions import COMMUNITY_ADMIN, role_required
from community.extensions import db
from community.leases import operations as ops
from community.leases import presentation, queries, rules
from community.leases.forms import InspectionItemForm, RateForm, ReasonForm, RenewalDecisionForm, WaiveForm
from community.leases.models import LEASE_STATUSES, OFFICE_PARTY, Bill, Inspection, InspectionItem, Lease, RenewalRequest
from community.leases.notices import unit_name

bp = Blueprint("leases_admin", __name__, url_prefix="/admin/leases")
presentation.register_template_globals(bp)


@bp.before_request
@role_required(COMMUNITY_ADMIN)
def only_operators():
    """Community admins (of some community) and platform admins; each object is checked below."""


def managed(model, ident):
    return queries.managed_or_404(current_user, model, ident)


def _today():
    ids = queries.managed_community_ids(current_user)
    community = db.session.get(Community, next(iter(ids))) if ids else None
    return local_today(community.timezone if community else None)


def _overview():
    today = _today()
    first, last = rules.month_start(today), rules.month_end(today)
    return {"today": today,
            "drafts": db.session.scalars(queries.leases_for_admin(current_user, "draft").limit(50)).all(),
            "ending": db.session.scalars(queries.ending_within(current_user, today).limit(100)).all(),
            "overdue": db.session.scalars(queries.overdue_bills(current_user).limit(100)).unique().all(),
            "deposits": db.session.scalars(queries.deposits_held(current_user).limit(100)).unique().all(),
            "subsidy": queries.subsidy_by_tier(current_user, first, last),
            "renewals": db.session.scalars(queries.pending_renewals(current_user).limit(50)).all(),
            "days_late": rules.days_late}


def managed_communities():
    ids = queries.managed_community_ids(current_user)
    stmt = db.select(Community).order_by(Community.name).limit(50)
    return db.session.scalars(stmt if ids is None else stmt.where(Community.id.in_(ids or [-1]))).all()


@bp.route("/")
def index():
    status = request.args.get("status") if request.args.get("status") in LEASE_STATUSES else None
    q = (request.args.get("q") or "").strip()
    return render_template("leases/admin/index.html", pagination=paginate(queries.leases_for_admin(
        current_user, status, q)), communities=managed_communities(), status=status, q=q,
        statuses=LEASE_STATUSES, **_overview())


@bp.route("/occupancy")
def occupancy():
    return render_template("leases/admin/occupancy.html",
                           grid=queries.occupancy(current_user, request.args.get("building_id", type=int)))


EXPORTS = ("ending", "overdue", "deposits", "subsidy", "leases")


@bp.route("/export/<name>.csv")
def export(name):
    if name not in EXPORTS:
        raise NotFound()
    data = _overview()
    today = data["today"]
    if name == "ending":
        rows = [(lease.id, unit_name(lease), lease.user.display_name, lease.ends_on.isoformat(),
                 (lease.ends_on - today).days, lease.status) for lease in data["ending"]]
        header = [_("Lease"), _("Unit"), _("Resident"), _("Last day"), _("Days left"), _("Status")]
    elif name == "overdue":
        rows = [(b.id, unit_name(b.lease), b.lease.user.display_name, b.period_start.isoformat(),
                 b.due_on.isoformat(), rules.days_late(b.due_on, today), b.amount_due_fen, b.currency)
                for b in data["overdue"]]
        header = [_("Bill"), _("Unit"), _("Resident"), _("Month"), _("Due"), _("Days late"), _("Amount (fen)"),
                  _("Currency")]
    elif name == "deposits":
        rows = [(d.lease_id, unit_name(d.lease), d.lease.user.display_name, d.amount_fen, d.currency)
                for d in data["deposits"]]
        header = [_("Lease"), _("Unit"), _("Resident"), _("Deposit (fen)"), _("Currency")]
    elif name == "subsidy":
        rows = [(tier, count, total, currency) for tier, count, total, currency in data["subsidy"]]
        header = [_("Tier"), _("Bills"), _("Subsidy (fen)"), _("Currency")]
    else:
        leases = db.session.scalars(queries.leases_for_admin(current_user).limit(10000)).all()
        rows = [(lease.id, unit_name(lease), lease.user.display_name, lease.status, lease.starts_on.isoformat(),
                 lease.ends_on.isoformat(), lease.rent_fen, lease.currency) for lease in leases]
        header = [_("Lease"), _("Unit"), _("Resident"), _("Status"), _("First day"), _("Last day"),
                  _("Rent (fen)"), _("Currency")]
    return csv_response(f"leases-{name}-{today.isoformat()}.csv", header, rows)


def render_lease(lease, status=200, **extra):
    context = {"lease": lease, "form": PageForm(), "reason_form": ReasonForm(formdata=None),
               "waive_form": WaiveForm(formdata=None), "item_form": InspectionItemForm(formdata=None),
               "bills": queries.bills_of_lease(lease), "inspections": queries.inspections_of(lease),
               "deposit": queries.deposit_of(lease), "renewals": queries.renewals_of(lease),
               "renewal_form": RenewalDecisionForm(formdata=None)}
    context.update(extra)
    return render_template("leases/admin/lease.html", **context), status


@bp.route("/<int:lease_id>")
def lease(lease_id):
    return render_lease(managed(Lease, lease_id))


def _done(lease, message):
    flash(message, "success")
    return redirect(url_for("leases_admin.lease", lease_id=lease.id))


@bp.route("/<int:lease_id>/countersign", methods=["POST"])
def countersign(lease_id):
    lease = managed(Lease, lease_id)
    if not PageForm().validate_on_submit():
        return render_lease(lease, 400)
    with rerender_on_domain_error(render=lambda error: render_lease(lease)):
        ops.countersign(lease, actor=current_user, ip=request.remote_addr or "", user_agent=request.user_agent.string)
    return _done(lease, _("Lease countersigned; the unit is held and the deposit is owed."))


@bp.route("/<int:lease_id>/terminate", methods=["POST"])
def terminate(lease_id):
    lease = managed(Lease, lease_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_lease(lease, 422, reason_form=form)
    with rerender_on_domain_error(render=lambda error: render_lease(lease, reason_form=form)):
        ops.terminate(lease, actor=current_user, reason=form.reason.data, end_on=form.end_on.data)
    return _done(lease, _("The lease was ended early."))


@bp.route("/<int:lease_id>/inspections/<any('move_in','move_out'):kind>", methods=["POST"])
def open_inspection(lease_id, kind):
    lease = managed(Lease, lease_id)
    if not PageForm().validate_on_submit():
        return render_lease(lease, 400)
    with rerender_on_domain_error(render=lambda error: render_lease(lease)):
        ops.open_inspection(lease, kind, actor=current_user)
    return _done(lease, _("Inspection started: list the items of each room."))


@bp.route("/inspections/<int:inspection_id>/items", methods=["POST"])
def add_item(inspection_id):
    inspection = managed(Inspection, inspection_id)
    form = InspectionItemForm()
    if not form.validate_on_submit():
        return render_lease(inspection.lease, 422, item_form=form)
    with rerender_on_domain_error(render=lambda error: render_lease(inspection.lease, item_form=form)):
        ops.add_item(inspection, actor=current_user, room=form.room.data, item=form.item.data,
                     condition=form.condition.data, note=form.note.data or "", cost_fen=form.cost.fen or 0,
                     photos=request.files.getlist("photos"))
    return _done(inspection.lease, _("Item added."))


@bp.route("/items/<int:item_id>/delete", methods=["POST"])
def remove_item(item_id):
    entry = managed(InspectionItem, item_id)
    lease = entry.inspection.lease
    if not PageForm().validate_on_submit():
        return render_lease(lease, 400)
    with rerender_on_domain_error(render=lambda error: render_lease(lease)):
        ops.remove_item(entry, actor=current_user)
    return _done(lease, _("Item removed."))


@bp.route("/inspections/<int:inspection_id>/sign", methods=["POST"])
def sign_inspection(inspection_id):
    inspection = managed(Inspection, inspection_id)
    if not PageForm().validate_on_submit():
        return render_lease(inspection.lease, 400)
    with rerender_on_domain_error(render=lambda error: render_lease(inspection.lease)):
        ops.sign_inspection(inspection, actor=current_user, party=OFFICE_PARTY)
    return _done(inspection.lease, _("Inspection signed for the office; the resident signs next."))


@bp.route("/bills/<int:bill_id>/waive", methods=["POST"])
def waive(bill_id):
    bill = managed(Bill, bill_id)
    form = WaiveForm()
    if not form.validate_on_submit():
        return render_lease(bill.lease, 422, waive_form=form)
    with rerender_on_domain_error(render=lambda error: render_lease(bill.lease, waive_form=form)):
        ops.waive_bill(bill, actor=current_user, reason=form.reason.data)
    return _done(bill.lease, _("Bill waived."))


@bp.route("/renewals/<int:renewal_id>/<any('accept','decline'):decision>", methods=["POST"])
def decide_renewal(renewal_id, decision):
    renewal = managed(RenewalRequest, renewal_id)
    form = RenewalDecisionForm()
    if not form.validate_on_submit():
        return render_lease(renewal.lease, 422, renewal_form=form)
    with rerender_on_domain_error(render=lambda error: render_lease(renewal.lease, renewal_form=form)):
        new = ops.decide_renewal(renewal, actor=current_user, accept=decision == "accept", rent_fen=form.rent.fen)
    if new is not None:
        return _done(new, _("Renewal drafted; the resident signs it next."))
    return _done(renewal.lease, _("Renewal declined."))


@bp.route("/rates/<int:community_id>", methods=["GET", "POST"])
def rates(community_id):
    community = db.session.get(Community, community_id)
    if community is None or not queries.may_manage(current_user, community_id):
        raise NotFound()
    form = RateForm()
    shown = lambda status=200: (render_template("leases/admin/rates.html", community=community, form=form,  # noqa
                                                rates=ops.subsidy_rates(community.id)), status)
    if not form.is_submitted():
        return shown()
    if not form.validate():
        return shown(422)
    with rerender_on_domain_error(render=lambda error: shown()[0]):
        ops.set_subsidy_rate(community, form.tier.data, form.percent.data, actor=current_user)
    flash(_("Subsidy rate saved; the next bills use it."), "success")
    return redirect(url_for("leases_admin.rates", community_id=community.id))
