"""Two floors: what this machine allows before our code adds anything, served by the same
gunicorn settings as the real app.

  floor (a)  ``gunicorn bench.floors:bare_app``     GET /floor/json -> {"status": "ok"}:
             Flask routing + JSON, no database.
  floor (b)  ``gunicorn bench.floors:booking_app``  POST /floor/bookings {"resource_id","start","end"}
             with ``Authorization: Bearer <token>``: the minimum a correct booking needs, through
             one plain psycopg connection per worker thread, in one transaction:
               1. the token: api_tokens by sha256 (not revoked, not expired), the user active;
               2. the lock: UPDATE amenity_resources SET lock_version = lock_version + 1 ... RETURNING
                  capacity (the row lock docs/amenities.md prescribes);
               3. the count of holding bookings overlapping [start, end) on that resource;
               4. INSERT one amenity_bookings row (201) or roll back (409 when full).
             No slot alignment, quotas, opening hours, audit or ORM: what the real endpoint adds on
             top of this is what the ratio "ours / floor (b)" prices.

Tables: the real ones when the amenities migration has run; otherwise the stand-in schema
``bench_standin`` (STANDIN_DDL below, copied column for column from docs/amenities.md) which
``ensure_booking_tables`` creates. BENCH_FLOOR_SEARCH_PATH tells the app which to use.
"""
import hashlib
import json
import os
import secrets
import threading
from datetime import datetime, timezone

from flask import Flask, jsonify, request

from bench.results import plain_dsn
from bench.sqlcount import instrument

HOLDING = ("pending_approval", "pending_payment", "confirmed", "checked_in")
STANDIN_SCHEMA = "bench_standin"

# -- floor (a) ----------------------------------------------------------------------------------

_bare = Flask("floor_a")


@_bare.get("/floor/json")
def floor_json():
    return {"status": "ok"}


@_bare.get("/healthz")
def bare_health():
    return {"status": "ok"}


bare_app = instrument(_bare, count_queries=False)

# -- floor (b) ----------------------------------------------------------------------------------

_booking = Flask("floor_b")
_local = threading.local()


def _connection():
    import psycopg

    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        search_path = os.environ.get("BENCH_FLOOR_SEARCH_PATH", "public")
        # autocommit: conn.transaction() below then sends BEGIN / COMMIT itself, one per request
        conn = psycopg.connect(plain_dsn(os.environ["DATABASE_URL"]), autocommit=True,
                               options=f"-c search_path={search_path}")
        _local.conn = conn
    return conn


def _problem(status, code):
    response = jsonify({"status": status, "code": code})
    response.status_code = status
    return response


@_booking.get("/healthz")
def booking_health():
    _connection().execute("SELECT 1").fetchone()
    return {"status": "ok"}


@_booking.post("/floor/bookings")
def floor_book():
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return _problem(401, "no_token")
    body = request.get_json(silent=True) or {}
    try:
        resource_id = int(body["resource_id"])
        start = datetime.fromisoformat(body["start"]).astimezone(timezone.utc)
        end = datetime.fromisoformat(body["end"]).astimezone(timezone.utc)
    except (KeyError, TypeError, ValueError):
        return _problem(422, "invalid")
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    conn = _connection()
    try:
        with conn.transaction():
            return _book(conn, digest, resource_id, start, end)
    except _Answer as answer:  # leaving the block by exception rolls the transaction back
        return _problem(answer.status, answer.code)


class _Answer(Exception):
    def __init__(self, status, code):
        super().__init__(code)
        self.status, self.code = status, code


def _book(conn, digest, resource_id, start, end):
    user = conn.execute(
        "SELECT u.id, u.community_id FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = %s AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active",
        (digest,)).fetchone()
    if user is None:
        raise _Answer(401, "invalid_token")
    user_id, community_id = user
    locked = conn.execute(
        "UPDATE amenity_resources SET lock_version = lock_version + 1"
        " WHERE id = %s AND community_id = %s AND status = 'active' RETURNING capacity",
        (resource_id, community_id)).fetchone()
    if locked is None:
        raise _Answer(404, "not_found")
    holding = conn.execute(
        "SELECT count(*) FROM amenity_bookings WHERE resource_id = %s AND status = ANY(%s)"
        " AND start_at < %s AND end_at > %s",
        (resource_id, list(HOLDING), end, start)).fetchone()[0]
    if holding + 1 > locked[0]:
        raise _Answer(409, "slot_full")
    booking_id = conn.execute(
        "INSERT INTO amenity_bookings (resource_id, user_id, community_id, start_at, end_at, status,"
        " qr_token, fee_fen, currency, late_cancel, decision_reason, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, 'confirmed', %s, 0, 'CNY', false, '', now(), now())"
        " RETURNING id",
        (resource_id, user_id, community_id, start, end, secrets.token_urlsafe(24))).fetchone()[0]
    return jsonify({"id": booking_id, "status": "confirmed", "resource_id": resource_id,
                    "start": start.isoformat(), "end": end.isoformat()}), 201


