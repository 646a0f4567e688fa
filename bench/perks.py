"""The claim floor and the setup of the perks benchmark (bench/benchmarks/perks.py).

  claim floor  ``gunicorn bench.perks:claim_floor_app``  POST /floor/campaigns/<id>/claim with
               ``Authorization: Bearer <token>``: the least a correct claim needs, through one plain
               psycopg connection per worker thread, in one transaction:
                 1. the token: api_tokens by sha256 (not revoked, not expired), the user active;
                 2. UPDATE voucher_campaigns SET claimed = claimed + 1 WHERE id = %s AND status =
                    'approved' AND claimed < total RETURNING ... (409 sold_out when no row);
                 3. INSERT one vouchers row with a random code (201).
               No per-resident counter, eligibility, window, audit or ORM: what the real endpoint
               adds on top is what the ratio "ours / floor" prices.

Setup writes a merchant (approved), a campaign, and staff grants directly with SQL; everything the
benchmark adds is deleted with the merchant (ON DELETE CASCADE) and the audit/notice/outbox rows
above their watermarks.
"""
import hashlib
import os
import secrets
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, request

from bench.results import plain_dsn
from bench.sqlcount import instrument

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CLEANUP = ("audit_entries", "notices", "outbox_emails")

_floor = Flask("claim_floor")
_local = threading.local()


def _connection():
    import psycopg

    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(plain_dsn(os.environ["DATABASE_URL"]), autocommit=True)
        _local.conn = conn
    return conn


@_floor.get("/healthz")
def health():
    _connection().execute("SELECT 1").fetchone()
    return {"status": "ok"}


@_floor.post("/floor/campaigns/<int:campaign_id>/claim")
def floor_claim(campaign_id):
    header = request.headers.get("Authorization", "")
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    conn = _connection()
    with conn.transaction():
        user = conn.execute(
            "SELECT u.id, u.community_id FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active",
            (digest,)).fetchone()
        if user is None:
            return jsonify({"status": 401}), 401
        taken = conn.execute(
            "UPDATE voucher_campaigns SET claimed = claimed + 1 WHERE id = %s AND status = 'approved'"
            " AND claimed < total RETURNING merchant_id, valid_from, valid_until", (campaign_id,)).fetchone()
        if taken is None:
            return jsonify({"status": 409, "code": "sold_out"}), 409
        code = "".join(secrets.choice(ALPHABET) for _ in range(16))
        voucher_id = conn.execute(
            "INSERT INTO vouchers (campaign_id, merchant_id, user_id, community_id, code, status, claimed_at,"
            " valid_from, valid_until, revoke_reason) VALUES (%s, %s, %s, %s, %s, 'active', now(), %s, %s, '')"
            " RETURNING id", (campaign_id, taken[0], user[0], user[1], code, taken[1], taken[2])).fetchone()[0]
    return jsonify({"id": voucher_id, "code": code, "valid_until": taken[2].isoformat()}), 201


claim_floor_app = instrument(_floor, count_queries=False)


# -- setup, checks and cleanup (plain SQL on the benchmark database) ----------------------------

def require_perks(ctx):
    with ctx.connect() as conn:
        if not conn.execute("SELECT to_regclass('public.vouchers') IS NOT NULL").fetchone()[0]:
            raise SystemExit("pending: needs the perks migration (flask db upgrade).")


def watermarks(ctx):
    with ctx.connect() as conn:
        return {table: conn.execute(f"SELECT COALESCE(max(id), 0) FROM {table}").fetchone()[0] for table in CLEANUP}


def create_merchant(ctx, community_id, name):
    with ctx.connect() as conn:
        return conn.execute(
            "INSERT INTO merchants (community_id, name, category, address, map_position, contact_name, contact_phone,"
            " licence_number, description, opening_hours, status, decision_reason, created_at, updated_at)"
            " VALUES (%s, %s, 'food', 'bench', '', 'bench', '0', 'bench', '', '', 'approved', '', now(), now())"
            " RETURNING id", (community_id, name)).fetchone()[0]


def create_campaign(ctx, merchant_id, total, title):
    now = datetime.now(timezone.utc)
    with ctx.connect() as conn:
        return conn.execute(
            "INSERT INTO voucher_campaigns (merchant_id, title, benefit, terms, funded_by, total, claimed,"
            " per_resident_limit, claim_starts_at, claim_ends_at, validity, valid_from, valid_until,"
            " eligible_tiers, eligible_communities, status, decision_reason, face_value_fen, currency,"
            " created_at, updated_at) VALUES (%s, %s, 'bench', '', 'government', %s, 0, 1, %s, %s, 'fixed',"
            " current_date - 1, current_date + 30, '[]', '[]', 'approved', '', 0, 'CNY', now(), now())"
            " RETURNING id", (merchant_id, title, total, now - timedelta(hours=1), now + timedelta(days=1))).fetchone()[0]


def grant_staff(ctx, merchant_id, user_ids):
    with ctx.connect() as conn:
        for user_id in user_ids:
            conn.execute("INSERT INTO role_grants (user_id, role, merchant_id, granted_at)"
                         " VALUES (%s, 'merchant_staff', %s, now())", (user_id, merchant_id))


def campaign_counts(ctx, campaign_id):
    with ctx.connect() as conn:
        vouchers = conn.execute("SELECT count(*) FROM vouchers WHERE campaign_id = %s", (campaign_id,)).fetchone()[0]
        claimed = conn.execute("SELECT claimed FROM voucher_campaigns WHERE id = %s", (campaign_id,)).fetchone()[0]
        return vouchers, claimed


