"""Profile one request path in-process: ``python -m bench.profile <path> [--requests N] [--pyinstrument]``.

No gunicorn, no network: the real app (bench.wsgi.flask_app, rate limits off) is driven by the Flask
test client on the city database, so the numbers are the app's own cost a request:
  * CPU ms a request (process time) and wall ms a request (CPU + waiting for PostgreSQL);
  * SQL statements a request (an Engine listener);
  * with --pyinstrument (needs `make bench-profile-setup`, see bench/README.md), the call tree,
    printed and saved as text to bench/results/profiles/<path>-<UTC timestamp>.txt (and, with
    --html, the interactive page beside it: 5-15 MB, ignored by git).
Paths: book (POST /api/v1/bookings on distinct free slots), availability (a week, API), day (the day
view of the gyms, page), home, bookings (my bookings of the resident with the longest history),
week (a resource's week page), login (POST /login: one scrypt check each), queue (the tickets queue
of the specialist with the most open tickets, on the tickets city: bench/README.md, Tickets); report (the
service report page of the community with the most tickets in the last full quarter, by its admin, the
same request as `python -m bench tickets`); eligibility (GET
/api/v1/rounds/<id>/eligibility of the open round of the "Bench apartments" community, bench/apartments.py,
cycling through its 64 residents' tokens; it needs no city, only that community); claim (POST
/api/v1/campaigns/<id>/claim, each request a different resident of the "Bench perks" community,
bench/perks.py seed_world, on a campaign of its own with enough vouchers: every answer 201), redeem
(POST /api/v1/vouchers/redeem of vouchers made for the purpose, by 16 staff tokens of the merchant),
me (GET /api/v1/me with the same residents' tokens: the bearer-token load and Flask alone, what a claim
costs before the alliance's code runs; claim minus me is the alliance's part). The perks paths need
no city, only that community.
Rows a path adds (bookings, audit entries, notices, outbox mail; the perks paths' merchant with its
campaign and vouchers) are deleted afterwards. One process, one thread: this
is where to find the slow code, not a throughput figure (that is python -m bench ...).
"""
import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timezone

from bench.amenities import BENCH_PASSWORD, CSRF_META
from bench.context import DEFAULT_DATABASE_URL, DEFAULT_TOKENS_FILE
from bench.results import RESULTS_DIR, plain_dsn

PATHS = ("book", "availability", "day", "home", "bookings", "week", "login", "queue", "report", "eligibility", "claim",
         "redeem", "me")
PERKS_PATHS = ("claim", "redeem", "me")
STAFF = 16


