"""Shared setup for the apartments benchmarks (apartments_allocation, apartments_eligibility).

``seed(database_url)`` builds, once, a community of its own in the benchmark database ("Bench
apartments"): 10,000 residents with tiers, households and employers, 2,000 units in 20 buildings, a
published round whose window has closed with one application from every resident (ranked
preferences of layouts and buildings), an open round for the eligibility check, and API tokens.
Everything is written in bulk with Core INSERTs through the app's models; reruns find it by name.
``reset(round_id)`` undoes an allocation so the next run starts alike."""
import random
from datetime import date, timedelta

import sqlalchemy as sa

COMMUNITY = "Bench apartments"
CLOSED_TITLE = "Bench round (closed)"
OPEN_TITLE = "Bench round (open)"
LAYOUTS = ("studio", "1b1l", "2b1l", "2b2l", "3b1l")


def _app(database_url):
    from community import create_app
    from config import CONFIGS

    class BenchConfig(CONFIGS["default"]):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = False

    return create_app(BenchConfig)


def _insert(db, table, rows, returning=None):
    if not rows:
        return []
    stmt = sa.insert(table)
    if returning is not None:
        return [row[0] for row in db.session.execute(stmt.returning(returning), rows)]
    db.session.execute(stmt, rows)
    return []


def seed(database_url, *, applicants=10_000, units=2_000, tokens=64, seed_value=1):
    """{"community_id", "closed_round_id", "open_round_id", "tokens": [...]}; builds what is missing."""
    from community.accounts import operations as accounts
    from community.accounts.models import ApiToken, Community, RoleGrant, TalentProfile, User
    from community.apartments import operations as ops
    from community.apartments.models import Application, Household, HouseholdMember, Round, RoundUnit, Unit
    from community.core import clock
    from community.core.tokens import digest as token_digest
    from community.core.tokens import generate
    from community.extensions import db

    app = _app(database_url)
    rng = random.Random(seed_value)
    with app.app_context():
        community = db.session.scalar(sa.select(Community).where(Community.name == COMMUNITY))
        if community is not None:
            closed = db.session.scalar(sa.select(Round.id).where(Round.community_id == community.id,
                                                                 Round.title == CLOSED_TITLE))
            opened = db.session.scalar(sa.select(Round.id).where(Round.community_id == community.id,
                                                                 Round.title == OPEN_TITLE))
            import json, os

            with open(os.path.join(app.instance_path, "bench-apartments-tokens.json")) as handle:
                clear = json.load(handle)
            return {"community_id": community.id, "closed_round_id": closed, "open_round_id": opened, "tokens": clear}
        real_now = clock.now()
        community = accounts.create_community(name=COMMUNITY, timezone="Asia/Shanghai")
        buildings = [accounts.add_building(community, name=f"{i + 1:02d}栋", floors=25) for i in range(20)]
        db.session.flush()
        per_building = units // len(buildings)
        unit_rows = []
        for building in buildings:
            for n in range(per_building):
                floor = 1 + n // 4
                unit_rows.append(dict(community_id=community.id, building_id=building.id, number=f"{floor}{n % 4 + 1:02d}",
                                      floor=floor, layout=rng.choice(LAYOUTS), area_centi_m2=rng.randint(3000, 9000),
                                      orientation="south", furnished=True, accessible=False, rent_fen=rng.randint(15, 40) * 10000,
                                      deposit_fen=0, currency="CNY", status="available", created_at=real_now, updated_at=real_now))
        # 40 more units for the open round.
        for n in range(40):
            unit_rows.append(dict(unit_rows[n], number=f"X{n:03d}", building_id=buildings[0].id))
        unit_ids = _insert(db, Unit.__table__, unit_rows, returning=Unit.__table__.c.id)
        password_hash = accounts.register_user(login="bench-apt-owner@bench.test", password="bench12345",
                                               display_name="Bench").password_hash
        users = [dict(email=f"apt{i:05d}@bench.test", password_hash=password_hash, display_name=f"住户{i:05d}",
                      community_id=community.id, active=True, session_generation=0, created_at=real_now,
                      updated_at=real_now) for i in range(applicants)]
        user_ids = _insert(db, User.__table__, users, returning=User.__table__.c.id)
        _insert(db, RoleGrant.__table__, [dict(user_id=uid, role="resident", community_id=community.id,
                                               granted_at=real_now) for uid in user_ids])
        tiers = ["junior"] * 45 + ["intermediate"] * 33 + ["senior"] * 12 + [None] * 10
        _insert(db, TalentProfile.__table__, [dict(user_id=uid, talent_type="production", tier=rng.choice(tiers),
                                                   valid_until=date(2030, 1, 1), employer="", created_at=real_now,
                                                   updated_at=real_now) for uid in user_ids])
        household_ids = _insert(db, Household.__table__, [
            dict(user_id=uid, employer="Bench Co", employer_district="浦东新区" if rng.random() < 0.95 else "徐汇区",
                 industry=rng.choice(("集成电路", "软件", "金融", "")),
                 waiting_since=date(2025, 1, 1) + timedelta(days=rng.randint(0, 400)),
                 created_at=real_now, updated_at=real_now) for uid in user_ids], returning=Household.__table__.c.id)
        members = []
        for household_id in household_ids:
            for k in range(rng.choice((0, 1, 1, 2, 3))):
                members.append(dict(household_id=household_id, name=f"成员{k}", relation="spouse" if k == 0 else "child"))
        _insert(db, HouseholdMember.__table__, members)
        db.session.flush()
        clock.freeze(real_now - timedelta(days=30))
        try:
            closed = ops.create_round(community, actor=None, title=CLOSED_TITLE, opens_at=real_now - timedelta(days=29),
                                      closes_at=real_now - timedelta(days=1), district="浦东新区", min_tier="junior",
                                      points_per_waiting_month=2, points_per_member=3, priority_industry_points=5,
                                      priority_industries=["集成电路"], recent_allocation_months=12)
            _insert(db, RoundUnit.__table__, [dict(round_id=closed.id, unit_id=uid) for uid in unit_ids[:units]])
            db.session.expire(closed)
            ops.publish_round(closed, actor=None)
        finally:
            clock.freeze(None)
        building_ids = [b.id for b in buildings]
        apps = []
        for uid in user_ids:
            prefs = [{"layout": layout} for layout in rng.sample(LAYOUTS, 2)] + [{"building_id": rng.choice(building_ids)}]
            apps.append(dict(round_id=closed.id, user_id=uid, community_id=community.id, preferences=prefs,
                             status="submitted", created_at=real_now, updated_at=real_now))
        _insert(db, Application.__table__, apps)
        opened = ops.create_round(community, actor=None, title=OPEN_TITLE, opens_at=real_now - timedelta(days=1),
                                  closes_at=real_now + timedelta(days=3650), district="浦东新区", min_tier="junior",
                                  recent_allocation_months=12)
        ops.offer_units(opened, actor=None, unit_ids=unit_ids[units:])
        ops.publish_round(opened, actor=None)
        clear = []
        for uid in user_ids[:tokens]:
            token = "tc_" + generate(32)
            db.session.add(ApiToken(user_id=uid, token_hash=token_digest(token), name="bench",
                                    expires_at=real_now + timedelta(days=3650)))
            clear.append(token)
        db.session.commit()
        import json, os

        with open(os.path.join(app.instance_path, "bench-apartments-tokens.json"), "w") as handle:
            json.dump(clear, handle)
        return {"community_id": community.id, "closed_round_id": closed.id, "open_round_id": opened.id,
                "tokens": clear}


