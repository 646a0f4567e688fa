"""Floors alone: floor (a) bare Flask JSON and floor (b) minimal token + lock + count + insert,
at each concurrency, on the run's gunicorn settings. Floor (b) writes the real amenity tables of the
city (`flask demo generate`), far in the future (2100), and deletes its rows after each step."""
import math

from bench import amenities
from bench.floors import FAR_FUTURE_CLEANUP
from bench.loadgen import Request, RepeatPlan
from bench.plans import booking_plans, synthetic_slots

NAME = "floors"
DESCRIPTION = "floor (a) bare Flask JSON and floor (b) token+lock+insert via psycopg, at 1/8/32/64 clients"
COLUMNS = [("floor", "floor"), ("clients", "clients"), ("rps", "req/s"), ("p50_ms", "p50 ms"),
           ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"), ("statuses", "statuses"),
           ("server_cpu_s", "server cpu s"), ("client_cpu_s", "client cpu s"),
           ("other_cpu_s", "other cpu s"), ("irq_cpu_s", "irq cpu s"), ("steal_cpu_s", "steal s")]


def add_arguments(parser):
    parser.add_argument("--clients", default="1,8,32,64", help="concurrency levels (comma separated)")
    parser.add_argument("--only", choices=("a", "b"), help="run one floor only")
    parser.add_argument("--warmup", type=int, default=300, help="unrecorded requests before each floor")


def levels(text):
    return [int(part) for part in text.split(",") if part.strip()]


def run(ctx):
    rows, results, settings = [], {}, {}
    if ctx.args.only in (None, "a"):
        results["a"] = run_floor_a(ctx, levels(ctx.args.clients), rows)
    if ctx.args.only in (None, "b"):
        amenities.require_amenities(ctx)
        results["b"] = run_floor_b(ctx, levels(ctx.args.clients), rows)
    return {"tables": [("Floors", rows, COLUMNS)], "results": results, "settings": settings}


def run_floor_a(ctx, clients_levels, rows):
    out = {}
    with ctx.server("bench.floors:bare_app", name="floor-a") as server:
        warm = [RepeatPlan(Request("GET", "/floor/json")) for _ in range(max(clients_levels))]
        ctx.load(server, warm, requests=ctx.args.warmup, seconds=10)
        for clients in clients_levels:
            plans = [RepeatPlan(Request("GET", "/floor/json", label="floor_a"), warmup_path="/healthz")
                     for _ in range(clients)]
            summary, _ = ctx.load(server, plans)
            out[str(clients)] = summary
            rows.append({"floor": "a: bare JSON", "clients": clients, **summary})
    return out


def floor_b_setup(ctx, clients):
    """(resources_per_client, tokens) for floor (b) with this many clients: up to 8 active
    resources of each client's community."""
    tokens = ctx.tokens(minimum=clients)[:clients]
    by_community = {}
    for resource in amenities.resources(ctx, plain=False):
        by_community.setdefault(resource["community_id"], []).append(resource["id"])
    resources = [by_community[t["community_id"]][:8] for t in tokens]
    return resources, [t["token"] for t in tokens]


def run_floor_b(ctx, clients_levels, rows):
    top = max(clients_levels)
    resources, tokens = floor_b_setup(ctx, top)
    out = {}
    with ctx.server("bench.floors:booking_app", name="floor-b") as server:
        ctx.load(server, floor_b_plans(resources, tokens, top, ctx.args.warmup),
                 requests=ctx.args.warmup, seconds=10)  # warm-up, not recorded
        cleanup(ctx)
        for clients in clients_levels:
            summary, _ = ctx.load(server, floor_b_plans(resources, tokens, clients, ctx.args.requests))
            cleanup(ctx)
            out[str(clients)] = summary
            rows.append({"floor": "b: token+lock+insert", "clients": clients, **summary})
    return out


def floor_b_plans(resources, tokens, clients, requests):
    slots = synthetic_slots(resources[:clients], clients, math.ceil(requests / clients))
    return booking_plans("/floor/bookings", tokens[:clients], slots, label="floor_b")


def cleanup(ctx):
    with ctx.connect() as conn:
        conn.execute(FAR_FUTURE_CLEANUP)
