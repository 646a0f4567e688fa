"""Logout ends the session on the server (issue 9, defect 6): a copy of the old session cookie or of
the remember-me cookie logs nobody in afterwards. "Log out everywhere" ends every device's login
and revokes the API tokens; a plain logout leaves other devices and API tokens alone."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from community.accounts.models import LoginSession
from community.core import clock
from tests.conftest import DEFAULT_PASSWORD

DASHBOARD = "/dashboard"


def _device(app, user, remember=False):
    """A browser of its own, logged in through the form."""
    device = app.test_client()
    data = {"login": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert device.post("/login", data=data).status_code == 302
    assert _logged_in(device)
    return device


def _logged_in(client) -> bool:
    response = client.get(DASHBOARD)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _replay(app, **cookies):
    """A fresh browser that sends only these cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _sessions(db, user):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == user.id))


def test_the_old_session_cookie_is_dead_after_logout(app, resident):
    device = _device(app, resident)
    session_cookie = device.get_cookie("session").value
    assert _logged_in(_replay(app, session=session_cookie))  # a copy works while logged in ...
    assert device.post("/logout").status_code == 302
    assert not _logged_in(_replay(app, session=session_cookie))  # ... and not after logout


def test_the_remember_me_cookie_alone_is_dead_after_logout(app, resident):
    device = _device(app, resident, remember=True)
    remember = device.get_cookie("remember_token").value
    assert _logged_in(_replay(app, remember_token=remember))
    device.post("/logout")
    assert not _logged_in(_replay(app, remember_token=remember))


def test_a_plain_logout_leaves_the_other_devices_and_the_api_tokens_alone(app, db, resident, api_token):
    headers = api_token(resident)
    phone, laptop = _device(app, resident, remember=True), _device(app, resident)
    phone.post("/logout")
    assert not _logged_in(phone)
    assert _logged_in(laptop)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    assert _sessions(db, resident) == 1


def test_log_out_everywhere_ends_every_device_and_revokes_api_tokens(app, db, resident, api_token, audit_actions):
    headers = api_token(resident)
    phone = _device(app, resident, remember=True)
    phone_cookies = {"session": phone.get_cookie("session").value,
                     "remember_token": phone.get_cookie("remember_token").value}
    laptop = _device(app, resident)
    response = laptop.post("/profile/log-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not _logged_in(laptop)
    assert not _logged_in(phone)
    assert not _logged_in(_replay(app, **phone_cookies))
    assert not _logged_in(_replay(app, remember_token=phone_cookies["remember_token"]))
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert _sessions(db, resident) == 0
    assert "user.logged_out_everywhere" in audit_actions()
    assert _logged_in(_device(app, resident))  # logging in again works


def test_log_out_everywhere_of_one_person_leaves_others_logged_in(app, resident, create_user):
    neighbour = create_user("neighbour@example.test")
    theirs = _device(app, neighbour)
    _device(app, resident).post("/profile/log-out-everywhere")
    assert _logged_in(theirs)


def test_log_out_everywhere_is_a_post_with_csrf(app, client, resident, login, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": resident.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert client.get("/profile/log-out-everywhere").status_code == 405
    assert client.post("/profile/log-out-everywhere").status_code == 400  # no CSRF token
    assert _logged_in(client)
    profile = client.get(f"/users/{resident.id}").get_data(as_text=True)
    assert 'action="/profile/log-out-everywhere"' in profile and 'name="csrf_token"' in profile
    assert client.post("/profile/log-out-everywhere", data={"csrf_token": token}).status_code == 302
    assert not _logged_in(client)


def test_anonymous_log_out_everywhere_goes_to_the_login_page(client):
    response = client.post("/profile/log-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_only_the_owner_sees_the_button(client, login, resident, community_admin):
    login(community_admin)
    page = client.get(f"/users/{resident.id}").get_data(as_text=True)
    assert "log-out-everywhere" not in page


def test_the_button_is_translated(client, login, resident):
    login(resident)
    page = client.get(f"/users/{resident.id}").get_data(as_text=True)
    assert "在所有设备上退出登录" in page
    client.get("/lang/en")
    assert "Log out everywhere" in client.get(f"/users/{resident.id}").get_data(as_text=True)


def test_a_login_ends_after_its_lifetime_even_when_remembered(app, resident):
    start = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    device = _device(app, resident, remember=True)
    clock.freeze(start + app.config["LOGIN_SESSION_LIFETIME"] - timedelta(minutes=1))
    assert _logged_in(device)
    clock.freeze(start + app.config["LOGIN_SESSION_LIFETIME"])
    assert not _logged_in(_replay(app, remember_token=device.get_cookie("remember_token").value))


def test_a_job_forgets_expired_sessions(app, db, resident):
    start = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    clock.freeze(start)
    _device(app, resident)
    clock.freeze(start + timedelta(days=1))
    _device(app, resident)
    clock.freeze(start + app.config["LOGIN_SESSION_LIFETIME"] + timedelta(hours=1))
    result = app.test_cli_runner().invoke(args=["jobs", "run", "accounts-forget-expired-sessions"])
    assert result.exit_code == 0, result.output
    assert _sessions(db, resident) == 1


def test_a_password_change_forgets_the_other_logins_and_keeps_this_one(app, db, resident):
    _device(app, resident)
    this = _device(app, resident)
    assert _sessions(db, resident) == 2
    response = this.post("/profile/password", data={"current": DEFAULT_PASSWORD, "password": "brand-new-pass9",
                                                     "confirm": "brand-new-pass9"})
    assert response.status_code == 302
    assert _logged_in(this)
    assert _sessions(db, resident) == 1
    this.post("/logout")  # and the kept session still ends at logout
    assert _sessions(db, resident) == 0


@pytest.mark.parametrize("forged", [
    "{id}",                                   # before password fingerprints
    "{id}.{fp}",                              # before login sessions
    "{id}.{fp}.0.",                           # no session key
    "{id}.{fp}.0.AAAAAAAAAAAAAAAAAAAAAAAA",   # a key that names no session
    "{id}.{fp}.99999999999.{key}",            # a generation no column holds
    "{id}.{fp}.1.{key}",                      # a generation other than the user's
    "{id}.{fp}.0.{key}.extra",
])
def test_session_ids_that_name_no_open_session_are_anonymous(app, resident, forged):
    from flask.sessions import SecureCookieSessionInterface

    device = _device(app, resident)
    with app.test_request_context():
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        stored = serializer.loads(device.get_cookie("session").value)
        ident, fingerprint, _generation, key = stored["_user_id"].split(".")
        stored["_user_id"] = forged.format(id=ident, fp=fingerprint, key=key)
        cookie = serializer.dumps(stored)
    assert not _logged_in(_replay(app, session=cookie))
