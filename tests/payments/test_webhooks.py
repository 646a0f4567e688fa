"""The webhook: signature verified (400 and nothing applied otherwise), each event applied once,
out-of-order deliveries, amount and currency checked, unknown types acknowledged."""
import json

import pytest

from community.amenities import operations as amenity_ops
from community.amenities.models import CANCELLED, CONFIRMED, PENDING_PAYMENT
from community.extensions import db
from community.notifications.models import Notice
from community.payments import ledger
from community.payments.models import (
    EVENT_DEFERRED, LedgerEntry, PAID, Payment, PaymentEvent, PaymentProblem, REFUND_SUCCEEDED, Refund, SURPLUS,
)
from tests.payments.conftest import at


@pytest.fixture
def session_id(client, login, resident, unpaid, stripe_on):
    login(resident)
    return client.post(f"/payments/pay/amenity_booking/{unpaid.id}").headers["Location"].rsplit("/", 1)[1]


def count(model, *where):
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_a_bad_signature_is_400_and_applies_nothing(deliver, stripe_on, session_id, unpaid):
    event = stripe_on.complete(session_id)
    assert deliver(event, secret="whsec_wrong").status_code == 400
    assert deliver(event, signature="").status_code == 400
    payload = json.dumps(event)
    forged = json.dumps(dict(event, id="evt_forged"))
    assert deliver(payload=forged, signature=stripe_sign(payload, stripe_on)).status_code == 400  # body changed
    assert deliver(payload="not json", secret=None).status_code == 400
    assert count(PaymentEvent) == 0
    db.session.expire_all()
    assert unpaid.status == PENDING_PAYMENT


def stripe_sign(payload, fake):
    from tests.fake_stripe import sign

    return sign(payload, fake.secret)


def test_a_replayed_event_is_applied_once(deliver, stripe_on, session_id, unpaid, resident):
    event = stripe_on.complete(session_id)
    first, second = deliver(event), deliver(event)
    assert first.get_json()["outcome"] == "applied"
    assert second.status_code == 200 and second.get_json()["outcome"] == "duplicate"
    db.session.expire_all()
    assert unpaid.status == CONFIRMED
    assert count(Payment, Payment.status == PAID) == 1
    assert count(LedgerEntry, LedgerEntry.account == "cash_stripe") == 1
    assert ledger.receivable_of("amenity_booking", unpaid.id) == 0
    assert count(Notice, Notice.user_id == resident.id, Notice.kind == "payments.received") == 1


def test_a_second_event_for_the_same_session_changes_nothing(deliver, stripe_on, session_id, unpaid):
    deliver(stripe_on.complete(session_id))
    again = stripe_on.complete(session_id)
    again["type"] = "checkout.session.async_payment_succeeded"
    assert deliver(again).get_json()["outcome"] == "ignored"
    assert count(LedgerEntry, LedgerEntry.account == "cash_stripe") == 1


@pytest.mark.parametrize("change, code", [({"amount": 100}, "amount_mismatch"), ({"currency": "usd"}, "currency_mismatch")])
def test_amount_or_currency_mismatch_is_refused_and_shown_to_the_office(client, login, deliver, stripe_on, session_id,
                                                                        unpaid, community_admin, change, code):
    response = deliver(stripe_on.complete(session_id, **change))
    assert response.status_code == 200 and response.get_json()["outcome"] == "refused"
    db.session.expire_all()
    assert unpaid.status == PENDING_PAYMENT
    assert count(Payment, Payment.status == PAID) == 0
    assert count(LedgerEntry, LedgerEntry.account == "cash_stripe") == 0
    problem = db.session.scalars(db.select(PaymentProblem)).one()
    assert problem.code == code and problem.community_id == unpaid.community_id
    client.post("/logout")
    login(community_admin)
    page = client.get("/admin/payments/problems").get_data(as_text=True)
    assert f'data-code="{code}"' in page


