"""The perks API contract (docs/perks.md): paths, fields and status codes."""
from datetime import timedelta

import pytest

from community.core import clock
from community.core.clock import now
from community.perks import codes
from tests.helpers import assert_problem


@pytest.fixture
def cafe(make_merchant):
    return make_merchant(name="Café", category="food")


@pytest.fixture
def headers(api_token):
    cache = {}

    def _headers(user):
        if user.id not in cache:
            cache[user.id] = api_token(user)
        return cache[user.id]

    return _headers


def test_perks_by_category(client, db, cafe, make_merchant, resident, headers):
    from community.perks import operations as ops

    gym = make_merchant(name="Gym", category="leisure")
    ops.create_perk(cafe, actor=cafe.owner, title="10% off", category="food")
    ops.create_perk(gym, actor=gym.owner, title="Free class", category="leisure")
    db.session.commit()
    response = client.get("/api/v1/perks?category=food", headers=headers(resident))
    assert response.status_code == 200
    assert [p["title"] for p in response.get_json()] == ["10% off"]
    assert response.get_json()[0]["merchant"]["name"] == "Café"
    assert_problem(client.get("/api/v1/perks?category=nope", headers=headers(resident)), 422)


def test_campaign_list_has_the_contract_fields(client, cafe, make_campaign, resident, headers):
    campaign = make_campaign(cafe, total=5, per_resident_limit=2)
    make_campaign(cafe, status="pending")
    body = client.get("/api/v1/campaigns", headers=headers(resident)).get_json()
    assert [c["id"] for c in body] == [campaign.id]
    entry = body[0]
    assert {"id", "title", "merchant", "remaining", "per_resident_limit", "valid_until"} <= set(entry)
    assert entry["merchant"] == "Café" and entry["remaining"] == 5 and entry["per_resident_limit"] == 2
    assert entry["valid_until"] == "2099-12-31"


def test_claim_answers_201_then_409_with_code(client, cafe, make_campaign, create_user, resident, headers):
    campaign = make_campaign(cafe, total=2, per_resident_limit=1)
    response = client.post(f"/api/v1/campaigns/{campaign.id}/claim", headers=headers(resident))
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "code", "valid_until", "status"} <= set(body)
    assert codes.is_well_formed(codes.normalise(body["code"])) and body["status"] == "active"
    assert_problem(client.post(f"/api/v1/campaigns/{campaign.id}/claim", headers=headers(resident)), 409,
                   "limit_reached")
    other = create_user("other@example.test")
    assert client.post(f"/api/v1/campaigns/{campaign.id}/claim", headers=headers(other)).status_code == 201
    third = create_user("third@example.test")
    assert_problem(client.post(f"/api/v1/campaigns/{campaign.id}/claim", headers=headers(third)), 409, "sold_out")


def test_claim_403_when_not_eligible_and_404_when_hidden(client, cafe, make_campaign, create_user, headers):
    senior_only = make_campaign(cafe, eligible_tiers=["senior"])
    junior = create_user("junior@example.test", tier="junior")
    assert_problem(client.post(f"/api/v1/campaigns/{senior_only.id}/claim", headers=headers(junior)), 403,
                   "not_eligible")
    pending = make_campaign(cafe, status="pending")
    assert_problem(client.post(f"/api/v1/campaigns/{pending.id}/claim", headers=headers(junior)), 404)
    assert_problem(client.post("/api/v1/campaigns/999999/claim", headers=headers(junior)), 404)


def test_claim_422_outside_the_window(client, cafe, make_campaign, resident, headers):
    later = make_campaign(cafe, claim_starts_at=now() + timedelta(days=1), claim_ends_at=now() + timedelta(days=2))
    assert_problem(client.post(f"/api/v1/campaigns/{later.id}/claim", headers=headers(resident)), 422,
                   "claim_not_started")


@pytest.fixture
def claimed(client, cafe, make_campaign, resident, headers):
    campaign = make_campaign(cafe)
    return client.post(f"/api/v1/campaigns/{campaign.id}/claim", headers=headers(resident)).get_json()


