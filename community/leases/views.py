"""The resident's My apartment: lease terms and status, signed documents, inspections, bills, the
deposit settlement, and the renewal and notice buttons with the dates they would apply (a confirm
step). Thin: parse, check ownership, call one operation, render."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import DomainError, NotFound, rerender_on_domain_error
from community.core.forms import PageForm
from community.core.permissions import RESIDENT, role_required
from community.extensions import db
from community.leases import operations as ops
from community.leases import presentation, queries
from community.leases.forms import DatesForm, DisputeForm
from community.leases.models import RESIDENT_PARTY, Deposit, Inspection
from community.leases.operations.leases import terms_digest, today_of

bp = Blueprint("leases", __name__, url_prefix="/apartment")
presentation.register_template_globals(bp)


@bp.before_request
@role_required(RESIDENT)
def residents_only():
    """Every page here is the resident's own."""


def _preview(func, lease):
    try:
        return func(lease, actor=current_user, confirm=False), None
    except DomainError as error:
        return None, str(error.message)


def render_home(lease=None, status=200, **extra):
    """My apartment on ``lease`` (by default the one that matters now), with the resident's other
    leases listed and any draft among them waiting for a signature called out."""
    leases = queries.leases_of(current_user)
    current = queries.current_of(leases)
    lease = lease or current
    others = [other for other in leases if lease is None or other.id != lease.id]
    context = {"lease": lease, "other_leases": others, "form": PageForm(), "dates_form": DatesForm(formdata=None),
               "to_sign": [other for other in others if other.awaits_resident],
               "dispute_form": DisputeForm(formdata=None), "not_current": lease is not current}
    if lease is not None:
        bills = queries.bills_of_lease(lease)
        context["bills"], context["earlier_bills"] = presentation.fold_bills(bills)
        context["owed"] = [bill for bill in bills if bill.is_payable]
        context.update(inspections=queries.inspections_of(lease),
                       deposit=queries.deposit_of(lease), renewals=queries.renewals_of(lease),
                       today=today_of(lease))
        context["notice_day"], context["notice_refusal"] = _preview(ops.give_notice, lease) \
            if lease.status == "active" else (None, None)
        context["renewal_term"], context["renewal_refusal"] = _preview(ops.request_renewal, lease) \
            if lease.status == "active" else (None, None)
    context.update(extra)
    return render_template("leases/my_apartment.html", **context), status


def _back_to(lease):
    """After an action, the page of the lease it was on (a renewal or an ended lease is not
    necessarily the one My apartment opens on)."""
    return redirect(url_for("leases.lease", lease_id=lease.id))


@bp.route("/")
def my_apartment():
    return render_home()


@bp.route("/leases/<int:lease_id>")
def lease(lease_id):
    """One of the resident's leases on the My apartment page: a renewal to sign, an earlier one."""
    return render_home(queries.own_lease_or_404(current_user, lease_id))


@bp.route("/leases/<int:lease_id>/terms")
def terms(lease_id):
    lease = queries.own_lease_or_404(current_user, lease_id)
    return render_template("leases/terms.html", lease=lease, digest=terms_digest(lease), form=PageForm())


@bp.route("/leases/<int:lease_id>/sign", methods=["POST"])
def sign(lease_id):
    lease = queries.own_lease_or_404(current_user, lease_id)
    if not PageForm().validate_on_submit():
        return render_home(lease, 400)
    with rerender_on_domain_error(render=lambda error: render_home(lease)):
        ops.sign(lease, actor=current_user, ip=request.remote_addr or "", user_agent=request.user_agent.string)
    flash(_("You signed the lease. The office countersigns it next."), "success")
    return _back_to(lease)


def _dates(lease_id, operation, template_action, done_message):
    lease = queries.own_lease_or_404(current_user, lease_id)
    form = DatesForm()
    if not form.validate_on_submit():
        return render_home(lease, 422, dates_form=form)
    with rerender_on_domain_error(render=lambda error: render_home(lease, dates_form=form)):
        if not form.confirm.data:
            answer = operation(lease, actor=current_user, confirm=False, **_date_args(operation, form))
            return render_template("leases/confirm.html", lease=lease, action=template_action, answer=answer,
                                   form=form)
        operation(lease, actor=current_user, **_date_args(operation, form))
    flash(done_message, "success")
    return _back_to(lease)


def _date_args(operation, form):
    return {"end_on": form.end_on.data} if operation is ops.give_notice else {"ends_on": form.end_on.data}


@bp.route("/leases/<int:lease_id>/notice", methods=["POST"])
def notice(lease_id):
    return _dates(lease_id, ops.give_notice, "notice", _("Your notice is recorded."))


@bp.route("/leases/<int:lease_id>/renewal", methods=["POST"])
def renewal(lease_id):
    return _dates(lease_id, ops.request_renewal, "renewal", _("Your renewal request is sent to the office."))


@bp.route("/inspections/<int:inspection_id>/sign", methods=["POST"])
def sign_inspection(inspection_id):
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.lease.user_id != current_user.id:
        raise NotFound()
    if not PageForm().validate_on_submit():
        return render_home(inspection.lease, 400)
    with rerender_on_domain_error(render=lambda error: render_home(inspection.lease)):
        ops.sign_inspection(inspection, actor=current_user, party=RESIDENT_PARTY)
    flash(_("You signed the inspection."), "success")
    return _back_to(inspection.lease)


@bp.route("/deposits/<int:deposit_id>/dispute", methods=["POST"])
def dispute(deposit_id):
    deposit = db.session.get(Deposit, deposit_id)
    if deposit is None or deposit.user_id != current_user.id:
        raise NotFound()
    form = DisputeForm()
    if not form.validate_on_submit():
        return render_home(deposit.lease, 422, dispute_form=form)
    with rerender_on_domain_error(render=lambda error: render_home(deposit.lease, dispute_form=form)):
        ops.dispute_settlement(deposit, actor=current_user, message=form.message.data)
    flash(_("Your message is sent to the office."), "success")
    return _back_to(deposit.lease)
