"""The API contract: GET /api/v1/payments (the caller's) and POST
/api/v1/payables/<kind>/<id>/checkout -> {"url"} (409 paid, 404 not the caller's, 503 not configured)."""
from community.extensions import db
from community.payments import operations as ops
from community.payments.models import Payment
from tests.helpers import assert_problem

CHECKOUT = "/api/v1/payables/amenity_booking/{}/checkout"


def test_checkout_answers_the_url_and_the_same_one_again(client, api_token, resident, unpaid, stripe_on):
    headers = api_token(resident)
    first = client.post(CHECKOUT.format(unpaid.id), headers=headers)
    assert first.status_code == 200
    assert first.get_json()["url"].startswith(stripe_on.url + "/pay/")
    assert client.post(CHECKOUT.format(unpaid.id), headers=headers).get_json()["url"] == first.get_json()["url"]


def test_checkout_is_503_problem_json_without_keys(client, api_token, resident, unpaid):
    assert_problem(client.post(CHECKOUT.format(unpaid.id), headers=api_token(resident)), 503,
                   "online_payment_unavailable")


def test_checkout_is_404_for_someone_elses_or_unknown(client, api_token, unpaid, stripe_on, create_user, stranger):
    neighbour = api_token(create_user("neighbour@example.test"))
    assert_problem(client.post(CHECKOUT.format(unpaid.id), headers=neighbour), 404)
    assert_problem(client.post(CHECKOUT.format(unpaid.id), headers=api_token(stranger)), 404)
    assert_problem(client.post("/api/v1/payables/nothing/1/checkout", headers=neighbour), 404)
    assert_problem(client.post(CHECKOUT.format(999999), headers=neighbour), 404)


def test_checkout_is_409_once_paid(client, api_token, resident, unpaid, community_admin, stripe_on):
    ops.record_offline_payment("amenity_booking", unpaid.id, actor=community_admin, method="cash")
    db.session.commit()
    assert_problem(client.post(CHECKOUT.format(unpaid.id), headers=api_token(resident)), 409, "already_paid")


def test_checkout_needs_a_caller(client, unpaid):
    assert_problem(client.post(CHECKOUT.format(unpaid.id)), 401)


def test_payments_lists_only_the_callers(client, api_token, resident, unpaid, community_admin, create_user,
                                         paid_room, book):
    from tests.payments.conftest import at

    ops.record_offline_payment("amenity_booking", unpaid.id, actor=community_admin, method="cash", reference="R9")
    neighbour = create_user("neighbour@example.test")
    theirs = book(neighbour, paid_room, at(1, 15))
    ops.record_offline_payment("amenity_booking", theirs.id, actor=community_admin, method="pos")
    db.session.commit()
    body = client.get("/api/v1/payments", headers=api_token(resident)).get_json()
    assert [(p["payable_id"], p["status"], p["reference"]) for p in body] == [(unpaid.id, "paid", "R9")]
    assert body[0]["paid_at"].endswith("+08:00")
    mine = db.session.scalars(db.select(Payment).where(Payment.payer_id == resident.id)).one()
    assert client.get(f"/api/v1/payments/{mine.id}", headers=api_token(neighbour)).status_code == 404
