"""Monthly rent bills with the talent subsidy applied automatically (免申即享), the overdue job,
the office's waiver, subsidy rates per community, and what payments calls when a bill is paid.

The job is set-based: per community it selects, CHUNK leases at a time, the billed leases with no
bill yet this month (NOT EXISTS on the bills' unique key, so a second run reads nothing), computes
each bill in Python over plain rows (rules.bill_for) and inserts the chunk in one statement with ON
CONFLICT DO NOTHING on (lease_id, period_start) RETURNING what was inserted: two runs at once, on
two nodes, still issue each bill once. Only the bills inserted are handed to payments, whose ledger
books their charges in bulk in the same transaction."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import sqlite

from community.accounts.models import Building, Community, TalentProfile, User
from community.apartments.models import Unit
from community.core import audit
from community.core.clock import local_today, now
from community.core.errors import PermissionDenied
from community.core.payables import payable_reduced, payable_voided, payables_opened
from community.core.permissions import COMMUNITY_ADMIN, has_role
from community.extensions import db
from community.leases import rules
from community.leases.errors import BillNotOpen, LeaseRuleViolation
from community.leases.models import (
    BILL_OPEN, BILL_OVERDUE, BILL_PAID, BILL_WAIVED, BILLED, TERMINATED, Bill, Lease, SubsidyRate,
)

BILL_KIND = "lease_bill"


def require_office(actor, community_id):
    if not has_role(actor, COMMUNITY_ADMIN, community_id):
        raise PermissionDenied(_l("Only the office of this community can do this."), code="not_their_community")


def subsidy_rates(community_id: int) -> dict:
    """tier -> percent: the community's own rates over the defaults."""
    rates = dict(rules.DEFAULT_SUBSIDY_PERCENT)
    rates.update({tier: percent for tier, percent in db.session.execute(
        sa.select(SubsidyRate.tier, SubsidyRate.percent).where(SubsidyRate.community_id == community_id))})
    return rates


def set_subsidy_rate(community, tier: str, percent: int, *, actor) -> SubsidyRate:
    require_office(actor, community.id)
    if tier not in rules.DEFAULT_SUBSIDY_PERCENT:
        raise LeaseRuleViolation(_l("Unknown talent tier."), code="unknown_tier")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise LeaseRuleViolation(_l("A subsidy is a whole percent from 0 to 100."), code="percent_range")
    rate = db.session.scalar(sa.select(SubsidyRate).where(SubsidyRate.community_id == community.id,
                                                          SubsidyRate.tier == tier))
    rate = rate or SubsidyRate(community_id=community.id, tier=tier, percent=percent)
    rate.percent = percent
    db.session.add(rate)
    db.session.flush()
    audit.record(actor, "lease.subsidy_rate", rate, community_id=community.id, tier=tier, percent=percent)
    return rate


CHUNK = 5000


def issue_bills(at=None, *, community_ids=None, lease_ids=None, after_chunk=None) -> int:
    """Issue today's bills of every community (in its own zone), or only of ``lease_ids`` (a lease
    just moved into); returns how many were issued. The leases are taken CHUNK at a time (by id);
    ``after_chunk`` (the job's and the benchmark's ``db.session.commit``) is called after each, so a
    crash midway leaves whole bills with their charges and a rerun issues the rest."""
    at = at or now()
    issued = 0
    stmt = sa.select(Community.id, Community.timezone).order_by(Community.id)
    if community_ids is not None:
        stmt = stmt.where(Community.id.in_(community_ids))
    for community_id, tz in db.session.execute(stmt).all():
        issued += _issue_for_community(community_id, local_today(tz), at, lease_ids, after_chunk)
    return issued


@dataclass(frozen=True)
class IssuedBill:
    """A bill just inserted, as payments' describe_bill reads it (payables.describe_bill), built
    from plain rows: no ORM object, no lease and unit loaded a bill."""

    id: int
    community_id: int
    user_id: int
    period_start: object
    period_end: object
    amount_due_fen: int
    subsidy_fen: int
    currency: str
    charge_title: str
    is_payable: bool = True
    paid_at: object = None