booking_app = instrument(_booking, count_queries=False)

# -- the tables floor (b) writes ---------------------------------------------------------------

STANDIN_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {STANDIN_SCHEMA};
CREATE TABLE IF NOT EXISTS {STANDIN_SCHEMA}.amenity_resources (
  id serial PRIMARY KEY,
  community_id int NOT NULL REFERENCES public.communities(id) ON DELETE CASCADE,
  kind varchar(32) NOT NULL CHECK (kind IN ('meeting_room','gym','laundry','coffee_bar','canteen',
                                            'activity_room','other')),
  name varchar(120) NOT NULL, location varchar(255) NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '', photo_path varchar(255),
  capacity int NOT NULL CHECK (capacity >= 1),
  slot_minutes int NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
  opening_hours json NOT NULL, booking_window_days int NOT NULL DEFAULT 14,
  min_notice_minutes int NOT NULL DEFAULT 0, max_bookings_per_day int, max_bookings_per_week int,
  max_minutes_per_day int, max_minutes_per_week int, cancel_cutoff_minutes int NOT NULL DEFAULT 60,
  requires_approval bool NOT NULL DEFAULT false, fee_fen int NOT NULL DEFAULT 0,
  currency varchar(3) NOT NULL DEFAULT 'CNY', checkin_grace_minutes int NOT NULL DEFAULT 15,
  max_attendees int, visible_tiers json NOT NULL DEFAULT '[]',
  status varchar(16) NOT NULL DEFAULT 'active', lock_version int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS ix_standin_resources_community_kind
  ON {STANDIN_SCHEMA}.amenity_resources (community_id, kind);
CREATE TABLE IF NOT EXISTS {STANDIN_SCHEMA}.amenity_bookings (
  id serial PRIMARY KEY,
  resource_id int NOT NULL REFERENCES {STANDIN_SCHEMA}.amenity_resources(id) ON DELETE CASCADE,
  user_id int NOT NULL REFERENCES public.users(id) ON DELETE CASCADE,
  community_id int NOT NULL REFERENCES public.communities(id),
  start_at timestamptz NOT NULL, end_at timestamptz NOT NULL CHECK (end_at > start_at),
  status varchar(20) NOT NULL, attendees int, series_id int, qr_token varchar(64) UNIQUE,
  fee_fen int NOT NULL DEFAULT 0, currency varchar(3) NOT NULL DEFAULT 'CNY',
  late_cancel bool NOT NULL DEFAULT false, cancelled_at timestamptz, checked_in_at timestamptz,
  paid_at timestamptz, decided_by_id int, decision_reason varchar(255) NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS ix_standin_bookings_resource_start
  ON {STANDIN_SCHEMA}.amenity_bookings (resource_id, start_at);
CREATE INDEX IF NOT EXISTS ix_standin_bookings_user_start
  ON {STANDIN_SCHEMA}.amenity_bookings (user_id, start_at);
CREATE INDEX IF NOT EXISTS ix_standin_bookings_status_start
  ON {STANDIN_SCHEMA}.amenity_bookings (status, start_at);
"""

STANDIN_HOURS = json.dumps({str(day): [["00:00", "24:00"]] for day in range(7)})


def real_tables_exist(conn):
    return conn.execute("SELECT to_regclass('public.amenity_bookings') IS NOT NULL").fetchone()[0]


def ensure_booking_tables(conn, communities, per_community=8):
    """Return (search_path, description): the real tables if migrated, else a fresh stand-in
    with ``per_community`` capacity-1 resources in each community."""
    if real_tables_exist(conn):
        return "public", "real amenity tables (amenities migration)"
    conn.execute(STANDIN_DDL)
    conn.execute(f"TRUNCATE {STANDIN_SCHEMA}.amenity_bookings, {STANDIN_SCHEMA}.amenity_resources"
                 " RESTART IDENTITY")
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {STANDIN_SCHEMA}.amenity_resources (community_id, kind, name, capacity,"
            " slot_minutes, opening_hours) VALUES (%s, 'meeting_room', %s, 1, 30, %s)",
            [(community_id, f"Floor room {community_id}-{n}", STANDIN_HOURS)
             for community_id in communities for n in range(per_community)])
    conn.commit()
    return f"{STANDIN_SCHEMA},public", f"stand-in schema {STANDIN_SCHEMA} (amenities not migrated)"

# Floor (b) books far in the future (bench.plans.FAR_FUTURE); this removes those rows after a step.
FAR_FUTURE_CLEANUP = "DELETE FROM {schema}.amenity_bookings WHERE start_at >= '2100-01-01'"