def codes_of(ctx, campaign_id):
    with ctx.connect() as conn:
        return [row[0] for row in conn.execute("SELECT code FROM vouchers WHERE campaign_id = %s ORDER BY id",
                                               (campaign_id,))]


def redeemed(ctx, campaign_id):
    with ctx.connect() as conn:
        return conn.execute("SELECT count(*) FROM vouchers WHERE campaign_id = %s AND status = 'redeemed'",
                            (campaign_id,)).fetchone()[0]


def cleanup(ctx, merchant_ids, marks):
    with ctx.connect() as conn:
        conn.execute("DELETE FROM merchants WHERE id = ANY(%s)", (list(merchant_ids),))
        for table, mark in marks.items():
            conn.execute(f"DELETE FROM {table} WHERE id > %s", (mark,))


# -- a community of its own (no city needed): bench.profile claim / redeem, bench perks --world own --

COMMUNITY = "Bench perks"
WORLD_TOKENS = "bench-perks-tokens.json"


def seed_world(database_url, *, residents=2100, staff=16):
    """Builds, once, the "Bench perks" community in the benchmark database: ``residents`` residents
    (the ``resident`` role, a current talent profile) and ``staff`` more users, each with an API
    token, written in bulk with Core INSERTs. Reruns find it by name and add what is missing.
    Answers {"community_id", "tokens": [{user_id, community_id, email, token}] (residents first,
    then the staff users)}; the clear tokens are kept in instance/bench-perks-tokens.json."""
    import json

    import sqlalchemy as sa

    from bench.apartments import _app, _insert
    from community.accounts import operations as accounts
    from community.accounts.models import ApiToken, Community, RoleGrant, TalentProfile, User
    from community.core import clock
    from community.core.tokens import digest as token_digest
    from community.core.tokens import generate
    from community.extensions import db

    app = _app(database_url)
    wanted = residents + staff
    path = os.path.join(app.instance_path, WORLD_TOKENS)
    with app.app_context():
        community = db.session.scalar(sa.select(Community).where(Community.name == COMMUNITY))
        known = []
        if community is not None and os.path.exists(path):
            with open(path) as handle:
                saved = json.load(handle)
            if saved.get("database") == plain_dsn(database_url):
                known = saved["tokens"]
        if community is not None and len(known) >= wanted:
            return {"community_id": community.id, "tokens": known}
        real_now = clock.now()
        if community is None:
            community = accounts.create_community(name=COMMUNITY, timezone="Asia/Shanghai")
            db.session.flush()
        password_hash = accounts.register_user(login=f"bench-perks-{secrets.token_hex(4)}@bench.test",
                                               password="bench12345", display_name="Bench").password_hash
        start = len(known)
        users = [dict(email=f"perks{i:05d}-{secrets.token_hex(3)}@bench.test", password_hash=password_hash,
                      display_name=f"住户{i:05d}", community_id=community.id, active=True, session_generation=0,
                      created_at=real_now, updated_at=real_now) for i in range(start, wanted)]
        user_ids = _insert(db, User.__table__, users, returning=User.__table__.c.id)
        _insert(db, RoleGrant.__table__, [dict(user_id=uid, role="resident", community_id=community.id,
                                               granted_at=real_now) for uid in user_ids])
        _insert(db, TalentProfile.__table__, [dict(user_id=uid, talent_type="production", tier="junior",
                                                   valid_until=datetime(2030, 1, 1).date(), employer="",
                                                   created_at=real_now, updated_at=real_now) for uid in user_ids])
        clear = [("tc_" + generate(32), uid, row["email"]) for uid, row in zip(user_ids, users)]
        _insert(db, ApiToken.__table__, [dict(user_id=uid, token_hash=token_digest(token), name="bench",
                                              created_at=real_now, expires_at=real_now + timedelta(days=3650))
                                         for token, uid, _email in clear])
        db.session.commit()
        tokens = known + [{"user_id": uid, "community_id": community.id, "email": email, "token": token}
                          for token, uid, email in clear]
        os.makedirs(app.instance_path, exist_ok=True)
        with open(path, "w") as handle:
            json.dump({"database": plain_dsn(database_url), "tokens": tokens}, handle)
        return {"community_id": community.id, "tokens": tokens}


def insert_vouchers(ctx_or_conn, campaign_id, merchant_id, community_id, user_ids):
    """Active vouchers of the campaign for these users, with real codes (the redemption's input);
    the campaign's ``claimed`` and the claim counters are raised to match. [code, ...]"""
    from community.perks import codes

    conn = ctx_or_conn
    made = []
    with conn.transaction():
        for user_id in user_ids:
            code = codes.generate()
            conn.execute("INSERT INTO vouchers (campaign_id, merchant_id, user_id, community_id, code, status,"
                         " claimed_at, valid_from, valid_until, revoke_reason) VALUES (%s, %s, %s, %s, %s, 'active',"
                         " now(), current_date - 1, current_date + 30, '')",
                         (campaign_id, merchant_id, user_id, community_id, code))
            conn.execute("INSERT INTO voucher_claim_counts (campaign_id, user_id, claimed) VALUES (%s, %s, 1)",
                         (campaign_id, user_id))
            made.append(code)
        conn.execute("UPDATE voucher_campaigns SET claimed = claimed + %s WHERE id = %s", (len(made), campaign_id))
    return made
