"""The leases demo: active leases for residents 1-3 (one ending soon, its renewal asked for), bills
in every state, a completed move-out with its settlement; resident6 holds an offer, not yet a
lease; a second load adds nothing."""
import sqlalchemy as sa

from community.core.demo import load_all
from community.leases.models import Bill, Deposit, Lease, RenewalRequest


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
    renewals = db.session.scalars(sa.select(User.email).join(Lease, Lease.user_id == User.id)
                                  .join(RenewalRequest, RenewalRequest.lease_id == Lease.id)
                                  .where(RenewalRequest.status == "requested")).all()
    assert renewals == ["resident3@demo.test"]
    assert not db.session.scalar(sa.select(Lease.id).where(Lease.status == "draft"))
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


def test_demo_rounds_agree_with_the_demo_leases(db):
    """Nobody in the demo holds an offer while holding a lease: the closed round's offer went to
    resident6, the newcomer; the open round refuses residents 1-3 for their leases, takes resident6."""
    from community.accounts.models import User
    from community.apartments import operations as apartments
    from community.apartments.demo import OPEN_ROUND
    from community.apartments.models import Offer, Round

    load_all(echo=lambda *_: None)
    offers = db.session.execute(sa.select(User.email, Offer.status).join(Offer, Offer.user_id == User.id)).all()
    assert offers == [("resident6@demo.test", "open")]
    round_ = db.session.scalar(sa.select(Round).where(Round.title == OPEN_ROUND))
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.like("resident%")))}
    refused = {email: [r.code for r in apartments.check_eligibility(round_, user)] for email, user in users.items()}
    assert all("current_lease" in refused[f"resident{n}@demo.test"] for n in (1, 2, 3))
    assert refused["resident6@demo.test"] == []
