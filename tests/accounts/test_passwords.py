"""Password reset by e-mailed token and password change."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from werkzeug.security import check_password_hash

from community.core import clock
from tests.conftest import DEFAULT_PASSWORD

NEW = "brandnew456"
SAME_MESSAGE = "If an account exists for that address, we have sent it a link to reset the password."


@pytest.fixture
def reset_link(client, outbox):
    """reset_link(user) asks for a reset through the page and returns the path e-mailed."""

    def _link(user):
        client.post("/password/forgot", data={"login": user.email})
        mails = outbox("password_reset")
        assert mails and mails[-1].recipient == user.email
        return urlsplit(re.search(r"https?://\S+", mails[-1].body).group(0)).path

    return _link


def _reset(client, path, password=NEW, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def _can_log_in(client, user, password):
    response = client.post("/login", data={"login": user.email, "password": password})
    if response.status_code == 302:
        client.post("/logout")
    return response.status_code == 302


def test_forgot_password_queues_an_email_with_a_working_link(client, resident, outbox, english,
                                                             reset_link, audit_actions):
    response = client.post("/password/forgot", data={"login": resident.email}, follow_redirects=True)
    assert SAME_MESSAGE in response.get_data(as_text=True)
    [mail] = outbox("password_reset")
    assert mail.recipient == resident.email and mail.sent_at is None
    assert re.search(r"http://localhost/password/reset/\S+", mail.body)
    assert audit_actions(action="user.password_reset_requested") == ["user.password_reset_requested"]

    path = reset_link(resident)
    assert client.get(path).status_code == 200
    response = _reset(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert _can_log_in(client, resident, NEW)
    assert not _can_log_in(client, resident, DEFAULT_PASSWORD)
    assert "user.password_reset" in audit_actions()


def test_unknown_email_gets_the_same_answer_and_no_mail(client, resident, outbox, english):
    known = client.post("/password/forgot", data={"login": resident.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"login": "nobody@example.test"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert SAME_MESSAGE in unknown.get_data(as_text=True)
    assert [m.recipient for m in outbox()] == [resident.email]


def test_garbage_login_in_forgot_form_gets_the_same_answer(client, outbox, english):
    response = client.post("/password/forgot", data={"login": "not an address"}, follow_redirects=True)
    assert response.status_code == 200 and SAME_MESSAGE in response.get_data(as_text=True)
    assert outbox() == []


def test_reset_token_is_single_use(client, resident, reset_link, english):
    path = reset_link(resident)
    assert _reset(client, path).status_code == 302
    response = _reset(client, path, "another789x")
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)
    assert _can_log_in(client, resident, NEW)


def test_reset_token_expires_after_two_hours(client, resident, reset_link, app, english):
    path = reset_link(resident)
    clock.freeze(clock.now() + app.config["PASSWORD_RESET_MAX_AGE"] + timedelta(minutes=1))
    response = _reset(client, path)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert _can_log_in(client, resident, DEFAULT_PASSWORD)


def test_reset_token_still_works_just_before_expiry(client, resident, reset_link, app):
    path = reset_link(resident)
    clock.freeze(clock.now() + app.config["PASSWORD_RESET_MAX_AGE"] - timedelta(minutes=1))
    assert _reset(client, path).status_code == 302


def test_tampered_token_is_refused(client, resident, reset_link, english):
    path = reset_link(resident)
    response = _reset(client, path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_reset_enforces_the_password_rule(client, resident, reset_link, english):
    path = reset_link(resident)
    response = _reset(client, path, "short")
    assert response.status_code == 422 and "Use at least 8 characters." in response.get_data(as_text=True)
    assert _reset(client, path, NEW, "different1x").status_code == 422
    assert _reset(client, path).status_code == 302  # the failed tries did not use the link up


def test_change_password(client, resident, login, db, audit_actions):
    login(resident)
    response = client.post("/profile/password", data={"current": DEFAULT_PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302
    db.session.refresh(resident)
    assert check_password_hash(resident.password_hash, NEW)
    assert "user.password_changed" in audit_actions()


def test_change_password_with_wrong_current_password(client, resident, login, db, english):
    login(resident)
    response = client.post("/profile/password", data={"current": "not-my-pass1", "password": NEW, "confirm": NEW})
    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)
    db.session.refresh(resident)
    assert check_password_hash(resident.password_hash, DEFAULT_PASSWORD)


def test_change_password_to_a_weak_one(client, resident, login, english):
    login(resident)
    response = client.post("/profile/password", data={"current": DEFAULT_PASSWORD, "password": "abcdefgh",
                                                      "confirm": "abcdefgh"})
    assert response.status_code == 422 and "Use both letters and digits." in response.get_data(as_text=True)


def test_change_password_needs_login(client):
    assert client.get("/profile/password").headers["Location"].startswith("/login")


def test_passwords_are_hashed_with_scrypt_outside_tests(app, monkeypatch, db):
    from community.accounts.operations import hash_password

    monkeypatch.delitem(app.config, "PASSWORD_HASH_METHOD")
    assert hash_password("whatever123").startswith("scrypt:")


def test_expired_link_says_so_when_opened(client, resident, reset_link, app, english):
    path = reset_link(resident)
    clock.freeze(clock.now() + app.config["PASSWORD_RESET_MAX_AGE"] + timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_used_link_says_so_when_opened(client, resident, reset_link, english):
    path = reset_link(resident)
    _reset(client, path)
    response = client.get(path)
    assert response.status_code == 400 and "already been used" in response.get_data(as_text=True)
