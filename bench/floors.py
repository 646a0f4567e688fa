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

Tables: the real ones (amenity_resources / amenity_bookings of the amenities migration), with the
lock UPDATE and the overlap predicate of community/amenities/operations/booking.py (lock_resource,
_holding_rows: start_at bounded below by MAX_BOOKING_SPAN, so the count stays an index range
on (resource_id, start_at) however long the resource's history is).
"""
import hashlib
import os
import secrets
import threading
from datetime import datetime, timezone

from flask import Flask, jsonify, request

from bench.results import plain_dsn
from bench.sqlcount import instrument

HOLDING = ("pending_approval", "pending_payment", "confirmed", "checked_in")
MAX_BOOKING_SPAN_HOURS = 26  # community.amenities.rules.MAX_BOOKING_SPAN

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
        # autocommit: conn.transaction() below then sends BEGIN / COMMIT itself, one per request
        conn = psycopg.connect(plain_dsn(os.environ["DATABASE_URL"]), autocommit=True)
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
        f" AND start_at > %s - interval '{MAX_BOOKING_SPAN_HOURS} hours' AND start_at < %s AND end_at > %s",
        (resource_id, list(HOLDING), start, end, start)).fetchone()[0]
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

# Floor (b) books far in the future (bench.plans.FAR_FUTURE); this removes those rows after a step.
FAR_FUTURE_CLEANUP = "DELETE FROM amenity_bookings WHERE start_at >= '2100-01-01'"