def _billed():
    """Leases lived in: active or under notice, or ended early by the office on a day still to come
    (a terminated lease is billed to its last day, as long as someone moved in)."""
    return sa.or_(Lease.status.in_(BILLED), sa.and_(Lease.status == TERMINATED, Lease.moved_in_at.is_not(None)))


def _issue_for_community(community_id: int, today, at, lease_ids=None, after_chunk=None) -> int:
    first, last = rules.month_start(today), rules.month_end(today)
    already = sa.exists().where(Bill.lease_id == Lease.id, Bill.period_start >= first)
    rates = subsidy_rates(community_id)
    dialect = db.session.get_bind().dialect.name
    issued = 0
    after_id = 0
    while True:
        rows = db.session.execute(
            sa.select(Lease.id, Lease.user_id, Lease.starts_on, Lease.ends_on, Lease.payment_day, Lease.rent_fen,
                      Lease.currency, TalentProfile.tier, TalentProfile.valid_until, Building.name.label("building"),
                      Unit.number)
            .outerjoin(TalentProfile, TalentProfile.user_id == Lease.user_id)
            .join(Unit, Unit.id == Lease.unit_id).join(Building, Building.id == Unit.building_id)
            .where(Lease.community_id == community_id, _billed(), Lease.starts_on <= last,
                   Lease.ends_on >= first, ~already, Lease.id > after_id,
                   Lease.id.in_(lease_ids) if lease_ids is not None else sa.true())
            .order_by(Lease.id).limit(CHUNK)).all()
        if not rows:
            break
        after_id = rows[-1].id
        count = _issue_chunk(community_id, today, at, rows, rates, dialect)
        if count:
            audit.record(None, "lease.bills_issued", None, object_type="leases.Bill", community_id=community_id,
                         count=count, period=first.isoformat())
        issued += count
        if after_chunk is not None:
            after_chunk()
        if len(rows) < CHUNK:
            break
    return issued


_COLUMNS = ["lease_id", "community_id", "user_id", "period_start", "period_end", "issued_on", "due_on", "rent_fen",
            "subsidy_fen", "amount_due_fen", "currency", "tier", "subsidy_percent", "status", "paid_at",
            "created_at"]


def _issue_chunk(community_id, today, at, rows, rates, dialect) -> int:
    """Compute the chunk's bills over plain rows, insert them in one statement (ON CONFLICT DO NOTHING
    on the unique key: a bill another run inserted first is not issued again, nor charged), then
    hand the inserted ones that are owed to payments."""
    values, titles = [], {}
    first = rules.month_start(today)
    for row in rows:
        period_start = max(first, row.starts_on)
        plan = rules.bill_for(today, starts_on=row.starts_on, ends_on=row.ends_on, payment_day=row.payment_day,
                              rent_fen=row.rent_fen, tier=rules.tier_on(row.tier, row.valid_until, period_start),
                              rates=rates)
        if plan is None:
            continue
        due = plan.amount_due_fen
        titles[row.id] = f"{row.building} {row.number}"
        # A bill the subsidy covers whole is settled as it is issued: nothing to pay.
        values.append((row.id, community_id, row.user_id, plan.period_start, plan.period_end, plan.issued_on,
                       plan.due_on, plan.rent_fen, plan.subsidy_fen, due, row.currency, plan.tier,
                       plan.subsidy_percent, BILL_OPEN if due > 0 else BILL_PAID, None if due > 0 else at, at))
    if not values:
        return 0
    returning = (Bill.id, Bill.lease_id, Bill.user_id, Bill.period_start, Bill.period_end, Bill.amount_due_fen,
                 Bill.subsidy_fen, Bill.currency)
    if dialect == "postgresql":
        inserted = _unnest_insert(Bill.__table__, _COLUMNS, values, tail=(
            "ON CONFLICT (lease_id, period_start) DO NOTHING RETURNING "
            + ", ".join(column.key for column in returning))).all()
    else:
        stmt = (sqlite.insert(Bill.__table__).on_conflict_do_nothing(index_elements=["lease_id", "period_start"])
                .returning(*returning))
        inserted = db.session.execute(stmt, [dict(zip(_COLUMNS, row)) for row in values]).all()
    owed = [IssuedBill(id=r.id, community_id=community_id, user_id=r.user_id, period_start=r.period_start,
                       period_end=r.period_end, amount_due_fen=r.amount_due_fen, subsidy_fen=r.subsidy_fen,
                       currency=r.currency, charge_title=Bill.title_for(titles[r.lease_id], r.period_start,
                                                                          r.period_end))
            for r in inserted if r.amount_due_fen > 0]
    # Payments books their charges (core.payables.payables_opened -> ledger.post_charges: on
    # PostgreSQL two statements for the lot).
    payables_opened(BILL_KIND, owed)
    return len(inserted)


