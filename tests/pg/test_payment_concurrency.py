"""Money is never applied twice, proven on PostgreSQL (skipped on SQLite).

Twenty deliveries of the same signed event at the same instant, each through the real webhook
endpoint on its own connection: the event id's INSERT ... ON CONFLICT DO NOTHING makes the
later ones wait for the first and then find it taken, so the booking is paid once, the ledger has
one payment, the payer one notice. Two clerks recording the same cash payment: one payment. Two
clicks on Pay: one Checkout Session. And the database refuses to change a ledger entry."""
import json
from collections import Counter

import pytest
import sqlalchemy as sa

from community.amenities.models import CONFIRMED, Booking
from community.extensions import db as _db
from community.notifications.models import Notice
from community.payments import ledger
from community.payments.models import LedgerEntry, Payment, PaymentEvent
from tests.fake_stripe import sign
from tests.payments.conftest import NOW, at
from tests.helpers import run_together as release_together

THREADS = 20


@pytest.fixture(autouse=True)
def frozen_clock():
    from community.core import clock

    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def unpaid(paid_room, resident, book):
    return book(resident, paid_room, at(1, 19))


def run_together(work, count=THREADS):
    return release_together(work, count)


def test_twenty_concurrent_deliveries_of_one_event_apply_it_once(pg_only, app, db, client, login, resident, unpaid,
                                                                  stripe_on):
    login(resident)
    session_id = client.post(f"/payments/pay/amenity_booking/{unpaid.id}").headers["Location"].rsplit("/", 1)[1]
    payload = json.dumps(stripe_on.complete(session_id))
    header = sign(payload, stripe_on.secret)

    def deliver(_):
        response = app.test_client().post("/payments/stripe/webhook", data=payload, content_type="application/json",
                                          headers={"Stripe-Signature": header})
        return response.get_json()["outcome"] if response.status_code == 200 else f"HTTP {response.status_code}"

    results = run_together(deliver)
    assert Counter(results) == {"applied": 1, "duplicate": THREADS - 1}, results
    db.session.expire_all()
    assert db.session.get(Booking, unpaid.id).status == CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentEvent)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.account == "cash_stripe")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)
                             .where(Notice.kind == "payments.received")) == 1
    assert ledger.check().ok


def test_two_clerks_recording_the_same_payment_record_one(pg_only, app, db, unpaid, community_admin):
    from community.accounts.models import User
    from community.payments import operations as ops
    from community.payments.errors import AlreadyPaid

    admin_id, booking_id = community_admin.id, unpaid.id

    def record(_):
        with app.app_context():
            try:
                ops.record_offline_payment("amenity_booking", booking_id, actor=_db.session.get(User, admin_id),
                                           method="cash")
                _db.session.commit()
                return "recorded"
            except AlreadyPaid:
                _db.session.rollback()
                return "already_paid"
            except Exception as exc:
                _db.session.rollback()
                return f"unexpected {exc!r}"
            finally:
                _db.session.remove()

    results = run_together(record, count=10)
    assert Counter(results) == {"recorded": 1, "already_paid": 9}, results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_concurrent_clicks_on_pay_open_one_session(pg_only, app, db, api_token, resident, unpaid, stripe_on):
    headers = api_token(resident)
    url = f"/api/v1/payables/amenity_booking/{unpaid.id}/checkout"

    def click(_):
        response = app.test_client().post(url, headers=headers)
        return response.get_json().get("url") if response.status_code == 200 else f"HTTP {response.status_code}"

    results = run_together(click, count=10)
    assert len(set(results)) == 1 and results[0].startswith(stripe_on.url), results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_ledger_entries_cannot_be_updated_or_deleted(pg_only, app, db, unpaid):
    entry_id = db.session.scalar(sa.select(LedgerEntry.id))
    assert entry_id is not None  # the charge of the unpaid booking
    for statement in (f"UPDATE ledger_entries SET amount_fen = amount_fen + 1 WHERE id = {entry_id}",
                      f"DELETE FROM ledger_entries WHERE id = {entry_id}"):
        with pytest.raises(sa.exc.DBAPIError, match="never updated or deleted"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert ledger.check().ok
