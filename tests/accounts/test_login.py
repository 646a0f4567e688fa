"""Login, throttling of wrong passwords, rate limits, remember-me and logout."""
from datetime import datetime, timedelta, timezone

import re

import pytest

from community.core import clock
from tests.conftest import DEFAULT_PASSWORD

WRONG = "wrong-password1"


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


# -- throttling instead of lock-out (issue 9, defect 5) ----------------------------------------

START = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
ATTACKER, OWNER = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture
def clock_at():
    """clock_at(seconds) -> freeze the clock that many seconds after START."""

    def _at(seconds=0):
        clock.freeze(START + timedelta(seconds=seconds))

    _at(0)
    return _at


def _wait(response) -> int:
    """The wait a throttled page asks for, in seconds (English pages). The Retry-After header says
    at least as much: Flask-Limiter, which caps attempts per address, keeps the later of its own
    window's end and ours."""
    assert response.status_code == 429
    seconds = int(re.search(r"Please wait (\d+) seconds? and try again", response.get_data(as_text=True)).group(1))
    assert int(response.headers["Retry-After"]) >= seconds
    return seconds


def _free(app):
    return app.config["LOGIN_THROTTLE_FREE_FAILURES"]


def _fail_freely(client, login, app, environ_base=ATTACKER):
    for _ in range(_free(app)):
        assert _login(client, login, WRONG, environ_base=environ_base).status_code == 401


def test_a_stranger_cannot_lock_the_owner_out(client, resident, app, clock_at):
    for second in range(30):  # far more wrong passwords than the old lock-out allowed
        clock_at(second)
        assert _login(client, resident.email, WRONG, environ_base=ATTACKER).status_code in (401, 429)
    owner = app.test_client()
    assert _login(owner, resident.email, environ_base=OWNER).status_code == 302


def test_after_the_free_failures_the_pair_waits_doubling_delays(client, resident, app, clock_at, english):
    _fail_freely(client, resident.email, app)
    throttled = _login(client, resident.email, WRONG, environ_base=ATTACKER)
    assert "Too many login attempts. Please wait 1 second and try again." in throttled.get_data(as_text=True)
    assert _wait(throttled) == 1
    clock_at(1)
    assert _login(client, resident.email, WRONG, environ_base=ATTACKER).status_code == 401
    assert _wait(_login(client, resident.email, WRONG, environ_base=ATTACKER)) == 2
    clock_at(2)  # one second of the two is left
    assert _wait(_login(client, resident.email, WRONG, environ_base=ATTACKER)) == 1
    clock_at(3)
    assert _login(client, resident.email, WRONG, environ_base=ATTACKER).status_code == 401
    assert _wait(_login(client, resident.email, WRONG, environ_base=ATTACKER)) == 4


def test_while_waiting_even_the_right_password_waits_and_afterwards_works(client, resident, app, clock_at):
    _fail_freely(client, resident.email, app)
    assert _login(client, resident.email, environ_base=ATTACKER).status_code == 429  # not even checked
    clock_at(1)
    assert _login(client, resident.email, environ_base=ATTACKER).status_code == 302


def test_the_delay_is_capped(client, resident, app, clock_at, monkeypatch, english):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_MAX_DELAY", timedelta(seconds=5))
    _fail_freely(client, resident.email, app)
    elapsed, waits = 0, []
    for _ in range(6):
        waits.append(_wait(_login(client, resident.email, WRONG, environ_base=ATTACKER)))
        elapsed += waits[-1]
        clock_at(elapsed)
        assert _login(client, resident.email, WRONG, environ_base=ATTACKER).status_code == 401
    assert waits == [1, 2, 4, 5, 5, 5]


def test_a_success_clears_the_pair(client, resident, app, clock_at):
    _fail_freely(client, resident.email, app)
    clock_at(1)
    assert _login(client, resident.email, environ_base=ATTACKER).status_code == 302
    client.post("/logout")
    _fail_freely(client, resident.email, app)  # free failures again, no wait


def test_counts_are_forgotten_a_window_after_the_last_failure(client, resident, app, clock_at):
    _fail_freely(client, resident.email, app)
    clock_at(app.config["LOGIN_THROTTLE_WINDOW"].total_seconds())
    _fail_freely(client, resident.email, app)


def _without_csrf(page):
    return re.sub(r'name="csrf-token" content="[^"]*"', "", page)  # signed with the time: differs each time


