"""Availability at scale, on the city data set: the week availability of one resource (API) and
the day view of every resource of a kind (page), p50/p95 of server time; EXPLAIN (ANALYZE,
BUFFERS) of every query the two requests send touching amenity tables, saved beside the result.

Server time is the X-Bench-Server-Ms header (bench/sqlcount.py): from the request entering the
app to its status line. The server runs with BENCH_COUNT_QUERIES=1, so the table also shows the
SQL statements a request sends (docs/amenities.md: one bookings query for the whole range).
The EXPLAIN step runs the same two requests in-process (Flask test client), captures their SQL
with an Engine listener, and explains each statement with its parameters.
"""
import os
from datetime import date

from bench import amenities
from bench.benchmarks.floors import levels
from bench.loadgen import Plan, Request
from bench.plans import bearer
from bench.results import RESULTS_DIR

NAME = "availability"
DESCRIPTION = "week availability (API) and day view of a kind (page) on the city; EXPLAIN saved; needs amenities"
COLUMNS = [("view", "view"), ("clients", "clients"), ("rps", "req/s"), ("server_p50_ms", "server p50 ms"),
           ("server_p95_ms", "server p95 ms"), ("p95_ms", "client p95 ms"), ("queries_max", "queries"),
           ("bytes_p50", "bytes"), ("statuses", "statuses")]
TARGET_P95_MS = 20.0


def add_arguments(parser):
    parser.add_argument("--clients", default="1,8",
                        help="concurrency levels (comma separated): 1 shows the server time of a request "
                             "alone, more shows it with the worker's threads sharing one GIL")
    parser.add_argument("--kind", default="gym")
    parser.add_argument("--no-explain", action="store_true")


class WeekPlan(Plan):
    """Bearer client cycling over the week availability of its community's resources."""

    def __init__(self, token, resource_ids, start):
        self.warmup_path = "/healthz"
        self.requests = [Request("GET", f"/api/v1/resources/{rid}/availability?start={start}&days=7",
                                 headers=bearer(token), label="week availability (API)")
                         for rid in resource_ids]

    def next_request(self, n):
        return self.requests[n % len(self.requests)]


def run(ctx):
    amenities.require_amenities(ctx)
    clients_levels = levels(ctx.args.clients)
    tokens = ctx.tokens(minimum=max(clients_levels))
    today = date.today().isoformat()
    by_community = {}
    for resource in amenities.resources(ctx, plain=False):
        by_community.setdefault(resource["community_id"], []).append(resource["id"])
    chosen = tokens[:max(clients_levels)]
    day_path = f"/amenities/day?kind={ctx.args.kind}&date={today}"
    rows, results = [], {}
    with ctx.server(name="app", env={"BENCH_COUNT_QUERIES": "1"}) as server:
        for clients in clients_levels:
            week_plans = [WeekPlan(t["token"], by_community[t["community_id"]], today) for t in chosen[:clients]]
            day_plans = [amenities.SessionPlan(t["email"], [Request("GET", day_path, label=f"day view ({ctx.args.kind})")])
                         for t in chosen[:clients]]
            for label, plans in (("week availability (API)", week_plans), ("day view (page)", day_plans)):
                ctx.load(server, plans, requests=200, seconds=10)  # warm-up
                summary, _ = ctx.load(server, plans)
                summary["meets_target"] = (summary.get("server_p95_ms") or 1e9) < TARGET_P95_MS
                results.setdefault(label, {})[str(clients)] = summary
                rows.append({"view": label, **summary})
    settings = {"kind": ctx.args.kind, "target_server_p95_ms": TARGET_P95_MS}
    if not ctx.args.no_explain:
        settings["explain_file"], results["index_use"] = explain(
            ctx, chosen[0], by_community[chosen[0]["community_id"]][0], day_path, today)
    return {"tables": [("Availability", rows, COLUMNS)], "results": results, "settings": settings}


def explain(ctx, token, resource_id, day_path, today):
    """Run both requests in-process, EXPLAIN (ANALYZE, BUFFERS) their amenity queries; save."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    os.environ["DATABASE_URL"] = ctx.database_url
    from bench.wsgi import flask_app
    from community.extensions import db

    captured = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        if "amenity_" in statement and statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        client = flask_app.test_client()
        client.get(f"/api/v1/resources/{resource_id}/availability?start={today}&days=7",
                   headers=bearer(token["token"]))
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"login": token["email"], "password": amenities.BENCH_PASSWORD,
                                    "csrf_token": amenities.CSRF_META.search(page).group(1)})
        client.get(day_path)
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    lines, index_use = [], {}
    with flask_app.app_context():
        with db.engine.connect() as conn:
            for number, (statement, parameters) in enumerate(captured, start=1):
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                text = "\n".join(row[0] for row in plan)
                index_use[f"query {number}"] = "Index" in text
                lines += [f"-- query {number}", statement, f"-- parameters: {parameters!r}", text, ""]
    path = os.path.join(RESULTS_DIR, f"availability-explain-{date.today():%Y%m%d}.txt")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) or "no amenity queries captured\n")
    return os.path.relpath(path), index_use
