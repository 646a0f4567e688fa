"""Stripe Checkout for a paid booking, against the fake Stripe: the session's parameters, the
second click that reuses it, the result page that reads our database, and the buttons that hide
without keys."""
import pytest

from community.amenities.models import CONFIRMED, PENDING_PAYMENT
from community.extensions import db
from community.payments.models import OPEN, PAID, Payment
from tests.helpers import text


def test_checkout_session_in_cny_with_card_alipay_and_wechat_pay(client, login, resident, unpaid, stripe_on):
    login(resident)
    response = client.post(f"/payments/pay/amenity_booking/{unpaid.id}")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(stripe_on.url + "/pay/cs_test_")
    (method, path, params), = stripe_on.requests
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert params["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert params["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    assert params["line_items"][0]["price_data"]["currency"] == "cny"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "3000"
    payment = db.session.scalars(db.select(Payment)).one()
    assert params["metadata"]["payment_id"] == str(payment.id)
    assert params["success_url"].endswith(f"/payments/{payment.id}/")
    assert payment.status == OPEN and payment.amount_fen == 3000 and payment.payer_id == resident.id


def test_a_second_click_reuses_the_open_session(client, login, resident, unpaid, stripe_on):
    login(resident)
    first = client.post(f"/payments/pay/amenity_booking/{unpaid.id}").headers["Location"]
    second = client.post(f"/payments/pay/amenity_booking/{unpaid.id}").headers["Location"]
    assert first == second
    assert len(stripe_on.requests) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 1


def test_the_result_page_says_processing_until_the_webhook_then_paid(client, login, resident, unpaid, stripe_on,
                                                                     deliver):
    login(resident)
    location = client.post(f"/payments/pay/amenity_booking/{unpaid.id}").headers["Location"]
    payment = db.session.scalars(db.select(Payment)).one()
    page = text(client.get(f"/payments/{payment.id}/"))
    assert 'data-result="processing"' in page and 'http-equiv="refresh"' in page
    db.session.expire_all()
    assert unpaid.status == PENDING_PAYMENT  # the redirect alone proves nothing
    assert deliver(stripe_on.complete(location.rsplit("/", 1)[1])).status_code == 200
    page = text(client.get(f"/payments/{payment.id}/"))
    assert 'data-result="paid"' in page
    db.session.expire_all()
    assert unpaid.status == CONFIRMED and payment.status == PAID


def test_only_the_payer_sees_the_result_page(client, login, unpaid, stripe_on, resident, create_user):
    login(resident)
    client.post(f"/payments/pay/amenity_booking/{unpaid.id}")
    payment = db.session.scalars(db.select(Payment)).one()
    client.post("/logout")
    login(create_user("neighbour@example.test"))
    assert client.get(f"/payments/{payment.id}/").status_code == 404
    assert client.post(f"/payments/pay/amenity_booking/{unpaid.id}").status_code == 404


def test_without_keys_the_pay_button_is_hidden_and_the_office_is_named(client, login, resident, unpaid):
    login(resident)
    page = text(client.get("/amenities/bookings"))
    assert 'data-action="pay"' not in page
    assert "data-pay-prompt" in page
    assert client.post(f"/payments/pay/amenity_booking/{unpaid.id}").status_code == 503


def test_with_keys_my_bookings_and_my_payments_offer_pay(client, login, resident, unpaid, stripe_on):
    login(resident)
    assert 'data-action="pay"' in text(client.get("/amenities/bookings"))
    page = text(client.get("/payments/"))
    assert f'data-payable="amenity_booking:{unpaid.id}"' in page and 'data-action="pay"' in page


def test_a_stripe_outage_charges_nothing_and_keeps_nothing(client, login, resident, unpaid, stripe_on):
    stripe_on.fail_next = 3  # the SDK retries twice
    login(resident)
    response = client.post(f"/payments/pay/amenity_booking/{unpaid.id}")
    assert response.status_code == 502
    assert db.session.scalar(db.select(db.func.count()).select_from(Payment)) == 0
