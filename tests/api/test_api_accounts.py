"""The API contract: token endpoint, bearer and session authentication, /me, OpenAPI and docs."""
import re
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from community.core import clock

from tests.conftest import DEFAULT_PASSWORD

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def _token(client, login, password=DEFAULT_PASSWORD):
    return client.post("/api/v1/auth/token", json={"email": login, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_contract(client, resident, db):
    from community.accounts.models import ApiToken

    response = _token(client, resident.email)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert ISO_WITH_OFFSET.match(body["expires_at"]), body["expires_at"]
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires - clock.now() > timedelta(days=29)
    # only the digest is stored
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert len(stored) == 1 and body["token"] not in stored[0]


def test_token_by_mobile_number(client, create_user):
    user = create_user("13812345678")
    response = _token(client, "138 1234 5678")
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers=_bearer(response.get_json()["token"])).get_json()
    assert me["id"] == user.id and me["mobile"] == "13812345678"


def test_me_with_bearer_token(client, resident, api_token):
    response = client.get("/api/v1/me", headers=api_token(resident))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == resident.email
    assert body["roles"] == [{"role": "resident", "community_id": resident.community_id, "merchant_id": None}]
    assert body["timezone"] == "Asia/Shanghai"
    assert ISO_WITH_OFFSET.match(body["created_at"]), body["created_at"]


def test_me_with_session(client, resident, login):
    login(resident)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["id"] == resident.id


def test_me_anonymous_is_401_problem(client, assert_problem):
    response = client.get("/api/v1/me")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_shows_talent_profile(client, create_user, api_token):
    user = create_user("talent@example.test", tier="senior", talent_type="business")
    body = client.get("/api/v1/me", headers=api_token(user)).get_json()
    assert body["talent"] == {"talent_type": "business", "tier": "senior", "valid_until": "2099-01-01"}


def test_unknown_token_is_401(client, resident, assert_problem):
    assert_problem(client.get("/api/v1/me", headers=_bearer("tc_not-a-token")), 401)


def test_revoked_token_is_401(client, resident, api_token, assert_problem, audit_actions):
    headers = api_token(resident)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert "api_token.revoked" in audit_actions()


def test_revoking_one_token_keeps_the_others(client, resident, api_token):
    first, second = api_token(resident), api_token(resident)
    assert client.delete("/api/v1/auth/token", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_expired_token_is_401(client, resident, api_token, app, assert_problem):
    headers = api_token(resident)
    clock.freeze(clock.now() + app.config["API_TOKEN_LIFETIME"] + timedelta(seconds=1))
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_token_of_deactivated_user_is_401(client, resident, api_token, db, assert_problem):
    headers = api_token(resident)
    resident.active = False
    db.session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_bad_bearer_wins_over_a_valid_session(client, resident, login, assert_problem):
    """A revoked or wrong token answers 401 even from a browser that is logged in."""
    login(resident)
    assert_problem(client.get("/api/v1/me", headers=_bearer("tc_wrong")), 401)


def test_delete_token_with_session_only_is_refused(client, resident, login, assert_problem):
    login(resident)
    body = assert_problem(client.delete("/api/v1/auth/token"), 403)
    assert body["code"] == "no_bearer_token"


def test_delete_token_anonymous_is_401(client, assert_problem):
    assert_problem(client.delete("/api/v1/auth/token"), 401)


def test_wrong_password_is_401_problem(client, resident, assert_problem):
    body = assert_problem(_token(client, resident.email, "wrong-password1"), 401)
    assert body["code"] == "invalid_credentials"


def test_unknown_account_is_401_problem_like_a_wrong_password(client, resident, assert_problem):
    unknown = assert_problem(_token(client, "nobody@example.test", "wrong-password1"), 401)
    wrong = assert_problem(_token(client, resident.email, "wrong-password1"), 401)
    assert unknown["detail"] == wrong["detail"]


def test_wrong_passwords_on_the_api_are_throttled_not_locked(client, resident, app, assert_problem):
    clock.freeze(datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc))
    for _ in range(app.config["LOGIN_THROTTLE_FREE_FAILURES"]):
        assert_problem(_token(client, resident.email, "wrong-password1"), 401)
    response = _token(client, resident.email)  # the right password waits too
    throttled = assert_problem(response, 429)
    assert throttled["code"] == "login_throttled" and throttled["retry_after"] == 1
    assert int(response.headers["Retry-After"]) >= 1
    # an unknown login is throttled exactly the same way
    for _ in range(app.config["LOGIN_THROTTLE_FREE_FAILURES"]):
        assert_problem(_token(client, "nobody@example.test", "wrong-password1"), 401)
    assert assert_problem(_token(client, "nobody@example.test"), 429) == throttled
    # the owner elsewhere is not affected, and here after the wait
    assert client.post("/api/v1/auth/token", json={"email": resident.email, "password": DEFAULT_PASSWORD},
                       environ_base={"REMOTE_ADDR": "198.51.100.20"}).status_code == 201
    clock.freeze(clock.now() + timedelta(seconds=1))
    assert _token(client, resident.email).status_code == 201


def test_web_failures_count_toward_the_api_throttle(client, resident, app, assert_problem):
    for _ in range(app.config["LOGIN_THROTTLE_FREE_FAILURES"]):
        client.post("/login", data={"login": resident.email, "password": "wrong-password1"})
    assert assert_problem(_token(client, resident.email), 429)["code"] == "login_throttled"


def test_token_validation_errors_list_the_fields(client, assert_problem):
    body = assert_problem(client.post("/api/v1/auth/token", json={"email": ""}), 422)
    assert set(body["errors"]) == {"email", "password"}
    assert all(isinstance(messages, list) for messages in body["errors"].values())


def test_token_with_malformed_json_is_4xx_problem(client):
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_token_with_a_form_body_is_422(client, assert_problem):
    assert_problem(client.post("/api/v1/auth/token", data={"email": "a@b.c", "password": "x"}), 422)


def test_token_endpoint_is_rate_limited_per_ip(client, resident, app, monkeypatch, assert_problem):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_IP", "2 per minute")
    assert _token(client, "one@example.test", "x").status_code == 401
    assert _token(client, "two@example.test", "x").status_code == 401
    body = assert_problem(_token(client, resident.email), 429)
    assert body["title"]
    assert "2 per 1 minute" not in body["detail"]  # a sentence for people, not the limit string


def test_bearer_write_needs_no_csrf_token(client, resident, api_token, csrf_on):
    assert client.delete("/api/v1/auth/token", headers=api_token(resident)).status_code == 204


def test_session_write_without_csrf_token_is_400_problem(client, resident, csrf_on, assert_problem):
    page = client.get("/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"login": resident.email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": csrf_token})
    assert response.status_code == 302
    assert_problem(_token(client, resident.email), 400)
    # with the header the same call goes through
    response = client.post("/api/v1/auth/token", json={"email": resident.email, "password": DEFAULT_PASSWORD},
                           headers={"X-CSRFToken": csrf_token})
    assert response.status_code == 201


