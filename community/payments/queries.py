"""Scoped reads of payments: a payer's own, an office's community's. Every list is scoped before
it is paginated. Never imports operations."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import Community, User
from community.core.errors import NotFound
from community.core.payables import payable_kind
from community.extensions import db
from community.payments import ledger
from community.payments.access import is_operator, operated_community_ids
from community.payments.models import (
    MONEY_IN, OPEN, PAID, REFUND_PENDING, REFUND_SUCCEEDED, Payment, PaymentProblem, Refund,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def my_payments(user) -> sa.Select:
    """The payer's payments, newest first (open sessions included: "still processing")."""
    return (sa.select(Payment).where(Payment.payer_id == user.id)
            .options(selectinload(Payment.refunds)).order_by(Payment.created_at.desc(), Payment.id.desc()))


def my_payment(user, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.payer_id != user.id:
        raise NotFound()
    return payment


def to_pay(user) -> list[dict]:
    """What the payer still owes, from the ledger's receivables, described by each payable."""
    rows = db.session.execute(
        sa.select(ledger.LedgerEntry.payable_kind, ledger.LedgerEntry.payable_id)
        .where(ledger.LedgerEntry.account == "receivable", ledger.LedgerEntry.payer_id == user.id)
        .group_by(ledger.LedgerEntry.payable_kind, ledger.LedgerEntry.payable_id)
        .having(sa.func.sum(ledger.LedgerEntry.amount_fen) > 0)
        .order_by(ledger.LedgerEntry.payable_id)).all()
    owed = []
    for kind, pid in rows[:50]:
        spec = payable_kind(kind)
        obj = spec.load(pid) if spec else None
        if obj is None:
            continue
        due = spec.describe(obj)
        if due.is_open and not due.is_paid and spec.may_pay(user, obj):
            owed.append({"kind": kind, "id": pid, "due": due, "label": spec.label})
    return owed


def operator_payments(user, *, q: str = "", status: str = "", method: str = "", community_id=None,
                      since: date | None = None, until: date | None = None) -> sa.Select:
    """Payments of the communities ``user`` runs, filtered; newest first."""
    stmt = sa.select(Payment).join(Payment.payer).options(joinedload(Payment.payer), selectinload(Payment.refunds))
    scope = operated_community_ids(user)
    if scope is not None:
        stmt = stmt.where(Payment.community_id.in_(scope or [-1]))
    if community_id:
        stmt = stmt.where(Payment.community_id == community_id)
    if status:
        stmt = stmt.where(Payment.status == status)
    if method:
        stmt = stmt.where(Payment.method == method)
    if since:
        stmt = stmt.where(Payment.created_at >= _start_of(since))
    if until:
        stmt = stmt.where(Payment.created_at < _start_of(until + timedelta(days=1)))
    q = (q or "").strip()
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        conditions = [Payment.title.ilike(like), Payment.reference.ilike(like), User.display_name.ilike(like),
                      User.email.ilike(like)]
        if q.isdigit() and len(q) < 18:
            conditions.append(Payment.id == int(q))
        stmt = stmt.where(sa.or_(*conditions))
    return stmt.order_by(Payment.created_at.desc(), Payment.id.desc())


def operator_payment(user, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or not is_operator(user, payment.community_id):
        raise NotFound()
    return payment


def operator_refund(user, refund_id: int) -> Refund:
    refund = db.session.get(Refund, refund_id)
    if refund is None or not is_operator(user, refund.payment.community_id):
        raise NotFound()
    return refund


def pending_offline_refunds(user) -> sa.Select:
    stmt = (sa.select(Refund).join(Refund.payment).where(Refund.status == REFUND_PENDING, Payment.method != "stripe")
            .options(joinedload(Refund.payment).joinedload(Payment.payer)).order_by(Refund.created_at))
    scope = operated_community_ids(user)
    return stmt if scope is None else stmt.where(Payment.community_id.in_(scope or [-1]))


def problems(user, *, resolved: bool = False) -> sa.Select:
    stmt = sa.select(PaymentProblem).options(joinedload(PaymentProblem.payment))
    stmt = stmt.where(PaymentProblem.resolved_at.is_not(None) if resolved else PaymentProblem.resolved_at.is_(None))
    scope = operated_community_ids(user)
    if scope is not None:
        stmt = stmt.where(PaymentProblem.community_id.in_(scope or [-1]))
    return stmt.order_by(PaymentProblem.created_at.desc(), PaymentProblem.id.desc())


def operator_problem(user, problem_id: int) -> PaymentProblem:
    problem = db.session.get(PaymentProblem, problem_id)
    scope = operated_community_ids(user)
    if problem is None or (scope is not None and problem.community_id not in scope):
        raise NotFound()
    return problem


def open_problem_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(problems(user).order_by(None).subquery())) or 0


def operated_communities(user) -> list[Community]:
    scope = operated_community_ids(user)
    stmt = sa.select(Community).order_by(Community.name)
    if scope is not None:
        stmt = stmt.where(Community.id.in_(scope or [-1]))
    return list(db.session.scalars(stmt))


# -- reports ------------------------------------------------------------------------------------------

def _start_of(day: date, tz=SHANGHAI) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def payments_by_day(user, *, since: date, until: date, tz=SHANGHAI) -> list[dict]:
    """Money received a day and method (payments received less nothing: refunds are their own
    column), in the communities ``user`` runs, by the local date of payment."""
    stmt = sa.select(Payment).where(Payment.status.in_(MONEY_IN + ("reversed",)), Payment.paid_at.is_not(None),
                                    Payment.paid_at >= _start_of(since, tz),
                                    Payment.paid_at < _start_of(until + timedelta(days=1), tz))
    scope = operated_community_ids(user)
    if scope is not None:
        stmt = stmt.where(Payment.community_id.in_(scope or [-1]))
    totals: dict = {}
    for payment in db.session.scalars(stmt):
        if payment.status == "reversed":
            continue
        key = (payment.paid_at.astimezone(tz).date(), payment.method, payment.currency)
        row = totals.setdefault(key, {"day": key[0], "method": key[1], "currency": key[2], "count": 0,
                                      "received_fen": 0, "refunded_fen": 0})
        row["count"] += 1
        row["received_fen"] += payment.amount_fen
    refunds = sa.select(Refund).join(Refund.payment).where(
        Refund.status == REFUND_SUCCEEDED, Refund.settled_at >= _start_of(since, tz),
        Refund.settled_at < _start_of(until + timedelta(days=1), tz)).options(joinedload(Refund.payment))
    if scope is not None:
        refunds = refunds.where(Payment.community_id.in_(scope or [-1]))
    for refund in db.session.scalars(refunds):
        key = (refund.settled_at.astimezone(tz).date(), refund.payment.method, refund.currency)
        row = totals.setdefault(key, {"day": key[0], "method": key[1], "currency": key[2], "count": 0,
                                      "received_fen": 0, "refunded_fen": 0})
        row["refunded_fen"] += refund.amount_fen
    return [totals[key] for key in sorted(totals, key=lambda k: (k[0], k[1]), reverse=True)]


def receivables(user) -> list[dict]:
    """Outstanding receivables by community, from the ledger alone."""
    scope = operated_community_ids(user)
    names = {c.id: c.name for c in operated_communities(user)}
    rows = db.session.execute(ledger.receivables_by_community(scope)).all()
    return [{"community_id": cid, "community": names.get(cid, str(cid)), "currency": currency,
             "owed_fen": int(owed), "payables": count} for cid, currency, owed, count in rows if cid in names]


def payable_state(kind: str, payable_id: int) -> dict:
    """For a result page: whether the payable is paid, from our database."""
    spec = payable_kind(kind)
    obj = spec.load(payable_id) if spec else None
    if obj is None:
        return {"paid": False, "open": False}
    due = spec.describe(obj)
    return {"paid": due.is_paid, "open": due.is_open, "due": due}


__all__ = ["OPEN", "PAID"]
