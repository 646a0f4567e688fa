"""Talent (docs/talent.md) on the city's registry (`flask demo generate`; `--residents 36000` gives
about 50,000 registry entries): card verification, `POST /api/v1/talent/card/verify` by staff
tokens at 16 and 32 clients (target p95 < 50 ms at 16), and the operator's registry page and
registry search over every community (platform admins, 8 sessions; target p95 < 150 ms).

Staff: residents with pre-issued tokens are granted `specialist` of their community for the run
(verifiers), and 8 of them `platform_admin` (the registry over all communities); the grants are
deleted afterwards. Card tokens are fetched through the server (`GET /api/v1/talent/card`) right
before each step, because they live 60 seconds."""
from urllib.parse import quote

import httpx

from bench import amenities
from bench.loadgen import CyclePlan, Request

NAME = "talent"
DESCRIPTION = "talent card verify at 16/32 staff clients; registry page and search at 8 operators; needs talent"
COLUMNS = [("step", "step"), ("clients", "clients"), ("requests", "requests"), ("rps", "req/s"),
           ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("server_p95_ms", "server p95 ms"),
           ("queries_max", "queries"), ("bytes_p50", "bytes"), ("statuses", "statuses")]
VERIFY_TARGET_MS = 50.0
REGISTRY_TARGET_MS = 150.0


def add_arguments(parser):
    parser.add_argument("--verify-clients", default="16,32")
    parser.add_argument("--registry-clients", type=int, default=8)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def run(ctx):
    tokens = ctx.tokens(minimum=80)
    with ctx.connect() as conn:
        entries = conn.execute("SELECT count(*), count(*) FILTER (WHERE status = 'active') FROM talent_registry").fetchone()
        if not entries[0]:
            raise SystemExit("No registry entries: run `flask demo generate --force` (bench/README.md).")
        tiered = {row[0] for row in conn.execute("SELECT user_id FROM talent_registry WHERE status = 'active'")}
        mark = conn.execute("SELECT COALESCE(max(id), 0) FROM role_grants").fetchone()[0]
        surname = conn.execute("SELECT left(display_name, 1) FROM users WHERE id = 100").fetchone()[0]
    holders = [t for t in tokens if t["user_id"] in tiered][:200]
    staff = [t for t in tokens if t not in holders][:32] or tokens[-32:]
    admins = staff[:ctx.args.registry_clients]
    with ctx.connect() as conn:
        for t in staff:
            conn.execute("INSERT INTO role_grants (user_id, role, community_id, granted_at) VALUES (%s, 'specialist', %s, now())",
                         (t["user_id"], t["community_id"]))
        for t in admins:
            conn.execute("INSERT INTO role_grants (user_id, role, granted_at) VALUES (%s, 'platform_admin', now())",
                         (t["user_id"],))
    results = {}
    try:
        with ctx.server(name="app", env={"BENCH_COUNT_QUERIES": "1"}) as server:
            for clients in [int(c) for c in ctx.args.verify_clients.split(",")]:
                cards = []
                with httpx.Client(base_url=server.base_url) as client:
                    for t in holders:
                        answer = client.get("/api/v1/talent/card", headers=bearer(t["token"]))
                        if answer.status_code == 200:
                            cards.append(answer.json()["token"])
                if not cards:
                    raise SystemExit("No card tokens: the token holders have no current tier.")
                plans = [CyclePlan([Request("POST", "/api/v1/talent/card/verify", headers=bearer(staff[i % len(staff)]["token"]),
                                            json={"token": cards[(i + k) % len(cards)]}, label="verify")
                                    for k in range(0, len(cards), 7)], warmup_path="/healthz") for i in range(clients)]
                ctx.load(server, plans, requests=300, seconds=5)
                summary, _ = ctx.load(server, plans, seconds=min(ctx.args.seconds, 30))
                summary["meets_target"] = (summary["p95_ms"] or 1e9) < VERIFY_TARGET_MS
                summary["valid_answers_of_cards"] = len(cards)
                results[f"verify ({clients} staff)"] = summary
            pages = [Request("GET", "/talent/admin/registry", label="registry page"),
                     Request("GET", f"/talent/admin/registry?q={quote(surname)}", label="registry search (name)"),
                     Request("GET", "/talent/admin/registry?type=production&tier=senior&status=active", label="registry filter"),
                     Request("GET", "/talent/admin/registry?page=40", label="registry page 40")]
            plans = [amenities.SessionPlan(t["email"], pages) for t in admins]
            ctx.load(server, plans, requests=40, seconds=20)
            summary, load = ctx.load(server, plans)
            summary["meets_target"] = (summary["p95_ms"] or 1e9) < REGISTRY_TARGET_MS
            results[f"registry, all pages ({len(admins)} operators)"] = summary
    finally:
        with ctx.connect() as conn:
            conn.execute("DELETE FROM role_grants WHERE id > %s", (mark,))
    rows = [{"step": label, **summary} for label, summary in results.items()]
    return {"tables": [("Talent", rows, COLUMNS)], "results": results,
            "settings": {"registry_entries": entries[0], "active_entries": entries[1],
                         "targets_ms": {"verify_p95": VERIFY_TARGET_MS, "registry_p95": REGISTRY_TARGET_MS}}}
