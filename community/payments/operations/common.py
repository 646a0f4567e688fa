"""What the payment operations share: the payable behind a kind and id, row locks."""
import sqlalchemy as sa

from community.core.errors import NotFound
from community.core.payables import payable_kind
from community.extensions import db
from community.payments.models import OPEN, PAID, Payment


def payable(kind: str, payable_id: int):
    """(the registered kind, the object) or NotFound."""
    spec = payable_kind(kind)
    obj = spec.load(payable_id) if spec is not None else None
    if obj is None:
        raise NotFound()
    return spec, obj


def locked(payment: Payment) -> Payment:
    """Re-read ``payment`` under a row lock (FOR UPDATE on PostgreSQL; SQLite's write lock)."""
    return db.session.scalars(sa.select(Payment).where(Payment.id == payment.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def open_payment_of(kind: str, payable_id: int, *, lock=False) -> Payment | None:
    stmt = sa.select(Payment).where(Payment.payable_kind == kind, Payment.payable_id == payable_id,
                                    Payment.status == OPEN)
    return db.session.scalars(stmt.with_for_update() if lock else stmt).first()


def paid_payment_of(kind: str, payable_id: int, *, lock=False) -> Payment | None:
    stmt = sa.select(Payment).where(Payment.payable_kind == kind, Payment.payable_id == payable_id,
                                    Payment.status == PAID)
    return db.session.scalars(stmt.with_for_update() if lock else stmt).first()