def reset(database_url, round_id):
    """Undo an allocation of the round: offers, notices and outbox mail it made, ranks, status."""
    import psycopg

    from bench.results import plain_dsn

    with psycopg.connect(plain_dsn(database_url)) as conn:
        conn.execute("DELETE FROM apartment_offers WHERE round_id = %s", (round_id,))
        conn.execute("DELETE FROM notices WHERE kind LIKE 'apartments.%%'")
        conn.execute("DELETE FROM outbox_emails WHERE kind LIKE 'apartments.%%'")
        conn.execute("DELETE FROM audit_entries WHERE action = 'apartment.round_allocated'")
        conn.execute("UPDATE apartment_applications SET rank = NULL, score = NULL, score_breakdown = NULL,"
                     " lottery_number = NULL, outcome = NULL, outcome_reasons = NULL, unit_id = NULL,"
                     " notified_at = NULL"
                     " WHERE round_id = %s", (round_id,))
        conn.execute("UPDATE apartment_rounds SET status = 'published', allocated_at = NULL, allocated_by_id = NULL"
                     " WHERE id = %s", (round_id,))
    # Each allocation and each reset leaves 10,000 dead application rows (20,000 a run) and the
    # benchmark server runs with autovacuum off: without this, run after run the commit's UPDATE
    # walked ever longer chains of dead versions (289,486 dead rows for 10,000 live after a few
    # dozen runs: 14 buffer hits an index lookup, the UPDATE 1.5 s), which a real round, allocated
    # once, never meets.
    with psycopg.connect(plain_dsn(database_url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) apartment_applications, apartment_offers, apartment_rounds")


def timed_allocation(database_url, round_id, *, profile_path=None):
    """(dry run s, commit s, counts) of one allocation in-process; commit includes the COMMIT."""
    import cProfile
    import pstats
    import time

    from community.apartments import operations as ops
    from community.apartments.models import Round
    from community.extensions import db

    app = _app(database_url)
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        started = time.perf_counter()
        plan = ops.plan(round_)
        dry = time.perf_counter() - started
        db.session.rollback()
        round_ = db.session.get(Round, round_id)
        profiler = cProfile.Profile() if profile_path else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        plan = ops.commit_allocation(round_, actor=None)
        db.session.commit()
        if profiler:
            profiler.disable()
        commit = time.perf_counter() - started
        if profiler:
            with open(profile_path, "w") as handle:
                pstats.Stats(profiler, stream=handle).sort_stats("cumulative").print_stats(35)
        return dry, commit, dict(plan.counts())
