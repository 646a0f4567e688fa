"""Demo leases: residents 1–3 hold active leases in 1号楼 (resident3's ends within 60 days and
they have asked to renew it: the office has a renewal to answer), with bills in every state (paid
at the office, waived, overdue, open, and covered whole by a senior subsidy), and resident3 moved
out of an earlier unit with the deposit settled from the damages. A lease to sign comes the way it
comes in life: resident6 accepts the apartments demo's open offer. Idempotent: nothing is made
when resident1 already has a lease."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from community.accounts.demo import demo_community, demo_user
from community.apartments.models import Unit
from community.core import clock
from community.core.clock import local_today, zone
from community.core.demo import demo_loader
from community.extensions import db
from community.leases import operations as ops
from community.leases import rules
from community.leases.models import Bill, Deposit, Lease

# resident number -> (unit number in 1号楼, months since the start, term months)
PLAN = {1: ("501", 3, 12), 2: ("502", 1, 12), 3: ("603", 11, 12)}


def _at(day, tz):
    return datetime.combine(day, time(9), tzinfo=zone(tz))


def _unit(community, number):
    return db.session.scalar(sa.select(Unit).join(Unit.building).where(
        Unit.community_id == community.id, Unit.number == number, Unit.building.has(name="1号楼")))


def _lease(user, unit, starts_on, months, tz):
    lease = Lease(community_id=unit.community_id, unit_id=unit.id, user_id=user.id, starts_on=starts_on,
                  ends_on=rules.add_months(starts_on, months) - timedelta(days=1), rent_fen=unit.rent_fen,
                  deposit_fen=unit.deposit_fen, currency=unit.currency, payment_day=min(starts_on.day, 28) or 1,
                  terms_version=rules.TERMS_VERSION, co_occupants=[])
    db.session.add(lease)
    db.session.flush()
    return lease


def _move_in(lease, user, admin, tz):
    clock.freeze(_at(lease.starts_on, tz))
    ops.sign(lease, actor=user, ip="192.0.2.10", user_agent="demo")
    ops.countersign(lease, actor=admin, ip="192.0.2.1", user_agent="demo")
    inspection = ops.open_inspection(lease, "move_in", actor=admin, inspected_on=lease.starts_on)
    for room, item in (("客厅", "墙面"), ("卧室", "窗户"), ("厨房", "灶台")):
        ops.add_item(inspection, actor=admin, room=room, item=item, condition="good")
    ops.sign_inspection(inspection, actor=admin, party="office")
    ops.sign_inspection(inspection, actor=user, party="resident")


def _bill_months(lease, until, tz):
    day = rules.month_start(lease.starts_on)
    while day <= until:
        clock.freeze(_at(max(day.replace(day=lease.payment_day), lease.starts_on), tz))
        ops.issue_bills(clock.now(), community_ids=[lease.community_id])
        day = rules.add_months(day, 1)


@demo_loader(70, "leases")
def load_leases(echo):
    from community.payments import operations as payments

    community = demo_community()
    admin = demo_user("admin@demo.test")
    first = demo_user("resident1@demo.test")
    if admin is None or first is None or db.session.scalar(sa.select(Lease.id).where(Lease.user_id == first.id)):
        return
    tz = community.timezone
    today = local_today(tz)
    try:
        for number, (unit_number, months_ago, term) in PLAN.items():
            user, unit = demo_user(f"resident{number}@demo.test"), _unit(community, unit_number)
            if user is None or unit is None:
                continue
            if number == 3:
                _moved_out(community, user, admin, tz, today, echo)
            starts_on = rules.add_months(rules.month_start(today), -months_ago).replace(day=10)
            lease = _lease(user, unit, starts_on, term, tz)
            _move_in(lease, user, admin, tz)
            _bill_months(lease, today, tz)
            deposit = db.session.scalar(sa.select(Deposit).where(Deposit.lease_id == lease.id))
            payments.record_offline_payment("lease_deposit", deposit.id, actor=admin, method="cash",
                                            reference=f"DEMO-D{deposit.id:04d}")
            echo(f"  resident{number}: lease of 1号楼 {unit_number} (active) {lease.starts_on} – {lease.ends_on}")
            if number == 3:
                clock.freeze(None)
                ops.request_renewal(lease, actor=user)
                echo("  resident3 asked to renew; the office answers it")
        clock.freeze(None)
        third = demo_user("resident3@demo.test")
        _bill_states(third or first, admin)
    finally:
        clock.freeze(None)
    ops.mark_overdue()


def _bill_states(user, admin):
    """resident3's bills (resident1's senior tier covers their whole rent: paid as issued): the
    third waived, the last two left open (the overdue job marks last month's past its due day; the
    current month's stays open), the others paid at the office, as a tenant who fell one month
    behind would have them."""
    from community.payments import operations as payments

    bills = db.session.scalars(sa.select(Bill).where(Bill.user_id == user.id, Bill.amount_due_fen > 0)
                               .order_by(Bill.period_start)).all()
    for number, bill in enumerate(bills[:-2]):
        if number == 2:
            ops.waive_bill(bill, actor=admin, reason="装修期间减免")
        else:
            payments.record_offline_payment("lease_bill", bill.id, actor=admin, method="cash",
                                            reference=f"DEMO-B{bill.id:04d}")


def _moved_out(community, user, admin, tz, today, echo):
    unit = _unit(community, "604")
    if unit is None:
        return
    starts_on = rules.add_months(rules.month_start(today), -24).replace(day=10)
    lease = _lease(user, unit, starts_on, 12, tz)
    _move_in(lease, user, admin, tz)
    deposit = db.session.scalar(sa.select(Deposit).where(Deposit.lease_id == lease.id))
    from community.payments import operations as payments

    payments.record_offline_payment("lease_deposit", deposit.id, actor=admin, method="cash",
                                    reference=f"DEMO-D{deposit.id:04d}")
    clock.freeze(_at(lease.ends_on, tz))
    inspection = ops.open_inspection(lease, "move_out", actor=admin, inspected_on=lease.ends_on)
    ops.add_item(inspection, actor=admin, room="卧室", item="窗户", condition="damaged", note="玻璃裂纹", cost_fen=30000)
    ops.add_item(inspection, actor=admin, room="客厅", item="墙面", condition="worn", note="正常磨损")
    ops.sign_inspection(inspection, actor=admin, party="office")
    ops.sign_inspection(inspection, actor=user, party="resident")
    echo(f"  resident3 moved out of 1号楼 604: deposit settled, {deposit.refund_fen} fen back")
