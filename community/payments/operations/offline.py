"""Money the office took at the counter (cash, bank transfer, POS), and its reversal."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import audit
from community.core.clock import now
from community.core.db import is_unique_violation, savepoint
from community.extensions import db
from community.payments import ledger, notices
from community.payments.access import require_operator
from community.payments.errors import AlreadyPaid, PaymentRuleViolation
from community.payments.models import OFFLINE_METHODS, PAID, REFUND_FAILED, REVERSED, Payment
from community.payments.operations.checkout import expire_open_checkouts_of
from community.payments.operations.common import locked, payable


def record_offline_payment(kind: str, payable_id: int, *, actor, method: str, reference: str = "") -> Payment:
    """The office records that the payer paid the payable in full at the counter: a paid payment
    in the same history as online ones, the ledger entries, and the payable's own mark_paid (the
    booking is confirmed). Only the office of the payable's community; AlreadyPaid (409) once paid,
    even by two clerks at the same moment (the partial unique index over paid payments)."""
    spec, obj = payable(kind, payable_id)
    due = spec.describe(obj)
    require_operator(actor, due.community_id)
    if method not in OFFLINE_METHODS:
        raise PaymentRuleViolation(_l("Choose how it was paid."), code="unknown_method")
    if due.is_paid:
        raise AlreadyPaid()
    if not due.is_open or due.amount.fen <= 0:
        raise PaymentRuleViolation(_l("This is not waiting for payment."), code="not_payable")
    expire_open_checkouts_of(kind, payable_id)
    payment = Payment(payable_kind=kind, payable_id=payable_id, community_id=due.community_id, payer_id=due.payer_id,
                      title=due.title[:255], amount_fen=due.amount.fen, currency=due.amount.currency,
                      method=method, status=PAID, reference=(reference or "").strip()[:120],
                      recorded_by_id=actor.id, paid_at=now())
    try:
        with savepoint(db.session):
            db.session.add(payment)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if is_unique_violation(error):
            raise AlreadyPaid() from error
        raise
    ledger.post_charge(kind, payable_id, due, actor=actor)
    ledger.post_payment(payment, actor=actor)
    spec.mark_paid(obj, actor=actor, payment=payment)
    audit.record(actor, "payment.recorded_offline", payment, payable=f"{kind}:{payable_id}", method=method,
                 amount=payment.amount_fen, currency=payment.currency, reference=payment.reference)
    notices.payment_received(payment)
    return payment


def reverse_payment(payment: Payment, *, actor, reason: str) -> Payment:
    """Undo an offline payment recorded by mistake (the money never came): the ledger puts the
    amount back on the payer's account and the payable is waiting for payment again. Refunded
    money is refunded, not reversed; online payments are refunded."""
    require_operator(actor, payment.community_id)
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRuleViolation(_l("Say why the payment is reversed."), code="reason_required")
    payment = locked(payment)
    if payment.is_online or payment.status != PAID:
        raise PaymentRuleViolation(_l("Only an offline payment that stands can be reversed."), code="not_reversible")
    if any(r.status != REFUND_FAILED for r in payment.refunds):
        raise PaymentRuleViolation(_l("This payment has refunds; it cannot be reversed."), code="has_refunds")
    spec, obj = payable(payment.payable_kind, payment.payable_id)
    if spec.mark_unpaid is None:
        raise PaymentRuleViolation(_l("This kind of payment cannot be reversed; refund it instead."),
                                   code="not_reversible")
    payment.status = REVERSED
    payment.reversal_reason = reason[:255]
    payment.closed_at = now()
    db.session.flush()
    ledger.post_reversal(payment, actor=actor, reason=payment.reversal_reason)
    spec.mark_unpaid(obj, actor=actor, payment=payment)
    audit.record(actor, "payment.reversed", payment, reason=payment.reversal_reason, amount=payment.amount_fen,
                 currency=payment.currency)
    return payment