def test_an_unknown_login_answers_exactly_like_a_known_one(client, resident, app, clock_at, english):
    def answers(login):
        responses = [_login(client, login, WRONG, environ_base=ATTACKER) for _ in range(_free(app) + 1)]
        return [(r.status_code, _without_csrf(r.get_data(as_text=True)).replace(login, "LOGIN")) for r in responses]

    known, unknown = answers(resident.email), answers("nobody@example.test")
    assert [status for status, _ in known] == [401] * _free(app) + [429]
    assert unknown == known  # same status, same words, same throttle


def test_an_unknown_login_costs_a_password_check_too(client, resident, monkeypatch):
    from community.accounts import operations as ops

    checked = []
    original = ops.check_password_hash
    monkeypatch.setattr(ops, "check_password_hash", lambda stored, pw: checked.append(stored) or original(stored, pw))
    _login(client, resident.email, WRONG)
    _login(client, "nobody@example.test", WRONG)
    assert len(checked) == 2 and all(checked)


def test_each_network_has_a_budget_across_logins(client, create_user, app, clock_at, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_IP_FREE_FAILURES", 4)
    victim = create_user("victim@example.test")
    for n in range(4):  # one try each at many logins: no pair ever waits ...
        assert _login(client, f"guess{n}@example.test", WRONG, environ_base=ATTACKER).status_code == 401
    # ... but the network does, for every login tried from it
    assert _login(client, victim.email, environ_base=ATTACKER).status_code == 429
    assert _login(app.test_client(), victim.email, environ_base=OWNER).status_code == 302


def test_logging_in_to_ones_own_account_does_not_refill_the_network_budget(client, create_user, app, clock_at,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_IP_FREE_FAILURES", 3)
    mine = create_user("mine@example.test")
    for n in range(2):
        _login(client, f"guess{n}@example.test", WRONG, environ_base=ATTACKER)
    assert _login(client, mine.email, environ_base=ATTACKER).status_code == 302
    client.post("/logout")
    assert _login(client, "guess9@example.test", WRONG, environ_base=ATTACKER).status_code == 401
    assert _login(client, "guess10@example.test", WRONG, environ_base=ATTACKER).status_code == 429


def test_ipv6_addresses_of_one_subscriber_share_a_budget(client, resident, app, clock_at):
    for n in range(_free(app)):
        assert _login(client, resident.email, WRONG,
                      environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n + 1:x}"}).status_code == 401
    assert _login(client, resident.email, environ_base={"REMOTE_ADDR": "2001:db8:1:2:ffff::1"}).status_code == 429
    assert _login(client, resident.email, environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"}).status_code == 302


def test_the_throttle_message_is_chinese_by_default(client, resident, app, clock_at):
    _fail_freely(client, resident.email, app)
    page = _login(client, resident.email, WRONG, environ_base=ATTACKER).get_data(as_text=True)
    assert "登录尝试次数过多" in page and "1秒" in page.replace(" ", "")


def test_no_login_or_address_is_stored(client, resident, db, clock_at):
    import sqlalchemy as sa

    from community.accounts.models import LoginThrottle

    _login(client, resident.email, WRONG, environ_base=ATTACKER)
    keys = db.session.scalars(sa.select(LoginThrottle.key)).all()
    assert len(keys) == 2
    assert not any(resident.email in key or "203.0.113.7" in key for key in keys)


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


def test_the_pair_is_counted_for_every_spelling_of_a_mobile_number(client, create_user, app, clock_at):
    create_user("13812345678")
    spellings = ["13812345678", "+86 138 1234 5678", "138 1234 5678"]
    for spelling in spellings[:_free(app)]:
        assert _login(client, spelling, WRONG, environ_base=ATTACKER).status_code == 401
    assert _login(client, "+8613812345678", environ_base=ATTACKER).status_code == 429


def test_a_job_forgets_counts_past_their_window(client, resident, app, db, clock_at):
    import sqlalchemy as sa

    from community.accounts.models import LoginThrottle

    _login(client, resident.email, WRONG, environ_base=ATTACKER)
    clock_at(60)
    _login(client, "other@example.test", WRONG, environ_base=OWNER)
    clock_at(app.config["LOGIN_THROTTLE_WINDOW"].total_seconds() + 30)
    result = app.test_cli_runner().invoke(args=["jobs", "run", "accounts-forget-login-failures"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 2  # the later two stay
