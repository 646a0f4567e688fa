"""Deeply nested JSON (issue 9, defect 8): a body nested deeper than JSON_MAX_DEPTH is refused
with 400 problem+json before anything parses it, instead of a RecursionError, a 500 and a logged
traceback on every request."""
import json
import logging

import pytest

from community.core.json_depth import nesting_exceeds
from tests.helpers import assert_problem

DEEP_BODIES = {
    "arrays": "[" * 100_000,
    "objects": '{"a":' * 5000,
    "closed": "[" * 5000 + "]" * 5000,
}


@pytest.fixture
def no_error_logged(caplog):
    caplog.set_level(logging.WARNING)
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def _post_json(client, path, body, **kwargs):
    return client.post(path, data=body, content_type="application/json", **kwargs)


@pytest.mark.parametrize("kind", DEEP_BODIES)
def test_anonymous_api_call_with_deep_json_is_a_400(client, no_error_logged, kind):
    response = _post_json(client, "/api/v1/auth/token", DEEP_BODIES[kind])
    assert_problem(response, 400, code="json_too_deep")


@pytest.mark.parametrize("kind", DEEP_BODIES)
def test_authenticated_api_call_with_deep_json_is_a_400(client, api_token, resident, no_error_logged, kind):
    headers = api_token(resident)
    response = _post_json(client, "/api/v1/bookings", DEEP_BODIES[kind], headers=headers)
    assert_problem(response, 400, code="json_too_deep")


@pytest.mark.parametrize("kind", DEEP_BODIES)
def test_a_page_sent_deep_json_is_a_400(client, community, no_error_logged, kind):
    """Flask-WTF reads a JSON body into the form, so pages parse JSON too."""
    page = _post_json(client, "/login", DEEP_BODIES[kind])
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert_problem(_post_json(client, "/register", DEEP_BODIES[kind], headers={"Accept": "application/json"}),
                   400, code="json_too_deep")


def test_logged_in_page_with_deep_json_is_a_400(client, login, resident, no_error_logged):
    login(resident)
    assert _post_json(client, "/profile/password", DEEP_BODIES["arrays"]).status_code == 400
    assert client.get("/dashboard").status_code == 200  # still logged in, nothing broken


def test_a_plus_json_media_type_is_checked_too(client, no_error_logged):
    response = client.post("/api/v1/auth/token", data=DEEP_BODIES["arrays"], content_type="application/merge-patch+json")
    assert_problem(response, 400, code="json_too_deep")  # webargs parses */*+json as JSON too


def test_ordinary_nesting_still_reaches_the_schema(client, no_error_logged):
    nested = {"email": [[[[{"x": [1, 2, {"y": "[[[[[[[[[[[[[[[["}]}]]]], "password": "x"}
    assert_problem(client.post("/api/v1/auth/token", json=nested), 422)


def test_nesting_exceeds_counts_containers_not_brackets_in_strings():
    limit = 4
    assert not nesting_exceeds(json.dumps([[[["x"]]]]).encode(), limit)
    assert nesting_exceeds(json.dumps([[[[["x"]]]]]).encode(), limit)
    assert not nesting_exceeds(json.dumps({"a": {"b": {"c": {"d": 1}}}}).encode(), limit)
    assert nesting_exceeds(json.dumps({"a": {"b": {"c": {"d": {}}}}}).encode(), limit)
    assert not nesting_exceeds(json.dumps({"a": "[[[[[[[[{{{{{{", "b": '\\"[[[[[['}).encode(), limit)
    assert not nesting_exceeds(json.dumps([[], [], [[]], {"a": [[]]}] * 1000).encode(), limit)
    assert nesting_exceeds(b"[" * 100_000, limit)
    assert not nesting_exceeds(b"", limit) and not nesting_exceeds(b"null", limit)


def test_the_limit_is_a_setting(make_app, no_error_logged):
    client = make_app(JSON_MAX_DEPTH=3).test_client()
    assert_problem(client.post("/api/v1/auth/token", json={"email": [[["x"]]], "password": "x"}), 400,
                   code="json_too_deep")
    assert_problem(client.post("/api/v1/auth/token", json={"email": [["x"]], "password": "x"}), 422)