def test_anonymous_token_request_needs_no_csrf_token(client, resident, csrf_on):
    assert _token(client, resident.email).status_code == 201


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"] == "v1"
    paths = spec["paths"]
    assert set(paths["/api/v1/auth/token"]) >= {"post", "delete"}
    assert "get" in paths["/api/v1/me"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "Personal access token from POST /api/v1/auth/token"}
    assert spec["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/auth/token"]["post"]["security"] == []  # no token needed to get one
    assert "201" in paths["/api/v1/auth/token"]["post"]["responses"]
    # errors are documented as problem+json, not flask-smorest's own format
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail"} <= set(problem)


def test_openapi_document_is_consistent(client):
    """No validator package is installed, so check what one would for the parts we write: every
    $ref resolves, every operation answers something, every path is under /api/v1."""
    spec = client.get("/api/v1/openapi.json").get_json()

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(spec):
        target = spec
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, f"dangling $ref {ref}"
            target = target[part]
    for path, operations in spec["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            assert method in ("get", "post", "put", "patch", "delete", "parameters")
            if method != "parameters":
                assert operation["responses"], (path, method)


def test_docs_page_works_offline(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "SwaggerUIBundle" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "external URL in the docs page"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets and all(a.startswith("/api/v1/swagger-ui/") for a in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and len(served.data) > 1000, asset
    assert "/api/v1/openapi.json" in html


def test_unknown_api_path_is_404_problem(client, assert_problem):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_problem_with_allow(client, assert_problem):
    response = client.put("/api/v1/me")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_api_times_are_in_utc_with_offset(client, resident, api_token):
    clock.freeze(datetime(2026, 3, 1, 8, 30, tzinfo=timezone.utc))
    response = _token(client, resident.email)
    assert response.get_json()["expires_at"] == "2026-03-31T08:30:00+00:00"


def test_wrong_password_401_names_the_scheme(client, resident):
    response = _token(client, resident.email, "wrong-password1")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
