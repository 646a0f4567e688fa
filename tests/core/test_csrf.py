"""CSRF: every page form needs its token; the API needs X-CSRFToken only from cookie sessions."""
import re

import pytest

from tests.conftest import DEFAULT_PASSWORD


def _token_from(page):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.fixture
def logged_in_with_csrf(client, resident, csrf_on):
    token = _token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": resident.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return _token_from(client.get("/dashboard").get_data(as_text=True))


@pytest.mark.parametrize("path, data", [
    ("/login", {"login": "x@example.test", "password": "secret123"}),
    ("/register", {"login": "x@example.test", "password": "secret123", "confirm": "secret123"}),
    ("/password/forgot", {"login": "x@example.test"}),
])
def test_anonymous_form_post_without_token_is_400(client, csrf_on, outbox, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert outbox() == []


def test_wrong_token_is_400(client, csrf_on, resident):
    response = client.post("/login", data={"login": resident.email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400


def test_logout_without_token_is_400_and_keeps_the_session(client, logged_in_with_csrf):
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout", data={"csrf_token": logged_in_with_csrf}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_profile_edit_without_token_changes_nothing(client, logged_in_with_csrf, resident, db):
    assert client.post("/profile/edit", data={"display_name": "Hacked", "locale": "en"}).status_code == 400
    db.session.refresh(resident)
    assert resident.display_name != "Hacked"


def test_api_write_with_session_needs_the_header(client, logged_in_with_csrf, resident, assert_problem):
    body = {"email": resident.email, "password": DEFAULT_PASSWORD}
    assert_problem(client.post("/api/v1/auth/token", json=body), 400)
    assert client.post("/api/v1/auth/token", json=body, headers={"X-CSRFToken": logged_in_with_csrf}).status_code == 201


def test_api_read_with_session_needs_no_header(client, logged_in_with_csrf):
    assert client.get("/api/v1/me").status_code == 200


def test_page_form_posted_with_a_bearer_token_still_needs_csrf(client, resident, api_token, csrf_on):
    """Bearer tokens skip CSRF on the API only; page forms always check it."""
    headers = api_token(resident)
    assert client.post("/profile/edit", data={"display_name": "x", "locale": "en"}, headers=headers).status_code == 400
