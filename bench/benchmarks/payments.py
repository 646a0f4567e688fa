"""Stripe webhooks under load: 10,000 signed checkout.session.completed deliveries, 10 % of them
repeats, from 32 concurrent clients against gunicorn; then the ledger checker and the counts that
prove each event was applied once. And Checkout Session creation (POST
/api/v1/payables/amenity_booking/<id>/checkout) against the fake Stripe, p95.

Needs a PostgreSQL database of its own: it is emptied and migrated (--empty-database to agree)."""
from bench import payments
from bench.loadgen import ListPlan, Request

NAME = "payments"
DESCRIPTION = "POST /payments/stripe/webhook x10,000 (10 % repeats) at 32 clients + checkout p95; empties its DB"
COLUMNS = [("step", "step"), ("clients", "clients"), ("requests", "requests"), ("ok_per_s", "2xx/s"),
           ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"), ("statuses", "statuses")]
SECRET = "whsec_bench"


def add_arguments(parser):
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--checkouts", type=int, default=500)
    parser.add_argument("--checkout-clients", type=int, default=8)
    parser.add_argument("--empty-database", action="store_true", help="agree that the database is emptied")
    parser.add_argument("--seed", type=int, default=1)


def _split(items, clients):
    return [items[i::clients] for i in range(clients)]


def run(ctx):
    args = ctx.args
    if not args.empty_database:
        raise SystemExit("payments empties its database: pass --empty-database (and a --database-url "
                         "of its own)")
    from tests.fake_stripe import FakeStripe

    app = payments.bench_app(ctx.database_url)
    payments.reset_database(app)
    unique_wanted = round(args.events * (1 - args.duplicates))
    sessions, targets = payments.build(app, payers=unique_wanted, checkouts=args.checkouts, seed=args.seed)
    fake = FakeStripe(secret=SECRET).start()
    env = {"STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": SECRET, "STRIPE_API_BASE": fake.url,
           "PUBLIC_BASE_URL": "http://127.0.0.1",
           # the deliveries are signed before the run starts, so a long run outlives Stripe's 5 minutes
           "STRIPE_WEBHOOK_TOLERANCE": "7200"}
    deliveries, unique = payments.deliveries(sessions, total=args.events, duplicate_share=args.duplicates,
                                             secret=SECRET, seed=args.seed)
    rows, results = [], {}
    try:
        with ctx.server(name="app", env=env) as server:
            plans = [ListPlan([Request("POST", "/payments/stripe/webhook", json=event,
                                       headers={"Stripe-Signature": header}, label="webhook")
                               for event, header in part])
                     for part in _split(deliveries, args.clients)]
            summary, _ = ctx.load(server, plans, requests=args.events, seconds=max(args.seconds, 1800))
            results["webhooks"] = summary
            rows.append({"step": "webhook deliveries", **summary})
            checkout_plans = [ListPlan([Request("POST", f"/api/v1/payables/amenity_booking/{bid}/checkout",
                                                headers={"Authorization": f"Bearer {token}"}, label="checkout")
                                        for token, bid in part])
                              for part in _split(targets, args.checkout_clients)]
            summary, _ = ctx.load(server, checkout_plans, requests=len(targets), seconds=max(args.seconds, 300))
            results["checkout"] = summary
            rows.append({"step": "checkout creation (fake Stripe)", **summary})
    finally:
        fake.stop()
    after = payments.check_after(app)
    results["after"] = after
    delivered = results["webhooks"]["requests"]
    # Every stored event paid exactly one payment with one cash entry, and the books balance. When
    # the time bound stopped the run early, fewer events than planned were stored: that is said.
    exactly_once = after["ledger_ok"] and after["paid"] == after["events"] == after["cash_entries"] \
        and (delivered < args.events or after["events"] == unique)
    results["exactly_once"] = exactly_once
    notes = [f"planned {unique} distinct events + {args.events - unique} repeats; delivered {delivered}; "
             f"after the run: {after}", "exactly once held" if exactly_once else "EXACTLY ONCE BROKEN"]
    if delivered < args.events:
        notes.append(f"the time bound stopped the deliveries after {delivered} of {args.events}")
    return {"tables": [("Payment webhooks", rows, COLUMNS)], "results": results, "notes": notes,
            "settings": {"events": args.events, "duplicates": args.duplicates, "clients": args.clients,
                         "checkouts": args.checkouts, "checkout_clients": args.checkout_clients},
            "failed": not exactly_once}
