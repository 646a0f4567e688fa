"""Changing or resetting a password ends the account's other sessions; a reset also revokes its
API tokens (it may follow a stolen password)."""
import re

from tests.conftest import DEFAULT_PASSWORD

NEW_PASSWORD = "brand-new-pass9"


def _logged_in_client(app, user, password=DEFAULT_PASSWORD):
    other = app.test_client()
    assert other.post("/login", data={"login": user.email, "password": password}).status_code == 302
    assert other.get("/dashboard").status_code == 200
    return other


def test_a_password_change_logs_out_other_browsers_but_not_this_one(app, client, login, resident):
    laptop = _logged_in_client(app, resident)
    login(resident)
    response = client.post("/profile/password", data={"current": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200          # the browser that changed it stays in
    assert laptop.get("/dashboard").status_code == 302          # the other one is sent to log in
    assert _logged_in_client(app, resident, NEW_PASSWORD)       # and the new password works there


def test_a_reset_ends_sessions_and_revokes_api_tokens(app, client, db, resident, api_token, outbox):
    headers = api_token(resident)
    laptop = _logged_in_client(app, resident)
    client.post("/password/forgot", data={"login": resident.email})
    link = re.search(r"https?://\S+/password/reset/\S+", outbox()[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert laptop.get("/dashboard").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
