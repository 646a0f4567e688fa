"""Shared setup for the leases benchmark: ``seed(database_url, leases=N)`` builds, once, a
community of its own ("Bench leases"): N residents (password bench12345) with tiers, N units in
buildings of 1,000 units, and N active leases, all with Core INSERTs through the app's models;
reruns find it by name (and add leases when asked for more). ``reset_bills`` deletes this
month's bills and their ledger charges (triggers off for that transaction: benchmark database only) so the next run issues them again."""
import random
from datetime import date, timedelta

import sqlalchemy as sa

from bench.apartments import _app, _insert

COMMUNITY = "Bench leases"
PASSWORD = "bench12345"


def seed(database_url, *, leases=100_000, seed_value=7):
    """{"community_id", "emails": [first residents' e-mails]}."""
    from community.accounts import operations as accounts
    from community.accounts.models import Community, RoleGrant, TalentProfile, User
    from community.apartments.models import Unit
    from community.core import clock
    from community.extensions import db
    from community.leases.models import Lease
    from community.leases.rules import TERMS_VERSION

    app = _app(database_url)
    rng = random.Random(seed_value)
    with app.app_context():
        community = db.session.scalar(sa.select(Community).where(Community.name == COMMUNITY))
        if community is None:
            community = accounts.create_community(name=COMMUNITY, timezone="Asia/Shanghai")
            db.session.flush()
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Lease).where(
            Lease.community_id == community.id)) or 0
        real_now = clock.now()
        if have < leases:
            password_hash = accounts.register_user(login=f"bench-lease-owner{have}@bench.test", password=PASSWORD,
                                                   display_name="Bench").password_hash
            today = real_now.date()
            for start in range(have, leases, 10_000):
                count = min(10_000, leases - start)
                building = accounts.add_building(community, name=f"L{start // 1000:04d}栋-{start}", floors=30)
                db.session.flush()
                unit_ids = _insert(db, Unit.__table__, [
                    dict(community_id=community.id, building_id=building.id, number=f"{start + n}", floor=1 + n // 400,
                         layout="1b1l", area_centi_m2=4500, orientation="south", furnished=True, accessible=False,
                         rent_fen=rng.randint(15, 40) * 10000, deposit_fen=0, currency="CNY", status="leased",
                         created_at=real_now, updated_at=real_now) for n in range(count)], returning=Unit.__table__.c.id)
                user_ids = _insert(db, User.__table__, [
                    dict(email=f"lease{start + n:06d}@bench.test", password_hash=password_hash,
                         display_name=f"租户{start + n:06d}", community_id=community.id, active=True,
                         session_generation=0, created_at=real_now, updated_at=real_now) for n in range(count)],
                    returning=User.__table__.c.id)
                _insert(db, RoleGrant.__table__, [dict(user_id=uid, role="resident", community_id=community.id,
                                                       granted_at=real_now) for uid in user_ids])
                tiers = ["junior"] * 45 + ["intermediate"] * 33 + ["senior"] * 12 + [None] * 10
                _insert(db, TalentProfile.__table__, [
                    dict(user_id=uid, talent_type="production", tier=rng.choice(tiers),
                         valid_until=date(2030, 1, 1) if rng.random() < 0.9 else today - timedelta(days=5),
                         employer="", created_at=real_now, updated_at=real_now) for uid in user_ids])
                rows = []
                for uid, unit_id in zip(user_ids, unit_ids):
                    starts = today - timedelta(days=rng.randint(30, 300))
                    rows.append(dict(community_id=community.id, unit_id=unit_id, user_id=uid, status="active",
                                     starts_on=starts, ends_on=starts + timedelta(days=364),
                                     rent_fen=rng.randint(15, 40) * 10000, deposit_fen=0, currency="CNY",
                                     payment_day=1, notice_days=30, co_occupants=[], terms_version=TERMS_VERSION,
                                     end_reason="", created_at=real_now, updated_at=real_now))
                _insert(db, Lease.__table__, rows)
                db.session.commit()
        emails = db.session.scalars(sa.select(User.email).join(Lease, Lease.user_id == User.id)
                                    .where(Lease.community_id == community.id).order_by(User.id).limit(64)).all()
        return {"community_id": community.id, "emails": emails}


def timed_bill_run(database_url, community_id):
    """(seconds, issued): one run of the bill job for the community, its COMMIT included."""
    import time

    from community.extensions import db
    from community.leases.operations import issue_bills

    app = _app(database_url)
    with app.app_context():
        began = time.perf_counter()
        issued = issue_bills(community_ids=[community_id], after_chunk=db.session.commit)  # as the job does
        db.session.commit()
        return time.perf_counter() - began, issued


def timed_notice_batch(database_url):
    """(seconds, sent): one run of the bill-notices job over the bills just issued (a batch of
    NOTIFY_BATCH: the notices and their e-mails in the outbox), rolled back so a rerun tells again."""
    import time

    from community.extensions import db
    from community.leases.operations import notify_new_bills

    app = _app(database_url)
    with app.app_context():
        began = time.perf_counter()
        sent = notify_new_bills()
        db.session.flush()
        seconds = time.perf_counter() - began
        db.session.rollback()
        return seconds, sent


def reset_bills(database_url, community_id):
    from community.extensions import db
    from community.leases.models import Bill

    app = _app(database_url)
    with app.app_context():
        ids = sa.select(Bill.id).where(Bill.community_id == community_id)
        # The ledger refuses deletes (a trigger); in the benchmark database only, the superuser
        # switches triggers off for this transaction to take the run's charges back out.
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        charges = sa.text("SELECT id FROM ledger_transactions WHERE payable_kind = 'lease_bill' AND payable_id IN "
                          "(SELECT id FROM lease_bills WHERE community_id = :c)")
        db.session.execute(sa.text(f"DELETE FROM ledger_entries WHERE transaction_id IN ({charges.text})"),
                           {"c": community_id})
        db.session.execute(sa.text(f"DELETE FROM ledger_transactions WHERE id IN ({charges.text})"), {"c": community_id})
        db.session.execute(sa.delete(Bill).where(Bill.id.in_(ids)))
        db.session.commit()

