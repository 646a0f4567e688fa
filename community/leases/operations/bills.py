"""Monthly rent bills with the talent subsidy applied automatically (免申即享), the overdue job,
the office's waiver, subsidy rates per community, and what payments calls when a bill is paid.

The job is set-based: per community it selects every billed lease with no bill yet this month
(NOT EXISTS on the bills' unique key, so a second run reads nothing), computes each bill in Python
(rules.bill_for) and inserts them in batches with ON CONFLICT DO NOTHING on (lease_id,
period_start): two runs at once, on two nodes, still issue each bill once."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from community.accounts.models import Community, TalentProfile
from community.apartments.models import Unit
from community.core import audit
from community.core.clock import local_today, now
from community.core.errors import PermissionDenied
from community.core.payables import payable_voided, payables_opened
from community.core.permissions import COMMUNITY_ADMIN, has_role
from community.extensions import db
from community.leases import rules
from community.leases.errors import BillNotOpen, LeaseRuleViolation
from community.leases.models import (
    BILL_OPEN, BILL_OVERDUE, BILL_PAID, BILL_WAIVED, BILLED, Bill, Lease, SubsidyRate,
)

BILL_KIND = "lease_bill"
BATCH = 2000


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


def _insert(dialect_name):
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(Bill.__table__)


def issue_bills(at=None, *, community_ids=None, lease_ids=None) -> int:
    """Issue today's bills of every community (in its own zone), or only of ``lease_ids`` (a lease
    just moved into); returns how many were issued."""
    at = at or now()
    issued = 0
    stmt = sa.select(Community.id, Community.timezone).order_by(Community.id)
    if community_ids is not None:
        stmt = stmt.where(Community.id.in_(community_ids))
    for community_id, tz in db.session.execute(stmt).all():
        issued += _issue_for_community(community_id, local_today(tz), at, lease_ids)
    return issued


def _issue_for_community(community_id: int, today, at, lease_ids=None) -> int:
    first, last = rules.month_start(today), rules.month_end(today)
    already = sa.exists().where(Bill.lease_id == Lease.id, Bill.period_start >= first)
    rows = db.session.execute(
        sa.select(Lease.id, Lease.user_id, Lease.starts_on, Lease.ends_on, Lease.payment_day, Lease.rent_fen,
                  Lease.currency, TalentProfile.tier, TalentProfile.valid_until)
        .outerjoin(TalentProfile, TalentProfile.user_id == Lease.user_id)
        .where(Lease.community_id == community_id, Lease.status.in_(BILLED), Lease.starts_on <= last,
               Lease.ends_on >= first, ~already,
               Lease.id.in_(lease_ids) if lease_ids is not None else sa.true())
        .order_by(Lease.id)).all()
    if not rows:
        return 0
    rates = subsidy_rates(community_id)
    values = []
    for row in rows:
        period_start = max(first, row.starts_on)
        plan = rules.bill_for(today, starts_on=row.starts_on, ends_on=row.ends_on, payment_day=row.payment_day,
                              rent_fen=row.rent_fen, tier=rules.tier_on(row.tier, row.valid_until, period_start),
                              rates=rates)
        if plan is None:
            continue
        due = plan.amount_due_fen
        values.append({"lease_id": row.id, "community_id": community_id, "user_id": row.user_id,
                       "period_start": plan.period_start, "period_end": plan.period_end, "issued_on": plan.issued_on,
                       "due_on": plan.due_on, "rent_fen": plan.rent_fen, "subsidy_fen": plan.subsidy_fen,
                       "amount_due_fen": due, "currency": row.currency, "tier": plan.tier,
                       "subsidy_percent": plan.subsidy_percent,
                       # A bill the subsidy covers whole is settled as it is issued: nothing to pay.
                       "status": BILL_OPEN if due > 0 else BILL_PAID, "paid_at": None if due > 0 else at,
                       "created_at": at})
    dialect = db.session.get_bind().dialect.name
    issued_ids = []
    # One statement compiled once and sent with many parameter sets (SQLAlchemy's insertmanyvalues
    # batches them): a VALUES list of literal rows would be compiled anew for every batch.
    stmt = (_insert(dialect).on_conflict_do_nothing(index_elements=["lease_id", "period_start"])
            .returning(Bill.id))
    for start in range(0, len(values), BATCH):
        issued_ids.extend(db.session.execute(stmt, values[start:start + BATCH]).scalars().all())
    _tell_payments(issued_ids)
    if issued_ids:
        audit.record(None, "lease.bills_issued", None, object_type="leases.Bill", community_id=community_id,
                     count=len(issued_ids), period=first.isoformat())
    return len(issued_ids)


def _tell_payments(bill_ids):
    """Payments books each new bill's charge, a chunk at a time (core.payables.payables_opened:
    one look-up of the charges already booked for the chunk; no autoflush while they are made, so
    the flush after the chunk inserts them together)."""
    for start in range(0, len(bill_ids), BATCH):
        chunk = bill_ids[start:start + BATCH]
        bills = db.session.scalars(sa.select(Bill).where(Bill.id.in_(chunk), Bill.amount_due_fen > 0)
                                   .options(joinedload(Bill.lease).joinedload(Lease.unit).joinedload(Unit.building)))
        with db.session.no_autoflush:
            payables_opened(BILL_KIND, bills.all())
        db.session.flush()


def mark_overdue(at=None) -> int:
    """Open bills past their due day (in each community's zone) become overdue; returns how many."""
    at = at or now()
    changed = 0
    for community_id, tz in db.session.execute(sa.select(Community.id, Community.timezone)).all():
        changed += db.session.execute(
            sa.update(Bill).where(Bill.community_id == community_id, Bill.status == BILL_OPEN,
                                  Bill.due_on < local_today(tz))
            .values(status=BILL_OVERDUE).execution_options(synchronize_session=False)).rowcount or 0
    return changed


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
