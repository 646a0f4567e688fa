"""The API contract of issue 11."""
from datetime import timedelta

from community.core import clock
from community.talent import operations as ops
from tests.factories.talent import WEDNESDAY


def test_get_talent_for_someone_unverified(client, resident, api_token, talent_types):
    body = client.get("/api/v1/talent", headers=api_token(resident)).get_json()
    assert body == {"type": None, "tier": None, "valid_until": None, "status": "unverified", "certificate_no": None}


def test_apply_answers_201_then_409(client, resident, api_token, talent_types):
    headers = api_token(resident)
    response = client.post("/api/v1/talent/applications", headers=headers,
                           json={"type": "production", "tier": "senior", "employer": "张江", "statement": "经验"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "status", "stage"} and body["status"] == "in_review" and body["stage"] == "社区推荐"
    again = client.post("/api/v1/talent/applications", headers=headers,
                        json={"type": "production", "tier": "senior", "employer": "张江", "statement": "经验"})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert client.get("/api/v1/talent", headers=headers).get_json()["status"] == "pending"


def test_apply_field_errors_are_422(client, resident, api_token, talent_types):
    headers = api_token(resident)
    response = client.post("/api/v1/talent/applications", headers=headers, json={"type": "wizard", "tier": "god"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"tier", "employer", "statement"} <= set(errors)
    unknown = client.post("/api/v1/talent/applications", headers=headers,
                          json={"type": "wizard", "tier": "senior", "employer": "x", "statement": "y"})
    assert unknown.status_code == 422 and "type" in unknown.get_json()["errors"]


def test_types_list_criteria(client, resident, api_token, talent_types):
    types = client.get("/api/v1/talent/types", headers=api_token(resident)).get_json()
    assert [t["code"] for t in types][:2] == ["production", "business"]
    assert set(types[0]["criteria"]) == {"junior", "intermediate", "senior"}


def test_applications_list_with_timeline(client, resident, api_token, make_application, community_admin):
    application = make_application(resident)
    ops.decide(application, actor=community_admin, decision="return", message="补充材料")
    from community.extensions import db
    db.session.commit()
    [listed] = client.get("/api/v1/talent/applications", headers=api_token(resident)).get_json()
    assert listed["id"] == application.id and listed["status"] == "returned"
    assert [e["action"] for e in listed["timeline"]] == ["created", "submitted", "returned"]
    assert listed["timeline"][-1]["message"] == "补充材料"


def test_card_and_verify(client, entered, api_token, create_user):
    resident, entry = entered
    talent = client.get("/api/v1/talent", headers=api_token(resident)).get_json()
    assert talent == {"type": "production", "tier": "senior", "valid_until": entry.valid_until.isoformat(),
                      "status": "verified", "certificate_no": entry.certificate_no}
    card = client.get("/api/v1/talent/card", headers=api_token(resident))
    assert card.status_code == 200 and set(card.get_json()) == {"token", "expires_at"}
    token = card.get_json()["token"]
    merchant = create_user("shop@example.test", roles=("merchant_staff",))
    verdict = client.post("/api/v1/talent/card/verify", headers=api_token(merchant), json={"token": token})
    assert verdict.status_code == 200
    assert verdict.get_json() == {"valid": True, "reason": "ok", "tier": "senior", "name_masked": "r******t",
                                  "valid_until": entry.valid_until.isoformat()}
    assert client.post("/api/v1/talent/card/verify", headers=api_token(resident),
                       json={"token": token}).status_code == 403
    forged = client.post("/api/v1/talent/card/verify", headers=api_token(merchant), json={"token": token + "x"})
    assert forged.get_json()["valid"] is False and forged.get_json()["reason"] == "forged"


def test_card_is_404_without_a_current_tier(client, resident, api_token, talent_types):
    assert client.get("/api/v1/talent/card", headers=api_token(resident)).status_code == 404


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/talent").status_code == 401
    assert client.post("/api/v1/talent/card/verify", json={"token": "x"}).status_code == 401


def test_public_key_is_published(client, resident, api_token):
    body = client.get("/api/v1/talent/card/public-key", headers=api_token(resident)).get_json()
    assert body["algorithm"] == "Ed25519" and body["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    page = client.get("/talent/public-key")
    assert page.status_code == 200 and page.get_data(as_text=True) == body["public_key_pem"]


def test_status_revoked_and_expired(client, entered, api_token, community_admin):
    resident, entry = entered
    clock.freeze(WEDNESDAY + timedelta(days=400))
    assert client.get("/api/v1/talent", headers=api_token(resident)).get_json()["status"] == "expired"
    clock.freeze(WEDNESDAY + timedelta(days=10))
    headers = api_token(resident)
    ops.revoke_entry(entry, actor=community_admin, reason="dishonest")
    from community.extensions import db
    db.session.commit()
    body = client.get("/api/v1/talent", headers=headers).get_json()
    assert body["status"] == "revoked" and body["tier"] is None
