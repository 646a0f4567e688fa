"""Stripe Checkout: one open session a payable, reused on a second click."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from community.core import audit
from community.core.clock import now
from community.core.db import is_unique_violation, savepoint
from community.core.errors import NotFound
from community.extensions import db
from community.payments import gateway, ledger
from community.payments.errors import AlreadyPaid, NotPayable
from community.payments.models import EXPIRED, OPEN, STRIPE, Payment
from community.payments.operations.common import open_payment_of, payable

# Stripe keeps a Checkout Session open 24 hours; we stop offering ours a little before.
CHECKOUT_LIFETIME = timedelta(hours=23)


def start_checkout(user, kind: str, payable_id: int, *, success_url: str, cancel_url: str,
                   locale: str = "auto") -> Payment:
    """The open Checkout Session of the payable for ``user`` (its url is where to send them).

    NotFound when it is not theirs to pay, AlreadyPaid (409) once paid, NotPayable when it is not
    owed now, OnlinePaymentUnavailable (503) without Stripe keys. A second call while a session is
    open returns that session; two at once meet at the partial unique index over open payments,
    and the one that lost returns the winner's. ``success_url`` may hold "{PAYMENT_ID}", replaced by
    the payment's id."""
    spec, obj = payable(kind, payable_id)
    if not spec.may_pay(user, obj):
        raise NotFound()
    due = spec.describe(obj)
    if due.is_paid:
        raise AlreadyPaid()
    if not due.is_open or due.amount.fen <= 0:
        raise NotPayable()
    if not gateway.configured():
        from community.payments.errors import OnlinePaymentUnavailable

        raise OnlinePaymentUnavailable()
    current = open_payment_of(kind, payable_id, lock=True)
    if current is not None and _reusable(current, due):
        return current
    if current is not None:
        _expire(current)
    ledger.post_charge(kind, payable_id, due)
    payment = Payment(payable_kind=kind, payable_id=payable_id, community_id=due.community_id,
                      payer_id=due.payer_id, title=due.title[:255], amount_fen=due.amount.fen,
                      currency=due.amount.currency, method=STRIPE, status=OPEN)
    try:
        with savepoint(db.session):
            db.session.add(payment)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if not is_unique_violation(error):
            raise
        winner = open_payment_of(kind, payable_id)
        if winner is None:
            raise
        return winner
    session = gateway.create_checkout_session(
        payment, success_url=success_url.replace("{PAYMENT_ID}", str(payment.id)),
        cancel_url=cancel_url.replace("{PAYMENT_ID}", str(payment.id)), locale=locale)
    payment.stripe_session_id = session.id
    payment.checkout_url = session.url
    db.session.flush()
    audit.record(user, "payment.checkout_opened", payment, payable=f"{kind}:{payable_id}",
                 amount=payment.amount_fen, currency=payment.currency)
    return payment


def _reusable(payment: Payment, due) -> bool:
    return (payment.checkout_url and payment.amount_fen == due.amount.fen
            and payment.currency == due.amount.currency and payment.created_at > now() - CHECKOUT_LIFETIME)


def _expire(payment: Payment) -> None:
    payment.status = EXPIRED
    payment.closed_at = now()
    db.session.flush()


def expire_stale_checkouts(at: datetime | None = None) -> int:
    """Open sessions past their lifetime are expired here too (Stripe's checkout.session.expired
    may never come for a session nobody opened). Run twice, changes nothing the second time."""
    at = at or now()
    stale = db.session.scalars(sa.select(Payment).where(Payment.status == OPEN,
                                                        Payment.created_at <= at - CHECKOUT_LIFETIME)).all()
    for payment in stale:
        _expire(payment)
    return len(stale)


def expire_open_checkouts_of(kind: str, payable_id: int) -> None:
    """The payable is paid offline or no longer owed: its open session is not offered again (money
    that still arrives through it is a surplus, refunded)."""
    current = open_payment_of(kind, payable_id, lock=True)
    if current is not None:
        _expire(current)
