"""Refunds. Through Stripe a refund stays pending until Stripe's webhook says it succeeded (only
then the ledger moves and the payer is told); a refund of an offline payment is money the office
hands back: recorded at once when the office refunds, and pending (listed for the office) when a
cancellation owes it, until the office records that it handed the money back."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community.core import audit
from community.core.clock import now
from community.extensions import db
from community.payments import gateway, ledger, notices
from community.payments.access import require_operator
from community.payments.errors import PaymentRuleViolation, StripeRefused
from community.payments.models import MONEY_IN, REFUND_FAILED, REFUND_PENDING, REFUND_SUCCEEDED, STRIPE, Payment, Refund
from community.payments.operations.common import locked


def refund_payment(payment: Payment, *, actor, amount_fen: int, reason: str) -> Refund:
    """The office refunds ``amount_fen`` (all or part of what is left) with a reason the payer sees."""
    require_operator(actor, payment.community_id)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRuleViolation(_l("Give the payer a reason for the refund."), code="reason_required")
    refund = open_refund(payment, amount_fen=amount_fen, actor=actor, reason=reason)
    if not payment.is_online:
        settle(refund, actor=actor)
    return refund


def open_refund(payment: Payment, *, amount_fen: int, actor, reason: str) -> Refund:
    """A pending refund of ``amount_fen``, checked against what is left under the payment's row
    lock (two refunds at once never pass the amount); an online one is sent to Stripe now."""
    payment = locked(payment)
    if payment.status not in MONEY_IN:
        raise PaymentRuleViolation(_l("Only a payment received can be refunded."), code="not_refundable")
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise PaymentRuleViolation(_l("Enter an amount above zero."), code="amount_not_positive")
    left = refundable_fen(payment)
    if amount_fen > left:
        raise PaymentRuleViolation(_l("That is more than is left to refund on this payment."),
                                   code="refund_too_large", refundable=left)
    refund = Refund(payment=payment, amount_fen=amount_fen, currency=payment.currency, reason=reason[:255],
                    status=REFUND_PENDING, created_by_id=getattr(actor, "id", None))
    db.session.add(refund)
    db.session.flush()
    audit.record(actor, "payment.refund_opened", payment, refund_id=refund.id, amount=amount_fen,
                 currency=refund.currency, reason=refund.reason)
    if payment.is_online:
        submit(refund)
    return refund


def refundable_fen(payment: Payment) -> int:
    """What is left to refund: the amount less refunds succeeded or under way (read from the
    table, under the caller's lock on the payment)."""
    if payment.status not in MONEY_IN:
        return 0
    held = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Refund.amount_fen), 0)).where(
        Refund.payment_id == payment.id, Refund.status != REFUND_FAILED))
    return payment.amount_fen - int(held or 0)


def submit(refund: Refund) -> bool:
    """Send a pending online refund to Stripe (idempotent by its token); on failure it stays
    pending with the error, and the job tries again."""
    if refund.stripe_refund_id is not None or refund.payment.method != STRIPE:
        return False
    try:
        answer = gateway.create_refund(refund)
    except StripeRefused as error:
        refund.submit_error = str(error.extra.get("detail") or error.code)[:255]
        current_app.logger.warning("refund %s not sent to Stripe: %s", refund.id, refund.submit_error)
        db.session.flush()
        return False
    refund.stripe_refund_id = answer.id
    refund.submitted_at = now()
    refund.submit_error = ""
    db.session.flush()
    return True


def submit_pending_refunds() -> int:
    """The job: online refunds Stripe has not yet acknowledged. Twice changes nothing more."""
    pending = db.session.scalars(sa.select(Refund).join(Refund.payment).where(
        Refund.status == REFUND_PENDING, Refund.stripe_refund_id.is_(None), Payment.method == STRIPE)).all()
    return sum(submit(refund) for refund in pending)


def settle(refund: Refund, *, actor, reference: str = "") -> Refund:
    """The money went back: the ledger moves, the payment's refunded total grows, the payer is told."""
    payment = locked(refund.payment)
    refund.status = REFUND_SUCCEEDED
    refund.settled_at = now()
    if reference:
        refund.reference = reference[:120]
    payment.refunded_fen = payment.refunded_fen + refund.amount_fen
    db.session.flush()
    ledger.post_refund(refund, actor=actor)
    audit.record(actor, "payment.refunded", payment, refund_id=refund.id, amount=refund.amount_fen,
                 currency=refund.currency, reason=refund.reason)
    notices.refunded(refund)
    return refund


def settle_offline_refund(refund: Refund, *, actor, reference: str = "") -> Refund:
    """The office handed back the money a cancellation owed on an offline payment."""
    require_operator(actor, refund.payment.community_id)
    if refund.payment.is_online:
        raise PaymentRuleViolation(_l("Stripe confirms online refunds itself."), code="online_refund")
    if refund.status != REFUND_PENDING:
        raise PaymentRuleViolation(_l("This refund is already settled."), code="refund_settled")
    return settle(refund, actor=actor, reference=(reference or "").strip())