class Scenario:
    """Builds the request list of a path from the city's data, then sends them one by one."""

    def __init__(self, app, conn, tokens):
        self.app, self.conn, self.tokens = app, conn, tokens
        self.client = app.test_client()
        self.merchant_ids = []
        if isinstance(tokens, dict):  # the apartments world: no city tokens
            return
        self.token = tokens[0] if tokens else None
        self.pool = [t for t in tokens if t["community_id"] == self.token["community_id"]] if self.token else []

    def auth(self, token=None):
        return {"Authorization": f"Bearer {(token or self.token)['token']}"}

    def login(self, client, email):
        page = client.get("/login").get_data(as_text=True)
        answer = client.post("/login", data={"login": email, "password": BENCH_PASSWORD,
                                             "csrf_token": CSRF_META.search(page).group(1)})
        assert answer.status_code == 302, f"login of {email}: {answer.status_code}"

    def resource_ids(self, kinds):
        return [row[0] for row in self.conn.execute(
            "SELECT id FROM amenity_resources WHERE community_id = %s AND kind = ANY(%s)"
            " AND NOT requires_approval AND fee_fen = 0 AND status = 'active' ORDER BY id",
            (self.token["community_id"], list(kinds)))]

    def requests(self, path, count):
        """[(method, url, kwargs)] for ``count`` requests of the path."""
        if path in PERKS_PATHS:
            return self.perks_requests(path, count)
        if path == "eligibility":
            world = self.tokens  # the apartments world (bench.apartments.seed)
            url = f"/api/v1/rounds/{world['open_round_id']}/eligibility"
            tokens = world["tokens"]
            return [("GET", url, {"headers": {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}})
                    for n in range(count)]
        if path == "book":
            units = []
            for rid in self.resource_ids(("meeting_room", "laundry", "gym", "coffee_bar")):
                answer = self.client.get(f"/api/v1/resources/{rid}/availability?days=7", headers=self.auth())
                units += [(rid, s["start"], s["end"]) for s in answer.json["slots"] if s["bookable"]]
            random.Random(1).shuffle(units)
            return [("POST", "/api/v1/bookings",
                     {"json": {"resource_id": rid, "start": start, "end": end},
                      "headers": self.auth(self.pool[n % len(self.pool)])})
                    for n, (rid, start, end) in enumerate(units[:count])]
        if path == "availability":
            rid = self.resource_ids(("gym",))[0]
            url = f"/api/v1/resources/{rid}/availability?start={date.today()}&days=7"
            return [("GET", url, {"headers": self.auth()})] * count
        if path == "login":
            page = self.client.get("/login").get_data(as_text=True)
            data = {"login": self.token["email"], "password": BENCH_PASSWORD,
                    "csrf_token": CSRF_META.search(page).group(1)}
            return [("POST", "/login", {"data": data})] * count
        if path == "queue":  # the specialist with the most open tickets, their queue (bench tickets)
            self.login(self.client, self.busiest_specialist())
            return [("GET", "/tickets/queue?scope=mine", {})] * count
        if path == "report":  # the service report of the busiest community, last full quarter (bench tickets)
            from bench.benchmarks.tickets import last_full_quarter

            start, end = last_full_quarter(date.today())
            community = self.conn.execute(
                "SELECT community_id FROM tickets WHERE created_at >= %s AND created_at < %s"
                " GROUP BY community_id ORDER BY count(*) DESC, 1 LIMIT 1", (start, end)).fetchone()[0]
            admin = self.conn.execute(
                "SELECT u.email FROM users u JOIN role_grants g ON g.user_id = u.id WHERE g.role = 'community_admin'"
                " AND g.community_id = %s ORDER BY u.id LIMIT 1", (community,)).fetchone()[0]
            self.login(self.client, admin)
            return [("GET", f"/admin/tickets/report?community={community}&start={start}&end={end}", {})] * count
        email = self.heaviest_resident() if path == "bookings" else self.token["email"]
        self.login(self.client, email)
        url = {"day": f"/amenities/day?kind=gym&date={date.today()}", "home": "/dashboard",
               "bookings": "/amenities/bookings",
               "week": f"/amenities/{self.resource_ids(('meeting_room',))[0]}"}[path]
        return [("GET", url, {})] * count

    def perks_requests(self, path, count):
        from bench import perks

        world = self.tokens  # bench.perks.seed_world
        residents, staff = world["tokens"][:-STAFF], world["tokens"][-STAFF:]
        if count > len(residents):
            raise SystemExit(f"{path}: {count} requests need {count} residents; the world has {len(residents)}")
        if path == "me":
            return [("GET", "/api/v1/me", {"headers": self.auth(residents[n])}) for n in range(count)]
        shim = _Shim(self.conn)
        merchant = perks.create_merchant(shim, world["community_id"], f"bench profile {path}")
        self.merchant_ids.append(merchant)
        campaign = perks.create_campaign(shim, merchant, count + 1, f"bench profile {path}")
        if path == "claim":
            url = f"/api/v1/campaigns/{campaign}/claim"
            return [("POST", url, {"headers": self.auth(residents[n])}) for n in range(count)]
        perks.grant_staff(shim, merchant, [t["user_id"] for t in staff])
        codes = perks.insert_vouchers(self.conn, campaign, merchant, world["community_id"],
                                      [t["user_id"] for t in residents[:count]])
        return [("POST", "/api/v1/vouchers/redeem", {"json": {"code": code}, "headers": self.auth(staff[n % STAFF])})
                for n, code in enumerate(codes)]

    def busiest_specialist(self):
        return self.conn.execute(
            "SELECT u.email FROM tickets t JOIN users u ON u.id = t.assignee_id WHERE u.active AND t.status IN"
            " ('new', 'assigned', 'in_progress', 'waiting', 'reopened') GROUP BY u.id ORDER BY count(*) DESC, u.id"
            " LIMIT 1").fetchone()[0]

    def heaviest_resident(self):
        return self.conn.execute(
            "SELECT u.email FROM amenity_bookings b JOIN users u ON u.id = b.user_id WHERE u.active"
            " GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1").fetchone()[0]

    def send(self, request):
        method, url, kwargs = request
        if method == "POST" and url == "/login":  # a fresh anonymous session each time
            client = self.app.test_client()
            client.get("/healthz")
            with self.client.session_transaction() as source, client.session_transaction() as target:
                target.update(source)
            return client.post(url, **kwargs).status_code
        return self.client.open(url, method=method, **kwargs).status_code


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("path", choices=PATHS)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pyinstrument", action="store_true", help="record and save the call tree")
    parser.add_argument("--html", action="store_true", help="with --pyinstrument: also the HTML page")
    parser.add_argument("--cprofile", action="store_true",
                        help="cProfile on CPU time (time.process_time, so waits for PostgreSQL do not count): the"
                             " top functions by own and cumulative CPU, saved to bench/results/profiles/")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args(argv)
    if args.path == "login":
        args.requests, args.warmup = min(args.requests, 30), min(args.warmup, 2)

    os.environ["DATABASE_URL"] = args.database_url
    import psycopg
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from bench.wsgi import flask_app

    tokens = []
    if args.path == "eligibility":
        from bench import apartments

        tokens = apartments.seed(args.database_url)
    elif args.path in PERKS_PATHS:
        from bench import perks

        tokens = perks.seed_world(args.database_url, residents=max(2100, args.requests + args.warmup), staff=STAFF)
    elif os.path.exists(DEFAULT_TOKENS_FILE):
        with open(DEFAULT_TOKENS_FILE) as handle:
            tokens = json.load(handle)["tokens"]
    elif args.path not in ("queue", "report"):
        raise SystemExit(f"{DEFAULT_TOKENS_FILE} is missing: `flask demo generate` writes it")
    conn = psycopg.connect(plain_dsn(args.database_url), autocommit=True)
    marks = {t: conn.execute(f"SELECT COALESCE(max(id), 0) FROM {t}").fetchone()[0]
             for t in ("amenity_bookings", "audit_entries", "notices", "outbox_emails")}
    scenario = None
    try:
        scenario = Scenario(flask_app, conn, tokens)
        requests = scenario.requests(args.path, args.requests + args.warmup)
        for request in requests[:args.warmup]:
            scenario.send(request)
        measured = requests[args.warmup:]
        queries = [0]
        event.listen(Engine, "before_cursor_execute", lambda *a: queries.__setitem__(0, queries[0] + 1))
        profiler = _profiler() if args.pyinstrument else None
        cpu_profiler = None
        if args.cprofile:
            import cProfile

            cpu_profiler = cProfile.Profile(time.process_time)
            cpu_profiler.enable()
        statuses = {}
        wall, cpu = time.perf_counter(), time.process_time()
        for request in measured:
            status = scenario.send(request)
            statuses[status] = statuses.get(status, 0) + 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if cpu_profiler:
            cpu_profiler.disable()
    finally:
        if scenario is not None and scenario.merchant_ids:  # campaigns, vouchers, grants go with them
            conn.execute("DELETE FROM merchants WHERE id = ANY(%s)", (scenario.merchant_ids,))
        for table, mark in marks.items():
            conn.execute(f"DELETE FROM {table} WHERE id > %s", (mark,))
    n = max(1, len(measured))
    print(f"{args.path}: {len(measured)} requests, statuses {statuses}, cpu {cpu / n * 1000:.2f} ms/request,"
          f" wall {wall / n * 1000:.2f} ms/request, {queries[0] / n:.1f} SQL statements/request"
          + (" (profiled: slower than without)" if profiler or cpu_profiler else ""))
    if cpu_profiler:
        _save_cpu_profile(cpu_profiler, args.path, len(measured), cpu)
    if profiler:
        profiler.stop()
        summary = (f"{args.path}: {len(measured)} requests, statuses {statuses}, cpu {cpu / n * 1000:.2f} ms/request"
                   f" under the profiler, {queries[0] / n:.1f} SQL statements/request\n")
        tree = profiler.output_text(unicode=False, color=False)
        print(tree)
        folder = os.path.join(RESULTS_DIR, "profiles")
        os.makedirs(folder, exist_ok=True)
        base = os.path.join(folder, f"{args.path}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
        with open(base + ".txt", "w") as handle:
            handle.write(summary + tree)
        if args.html:
            with open(base + ".html", "w") as handle:
                handle.write(profiler.output_html())
        print(f"saved {os.path.relpath(base)}.txt" + (" and .html" if args.html else ""))
    return 0


class _Shim:
    """What bench.perks' setup helpers want of a benchmark context: ``connect()``."""

    def __init__(self, conn):
        self.conn = conn

    def connect(self):
        import contextlib

        return contextlib.nullcontext(self.conn)


def _save_cpu_profile(profiler, path, n, cpu):
    import io
    import pstats

    out = io.StringIO()
    out.write(f"{path}: {n} requests, cpu {cpu / max(1, n) * 1000:.2f} ms/request under cProfile (CPU time)\n")
    os.makedirs(os.path.join(RESULTS_DIR, "logs"), exist_ok=True)
    profiler.dump_stats(os.path.join(RESULTS_DIR, "logs", f"{path}-cpu.prof"))  # raw, for pstats (ignored by git)
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)
    folder = os.path.join(RESULTS_DIR, "profiles")
    os.makedirs(folder, exist_ok=True)
    name = os.path.join(folder, f"{path}-cpu-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.txt")
    with open(name, "w") as handle:
        handle.write(out.getvalue())
    print(out.getvalue()[:6000])
    print(f"saved {os.path.relpath(name)}")


def _profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed in this Python: `make bench-profile-setup`, then "
                         "`.venv-bench/bin/python -m bench.profile ...` (bench/README.md, 'Profiling')")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    return profiler


if __name__ == "__main__":
    sys.exit(main())