def _unnest_insert(table, columns, rows, *, tail=""):
    """INSERT INTO table (columns) SELECT * FROM unnest(one array a column) <tail> (PostgreSQL): one
    statement a chunk, parsed once. SQLAlchemy's multi-row VALUES has a placeholder a value, which
    psycopg parses again for every batch: that was a third of the run (bench/README.md)."""
    dialect = db.session.get_bind().dialect
    arrays = ", ".join(f"CAST(:{c} AS {table.c[c].type.compile(dialect=dialect)}[])" for c in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) {tail}"
    return db.session.execute(sa.text(sql), {c: [row[i] for row in rows] for i, c in enumerate(columns)})


def mark_overdue(at=None) -> int:
    """Open bills past their due day (in each community's zone) become overdue, and each resident is
    told once a bill; returns how many."""
    from community.leases import notices

    at = at or now()
    changed = []
    for community_id, tz in db.session.execute(sa.select(Community.id, Community.timezone)).all():
        changed += db.session.scalars(
            sa.update(Bill).where(Bill.community_id == community_id, Bill.status == BILL_OPEN,
                                  Bill.due_on < local_today(tz))
            .values(status=BILL_OVERDUE).returning(Bill.id).execution_options(synchronize_session=False)).all()
    for bill, user in _bills_with_users(changed):
        notices.bill_overdue(bill, user)
    return len(changed)


NOTIFY_BATCH = 5000


def notify_new_bills(at=None, *, limit: int = NOTIFY_BATCH) -> int:
    """Tell residents of the bills issued since the last run (up to ``limit`` a run, oldest first;
    the job runs again for the rest): what is due and the subsidy applied (免申即享), or that the
    subsidy covers it. A bill waived meanwhile, or past its due day, is only marked (the overdue
    notice speaks for it). Returns how many notices were sent. Rows are taken FOR UPDATE SKIP
    LOCKED on PostgreSQL, so two runs at once never tell anyone twice."""
    from community.leases import notices

    at = at or now()
    ids = db.session.scalars(sa.select(Bill.id).where(Bill.notified_at.is_(None)).order_by(Bill.id).limit(limit)
                             .with_for_update(skip_locked=True)).all()
    sent = 0
    for bill, user in _bills_with_users(ids):
        if bill.status in (BILL_OPEN, BILL_PAID) and bill.due_on >= local_today(user.timezone):
            notices.bill_issued(bill, user)
            sent += 1
    if ids:
        db.session.execute(sa.update(Bill).where(Bill.id.in_(ids)).values(notified_at=at)
                           .execution_options(synchronize_session=False))
    return sent


def _bills_with_users(ids):
    """(bill, user) of the bill ids, in id order, in two statements."""
    if not ids:
        return []
    bills = db.session.scalars(sa.select(Bill).where(Bill.id.in_(ids)).order_by(Bill.id)).all()
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_({b.user_id for b in bills})))}
    return [(bill, users[bill.user_id]) for bill in bills]


