"""Contention: 200 residents at once on one capacity-1 slot and on one capacity-20 slot.

For each case the benchmark picks a resource of the community with the most tokens and a slot in
its booking window that no one holds, and for the run sets the resource's capacity (1 or 20) and
clears what would answer 422 for other reasons than capacity (quotas, approval, fee, tiers), so
"successes == capacity" is the whole rule under test; the resource's row is restored afterwards.
All clients log in (bearer token), open their connection, wait at one barrier, then POST the same
slot once. Checked every round: 201s == capacity, no 5xx, no transport error, and the database
holds exactly `capacity` holding bookings on the slot. Rows added are deleted afterwards.
"""
from datetime import datetime

from bench import amenities
from bench.loadgen import ListPlan
from bench.plans import booking_request

NAME = "contention"
DESCRIPTION = "200 concurrent bookings of one capacity-1 and one capacity-20 slot; needs amenities"
COLUMNS = [("case", "case"), ("round", "round"), ("capacity", "capacity"), ("successes", "201s"),
           ("failures", "failures"), ("p95_ms", "p95 ms"), ("db_holding", "db holding"),
           ("exact", "exact")]
CASES = (("capacity 1", "meeting_room", 1), ("capacity 20", "gym", 20))
SAVED = ("capacity", "max_bookings_per_day", "max_bookings_per_week", "max_minutes_per_day",
         "max_minutes_per_week", "requires_approval", "fee_fen", "visible_tiers", "min_notice_minutes")


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each case (a new slot each)")


def run(ctx):
    amenities.require_amenities(ctx)
    tokens = ctx.tokens(minimum=ctx.args.clients)
    pools = amenities.tokens_by_community(tokens)
    community, pool = max(pools.items(), key=lambda item: len(item[1]))
    if len(pool) < ctx.args.clients:
        raise SystemExit(f"community {community} has {len(pool)} tokens; contention needs "
                         f"{ctx.args.clients} residents of one community (flask demo generate --tokens)")
    marks = amenities.watermarks(ctx)
    rows, results, failed = [], {}, False
    try:
        with ctx.server(name="app") as server:
            for label, kind, capacity in CASES:
                resource = amenities.resources(ctx, kinds=[kind], community_ids=[community], plain=False)[0]
                saved = prepare(ctx, resource["id"], capacity)
                try:
                    for round_no in range(1, ctx.args.rounds + 1):
                        row = one_round(ctx, server, resource, pool[:ctx.args.clients], capacity, round_no)
                        row["case"] = label
                        rows.append(row)
                        results.setdefault(label, []).append(row)
                        failed = failed or not row["exact"]
                finally:
                    restore(ctx, resource["id"], saved)
    finally:
        amenities.remove_added_rows(ctx, marks)
    return {"tables": [("Contention", rows, COLUMNS)], "results": results, "failed": failed,
            "settings": {"clients": ctx.args.clients, "community_id": community}}


def prepare(ctx, resource_id, capacity):
    with ctx.connect() as conn:
        saved = conn.execute(f"SELECT {', '.join(SAVED)} FROM amenity_resources WHERE id = %s",
                             (resource_id,)).fetchone()
        conn.execute("UPDATE amenity_resources SET capacity = %s, max_bookings_per_day = NULL,"
                     " max_bookings_per_week = NULL, max_minutes_per_day = NULL,"
                     " max_minutes_per_week = NULL, requires_approval = false, fee_fen = 0,"
                     " visible_tiers = '[]', min_notice_minutes = 0 WHERE id = %s",
                     (capacity, resource_id))
    return dict(zip(SAVED, saved))


def restore(ctx, resource_id, saved):
    import json

    values = dict(saved, visible_tiers=json.dumps(saved["visible_tiers"]))
    with ctx.connect() as conn:
        conn.execute(f"UPDATE amenity_resources SET {', '.join(f'{c} = %({c})s' for c in SAVED)}"
                     " WHERE id = %(id)s", dict(values, id=resource_id))


def pick_slot(ctx, server, resource, token, capacity, round_no):
    """The round_no-th slot, from tomorrow on, that nobody holds (remaining == capacity)."""
    units = amenities.free_slot_units(server.base_url, token, resource, days=7,
                                      not_before_minutes=24 * 60)
    counts = {}
    for unit in units:
        counts[unit] = counts.get(unit, 0) + 1
    empty = sorted(unit for unit, left in counts.items() if left == capacity)
    if len(empty) < round_no:
        raise SystemExit(f"resource {resource['id']} has no {round_no} empty slots in its window")
    return empty[round_no - 1]


def one_round(ctx, server, resource, tokens, capacity, round_no):
    slot = pick_slot(ctx, server, resource, tokens[0], capacity, round_no)
    plans = [ListPlan([booking_request("/api/v1/bookings", token, slot, "contend")],
                      warmup_path="/healthz") for token in tokens]
    summary, result = ctx.load(server, plans, requests=len(plans), seconds=60, start_together=True)
    statuses = summary["statuses"]
    successes = statuses.get("201", 0)
    failures = {code: n for code, n in statuses.items() if code != "201"}
    holding = db_holding(ctx, slot)
    bad = sum(n for code, n in statuses.items() if code == "0" or code.startswith("5"))
    exact = successes == capacity and holding == capacity and bad == 0 and \
        summary["requests"] == len(plans)
    return {"round": round_no, "capacity": capacity, "slot": slot, "successes": successes,
            "failures": failures, "p95_ms": summary["p95_ms"], "db_holding": holding,
            "exact": exact, "summary": summary}


def db_holding(ctx, slot):
    resource_id, start, end = slot
    with ctx.connect() as conn:
        return conn.execute(
            "SELECT count(*) FROM amenity_bookings WHERE resource_id = %s AND status = ANY(%s)"
            " AND start_at < %s AND end_at > %s",
            (resource_id, ["pending_approval", "pending_payment", "confirmed", "checked_in"],
             datetime.fromisoformat(end), datetime.fromisoformat(start))).fetchone()[0]
