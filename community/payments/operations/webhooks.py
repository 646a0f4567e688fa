"""Stripe webhooks, applied exactly once.

The event's id is inserted first (INSERT ... ON CONFLICT DO NOTHING): a second delivery, even one
racing the first on another node, finds it taken (on PostgreSQL it waits for the first to commit)
and changes nothing. The event row, the payment's new status, the payable's mark_paid and the
ledger entries commit together in the request's one transaction, or none of them does.

Handled: checkout.session.completed / async_payment_succeeded (paid), async_payment_failed
(failed), checkout.session.expired, refund.created / refund.updated / refund.failed. A refund event
about a payment we have not yet seen paid (deliveries out of order) is kept as "deferred" and
applied right after the payment is. Every other type is stored as "ignored".
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core.clock import now
from community.core.payables import payable_kind
from community.extensions import db
from community.payments import gateway, ledger, notices
from community.payments.models import (
    AMOUNT_MISMATCH, CURRENCY_MISMATCH, EVENT_APPLIED, EVENT_DEFERRED, EVENT_IGNORED, EVENT_REFUSED, EXPIRED,
    FAILED, MONEY_IN, NOT_OPEN, OPEN, PAID, REFUND_FAILED, REFUND_PENDING, REFUND_REFUSED, REFUND_SUCCEEDED,
    SURPLUS, UNKNOWN_SESSION, Payment, PaymentEvent, Refund,
)
from community.payments.operations.common import locked
from community.payments.operations.problems import record_problem

PAID_TYPES = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUND_TYPES = ("refund.created", "refund.updated", "refund.failed")


def handle_webhook(payload: bytes, signature: str | None) -> str:
    """Verify and apply one delivery; the answer says what became of it ("applied", "duplicate",
    "ignored", "refused", "deferred"). A bad signature raises (the view answers 400, nothing
    stored)."""
    event = gateway.construct_event(payload, signature)
    return apply_event(event.to_dict() if hasattr(event, "to_dict") else dict(event))


def apply_event(event: dict) -> str:
    obj = (event.get("data") or {}).get("object") or {}
    if not _claim(event, obj):
        return "duplicate"
    kind = event.get("type", "")
    if kind in PAID_TYPES:
        status = _session_paid(event, obj)
    elif kind == "checkout.session.async_payment_failed":
        status = _session_closed(obj, FAILED)
    elif kind == "checkout.session.expired":
        status = _session_closed(obj, EXPIRED)
    elif kind in REFUND_TYPES:
        status = _refund_event(event, obj)
    else:
        status = EVENT_IGNORED
    intent = obj.get("payment_intent") if kind in REFUND_TYPES else None
    if status != EVENT_APPLIED or intent:  # claimed as applied: most events are, and save an UPDATE
        _set_status(event["id"], status, payment_intent=intent)
    return status


def _claim(event: dict, obj: dict) -> bool:
    """Insert the event's row unless its id is taken; True when this delivery is the first."""
    table = PaymentEvent.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(id=str(event["id"])[:255], type=str(event.get("type", ""))[:64],
                                status=EVENT_APPLIED, object_id=str(obj.get("id", ""))[:255],
                                payload=event, received_at=now(), applied_at=now()).on_conflict_do_nothing(index_elements=["id"])
    # RETURNING, not rowcount: psycopg reports no reliable rowcount for ON CONFLICT DO NOTHING.
    return db.session.execute(stmt.returning(table.c.id)).scalar() is not None


def _set_status(event_id: str, status: str, *, payment_intent=None) -> None:
    values = {"status": status, "applied_at": now() if status == EVENT_APPLIED else None}
    if payment_intent:
        values["payment_intent"] = payment_intent
    db.session.execute(sa.update(PaymentEvent).where(PaymentEvent.id == event_id).values(**values))


# -- a session paid ----------------------------------------------------------------------------------

def _payment_of_session(obj: dict) -> Payment | None:
    """Our payment of the session, under its row lock (one SELECT ... FOR UPDATE)."""
    session_id = obj.get("id")
    lock = lambda stmt: db.session.scalars(stmt.with_for_update().execution_options(  # noqa: E731
        populate_existing=True)).first()
    payment = lock(sa.select(Payment).where(Payment.stripe_session_id == session_id)) if session_id else None
    if payment is None:
        ref = (obj.get("metadata") or {}).get("payment_id") or obj.get("client_reference_id")
        if ref and str(ref).isdigit() and len(str(ref)) < 18:
            payment = lock(sa.select(Payment).where(Payment.id == int(ref)))
            if payment is not None and payment.stripe_session_id not in (None, session_id):
                payment = None
    return payment


def _session_paid(event: dict, obj: dict) -> str:
    if obj.get("payment_status") not in ("paid", "no_payment_required"):
        return EVENT_IGNORED  # an async method (Alipay may be) still processing: its own event follows
    payment = _payment_of_session(obj)
    if payment is None:
        record_problem(UNKNOWN_SESSION, event_id=event["id"], session=obj.get("id"),
                       amount=obj.get("amount_total"), currency=obj.get("currency"))
        return EVENT_REFUSED
    if payment.status in MONEY_IN:
        return EVENT_IGNORED  # the other of completed / async_payment_succeeded came first
    amount, currency = obj.get("amount_total"), str(obj.get("currency") or "").upper()
    if currency != payment.currency:
        record_problem(CURRENCY_MISMATCH, payment=payment, event_id=event["id"], expected=payment.currency,
                       received=currency, amount=amount)
        return EVENT_REFUSED
    if amount != payment.amount_fen:
        record_problem(AMOUNT_MISMATCH, payment=payment, event_id=event["id"], expected=payment.amount_fen,
                       received=amount, currency=currency)
        return EVENT_REFUSED
    payment.stripe_payment_intent = obj.get("payment_intent") or payment.stripe_payment_intent
    payment.paid_method_type = _method_type(obj)
    _receive(payment, event["id"])
    _apply_deferred(payment)
    return EVENT_APPLIED