def waive_bill(bill: Bill, *, actor, reason: str) -> Bill:
    """The office waives an unpaid bill with a reason the resident sees."""
    require_office(actor, bill.community_id)
    reason = (reason or "").strip()
    if not reason:
        raise LeaseRuleViolation(_l("Say why the bill is waived."), code="reason_required")
    changed = db.session.execute(
        sa.update(Bill).where(Bill.id == bill.id, Bill.status.in_((BILL_OPEN, BILL_OVERDUE)))
        .values(status=BILL_WAIVED, waived_at=now(), waived_by_id=actor.id, waive_reason=reason[:500])
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise BillNotOpen()
    db.session.refresh(bill)
    audit.record(actor, "lease.bill_waived", bill, reason=bill.waive_reason, amount=bill.amount_due_fen)
    if bill.amount_due_fen > 0:
        payable_voided(BILL_KIND, bill, actor=actor)
    from community.leases import notices

    notices.bill_waived(bill)
    return bill


def cut_bills_to_end(lease: Lease, *, actor=None) -> list[Bill]:
    """The lease ended before a bill's period was out (a move-out before the month's end, an early
    termination): each such bill is cut to the days lived (rules.cut_to_end) and payments credits
    the difference, refunding it when the bill was paid. A bill left with nothing owed that was
    not paid is waived with the reason. Returns the bills changed (none the second time)."""
    bills = db.session.scalars(sa.select(Bill).where(Bill.lease_id == lease.id, Bill.period_end > lease.ends_on,
                                                     Bill.status != BILL_WAIVED)
                               .order_by(Bill.period_start).with_for_update()).all()
    reason = str(_l("The lease ended on %(day)s: billed to that day.", day=lease.ends_on.isoformat()))
    for bill in bills:
        period_end, rent, subsidy = rules.cut_to_end(bill.period_start, bill.period_end, lease.rent_fen,
                                                     bill.subsidy_percent, lease.ends_on)
        by_fen, subsidy_by_fen = bill.amount_due_fen - (rent - subsidy), bill.subsidy_fen - subsidy
        bill.period_end, bill.rent_fen, bill.subsidy_fen, bill.amount_due_fen = period_end, rent, subsidy, rent - subsidy
        if bill.amount_due_fen == 0 and bill.status in (BILL_OPEN, BILL_OVERDUE):
            bill.status, bill.waived_at, bill.waive_reason = BILL_WAIVED, now(), reason
        db.session.flush()
        audit.record(actor, "lease.bill_cut", bill, lease_id=lease.id, ends_on=lease.ends_on, less=by_fen,
                     subsidy_less=subsidy_by_fen)
        payable_reduced(BILL_KIND, bill, by_fen=by_fen, subsidy_by_fen=subsidy_by_fen, actor=actor, reason=reason)
    return bills


def mark_bill_paid(bill: Bill, *, actor=None) -> Bill:
    """Payments' hook (a webhook, an offline payment): open or overdue -> paid. Harmless twice."""
    changed = db.session.execute(
        sa.update(Bill).where(Bill.id == bill.id, Bill.status.in_((BILL_OPEN, BILL_OVERDUE)))
        .values(status=BILL_PAID, paid_at=now()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(bill)
    if changed:
        audit.record(actor, "lease.bill_paid", bill, amount=bill.amount_due_fen)
    return bill


def mark_bill_unpaid(bill: Bill, *, actor=None) -> Bill:
    """An offline payment reversed: paid -> open (overdue again by the job when past due)."""
    changed = db.session.execute(
        sa.update(Bill).where(Bill.id == bill.id, Bill.status == BILL_PAID, Bill.amount_due_fen > 0)
        .values(status=BILL_OPEN, paid_at=None).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(bill)
    if changed:
        audit.record(actor, "lease.bill_unpaid", bill)
    return bill
