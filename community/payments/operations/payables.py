"""What the payables' signals start (core.payables): a domain says a payable is owed, no longer
owed, or owed back; payments books the charge, writes off, or refunds."""
from flask import current_app

from community.core import payables
from community.core.payables import payable_kind
from community.payments import ledger
from community.payments.models import REFUND_PENDING
from community.payments.operations.checkout import expire_open_checkouts_of
from community.payments.operations.common import paid_payment_of


def on_opened(kind, *, obj, **_):
    spec = payable_kind(kind)
    due = spec.describe(obj)
    if due.amount.fen > 0:
        ledger.post_charge(kind, obj.id, due)


def on_opened_many(kind, *, objs, **_):
    spec = payable_kind(kind)
    ledger.post_charges(kind, [(obj.id, spec.describe(obj)) for obj in objs])


def on_voided(kind, *, obj, actor=None, **_):
    spec = payable_kind(kind)
    due = spec.describe(obj)
    expire_open_checkouts_of(kind, obj.id)
    if paid_payment_of(kind, obj.id) is None:
        ledger.post_write_off(kind, obj.id, community_id=due.community_id, payer_id=due.payer_id,
                              currency=due.amount.currency, actor=actor, memo="void")


def on_reduced(kind, *, obj, by_fen, subsidy_by_fen=0, actor=None, reason="", **_):
    from community.payments.operations.refunds import open_refund, refundable_fen

    due = payable_kind(kind).describe(obj)
    expire_open_checkouts_of(kind, obj.id)  # a checkout for the old amount must not complete
    if not ledger.has_charge(kind, obj.id):
        return None  # never booked (nothing was owed): nothing to credit
    payment = paid_payment_of(kind, obj.id, lock=True)
    ledger.post_credit(kind, obj.id, receivable_fen=0 if payment else by_fen, subsidy_fen=subsidy_by_fen,
                       community_id=due.community_id, payer_id=due.payer_id, currency=due.amount.currency,
                       actor=actor, memo=reason or "credit")
    if payment is not None and by_fen > 0:
        left = refundable_fen(payment)
        if left > 0:
            return open_refund(payment, amount_fen=min(by_fen, left), actor=actor, reason=reason or "credit")
    return None


def on_refund_requested(kind, *, obj, actor=None, reason="", **_):
    from community.payments.operations.refunds import open_refund, refundable_fen

    payment = paid_payment_of(kind, obj.id, lock=True)
    if payment is None:
        current_app.logger.info("refund wanted for %s %s, which has no payment here", kind, obj.id)
        return None
    left = refundable_fen(payment)
    if left <= 0:
        return None
    return open_refund(payment, amount_fen=left, actor=actor, reason=reason)


def connect() -> None:
    payables.opened.connect(on_opened)
    payables.opened_many.connect(on_opened_many)
    payables.voided.connect(on_voided)
    payables.reduced.connect(on_reduced)
    payables.refund_wanted.connect(on_refund_requested)


__all__ = ["connect", "REFUND_PENDING"]
