"""The leases demo: active leases for residents 1-3 (one ending soon), bills in every state, a
completed move-out with its settlement; a second load adds nothing."""
import sqlalchemy as sa

from community.core.demo import load_all
from community.leases.models import Bill, Deposit, Lease


def test_demo_leases_once(db):
    from community.accounts.models import User

    load_all(echo=lambda *_: None)
    resident1 = db.session.scalar(sa.select(User).where(User.email == "resident1@demo.test"))
    statuses = {s for s, in db.session.execute(sa.select(Bill.status).distinct())}
    assert statuses == {"open", "paid", "overdue", "waived"}
    assert db.session.scalar(sa.select(Lease.status).where(Lease.user_id == resident1.id)) == "active"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill).where(Bill.user_id == resident1.id)) >= 3
    active = db.session.scalars(sa.select(User.email).join(Lease, Lease.user_id == User.id)
                                .where(Lease.status == "active")).all()
    assert sorted(active) == [f"resident{n}@demo.test" for n in (1, 2, 3)]
    resident4_leases = db.session.scalars(sa.select(Lease.status).join(User, Lease.user_id == User.id)
                                          .where(User.email == "resident4@demo.test")).all()
    assert resident4_leases == ["draft"]
    assert db.session.scalar(sa.select(Deposit.status).join(Lease).where(Lease.status == "ended")) == "settled"
    leases, bills = (db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Lease, Bill))
    load_all(echo=lambda *_: None)
    assert (db.session.scalar(sa.select(sa.func.count()).select_from(Lease)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Bill))) == (leases, bills)


def test_subsidy_by_tier_lists_the_highest_tier_first(db):
    from community.accounts.models import User
    from community.core.clock import local_today
    from community.leases import queries, rules

    load_all(echo=lambda *_: None)
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.test"))
    first = rules.month_start(local_today(admin.timezone))
    tiers = [row[0] for row in queries.subsidy_by_tier(admin, first, rules.add_months(first, 1))]
    assert tiers and tiers == sorted(tiers, key=("senior", "intermediate", "junior").index)
