"""Resident pages at 32 concurrent users on the city data set: login, resident home, my bookings,
a resource's week page. p50/p95, requests/s, response sizes and SQL queries a page.

Two steps, each bounded:
  1. login: anonymous browsers POST the login form (a full scrypt password check each time);
  2. pages: logged-in residents (session cookie) cycle home -> my bookings -> week page. Half of
     them are the residents with the most bookings in the last year, half those with the fewest,
     so "queries a page must not grow with the data" shows as equal query counts in both halves
     (the server runs with BENCH_COUNT_QUERIES=1).
"""
from datetime import date

from bench import amenities
from bench.loadgen import Request, add_think_argument
from bench.results import summarize

NAME = "pages"
DESCRIPTION = "login, home, my bookings, week page at 32 users; queries per page; needs amenities"
COLUMNS = [("page", "page"), ("requests", "requests"), ("rps", "req/s"), ("p50_ms", "p50 ms"),
           ("p95_ms", "p95 ms"), ("bytes_p50", "bytes"), ("queries_min", "queries min"),
           ("queries_max", "queries max"), ("statuses", "statuses")]
TARGET_P95_MS = 100.0


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--login-clients", type=int, default=None,
                        help="concurrent logins (default: --clients)")
    add_think_argument(parser, reader="user", reads="page")


def residents_by_history(ctx, count):
    """(heavy, light): residents with the most / the fewest bookings of the last year (>= 1)."""
    sql = ("SELECT u.email, u.community_id, count(*) AS n FROM amenity_bookings b"
           " JOIN users u ON u.id = b.user_id"
           " WHERE b.start_at > now() - interval '365 days' AND u.active"
           " GROUP BY u.id ORDER BY n {order}, u.id LIMIT %s")
    with ctx.connect() as conn:
        heavy = conn.execute(sql.format(order="DESC"), (count,)).fetchall()
        light = conn.execute(sql.format(order="ASC"), (count,)).fetchall()
    return heavy, light


def visit(email, community_resource, group, think_s=0.0):
    return amenities.SessionPlan(email, think_s=think_s, requests=[
        Request("GET", "/dashboard", label="home"),
        Request("GET", "/amenities/bookings", label=f"my bookings ({group} history)"),
        Request("GET", f"/amenities/{community_resource}", label="week page"),
    ])


def run(ctx):
    amenities.require_amenities(ctx)
    half = max(1, ctx.args.clients // 2)
    heavy, light = residents_by_history(ctx, half)
    first_resource = {}
    for resource in amenities.resources(ctx, plain=False):
        first_resource.setdefault(resource["community_id"], resource["id"])
    think_s = ctx.args.think_ms / 1000
    plans = [visit(email, first_resource[community], "heavy", think_s) for email, community, _ in heavy] + \
            [visit(email, first_resource[community], "light", think_s) for email, community, _ in light]
    logins = [amenities.LoginPlan(email) for email, _, _ in (heavy + light)][:ctx.args.login_clients
                                                                            or ctx.args.clients]
    rows, results = [], {}
    with ctx.server(name="app", env={"BENCH_COUNT_QUERIES": "1"}) as server:
        ctx.load(server, plans, requests=300, seconds=10)  # warm-up
        summary, load = ctx.load(server, logins)
        results["login (POST)"] = summary
        summary, load = ctx.load(server, plans)
        results["pages (all)"] = summary
        for label in sorted({s["label"] for s in load.samples}):
            part = summarize([s for s in load.samples if s["label"] == label], load.elapsed_s)
            part["meets_target"] = (part["p95_ms"] or 1e9) < TARGET_P95_MS
            results[label] = part
    for label, summary in results.items():
        rows.append({"page": label, **summary})
    history = {"heavy": [n for _, _, n in heavy], "light": [n for _, _, n in light]}
    return {"tables": [("Pages", rows, COLUMNS)], "results": results,
            "settings": {"clients": ctx.args.clients, "think_ms": ctx.args.think_ms, "bookings_last_year": history,
                         "target_p95_ms": TARGET_P95_MS, "day": date.today().isoformat()}}