def _method_type(obj: dict) -> str:
    types = obj.get("payment_method_types") or []
    return str(types[0])[:32] if len(types) == 1 else ""


def _receive(payment: Payment, event_id: str) -> None:
    """Money arrived for ``payment``: paid (and the payable marked paid) when the payable is still
    owed this amount, else a surplus that is refunded and shown to the office."""
    spec = payable_kind(payment.payable_kind)
    obj = spec.load(payment.payable_id) if spec else None
    due = spec.describe(obj) if obj is not None else None
    payment.paid_at = now()
    if due is not None and due.is_open and not due.is_paid and due.amount.fen == payment.amount_fen \
            and due.amount.currency == payment.currency:
        payment.status = PAID
        db.session.flush()  # the partial unique index: never two paid payments of one payable
        ledger.post_charge(payment.payable_kind, payment.payable_id, due)
        ledger.post_payment(payment)
        spec.mark_paid(obj, actor=None, payment=payment)
        notices.payment_received(payment)
        return
    payment.status = SURPLUS
    db.session.flush()
    ledger.post_payment(payment)
    record_problem(NOT_OPEN, payment=payment, event_id=event_id,
                   payable=f"{payment.payable_kind}:{payment.payable_id}", amount=payment.amount_fen)
    from community.payments.operations.refunds import open_refund

    open_refund(payment, amount_fen=payment.amount_fen, actor=None,
                reason=str(_l("Paid after it was no longer owed; refunded in full.")))


def _session_closed(obj: dict, status: str) -> str:
    payment = _payment_of_session(obj)
    if payment is None or payment.status != OPEN:
        return EVENT_IGNORED
    payment.status = status
    payment.closed_at = now()
    db.session.flush()
    if status == FAILED:
        notices.payment_failed(payment)
    return EVENT_APPLIED


# -- refunds -------------------------------------------------------------------------------------------

def _refund_event(event: dict, obj: dict) -> str:
    refund = _our_refund(obj)
    if refund is None:
        payment = _payment_of_intent(obj.get("payment_intent"))
        if payment is None or payment.status not in MONEY_IN:
            return EVENT_DEFERRED
        refund = _refund_from_stripe(payment, obj)
        if refund is None:
            record_problem(REFUND_REFUSED, payment=payment, event_id=event["id"], refund=obj.get("id"),
                           amount=obj.get("amount"))
            return EVENT_REFUSED
    payment = locked(refund.payment)
    if payment.status not in MONEY_IN:
        return EVENT_DEFERRED
    if refund.stripe_refund_id is None:
        refund.stripe_refund_id = obj.get("id")
    status = obj.get("status")
    if refund.status != REFUND_PENDING:
        return EVENT_IGNORED
    if status == "succeeded":
        from community.payments.operations.refunds import settle

        settle(refund, actor=None)
        return EVENT_APPLIED
    if status in ("failed", "canceled"):
        refund.status = REFUND_FAILED
        refund.settled_at = now()
        db.session.flush()
        record_problem(REFUND_REFUSED, payment=payment, event_id=event["id"], refund=obj.get("id"),
                       amount=refund.amount_fen, reason=obj.get("failure_reason"))
        return EVENT_APPLIED
    return EVENT_IGNORED  # pending / requires_action: the next update says how it ended


def _our_refund(obj: dict) -> Refund | None:
    refund = db.session.scalar(sa.select(Refund).where(Refund.stripe_refund_id == obj.get("id"))) \
        if obj.get("id") else None
    ref = (obj.get("metadata") or {}).get("refund_id")
    if refund is None and ref and str(ref).isdigit():
        refund = db.session.get(Refund, int(ref))
    return refund


def _payment_of_intent(intent) -> Payment | None:
    if not intent:
        return None
    payment = db.session.scalar(sa.select(Payment).where(Payment.stripe_payment_intent == intent))
    return locked(payment) if payment is not None else None


def _refund_from_stripe(payment: Payment, obj: dict) -> Refund | None:
    """A refund made in Stripe's dashboard: recorded as ours, unless it is more than is left."""
    amount = obj.get("amount")
    from community.payments.operations.refunds import refundable_fen

    if not isinstance(amount, int) or amount <= 0 or amount > refundable_fen(payment):
        return None
    refund = Refund(payment=payment, amount_fen=amount, currency=payment.currency, status=REFUND_PENDING,
                    reason=str(_l("Refunded in the Stripe dashboard")), stripe_refund_id=obj.get("id"),
                    submitted_at=now())
    db.session.add(refund)
    db.session.flush()
    return refund


def _apply_deferred(payment: Payment) -> None:
    """Refund events that came before the payment's own (out of order), now that it is paid."""
    if not payment.stripe_payment_intent:
        return
    waiting = db.session.scalars(sa.select(PaymentEvent).where(
        PaymentEvent.status == EVENT_DEFERRED, PaymentEvent.payment_intent == payment.stripe_payment_intent)
        .order_by(PaymentEvent.received_at)).all()
    for stored in waiting:
        obj = (stored.payload.get("data") or {}).get("object") or {}
        status = _refund_event(stored.payload, obj)
        _set_status(stored.id, status)
