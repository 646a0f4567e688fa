"""Offline payments, their reversal, refunds in part, and the refund a cancellation owes."""
import pytest

from community.amenities import operations as amenity_ops
from community.amenities.models import CANCELLED, CONFIRMED, PENDING_PAYMENT
from community.core.errors import NotFound
from community.extensions import db
from community.notifications.models import Notice
from community.payments import ledger
from community.payments import operations as ops
from community.payments.errors import AlreadyPaid, PaymentRuleViolation
from community.payments.models import PAID, REFUND_PENDING, REFUND_SUCCEEDED, REVERSED, Payment, Refund
from tests.helpers import text
from tests.payments.conftest import at

OFFLINE = "/admin/payments/payables/amenity_booking/{}/offline"


def paid_offline(booking, admin, method="cash", reference="R-001"):
    payment = ops.record_offline_payment("amenity_booking", booking.id, actor=admin, method=method, reference=reference)
    db.session.commit()
    return payment


def test_an_offline_payment_confirms_the_booking_and_shows_in_the_payers_history(
        client, login, unpaid, community_admin, resident):
    login(community_admin)
    form = client.get(OFFLINE.format(unpaid.id))
    assert form.status_code == 200 and "KTV" in text(form)
    response = client.post(OFFLINE.format(unpaid.id), data={"method": "bank_transfer", "reference": "TX-778"})
    assert response.status_code == 302
    payment = db.session.scalars(db.select(Payment)).one()
    assert (payment.status, payment.method, payment.reference, payment.recorded_by_id) == (
        PAID, "bank_transfer", "TX-778", community_admin.id)
    db.session.expire_all()
    assert unpaid.status == CONFIRMED
    assert ledger.receivable_of("amenity_booking", unpaid.id) == 0
    client.post("/logout")
    login(resident)
    history = text(client.get("/payments/"))
    assert f'data-payment="{payment.id}"' in history and "TX-778" in history
    api = client.get("/api/v1/payments").get_json()
    assert api[0]["method"] == "bank_transfer" and api[0]["amount"] == {"amount": 3000, "currency": "CNY"}


def test_an_unknown_method_re_renders_the_form(client, login, unpaid, community_admin):
    login(community_admin)
    response = client.post(OFFLINE.format(unpaid.id), data={"method": "gold", "reference": "x"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0


def test_recording_twice_is_refused(unpaid, community_admin):
    paid_offline(unpaid, community_admin)
    with pytest.raises(AlreadyPaid):
        ops.record_offline_payment("amenity_booking", unpaid.id, actor=community_admin, method="cash")


def test_the_wrong_office_cannot_record(unpaid, other_admin):
    with pytest.raises(NotFound):
        ops.record_offline_payment("amenity_booking", unpaid.id, actor=other_admin, method="cash")


def test_reversing_needs_a_reason_and_puts_the_booking_back_to_pending_payment(client, login, unpaid,
                                                                                community_admin):
    payment = paid_offline(unpaid, community_admin)
    login(community_admin)
    assert client.post(f"/admin/payments/{payment.id}/reverse", data={"reverse-reason": ""}).status_code == 422
    response = client.post(f"/admin/payments/{payment.id}/reverse", data={"reverse-reason": "Typed the wrong booking"})
    assert response.status_code == 302
    db.session.expire_all()
    assert payment.status == REVERSED and payment.reversal_reason == "Typed the wrong booking"
    assert unpaid.status == PENDING_PAYMENT and unpaid.paid_at is None
    assert ledger.receivable_of("amenity_booking", unpaid.id) == 3000
    # paid again afterwards, properly
    paid_offline(unpaid, community_admin, reference="R-002")


def test_a_partial_refund_with_a_reason_offline_is_recorded_at_once(client, login, unpaid, community_admin,
                                                                     resident):
    payment = paid_offline(unpaid, community_admin)
    login(community_admin)
    assert client.post(f"/admin/payments/{payment.id}/refund",
                       data={"refund-amount": "10", "refund-reason": ""}).status_code == 422
    assert client.post(f"/admin/payments/{payment.id}/refund",
                       data={"refund-amount": "31", "refund-reason": "too much"}).status_code == 422
    assert client.post(f"/admin/payments/{payment.id}/refund",
                       data={"refund-amount": "abc", "refund-reason": "x"}).status_code == 422
    response = client.post(f"/admin/payments/{payment.id}/refund",
                           data={"refund-amount": "10.50", "refund-reason": "Projector broken"})
    assert response.status_code == 302
    refund = db.session.scalars(db.select(Refund)).one()
    assert (refund.amount_fen, refund.status, refund.reason) == (1050, REFUND_SUCCEEDED, "Projector broken")
    db.session.expire_all()
    assert payment.refunded_fen == 1050
    notice = db.session.scalars(db.select(Notice).where(Notice.kind == "payments.refunded")).one()
    assert notice.user_id == resident.id
    # the rest, and then nothing more
    client.post(f"/admin/payments/{payment.id}/refund", data={"refund-amount": "19.50", "refund-reason": "rest"})
    with pytest.raises(PaymentRuleViolation):
        ops.refund_payment(payment, actor=community_admin, amount_fen=1, reason="more")


def test_cancelling_a_paid_online_booking_before_the_cutoff_refunds_through_stripe(
        client, login, resident, unpaid, pay_online, stripe_on, deliver):
    pay_online(resident, unpaid)
    response = client.post(f"/amenities/bookings/{unpaid.id}/cancel", data={"scope": "this"})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert unpaid.status == CANCELLED
    refund = db.session.scalars(db.select(Refund)).one()
    assert refund.status == REFUND_PENDING and refund.amount_fen == 3000 and refund.stripe_refund_id
    (_, path, params), = [r for r in stripe_on.requests if r[1] == "/v1/refunds"]
    assert params["amount"] == "3000" and params["payment_intent"].startswith("pi_test_")
    assert "data-refund-status=\"pending\"" in text(client.get("/payments/"))
    assert ledger.check().ok  # nothing moved yet
    assert deliver(stripe_on.refund_event(refund.stripe_refund_id)).status_code == 200
    db.session.expire_all()
    assert refund.status == REFUND_SUCCEEDED
    assert db.session.get(Payment, refund.payment_id).refunded_fen == 3000
    # Stripe resends: nothing twice
    assert deliver(stripe_on.refund_event(refund.stripe_refund_id)).status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Notice).where(
        Notice.kind == "payments.refunded")) == 1


