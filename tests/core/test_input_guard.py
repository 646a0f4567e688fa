"""NUL and other control characters (issue 9, defect 3): refused in one place, core/input_guard.py,
with a 422 problem+json (API) or a 400 page that names the field, before any view reads the request.

On PostgreSQL a NUL in a text column made the driver raise (a 500 on 16 endpoints, several of
them anonymous); on SQLite it was stored (an account with "\\x00" in its e-mail). Every route is
walked in tests/core/test_input_walk.py; these are the rules themselves."""
import pytest
import sqlalchemy as sa

from community.core.input_guard import first_bad_json_path, has_forbidden_characters, printable_name
from tests.helpers import assert_problem, text


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x01", "\x07", "\x1b[31m", "\x1f", "\ud800", "x\udfffy"])
def test_control_characters_and_lone_surrogates_are_forbidden_everywhere(value):
    assert has_forbidden_characters(value)
    assert has_forbidden_characters(value, multiline=True)


@pytest.mark.parametrize("value", ["line\nline", "a\tb", "windows\r\n"])
def test_tab_and_line_breaks_only_in_multi_line_text(value):
    assert has_forbidden_characters(value)
    assert not has_forbidden_characters(value, multiline=True)


@pytest.mark.parametrize("value", ["", "plain", "中文 Ünïcødé", "emoji \U0001F600", "\x7f", "\u2028", "\ufeff"])
def test_ordinary_text_passes(value):
    assert not has_forbidden_characters(value)


def test_json_paths_name_the_nested_field():
    assert first_bad_json_path({"a": 1, "b": {"c": ["ok", "no\x00"]}}) == "b.c.1"
    assert first_bad_json_path({"ok": "fine\nand multi-line", "n": None, "x": 1.5}) is None
    assert first_bad_json_path("\x00") == "json"
    assert first_bad_json_path([{"k\x00": 1}]) == "0.k\x00"
    assert printable_name("0.k\x00") == "0.k\\x00"
    assert printable_name("\ud800") == "\\ud800"


def test_a_deep_body_is_scanned_without_recursion():
    value = "\x00"
    for _ in range(5000):
        value = [value]
    assert first_bad_json_path(value) == ".".join(["0"] * 5000)


def test_anonymous_token_request_with_nul_is_a_422_naming_the_field(client, resident):
    response = client.post("/api/v1/auth/token", json={"email": "resident@example.test\x00", "password": "x"})
    body = assert_problem(response, 422, code="control_characters")
    assert list(body["errors"]) == ["email"]
    assert "email" in body["detail"]


def test_a_lone_surrogate_in_json_is_refused(client, resident):
    response = client.post("/api/v1/auth/token", data='{"email": "\\ud800", "password": "x"}',
                           content_type="application/json")
    assert list(assert_problem(response, 422, code="control_characters")["errors"]) == ["email"]


def test_a_key_with_nul_is_named_with_an_escape(client, api_token, resident):
    response = client.post("/api/v1/bookings", json={"resource_id": 1, "ext": {"ra\x00": 1}},
                           headers=api_token(resident))
    body = assert_problem(response, 422, code="control_characters")
    assert list(body["errors"]) == ["ext.ra\\x00"]
    assert "\x00" not in text(response)


def test_registration_with_nul_in_the_email_creates_no_account(client, community, db):
    from community.accounts.models import User

    response = client.post("/register", data={"login": "new\x00@example.test", "display_name": "New",
                                              "community_id": community.id, "password": "secret123x",
                                              "confirm": "secret123x"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "login" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_page_answers_json_clients_with_problem_json(client, community):
    response = client.post("/login", data={"login": "a\x00", "password": "x"}, headers={"Accept": "application/json"})
    errors = assert_problem(response, 422, code="control_characters")["errors"]
    assert list(errors) == ["login"] and all(isinstance(message, str) for message in errors["login"])


def test_a_form_field_may_hold_line_breaks_but_a_query_argument_may_not(client, login, resident):
    login(resident)
    # A body may carry multi-line text (a textarea); what the field then allows is its own rule.
    assert client.post("/profile/edit", data={"display_name": "Two\nlines", "locale": "en"}).status_code != 400
    response = client.get("/notifications?page=1%0A")
    assert response.status_code == 400 and "page" in text(response)


@pytest.mark.parametrize("path", ["/lang/en%00", "/password/reset/abc%00def", "/amenities/calendar/x%01y.ics"])
def test_a_path_segment_with_a_control_character_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400, response.status_code
    assert "\x00" not in text(response)


def test_nul_in_an_admin_filter_is_a_400_page(client, login, platform_admin):
    login(platform_admin)
    response = client.get("/admin/users?q=a%00b")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "q" in text(response)


def test_a_refused_login_counts_nothing(client, resident, db):
    from community.accounts.models import LoginThrottle

    for _ in range(6):
        assert client.post("/login", data={"login": resident.email, "password": "wrong\x00"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_a_header_to_be_stored_is_checked(app):
    from community.core.input_guard import ControlCharacters, checked_header

    with app.test_request_context(headers={"X-Device": "phone\x01"}):
        with pytest.raises(ControlCharacters) as refused:
            checked_header("X-Device")
        assert list(refused.value.extra["errors"]) == ["X-Device"]
    with app.test_request_context(headers={"X-Device": "phone"}):
        assert checked_header("X-Device") == "phone"
