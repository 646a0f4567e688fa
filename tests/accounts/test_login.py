"""Login, lock-out, rate limits, remember-me and logout."""
from datetime import datetime, timedelta, timezone

import pytest

from community.core import clock
from tests.conftest import DEFAULT_PASSWORD

WRONG = "wrong-password1"


@pytest.fixture
def english(client):
    client.get("/lang/en")


def _login(client, login, password=DEFAULT_PASSWORD, environ_base=None, **fields):
    return client.post("/login", data={"login": login, "password": password, **fields},
                       environ_base=environ_base or {})


def test_login_with_email_is_case_insensitive(client, resident, db):
    response = _login(client, resident.email.upper())
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    db.session.refresh(resident)
    assert resident.last_login_at is not None


def test_wrong_password(client, resident, english):
    response = _login(client, resident.email, WRONG)
    assert response.status_code == 401
    assert "The e-mail/mobile number or password is wrong." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still anonymous


def test_unknown_account_gets_the_same_message(client, resident, english):
    unknown = _login(client, "nobody@example.test", WRONG).get_data(as_text=True)
    assert "The e-mail/mobile number or password is wrong." in unknown


def test_missing_fields_are_422(client):
    assert client.post("/login", data={}).status_code == 422


def test_deactivated_account_cannot_log_in(client, resident, db, english):
    resident.active = False
    db.session.commit()
    response = _login(client, resident.email)
    assert response.status_code == 401 and "deactivated" in response.get_data(as_text=True)


def test_lock_out_after_max_failures_with_locked_until_message(client, resident, app, db, english,
                                                              audit_actions):
    clock.freeze(datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc))  # 10:00 in Shanghai
    limit = app.config["LOGIN_MAX_FAILURES"]
    for attempt in range(1, limit):
        assert _login(client, resident.email, WRONG).status_code == 401
        db.session.refresh(resident)
        assert resident.failed_logins == attempt
    response = _login(client, resident.email, WRONG)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "this account is locked until" in page
    assert "10:15" in page  # the lock-out end, in the community's time (UTC+8), not 02:15 UTC
    db.session.refresh(resident)
    assert resident.locked_until == clock.now() + app.config["LOGIN_LOCKOUT"]
    assert audit_actions(action="user.locked") == ["user.locked"]
    # the right password does not help while locked
    response = _login(client, resident.email)
    assert response.status_code == 429 and "locked until" in response.get_data(as_text=True)


def test_lock_out_expires(client, resident, app):
    start = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, resident.email, WRONG)
    clock.freeze(start + app.config["LOGIN_LOCKOUT"] - timedelta(seconds=1))
    assert _login(client, resident.email).status_code == 429
    clock.freeze(start + app.config["LOGIN_LOCKOUT"] + timedelta(seconds=1))
    assert _login(client, resident.email).status_code == 302


def test_after_expiry_the_count_starts_again(client, resident, app, db):
    start = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, resident.email, WRONG)
    clock.freeze(start + app.config["LOGIN_LOCKOUT"] + timedelta(minutes=1))
    assert _login(client, resident.email, WRONG).status_code == 401  # one failure, not locked again
    db.session.refresh(resident)
    assert resident.failed_logins == 1


def test_successful_login_resets_the_counter(client, resident, app, db):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        _login(client, resident.email, WRONG)
    assert _login(client, resident.email).status_code == 302
    db.session.refresh(resident)
    assert resident.failed_logins == 0
    client.post("/logout")
    for _ in range(limit - 1):
        assert _login(client, resident.email, WRONG).status_code == 401  # not locked: counter was reset


def test_login_is_rate_limited_per_ip(client, create_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_IP", "3 per minute")
    user = create_user("limited@example.test")
    for n in range(3):
        assert _login(client, f"someone{n}@example.test", WRONG).status_code == 401
    response = _login(client, user.email)
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Retry-After" in response.headers
    # another address is not limited
    other = app.test_client()
    assert _login(other, user.email, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302


def test_login_is_rate_limited_per_account(client, create_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", "2 per minute")
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 100)
    target, other = create_user("target@example.test"), create_user("other@example.test")
    for n in range(2):
        assert _login(client, target.email, WRONG, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code == 401
    # from yet another address, the same account is limited …
    assert _login(client, "Target@example.test", environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 429
    # … another account is not
    assert _login(client, other.email, environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 302


def test_login_page_get_is_not_rate_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_IP", "1 per minute")
    for _ in range(3):
        assert client.get("/login").status_code == 200


def test_remember_me_sets_a_long_lived_cookie(client, resident, app):
    response = _login(client, resident.email, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember, cookies
    assert "HttpOnly" in remember[0] and "Expires=" in remember[0]


def test_without_remember_me_no_cookie(client, resident):
    response = _login(client, resident.email)
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_remember_cookie_logs_in_a_new_session(client, resident, app):
    _login(client, resident.email, remember="y")
    remember = client.get_cookie("remember_token")
    fresh = app.test_client()
    assert fresh.get("/dashboard").status_code == 302
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/dashboard").status_code == 200


def test_logout_is_post_only(client, resident, login):
    login(resident)
    response = client.get("/logout")
    assert response.status_code == 405
    assert client.get("/dashboard").status_code == 200  # still logged in
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_logout_clears_remember_me(client, resident):
    _login(client, resident.email, remember="y")
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/profile", "/profile"),
    ("/admin/audit?action=role", "/admin/audit?action=role"),
    ("https://evil.example/", "/dashboard"),
    ("//evil.example/", "/dashboard"),
    ("/\\evil.example/", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
])
def test_next_only_goes_to_this_site(client, resident, target, expected):
    response = client.post("/login", query_string={"next": target},
                           data={"login": resident.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_page_redirects_to_login_with_next(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_per_account_limit_counts_every_spelling_of_a_mobile_number(client, create_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", "2 per minute")
    create_user("13812345678")
    assert _login(client, "13812345678", WRONG).status_code == 401
    assert _login(client, "+86 138 1234 5678", WRONG).status_code == 401
    assert _login(client, "+8613812345678").status_code == 429