def test_a_late_cancellation_by_the_resident_keeps_the_fee(client, login, resident, paid_room, book,
                                                          community_admin):
    from community.core import clock

    booking = book(resident, paid_room, at(1, 19))
    paid_offline(booking, community_admin)
    clock.freeze(booking.start_at - __import__("datetime").timedelta(minutes=30))  # inside the 60-minute cut-off
    amenity_ops.cancel_booking(booking, actor=resident)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Refund)) == 0


def test_the_office_cancelling_a_booking_paid_offline_owes_a_refund_to_hand_back(
        client, login, resident, unpaid, community_admin):
    payment = paid_offline(unpaid, community_admin)
    amenity_ops.cancel_booking(unpaid, actor=community_admin, reason="Room flooded")
    db.session.commit()
    refund = db.session.scalars(db.select(Refund)).one()
    assert refund.status == REFUND_PENDING
    login(community_admin)
    assert "data-refunds-to-hand-back" in text(client.get("/admin/payments/"))
    response = client.post(f"/admin/payments/refunds/{refund.id}/settle", data={"settle-reference": "cash back"})
    assert response.status_code == 302
    db.session.expire_all()
    assert refund.status == REFUND_SUCCEEDED and payment.refunded_fen == 3000


def test_a_stripe_refund_that_fails_is_a_problem_for_the_office(resident, unpaid, pay_online, stripe_on, deliver,
                                                               community_admin):
    payment_id = pay_online(resident, unpaid)
    payment = db.session.get(Payment, payment_id)
    refund = ops.refund_payment(payment, actor=community_admin, amount_fen=500, reason="goodwill")
    db.session.commit()
    assert deliver(stripe_on.refund_event(refund.stripe_refund_id, status="failed")).status_code == 200
    db.session.expire_all()
    assert refund.status == "failed"
    from community.payments.models import PaymentProblem

    assert db.session.scalars(db.select(PaymentProblem)).one().code == "refund_failed"
    # the money is still refundable
    ops.refund_payment(payment, actor=community_admin, amount_fen=3000, reason="all of it")


def test_a_refund_stripe_did_not_take_is_sent_again_by_the_job(resident, unpaid, pay_online, stripe_on,
                                                               community_admin):
    payment = db.session.get(Payment, pay_online(resident, unpaid))
    stripe_on.fail_next = 3
    refund = ops.refund_payment(payment, actor=community_admin, amount_fen=500, reason="goodwill")
    db.session.commit()
    assert refund.stripe_refund_id is None and refund.submit_error
    assert ops.submit_pending_refunds() == 1
    db.session.commit()
    assert refund.stripe_refund_id and ops.submit_pending_refunds() == 0


def test_the_office_of_another_community_sees_nothing(client, login, unpaid, community_admin, other_admin):
    payment = paid_offline(unpaid, community_admin)
    login(other_admin)
    assert client.get(f"/admin/payments/{payment.id}").status_code == 404
    assert client.post(f"/admin/payments/{payment.id}/refund",
                       data={"refund-amount": "1", "refund-reason": "x"}).status_code == 404
    assert client.get(OFFLINE.format(unpaid.id)).status_code == 404
    assert f'data-payment="{payment.id}"' not in text(client.get("/admin/payments/"))


def test_residents_cannot_open_the_office_pages(client, login, resident, unpaid, community_admin):
    payment = paid_offline(unpaid, community_admin)
    login(resident)
    assert client.get("/admin/payments/").status_code == 403
    assert client.get(f"/admin/payments/{payment.id}").status_code == 403
