"""The office's payment pages: the payments list (search, filters, CSV), one payment (refund in
part, reverse an offline one), recording an offline payment, refunds to hand back, payment
problems, and the reports (by day and method; receivables by community). Community admins see
their communities; platform admins all; anything else answers 404."""
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.clock import local_today
from community.core.csv_export import csv_response
from community.core.errors import rerender_on_domain_error
from community.core.money import Money, parse_yuan
from community.core.pagination import paginate
from community.core.payables import payable_kind
from community.core.permissions import COMMUNITY_ADMIN, PLATFORM_ADMIN, role_required
from community.payments import queries
from community.payments import operations as ops
from community.payments.access import require_operator
from community.payments.errors import PaymentRuleViolation
from community.payments.forms import (
    OfflinePaymentForm, ReasonForm, RefundForm, ResolveForm, SettleRefundForm, filter_choices,
)
from community.payments.operations.common import payable
from community.payments.presentation import method_label, payment_status_label

bp = Blueprint("payments_admin", __name__, url_prefix="/admin/payments")
MAX_REPORT_DAYS = 366


@bp.before_request
@role_required(COMMUNITY_ADMIN, PLATFORM_ADMIN)
def only_operators():
    return None


def _date_arg(name) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


def _filters() -> dict:
    community = request.args.get("community", "")
    return {"q": request.args.get("q", "")[:100], "status": request.args.get("status", "")[:16],
            "method": request.args.get("method", "")[:16],
            "community_id": int(community) if community.isdigit() and len(community) < 10 else None,
            "since": _date_arg("since"), "until": _date_arg("until")}


# -- the list ---------------------------------------------------------------------------------------

@bp.route("/")
def index():
    filters = _filters()
    stmt = queries.operator_payments(current_user, **filters)
    if request.args.get("format") == "csv":
        rows = ([p.id, payment_time_text(p.created_at), payment_time_text(p.paid_at), p.community.name,
                 p.payer.display_name, p.title, str(method_label(p.method)), str(payment_status_label(p.status)),
                 _yuan(p.amount_fen), _yuan(p.refunded_fen), p.currency, p.reference]
                for p in queries.db.session.scalars(stmt.limit(50_000)))
        return csv_response("payments.csv", [_("ID"), _("Created"), _("Paid"), _("Community"), _("Payer"),
                                             _("For"), _("Method"), _("Status"), _("Amount"), _("Refunded"),
                                             _("Currency"), _("Reference")], rows)
    return render_template("payments/admin/index.html", pagination=paginate(stmt), filters=filters,
                           choices=filter_choices(), communities=queries.operated_communities(current_user),
                           problems=queries.open_problem_count(current_user),
                           refunds_to_hand_back=queries.db.session.scalars(
                               queries.pending_offline_refunds(current_user).limit(20)).all())


def payment_time_text(instant) -> str:
    from community.payments.presentation import payment_time

    return str(payment_time(instant)) if instant else ""


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{rest:02d}"




# -- one payment ----------------------------------------------------------------------------------------

def render_payment(payment, *, refund_form=None, reverse_form=None, status=200):
    refund_form = refund_form or RefundForm(formdata=None, prefix="refund")
    if not refund_form.is_submitted():
        from community.payments.operations.refunds import refundable_fen

        left = refundable_fen(payment)
        refund_form.amount.data = _yuan(left) if left else ""
    return render_template("payments/admin/payment.html", payment=payment, refund_form=refund_form,
                           reverse_form=reverse_form or ReasonForm(formdata=None, prefix="reverse"),
                           settle_form=SettleRefundForm(formdata=None, prefix="settle"),
                           transactions=payment_transactions(payment)), status


def payment_transactions(payment):
    from community.payments.models import LedgerTransaction
    import sqlalchemy as sa

    return queries.db.session.scalars(sa.select(LedgerTransaction).where(
        LedgerTransaction.payable_kind == payment.payable_kind, LedgerTransaction.payable_id == payment.payable_id)
        .order_by(LedgerTransaction.id)).all()


@bp.route("/<int:payment_id>")
def payment(payment_id):
    return render_payment(queries.operator_payment(current_user, payment_id))


@bp.route("/<int:payment_id>/refund", methods=["POST"])
def refund(payment_id):
    payment = queries.operator_payment(current_user, payment_id)
    form = RefundForm(prefix="refund")
    if not form.validate_on_submit():
        return render_payment(payment, refund_form=form, status=422)
    try:
        amount = parse_yuan(form.amount.data)
    except ValueError:
        form.amount.errors.append(_("Enter an amount in yuan, like 30 or 12.50."))
        return render_payment(payment, refund_form=form, status=422)
    with rerender_on_domain_error(render=lambda error: render_payment(payment, refund_form=form)):
        done = ops.refund_payment(payment, actor=current_user, amount_fen=amount, reason=form.reason.data)
    if done.status == "succeeded":
        flash(_("Refund of %(amount)s recorded.", amount=Money(amount, payment.currency).display()), "success")
    else:
        flash(_("Refund of %(amount)s sent to Stripe; it shows as refunded once Stripe confirms it.",
                amount=Money(amount, payment.currency).display()), "success")
    return redirect(url_for("payments_admin.payment", payment_id=payment.id))