def test_my_vouchers_list_code_and_status(client, claimed, resident, create_user, headers):
    body = client.get("/api/v1/vouchers", headers=headers(resident)).get_json()
    assert [(v["code"], v["status"]) for v in body] == [(claimed["code"], "active")]
    neighbour = create_user("neighbour@example.test")
    assert client.get("/api/v1/vouchers", headers=headers(neighbour)).get_json() == []
    assert_problem(client.get(f"/api/v1/vouchers/{claimed['id']}", headers=headers(neighbour)), 404)


def test_redeem_contract(client, cafe, claimed, staff_of, make_merchant, resident, headers):
    barista = staff_of(cafe, "barista@example.test")
    plain = claimed["code"].replace("-", "").lower()
    response = client.post("/api/v1/vouchers/redeem", json={"code": plain}, headers=headers(barista))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["holder"].endswith("*")
    again = assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": claimed["code"]},
                                       headers=headers(barista)), 409, "already_redeemed")
    assert again["redeemed_at"] and again["merchant"] == "Café"
    listed = client.get("/api/v1/vouchers", headers=headers(resident)).get_json()
    assert listed[0]["status"] == "redeemed"


def test_redeem_refusals(client, cafe, claimed, staff_of, make_merchant, resident, headers):
    other = staff_of(make_merchant(name="Gym"), "trainer@example.test")
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": claimed["code"]}, headers=headers(other)),
                   403, "other_merchant")
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": claimed["code"]},
                               headers=headers(resident)), 403, "not_staff")
    barista = staff_of(cafe, "barista@example.test")
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": codes.generate()},
                               headers=headers(barista)), 404, "unknown_code")
    code = codes.normalise(claimed["code"])
    typo = code[:5] + ("2" if code[5] != "2" else "3") + code[6:]
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": typo}, headers=headers(barista)), 404,
                   "code_mistyped")
    assert_problem(client.post("/api/v1/vouchers/redeem", json={}, headers=headers(barista)), 422)


def test_redeem_422_when_expired_or_not_yet_valid(client, cafe, make_campaign, staff_of, resident, headers):
    today = clock.local_today("Asia/Shanghai")
    short = make_campaign(cafe, validity="days", valid_days=1, valid_from=None, valid_until=None)
    later = make_campaign(cafe, valid_from=today + timedelta(days=5), valid_until=today + timedelta(days=9))
    soon = client.post(f"/api/v1/campaigns/{short.id}/claim", headers=headers(resident)).get_json()
    future = client.post(f"/api/v1/campaigns/{later.id}/claim", headers=headers(resident)).get_json()
    barista = staff_of(cafe, "barista@example.test")
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": future["code"]},
                               headers=headers(barista)), 422, "not_yet_valid")
    clock.freeze(now() + timedelta(days=3))
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": soon["code"]},
                               headers=headers(barista)), 422, "expired")


def test_lookups_are_rate_limited_per_staff_account(app, client, cafe, staff_of, headers):
    barista = staff_of(cafe, "barista@example.test")
    app.config["VOUCHER_LOOKUP_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    try:
        answers = [client.post("/api/v1/vouchers/lookup", json={"code": codes.generate()},
                               headers=headers(barista)).status_code for _ in range(4)]
        assert answers == [404, 404, 404, 429]
        colleague = staff_of(cafe, "colleague@example.test")
        assert client.post("/api/v1/vouchers/lookup", json={"code": codes.generate()},
                           headers=headers(colleague)).status_code == 404
    finally:
        app.config["VOUCHER_LOOKUP_RATE_LIMIT_ACCOUNT"] = "30 per minute"


def test_lookups_are_rate_limited_per_address(app, client, cafe, staff_of, headers):
    app.config["VOUCHER_LOOKUP_RATE_LIMIT_IP"] = "2 per minute"
    try:
        staff = [staff_of(cafe, f"s{i}@example.test") for i in range(3)]
        answers = [client.post("/api/v1/vouchers/redeem", json={"code": codes.generate()},
                               headers=headers(member)).status_code for member in staff]
        assert answers == [404, 404, 429]
    finally:
        app.config["VOUCHER_LOOKUP_RATE_LIMIT_IP"] = "120 per minute"


def test_anonymous_callers_get_401(client):
    assert_problem(client.get("/api/v1/campaigns"), 401)
    assert_problem(client.post("/api/v1/vouchers/redeem", json={"code": "x"}), 401)
