"""Tickets on the city data set (a year of service requests, 200,000 by default, with replies and
timeline; `flask demo generate`): the report page of one community for one quarter (target p95
under 500 ms, one admin at a time, as an office reads it) and the specialist's queue page at 32
concurrent specialists (target p95 under 100 ms). Server time, SQL statements a request.

The quarter is the last full quarter before today, so it is a full three months of tickets; the
community is the one with the most tickets in it."""
from datetime import date

from bench import amenities
from bench.loadgen import Request, add_think_argument

NAME = "tickets"
DESCRIPTION = "service report (one community, one quarter) and specialist queue at 32 users; needs tickets"
COLUMNS = [("page", "page"), ("clients", "clients"), ("requests", "requests"), ("rps", "req/s"),
           ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("server_p95_ms", "server p95 ms"),
           ("queries_max", "queries"), ("bytes_p50", "bytes"), ("statuses", "statuses")]
REPORT_TARGET_MS = 500.0
QUEUE_TARGET_MS = 100.0


def add_arguments(parser):
    parser.add_argument("--clients", type=int, default=32, help="specialists on the queue page at once")
    parser.add_argument("--report-clients", type=int, default=1)
    add_think_argument(parser, reader="specialist", reads="queue page")


def last_full_quarter(today):
    first_month = 3 * ((today.month - 1) // 3) + 1
    end = date(today.year, first_month, 1)
    start_month = first_month - 3
    start = date(today.year - (start_month < 1), (start_month - 1) % 12 + 1, 1)
    return start, end


def require_tickets(ctx):
    with ctx.connect() as conn:
        if not conn.execute("SELECT to_regclass('public.tickets') IS NOT NULL").fetchone()[0]:
            raise SystemExit("pending: the ticket tables do not exist; run `flask db upgrade`.")
        count = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        if not count:
            raise SystemExit("No tickets: run `flask demo generate --force` (bench/README.md).")
        return count


def run(ctx):
    total = require_tickets(ctx)
    start, end = last_full_quarter(date.today())
    with ctx.connect() as conn:
        community, in_quarter = conn.execute(
            "SELECT community_id, count(*) FROM tickets WHERE created_at >= %s AND created_at < %s"
            " GROUP BY community_id ORDER BY 2 DESC, 1 LIMIT 1", (start, end)).fetchone()
        admin = conn.execute("SELECT u.email FROM users u JOIN role_grants g ON g.user_id = u.id"
                             " WHERE g.role = 'community_admin' AND g.community_id = %s ORDER BY u.id LIMIT 1",
                             (community,)).fetchone()[0]
        specialists = conn.execute(
            "SELECT u.email, (SELECT count(*) FROM tickets t WHERE t.assignee_id = u.id"
            " AND t.status IN ('new', 'assigned', 'in_progress', 'waiting', 'reopened')) FROM users u"
            " JOIN role_grants g ON g.user_id = u.id WHERE g.role = 'specialist' ORDER BY u.id").fetchall()
    if not specialists:
        raise SystemExit("No specialists: generate again with the tickets step.")
    report_path = f"/admin/tickets/report?community={community}&start={start.isoformat()}&end={end.isoformat()}"
    report_plans = [amenities.SessionPlan(admin, [Request("GET", report_path, label="report (one community, quarter)")])
                    for _ in range(ctx.args.report_clients)]
    queue_plans = [amenities.SessionPlan(specialists[i % len(specialists)][0], [
        Request("GET", "/tickets/queue?scope=mine", label="specialist queue")], think_s=ctx.args.think_ms / 1000)
        for i in range(ctx.args.clients)]
    results = {}
    with ctx.server(name="app", env={"BENCH_COUNT_QUERIES": "1"}) as server:
        ctx.load(server, report_plans, requests=5, seconds=20)  # warm-up
        summary, load = ctx.load(server, report_plans, requests=min(ctx.args.requests, 200))
        summary["meets_target"] = (summary["p95_ms"] or 1e9) < REPORT_TARGET_MS
        results["report (one community, quarter)"] = summary
        ctx.load(server, queue_plans, requests=300, seconds=10)  # warm-up
        summary, load = ctx.load(server, queue_plans)
        summary["meets_target"] = (summary["p95_ms"] or 1e9) < QUEUE_TARGET_MS
        results["specialist queue"] = summary
    rows = [{"page": label, **summary} for label, summary in results.items()]
    return {"tables": [("Tickets", rows, COLUMNS)], "results": results,
            "settings": {"tickets": total, "community": community, "quarter": [start.isoformat(), end.isoformat()],
                         "tickets_in_quarter": in_quarter, "clients": ctx.args.clients, "think_ms": ctx.args.think_ms,
                         "open_tickets_per_specialist": sorted(n for _e, n in specialists),
                         "targets_ms": {"report_p95": REPORT_TARGET_MS, "queue_p95": QUEUE_TARGET_MS}}}
