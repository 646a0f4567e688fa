"""The API tokens section of the profile: list, create (shown once), revoke; owner only."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from community.accounts import operations as ops
from community.accounts.models import ApiToken
from community.core import clock

T0 = datetime(2030, 5, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(T0)


@pytest.fixture
def neighbour(create_user):
    return create_user("neighbour@example.test")


@pytest.fixture
def issue(db):
    def _issue(user, name="script"):
        record, token = ops.issue_api_token(user, name)
        db.session.commit()
        return record, token

    return _issue


def _tokens(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()


def _profile(client, user):
    return client.get(f"/users/{user.id}").get_data(as_text=True)


# -- the list --------------------------------------------------------------------------------

def test_owner_sees_their_tokens_with_dates_and_state(client, resident, issue, login, english, app):
    used, _ = issue(resident, "report script")
    issue(resident, "old laptop")
    revoked, _ = issue(resident, "leaked one")
    ops.revoke_api_token(revoked, resident)
    used.last_used_at = T0 + timedelta(minutes=30)
    from community.extensions import db

    db.session.commit()
    clock.freeze(T0 + timedelta(hours=1))
    login(resident)
    page = _profile(client, resident)
    assert 'id="api-tokens"' in page
    for name in ("report script", "old laptop", "leaked one"):
        assert name in page
    assert "never used" in page and "last used 5/6/30, 9:30" in page
    assert "Revoked" in page and page.count(">Active<") == 2
    assert "Created 5/6/30, 9:00" in page
    # revoke buttons only for tokens that still work
    assert page.count("/revoke") == 2


def test_expired_tokens_say_so_and_cannot_be_revoked_again(client, resident, issue, login, english, app):
    record, _ = issue(resident, "short-lived")
    clock.freeze(record.expires_at + timedelta(seconds=1))
    login(resident)
    page = _profile(client, resident)
    assert ">Expired<" in page and "expired " in page and f"/profile/tokens/{record.id}/revoke" not in page


def test_usable_tokens_are_listed_first(client, resident, issue, login, db):
    first, _ = issue(resident, "first-token")
    clock.freeze(T0 + timedelta(minutes=1))
    issue(resident, "second-token")
    ops.revoke_api_token(db.session.merge(first), resident)
    db.session.commit()
    clock.freeze(T0 + timedelta(minutes=2))
    issue(resident, "third-token")
    login(resident)
    page = _profile(client, resident)
    assert page.index("third-token") < page.index("second-token") < page.index("first-token")


def test_no_tokens_yet(client, resident, login, english):
    login(resident)
    assert "You have no API tokens." in _profile(client, resident)


def test_long_lists_are_paged(client, resident, issue, login):
    for i in range(12):
        clock.freeze(T0 + timedelta(minutes=i))
        issue(resident, f"token-{i:02d}")
    login(resident)
    first = _profile(client, resident)
    assert "token-11" in first and "token-01" not in first and "tokens_page=2" in first
    second = client.get(f"/users/{resident.id}?tokens_page=2").get_data(as_text=True)
    assert "token-01" in second and "token-11" not in second
    assert client.get(f"/users/{resident.id}?tokens_page=abc").status_code == 200


# -- who sees them -----------------------------------------------------------------------------

def test_others_tokens_are_not_listed(client, resident, neighbour, issue, login):
    issue(neighbour, "neighbours-secret-script")
    login(resident)
    assert "neighbours-secret-script" not in _profile(client, resident)


@pytest.mark.parametrize("viewer", ["community_admin", "platform_admin"])
def test_admins_viewing_a_profile_do_not_see_its_tokens(client, request, resident, issue, login, viewer):
    issue(resident, "residents-script")
    login(request.getfixturevalue(viewer))
    page = _profile(client, resident)
    assert resident.email in page
    assert "residents-script" not in page and 'id="api-tokens"' not in page


# -- create ------------------------------------------------------------------------------------

def test_create_shows_the_token_once_and_it_works(client, resident, login, db, audit_actions, english):
    login(resident)
    response = client.post("/profile/tokens", data={"name": "  monthly report  "})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    [record] = _tokens(db)
    token = page.split('data-token')[0].rsplit('value="', 1)[1].split('"')[0]
    assert token.startswith("tc_") and ops.token_digest(token) == record.token_hash
    assert record.name == "monthly report" and record.user_id == resident.id
    assert record.expires_at == T0 + client.application.config["API_TOKEN_LIFETIME"]
    assert "shown only this once" in page
    assert "api_token.issued" in audit_actions()
    client.post("/logout")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["id"] == resident.id
    login(resident)
    assert token not in _profile(client, resident)


@pytest.mark.parametrize("name, message", [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("x" * 81, "Field cannot be longer than 80 characters."),
])
def test_bad_names_are_422_with_the_reason(client, resident, login, db, english, name, message):
    login(resident)
    response = client.post("/profile/tokens", data={"name": name})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="api-tokens"' in page and "is-invalid" in page
    assert _tokens(db) == []


def test_a_json_body_is_an_empty_form_not_a_500(client, resident, login, db):
    login(resident)
    assert client.post("/profile/tokens", json=["name"]).status_code == 422
    assert _tokens(db) == []


def test_anonymous_cannot_create(client, db):
    response = client.post("/profile/tokens", data={"name": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _tokens(db) == []


def test_create_needs_the_csrf_token(client, resident, login, db, csrf_on):
    client.application.config["WTF_CSRF_ENABLED"] = False
    login(resident)
    client.application.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/profile/tokens", data={"name": "x"}).status_code == 400
    assert _tokens(db) == []


def test_the_operation_refuses_overlong_names(resident, db):
    from community.core.errors import RuleViolation

    with pytest.raises(RuleViolation):
        ops.issue_api_token(resident, "y" * 81)


# -- revoke ------------------------------------------------------------------------------------

def test_owner_revokes_a_token(client, resident, issue, login, db, audit_actions, english):
    record, token = issue(resident, "to revoke")
    keep, kept_token = issue(resident, "to keep")
    login(resident)
    response = client.post(f"/profile/tokens/{record.id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/users/{resident.id}#api-tokens")
    revoked, kept = _tokens(db)
    assert revoked.revoked_at == T0 and kept.revoked_at is None
    assert "api_token.revoked" in audit_actions()
    assert "Token “to revoke” revoked" in client.get(f"/users/{resident.id}").get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {kept_token}"}).status_code == 200


def test_revoking_twice_keeps_the_first_time(client, resident, issue, login, db):
    record, _ = issue(resident)
    login(resident)
    client.post(f"/profile/tokens/{record.id}/revoke")
    clock.freeze(T0 + timedelta(hours=1))
    assert client.post(f"/profile/tokens/{record.id}/revoke").status_code == 302
    assert _tokens(db)[0].revoked_at == T0


@pytest.mark.parametrize("viewer", ["neighbour", "community_admin", "platform_admin"])
def test_another_persons_token_is_404_and_stays_valid(client, request, resident, issue, login, db, viewer):
    record, _ = issue(resident)
    login(request.getfixturevalue(viewer))
    assert client.post(f"/profile/tokens/{record.id}/revoke").status_code == 404
    assert _tokens(db)[0].revoked_at is None


def test_unknown_token_is_404(client, resident, login):
    login(resident)
    assert client.post("/profile/tokens/999999/revoke").status_code == 404
    assert client.post("/profile/tokens/abc/revoke").status_code == 404


def test_revoke_is_post_only(client, resident, issue, login, db):
    record, _ = issue(resident)
    login(resident)
    assert client.get(f"/profile/tokens/{record.id}/revoke").status_code == 405
    assert _tokens(db)[0].revoked_at is None


def test_anonymous_cannot_revoke(client, resident, issue, db):
    record, _ = issue(resident)
    response = client.post(f"/profile/tokens/{record.id}/revoke")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _tokens(db)[0].revoked_at is None
