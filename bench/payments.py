"""Setup for the payments benchmark (bench/benchmarks/payments.py), in-process with the
real app on the benchmark's database: a community, payers, a paid room, bookings waiting for
payment and their open Checkout Sessions, written with bulk INSERTs (the path under test is the
webhook, not the setup). The fake Stripe (tests/fake_stripe.py) runs in this process.

The database is emptied first (DROP SCHEMA public CASCADE, then the migrations): give it one of
its own (--database-url; the run refuses without --empty-database)."""
import json
import random
import secrets
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

PASSWORD_HASH = "pbkdf2:sha256:1000$bench$0"  # nobody logs in with a password: API tokens


def bench_app(database_url):
    from community import create_app
    from config import CONFIGS

    class Config(CONFIGS["default"]):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = False

    return create_app(Config)


def reset_database(app):
    from flask_migrate import upgrade

    from community.extensions import db

    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()


def build(app, *, payers: int, checkouts: int, seed: int = 1):
    """(webhook sessions [(payment_id, session_id, amount)], checkout targets [(token, booking_id)])."""
    from community.accounts.models import Community, User
    from community.accounts import operations as account_ops
    from community.amenities.models import Booking, Resource
    from community.extensions import db
    from community.payments.models import OPEN, STRIPE, Payment

    rng = random.Random(seed)
    with app.app_context():
        community = Community(name="Bench Pay", timezone="Asia/Shanghai")
        db.session.add(community)
        db.session.flush()
        from tests.factories.amenities import hours_every_day

        room = Resource(community_id=community.id, kind="activity_room", name="KTV", capacity=100000,
                        slot_minutes=60, opening_hours=hours_every_day("00:00-23:59"), fee_fen=3000)
        db.session.add(room)
        db.session.flush()
        total = payers + checkouts
        db.session.execute(sa.insert(User), [
            {"email": f"payer{i:05d}@bench.test", "display_name": f"Payer {i}", "password_hash": PASSWORD_HASH,
             "community_id": community.id, "active": True} for i in range(total)])
        user_ids = db.session.scalars(sa.select(User.id).where(User.community_id == community.id).order_by(User.id)).all()
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        db.session.execute(sa.insert(Booking), [
            {"resource_id": room.id, "user_id": uid, "community_id": community.id, "start_at": start,
             "end_at": start + timedelta(hours=1), "status": "pending_payment", "qr_token": secrets.token_urlsafe(24),
             "fee_fen": 3000, "currency": "CNY"} for uid in user_ids])
        bookings = db.session.execute(sa.select(Booking.id, Booking.user_id).where(Booking.resource_id == room.id)
                                      .order_by(Booking.id)).all()
        paying, fresh = bookings[:payers], bookings[payers:]
        db.session.execute(sa.insert(Payment), [
            {"payable_kind": "amenity_booking", "payable_id": bid, "community_id": community.id, "payer_id": uid,
             "title": f"KTV {bid}", "amount_fen": 3000, "currency": "CNY", "method": STRIPE, "status": OPEN,
             "token": str(uuid.uuid4()), "stripe_session_id": f"cs_bench_{bid}",
             "checkout_url": f"https://checkout.stripe.test/{bid}"} for bid, uid in paying])
        sessions = db.session.execute(sa.select(Payment.id, Payment.stripe_session_id)).all()
        targets = []
        for bid, uid in fresh:
            _record, token = account_ops.issue_api_token(db.session.get(User, uid), "bench")
            targets.append((token, bid))
        db.session.commit()
    rng.shuffle(targets)
    return [(pid, sid) for pid, sid in sessions], targets


def completed_event(payment_id, session_id, amount=3000):
    return {"id": f"evt_bench_{payment_id}", "object": "event", "type": "checkout.session.completed",
            "data": {"object": {"id": session_id, "object": "checkout.session", "payment_status": "paid",
                                "amount_total": amount, "currency": "cny", "payment_intent": f"pi_bench_{payment_id}",
                                "payment_method_types": ["card", "alipay", "wechat_pay"],
                                "metadata": {"payment_id": str(payment_id)}}}}


def deliveries(sessions, *, total: int, duplicate_share: float, secret: str, seed: int = 1):
    """[(event dict, Stripe-Signature)]: ``total`` deliveries, ``duplicate_share`` of them repeats
    of an event delivered elsewhere in the run (so some repeats race their original)."""
    from tests.fake_stripe import sign

    rng = random.Random(seed)
    unique = round(total * (1 - duplicate_share))
    events = [completed_event(pid, sid) for pid, sid in sessions[:unique]]
    repeats = [rng.choice(events) for _ in range(total - unique)]
    out = events + repeats
    rng.shuffle(out)
    return [(event, sign(json.dumps(event), secret)) for event in out], unique


def check_after(app):
    """The ledger checker and the counts that prove exactly once."""
    from community.extensions import db
    from community.payments import ledger
    from community.payments.models import LedgerEntry, Payment, PaymentEvent

    with app.app_context():
        report = ledger.check()
        return {"ledger_ok": report.ok, "ledger_problems": report.problems[:5],
                "transactions": report.transactions,
                "paid": db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.status == "paid")),
                "events": db.session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent)),
                "cash_entries": db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                                                  .where(LedgerEntry.account == "cash_stripe"))}