@bp.route("/<int:payment_id>/reverse", methods=["POST"])
def reverse(payment_id):
    payment = queries.operator_payment(current_user, payment_id)
    form = ReasonForm(prefix="reverse")
    if not form.validate_on_submit():
        return render_payment(payment, reverse_form=form, status=422)
    with rerender_on_domain_error(render=lambda error: render_payment(payment, reverse_form=form)):
        ops.reverse_payment(payment, actor=current_user, reason=form.reason.data)
    flash(_("Payment reversed; it is waiting for payment again."), "success")
    return redirect(url_for("payments_admin.payment", payment_id=payment.id))


@bp.route("/refunds/<int:refund_id>/settle", methods=["POST"])
def settle_refund(refund_id):
    refund = queries.operator_refund(current_user, refund_id)
    form = SettleRefundForm(prefix="settle")
    form.validate_on_submit()
    with rerender_on_domain_error(render=lambda error: render_payment(refund.payment)):
        ops.settle_offline_refund(refund, actor=current_user, reference=form.reference.data or "")
    flash(_("Refund recorded as handed back."), "success")
    return redirect(url_for("payments_admin.payment", payment_id=refund.payment_id))


# -- an offline payment ---------------------------------------------------------------------------------

def _payable_for_office(kind, payable_id):
    spec, obj = payable(kind[:32], payable_id)
    due = spec.describe(obj)
    require_operator(current_user, due.community_id)
    return spec, obj, due


@bp.route("/payables/<kind>/<int:payable_id>/offline", methods=["GET", "POST"])
def record_offline(kind, payable_id):
    spec, obj, due = _payable_for_office(kind, payable_id)
    form = OfflinePaymentForm()
    page = dict(form=form, spec=spec, due=due, kind=kind, payable_id=payable_id)
    if not form.validate_on_submit():
        return render_template("payments/admin/offline.html", **page), 422 if form.is_submitted() else 200
    with rerender_on_domain_error("payments/admin/offline.html", **page):
        payment = ops.record_offline_payment(kind, payable_id, actor=current_user, method=form.method.data,
                                             reference=form.reference.data or "")
    flash(_("Payment of %(amount)s recorded: %(title)s.", amount=Money(payment.amount_fen, payment.currency).display(),
            title=payment.title), "success")
    return redirect(url_for("payments_admin.payment", payment_id=payment.id))


# -- problems ---------------------------------------------------------------------------------------------

@bp.route("/problems")
def problems():
    resolved = request.args.get("resolved") == "1"
    return render_template("payments/admin/problems.html", pagination=paginate(queries.problems(current_user, resolved=resolved)),
                           resolved=resolved, form=ResolveForm(formdata=None))


@bp.route("/problems/<int:problem_id>/resolve", methods=["POST"])
def resolve_problem(problem_id):
    problem = queries.operator_problem(current_user, problem_id)
    form = ResolveForm()
    render = lambda error=None: (render_template(  # noqa: E731
        "payments/admin/problems.html", pagination=paginate(queries.problems(current_user)), resolved=False,
        form=form, failed_id=problem.id), 422)
    if not form.validate_on_submit():
        return render()
    with rerender_on_domain_error(render=render):
        ops.resolve_problem(problem, actor=current_user, resolution=form.resolution.data)
    flash(_("Marked as resolved."), "success")
    return redirect(url_for("payments_admin.problems"))


# -- reports ----------------------------------------------------------------------------------------------

def _report_range() -> tuple[date, date]:
    today = local_today(None)
    until = _date_arg("until") or today
    since = _date_arg("since") or until - timedelta(days=29)
    if since > until:
        since, until = until, since
    if (until - since).days > MAX_REPORT_DAYS:
        since = until - timedelta(days=MAX_REPORT_DAYS)
    return since, until


@bp.route("/reports")
def reports():
    since, until = _report_range()
    report = request.args.get("format")
    days = queries.payments_by_day(current_user, since=since, until=until)
    owed = queries.receivables(current_user)
    if report == "csv-days":
        return csv_response(f"payments-{since}-{until}.csv",
                            [_("Day"), _("Method"), _("Payments"), _("Received"), _("Refunded"), _("Currency")],
                            ([r["day"].isoformat(), str(method_label(r["method"])), r["count"], _yuan(r["received_fen"]),
                              _yuan(r["refunded_fen"]), r["currency"]] for r in days))
    if report == "csv-receivables":
        return csv_response("receivables.csv", [_("Community"), _("Owed"), _("Payables owed"), _("Currency")],
                            ([r["community"], _yuan(r["owed_fen"]), r["payables"], r["currency"]] for r in owed))
    return render_template("payments/admin/reports.html", days=days, owed=owed, since=since, until=until)


__all__ = ["bp", "PaymentRuleViolation", "payable_kind"]
