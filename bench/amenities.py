"""Shared setup for the amenities benchmarks (booking_throughput, contention, availability, pages).

Setup reads the database directly and calls the API (docs/amenities.md) with a plain httpx
client; only the load itself goes through bench.loadgen.
"""
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from bench.loadgen import Plan, Request

CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
BENCH_PASSWORD = "bench12345"  # flask demo generate --password default
# Rows a benchmark adds are removed afterwards (id above the watermark), so reruns start alike.
CLEANUP_TABLES = ("amenity_bookings", "audit_entries")


def require_amenities(ctx):
    """Stop with a clear message until the amenities migration and the city data exist."""
    with ctx.connect() as conn:
        present = conn.execute("SELECT to_regclass('public.amenity_bookings') IS NOT NULL").fetchone()[0]
        if not present:
            raise SystemExit("pending: needs amenities. The amenity tables do not exist in "
                             f"{ctx.database_url}; merge the amenities branch, run `flask db upgrade` "
                             "and `flask demo generate --force` (bench/README.md).")
        if not conn.execute("SELECT 1 FROM amenity_resources LIMIT 1").fetchone():
            raise SystemExit("No amenity resources: run `flask demo generate --force` again now that the "
                             "amenity tables exist.")


def watermarks(ctx):
    with ctx.connect() as conn:
        return {table: conn.execute(f"SELECT COALESCE(max(id), 0) FROM {table}").fetchone()[0]
                for table in CLEANUP_TABLES}


def remove_added_rows(ctx, marks):
    with ctx.connect() as conn:
        for table, mark in marks.items():
            conn.execute(f"DELETE FROM {table} WHERE id > %s", (mark,))


def resources(ctx, *, kinds=None, community_ids=None, plain=True):
    """Active resources as dicts; plain=True keeps those a resident books at once (no approval,
    no fee, visible to every tier)."""
    sql = ("SELECT id, community_id, kind, capacity, slot_minutes, booking_window_days"
           " FROM amenity_resources WHERE status = 'active'")
    params = []
    if kinds:
        sql += " AND kind = ANY(%s)"
        params.append(list(kinds))
    if community_ids:
        sql += " AND community_id = ANY(%s)"
        params.append(list(community_ids))
    if plain:
        sql += " AND NOT requires_approval AND fee_fen = 0 AND visible_tiers::text = '[]'"
    with ctx.connect() as conn:
        rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    names = ("id", "community_id", "kind", "capacity", "slot_minutes", "booking_window_days")
    return [dict(zip(names, row)) for row in rows]


def tokens_by_community(tokens):
    grouped = defaultdict(list)
    for token in tokens:
        grouped[token["community_id"]].append(token["token"])
    return grouped


def free_slot_units(base_url, token, resource, *, days=7, not_before_minutes=120):
    """[(resource_id, start, end)] once for every free place of every slot the availability API
    shows for ``days`` days from today, skipping slots that start within not_before_minutes."""
    import httpx

    start_day = date.today().isoformat()
    days = max(1, min(days, resource["booking_window_days"], 31))
    response = httpx.get(f"{base_url}/api/v1/resources/{resource['id']}/availability",
                         params={"start": start_day, "days": days},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    earliest = datetime.now(timezone.utc) + timedelta(minutes=not_before_minutes)
    units = []
    for slot in response.json()["slots"]:
        if slot["state"] not in ("free", "partial") or slot["remaining"] < 1:
            continue
        if datetime.fromisoformat(slot["start"]) < earliest:
            continue
        units.extend([(resource["id"], slot["start"], slot["end"])] * slot["remaining"])
    return units


class SessionPlan(Plan):
    """A resident with a browser session: logs in through the real form during setup (not
    measured), then sends its pages round and round."""

    def __init__(self, email, requests, password=BENCH_PASSWORD, think_s=0.0):
        self.email, self.password, self.requests = email, password, list(requests)
        self.think_s = think_s

    async def setup(self, client):
        await session_login(client, self.email, self.password)

    def next_request(self, n):
        return self.requests[n % len(self.requests)]


class LoginPlan(Plan):
    """POST /login again and again as an anonymous browser: each request is a full password
    check (scrypt) and a new session. The anonymous session cookie and its CSRF token are fetched
    once in setup and sent explicitly, so the logged-in cookie the answer sets is not reused."""

    def __init__(self, email, password=BENCH_PASSWORD):
        self.email, self.password = email, password
        self.cookie = self.csrf = None

    async def setup(self, client):
        page = await client.get("/login")
        self.csrf = CSRF_META.search(page.text).group(1)
        self.cookie = "; ".join(f"{k}={v}" for k, v in dict(client.cookies).items())
        client.cookies.clear()

    def next_request(self, n):
        return Request("POST", "/login", headers={"Cookie": self.cookie},
                       data={"login": self.email, "password": self.password, "csrf_token": self.csrf},
                       label="login (POST)")


async def session_login(client, email, password=BENCH_PASSWORD):
    page = await client.get("/login")
    csrf = CSRF_META.search(page.text).group(1)
    response = await client.post("/login", data={"login": email, "password": password, "csrf_token": csrf})
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} answered {response.status_code}")
