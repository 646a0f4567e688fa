"""Booking throughput: residents booking distinct free slots through POST /api/v1/bookings at each
concurrency, beside floor (a) and floor (b) measured in the same run on the same gunicorn settings.

Slots: the availability API lists the free places of the next days of plain resources (no
approval, no fee) of the communities that hold tokens; each concurrency level gets the same
shuffled list, and every place is booked once, by a resident of the resource's community, a
different resident for each place of one resource and day (so per-day quotas stay clear). The
bookings a level adds are deleted before the next level and at the end (id watermark), so every
level and every rerun starts from the same city.
"""
import random
from collections import defaultdict

from bench import amenities
from bench.benchmarks.floors import levels, run_floor_a
from bench.plans import booking_plans

NAME = "booking_throughput"
DESCRIPTION = "POST /api/v1/bookings at 1/8/32/64 clients beside floors (a) and (b); needs amenities"
COLUMNS = [("endpoint", "endpoint"), ("clients", "clients"), ("ok_per_s", "201/s"), ("rps", "req/s"),
           ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"), ("statuses", "statuses"),
           ("vs_a", "ours/a"), ("vs_b", "ours/b")]
KINDS = ("meeting_room", "gym", "coffee_bar", "laundry")


def add_arguments(parser):
    parser.add_argument("--clients", default="1,8,32,64")
    parser.add_argument("--days", type=int, default=7, help="days of availability to collect slots from")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)


def run(ctx):
    amenities.require_amenities(ctx)
    clients_levels = levels(ctx.args.clients)
    tokens = ctx.tokens(minimum=max(clients_levels))
    marks = amenities.watermarks(ctx)
    rows, results = [], {"ours": {}, "floor_b": {}}
    try:
        with ctx.server(name="app") as server:
            units = collect_units(ctx, server, tokens)
            assigned = assign_tokens(units, amenities.tokens_by_community(tokens))
            warm = min(ctx.args.warmup, len(assigned) // 2)
            ctx.load(server, plans_for("/api/v1/bookings", assigned[:warm], max(clients_levels)),
                     requests=warm, seconds=10)
            amenities.remove_added_rows(ctx, marks)
            for clients in clients_levels:
                summary, _ = ctx.load(server, plans_for("/api/v1/bookings", assigned, clients))
                amenities.remove_added_rows(ctx, marks)
                results["ours"][str(clients)] = summary
        results["floor_a"] = run_floor_a(ctx, clients_levels, [])
        with ctx.server("bench.floors:booking_app", name="floor-b") as server:
            ctx.load(server, plans_for("/floor/bookings", assigned[:warm], max(clients_levels)),
                     requests=warm, seconds=10)
            amenities.remove_added_rows(ctx, marks)
            for clients in clients_levels:
                summary, _ = ctx.load(server, plans_for("/floor/bookings", assigned, clients))
                amenities.remove_added_rows(ctx, marks)
                results["floor_b"][str(clients)] = summary
    finally:
        amenities.remove_added_rows(ctx, marks)
    for clients in clients_levels:
        key = str(clients)
        ours, floor_a, floor_b = results["ours"][key], results["floor_a"][key], results["floor_b"][key]
        ours["vs_floor_a"] = _ratio(ours["ok_per_s"], floor_a["ok_per_s"])
        ours["vs_floor_b"] = _ratio(ours["ok_per_s"], floor_b["ok_per_s"])
        rows.append({"endpoint": "POST /api/v1/bookings", "clients": clients, **ours,
                     "vs_a": ours["vs_floor_a"], "vs_b": ours["vs_floor_b"]})
        rows.append({"endpoint": "floor a (bare JSON)", "clients": clients, **floor_a})
        rows.append({"endpoint": "floor b (psycopg)", "clients": clients, **floor_b})
    return {"tables": [("Booking throughput", rows, COLUMNS)], "results": results,
            "settings": {"slot_units": len(assigned), "kinds": KINDS, "days": ctx.args.days}}


def _ratio(ours, floor):
    return round(ours / floor, 3) if ours and floor else None


def collect_units(ctx, server, tokens):
    """[(community_id, (resource_id, start, end))]: free places, shuffled, at most the budget."""
    by_community = amenities.tokens_by_community(tokens)
    units = []
    for resource in amenities.resources(ctx, kinds=KINDS, community_ids=list(by_community)):
        token = by_community[resource["community_id"]][0]
        units.extend((resource["community_id"], unit) for unit in
                     amenities.free_slot_units(server.base_url, token, resource, days=ctx.args.days))
    random.Random(ctx.args.seed).shuffle(units)
    if len(units) < ctx.args.requests:
        ctx.notes.append(f"only {len(units)} free slot places for a budget of {ctx.args.requests} requests")
    return units[:ctx.args.requests]


def assign_tokens(units, tokens_of_community):
    """(token, slot) pairs: the places of one resource and day go to different residents in turn."""
    turn = defaultdict(int)
    assigned = []
    for community, slot in units:
        pool = tokens_of_community[community]
        key = (slot[0], slot[1][:10])
        assigned.append((pool[turn[key] % len(pool)], slot))
        turn[key] += 1
    return assigned


def plans_for(path, assigned, clients):
    """Deal the (token, slot) pairs to clients in turn; each client books its own share."""
    shares = [assigned[i::clients] for i in range(clients)]
    shares = [share for share in shares if share]
    return booking_plans(path, [[token for token, _ in share] for share in shares],
                         [[slot for _, slot in share] for share in shares])
