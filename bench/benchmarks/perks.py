"""Claim storm and counter redemption (docs/perks.md).

Claim storm: a campaign of ``--total`` (500) vouchers, one per resident; ``--residents`` (2,000)
residents with their own tokens claim it at once through ``--clients`` (64) connections (each
connection sends its share of residents' claims, one after another, all connections released
together). Checked: exactly ``total`` 201s, every other answer 409 sold_out, no 5xx or transport
error, and the database holds exactly ``total`` vouchers with ``claimed == total``. The same storm
is sent to the claim floor (bench/perks.py: token + one conditional UPDATE + INSERT through
psycopg) on a campaign of its own; the ratio is ours / floor in claims answered per second.

Redemption: ``--counters`` (16) staff tokens of the merchant redeem the storm's vouchers, each
its own share, through POST /api/v1/vouchers/redeem; checked: every one 200 and each voucher
redeemed once; p95 reported (target under 200 ms).
"""
from bench import perks
from bench.loadgen import ListPlan, Request
from bench.plans import bearer

NAME = "perks"
DESCRIPTION = "claim storm (2,000 residents, 500 vouchers, 64 clients) beside a floor; redemption at 16 counters"
COLUMNS = [("step", "step"), ("clients", "clients"), ("requests", "requests"), ("rps", "answers/s"),
           ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("statuses", "statuses"), ("db", "db vouchers"),
           ("exact", "exact"), ("ratio", "ours / floor")]


def add_arguments(parser):
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--total", type=int, default=500)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--counters", type=int, default=16)
    parser.add_argument("--world", choices=("city", "own"), default="city",
                        help="city: the tokens `flask demo generate` issued; own: the 'Bench perks' community"
                             " bench/perks.py seed_world builds in the benchmark database (no city needed)")


def _plans(path, tokens, clients, *, label, json_for=None):
    shares = [tokens[i::clients] for i in range(clients)]
    return [ListPlan([Request("POST", path, headers=bearer(t["token"] if isinstance(t, dict) else t[0]),
                              json=json_for(t) if json_for else None, label=label) for t in share],
                     warmup_path="/healthz") for share in shares if share]


def _storm(ctx, server, path, campaign_id, tokens):
    plans = _plans(path, tokens, ctx.args.clients, label="claim")
    summary, _ = ctx.load(server, plans, requests=len(tokens), seconds=120, start_together=True)
    statuses = summary["statuses"]
    vouchers, claimed = perks.campaign_counts(ctx, campaign_id)
    bad = sum(n for code, n in statuses.items() if code == "0" or code.startswith("5"))
    exact = (statuses.get("201", 0) == ctx.args.total and statuses.get("409", 0) == len(tokens) - ctx.args.total
             and vouchers == claimed == ctx.args.total and bad == 0 and summary["requests"] == len(tokens))
    return summary, vouchers, exact


def run(ctx):
    perks.require_perks(ctx)
    args = ctx.args
    if args.world == "own":
        tokens = perks.seed_world(ctx.database_url, residents=args.residents, staff=args.counters)["tokens"]
        claimers, counters = tokens[:args.residents], tokens[-args.counters:]
    else:
        tokens = ctx.tokens(minimum=args.residents + args.counters)
        claimers, counters = tokens[:args.residents], tokens[args.residents:args.residents + args.counters]
    marks = perks.watermarks(ctx)
    merchant = perks.create_merchant(ctx, claimers[0]["community_id"], "bench café")
    floor_merchant = perks.create_merchant(ctx, claimers[0]["community_id"], "bench floor café")
    rows, results, failed = [], {}, False
    try:
        campaign = perks.create_campaign(ctx, merchant, args.total, "bench storm")
        floor_campaign = perks.create_campaign(ctx, floor_merchant, args.total, "bench floor storm")
        with ctx.server("bench.perks:claim_floor_app", name="claim-floor") as server:
            floor, floor_db, floor_exact = _storm(ctx, server, f"/floor/campaigns/{floor_campaign}/claim",
                                                 floor_campaign, claimers)
        with ctx.server(name="app") as server:
            ours, ours_db, ours_exact = _storm(ctx, server, f"/api/v1/campaigns/{campaign}/claim", campaign, claimers)
            ratio = round(ours["rps"] / floor["rps"], 3) if ours["rps"] and floor["rps"] else None
            rows.append({"step": "claim storm, ours", "clients": len(_plans("/", claimers, args.clients, label="x")),
                         **ours, "db": ours_db, "exact": ours_exact, "ratio": ratio})
            rows.append({"step": "claim storm, floor", "clients": args.clients, **floor, "db": floor_db,
                         "exact": floor_exact, "ratio": ""})
            perks.grant_staff(ctx, merchant, [t["user_id"] for t in counters])
            codes = perks.codes_of(ctx, campaign)
            plans = [ListPlan([Request("POST", "/api/v1/vouchers/redeem", headers=bearer(counter["token"]),
                                       json={"code": code}, label="redeem") for code in codes[i::len(counters)]],
                              warmup_path="/healthz") for i, counter in enumerate(counters)]
            redemption, _ = ctx.load(server, plans, requests=len(codes), seconds=120)
            done = perks.redeemed(ctx, campaign)
            redeem_exact = redemption["statuses"] == {"200": len(codes)} and done == len(codes)
            rows.append({"step": "redemption", "clients": len(counters), **redemption, "db": done,
                         "exact": redeem_exact, "ratio": ""})
        failed = not (ours_exact and floor_exact and redeem_exact)
        results = {"claim_storm": ours, "claim_floor": floor, "ratio": ratio, "redemption": redemption,
                   "exact": {"storm": ours_exact, "floor": floor_exact, "redemption": redeem_exact}}
    finally:
        perks.cleanup(ctx, [merchant, floor_merchant], marks)
    return {"tables": [("Perks: claim storm and redemption", rows, COLUMNS)], "results": results,
            "failed": failed, "settings": {"residents": args.residents, "total": args.total, "world": args.world,
                                           "clients": args.clients, "counters": args.counters}}