def test_unknown_event_types_are_acknowledged_and_ignored(deliver, stripe_on):
    response = deliver(stripe_on.event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"


def test_an_unpaid_completion_waits_for_the_async_result(deliver, stripe_on, session_id, unpaid, resident):
    assert deliver(stripe_on.complete(session_id, payment_status="unpaid")).get_json()["outcome"] == "ignored"
    db.session.expire_all()
    assert unpaid.status == PENDING_PAYMENT
    failed = stripe_on.event("checkout.session.async_payment_failed", dict(stripe_on.sessions[session_id]))
    assert deliver(failed).get_json()["outcome"] == "applied"
    assert db.session.scalars(db.select(Payment)).one().status == "failed"
    assert count(Notice, Notice.user_id == resident.id, Notice.kind == "payments.failed") == 1


def test_paid_after_the_booking_expired_is_a_surplus_refunded(deliver, stripe_on, session_id, unpaid, resident):
    from community.core import clock

    clock.freeze(unpaid.start_at)
    amenity_ops.expire_unconfirmed(unpaid.start_at)
    db.session.commit()
    assert deliver(stripe_on.complete(session_id)).get_json()["outcome"] == "applied"
    payment = db.session.scalars(db.select(Payment)).one()
    assert payment.status == SURPLUS
    refund = db.session.scalars(db.select(Refund)).one()
    assert refund.amount_fen == 3000 and refund.stripe_refund_id
    assert db.session.scalars(db.select(PaymentProblem)).one().code == "not_open"
    db.session.expire_all()
    assert unpaid.status == CANCELLED and unpaid.paid_at is None
    assert deliver(stripe_on.refund_event(refund.stripe_refund_id)).get_json()["outcome"] == "applied"
    db.session.expire_all()
    assert refund.status == REFUND_SUCCEEDED and payment.refunded_fen == 3000


def test_a_refund_event_before_the_payment_event_is_applied_after_it(deliver, stripe_on, session_id, unpaid):
    """Out of order: the dashboard refund's event arrives before checkout.session.completed."""
    completed = stripe_on.complete(session_id)
    intent = completed["data"]["object"]["payment_intent"]
    early = stripe_on.event("refund.updated", {"id": "re_dash_1", "object": "refund", "amount": 1000,
                                                "currency": "cny", "payment_intent": intent, "status": "succeeded",
                                                "metadata": {}})
    assert deliver(early).get_json()["outcome"] == "deferred"
    assert db.session.get(PaymentEvent, early["id"]).status == EVENT_DEFERRED
    assert deliver(completed).get_json()["outcome"] == "applied"
    payment = db.session.scalars(db.select(Payment)).one()
    assert payment.status == PAID and payment.refunded_fen == 1000
    assert db.session.get(PaymentEvent, early["id"]).status == "applied"
    db.session.expire_all()
    assert unpaid.status == CONFIRMED


def test_a_session_we_never_opened_is_refused(deliver, stripe_on):
    event = stripe_on.event("checkout.session.completed", {
        "id": "cs_unknown", "object": "checkout.session", "payment_status": "paid", "amount_total": 3000,
        "currency": "cny", "metadata": {}})
    assert deliver(event).get_json()["outcome"] == "refused"
    assert db.session.scalars(db.select(PaymentProblem)).one().code == "unknown_session"


def test_webhook_needs_no_csrf_token(csrf_on, deliver, stripe_on):
    assert deliver(stripe_on.event("customer.created", {"id": "cus_1"})).status_code == 200


def test_a_stale_signature_is_refused(deliver, stripe_on, session_id, unpaid):
    """A delivery signed more than five minutes ago (a replay of an old one) is refused."""
    import time

    from tests.fake_stripe import sign

    payload = json.dumps(stripe_on.complete(session_id))
    old = sign(payload, stripe_on.secret, timestamp=int(time.time()) - 600)
    assert deliver(payload=payload, signature=old).status_code == 400
    assert count(PaymentEvent) == 0
