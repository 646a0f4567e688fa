"""GET /api/v1/rounds/<id>/eligibility at 32 clients on the "Bench apartments" community (10,000
residents with households; bench/apartments.py builds it): every client its own resident and
token, asking again at once (closed loop; `--think-ms` for residents who read the answer first). p50/p95 latency, server time and SQL statements a
request. Target: p95 under 50 ms."""
from bench import apartments
from bench.loadgen import RepeatPlan, Request, add_think_argument

NAME = "apartments_eligibility"
DESCRIPTION = "eligibility check p95 at 32 clients (target < 50 ms)"
COLUMNS = [("clients", "clients"), ("requests", "requests"), ("rps", "req/s"), ("p50_ms", "p50 ms"),
           ("p95_ms", "p95 ms"), ("server_p95_ms", "server p95 ms"), ("queries_max", "queries"),
           ("server_cpu_s", "server cpu s"), ("other_cpu_s", "other cpu s"), ("statuses", "statuses")]
TARGET_P95_MS = 50.0


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=32)
    add_think_argument(parser, reader="resident", reads="answer")


def run(ctx):
    world = apartments.seed(ctx.database_url)
    path = f"/api/v1/rounds/{world['open_round_id']}/eligibility"
    tokens = world["tokens"][:ctx.args.clients]

    def plans(think_s):
        return [RepeatPlan(Request("GET", path, headers={"Authorization": f"Bearer {token}"}, label="eligibility"),
                           think_s=think_s) for token in tokens]

    with ctx.server(env={"BENCH_COUNT_QUERIES": "1"}) as server:
        # Warm-up with every client's token once or more (closed loop): the server's database
        # connections, the round's cached rules, and each token's first use of the day (its
        # last_used_at write), so the measured step is the steady state.
        ctx.load(server, plans(0), requests=max(200, 4 * len(tokens)), seconds=5)
        summary, _ = ctx.load(server, plans(ctx.args.think_ms / 1000))
    return {"tables": [("Eligibility check", [summary], COLUMNS)], "results": {"eligibility": summary},
            "settings": {"clients": ctx.args.clients, "think_ms": ctx.args.think_ms}, "failed": (summary.get("p95_ms") or 1e9) > TARGET_P95_MS}
