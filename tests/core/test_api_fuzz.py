"""An API fuzzer in the suite (issue 9, "And keep it so"): schemathesis reads /api/v1/openapi.json and
sends every operation generated requests, valid and invalid, with a resident's and an office's
bearer token, in process through WSGI (a werkzeug test client; no network, no server).

Every answer must: not be a 5xx; have a status, content type, headers and body the document
promises; refuse what the document says is invalid; refuse a missing token where a token is
required; and, for every 4xx, be problem+json (RFC 9457) with the status it was sent with.

Bounded and repeatable: a fixed number of examples per operation, derandomized with a fixed seed,
no example database, so CI sees the same requests on every run (on SQLite and PostgreSQL alike).
It reads the document, so an endpoint a later domain adds is fuzzed the day it appears; it needs
the objects it points at in tests/core/world.py to reach past the 404s.
"""
import zlib
from datetime import datetime, timedelta

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, negative_data_rejection, response_headers_conformance,
    response_schema_conformance, status_code_conformance,
)

from tests.core.world import PASSWORD, bearer, url_variable, world  # noqa: F401

PROBLEM_JSON = "application/problem+json"
EXAMPLES_PER_OPERATION = 25
SEED = 20261201

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True,
                   # The token is the caller's, sent with every case; requests without one, or with a
                   # wrong one, are what the ignored_auth check sends (and expects a 401 for).
                   "with-security-parameters": False,
                   "database": "none"},
    # Coverage: the boundary and type-confusion cases of every parameter, derived from the document
    # (a fixed list); fuzzing: the bounded random part. Stateful runs need links we do not declare.
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
})


def problem_json_on_errors(ctx, response, case):
    """Every refusal is problem+json with the RFC 9457 members, whatever produced it."""
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    assert content_type == PROBLEM_JSON, f"{response.status_code} answered as {content_type!r}, not problem+json"
    body = response.json()
    assert body.get("status") == response.status_code, body
    assert isinstance(body.get("title"), str) and body["title"], body
    assert body.get("type") == "about:blank", body
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth, problem_json_on_errors]


class SessionApp:
    """The WSGI app schemathesis sends to: the test session's app, bound by the ``bound_app``
    fixture (the document is read at collection, before that app exists). Like tests/conftest.py's
    IsolatedClient, each request runs in an app context of its own, not in the one pytest-flask
    keeps pushed for the test."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        token = _cv_app.set(None)
        try:
            return self.app(environ, start_response)
        finally:
            _cv_app.reset(token)


SESSION_APP = SessionApp()


def load_schema():
    """The OpenAPI document, read at collection from an app of its own: the document does not
    depend on the database, and the requests go to the session's app."""
    from community import create_app
    from config import Testing

    SESSION_APP.app = create_app(type("DocumentOnly", (Testing,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    try:
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", SESSION_APP, config=CONFIG)
    finally:
        SESSION_APP.app = None


schema = load_schema()


class Objects:
    """The world of the running test, for the hooks below (set by the ``caller`` fixture)."""
    world = None


def _real_id(value, real):
    """Two generated ids in three become the id of the world's object, so the fuzzer reaches past
    the 404s into the handlers; the third stays as generated (the refusal path). Only a valid id
    is replaced: a negative case's broken id must stay broken."""
    if real is None or isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        return value
    return real if value % 3 else value


def _slot(value, world):
    """A generated instant becomes a slot start of the world's room in its booking window (2 in 3)."""
    try:
        generated = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if generated.tzinfo is None or not zlib.crc32(value.encode()) % 3:  # not hash(): salted per process
        return value
    day = world.booking.start_at + timedelta(days=1 + len(value) % 6)
    return day.replace(hour=2 + len(value) % 10).isoformat()  # UTC: 10:00 to 19:00 in Shanghai


def _valid_login(body) -> bool:
    """Both fields present and as the document allows (a negative case's broken one stays broken)."""
    return all(isinstance(body.get(name), str) and 1 <= len(body[name]) <= limit
               for name, limit in (("email", 255), ("password", 200)))


@schema.hook
def map_path_parameters(context, path_parameters):
    if Objects.world is None or not path_parameters:
        return path_parameters
    return {name: _real_id(value, url_variable(Objects.world, context.operation.path, name))
            for name, value in path_parameters.items()}


@schema.hook
def map_body(context, body):
    world = Objects.world
    if world is None or not isinstance(body, dict):
        return body
    mapped = {name: _real_id(value, url_variable(world, context.operation.path, name)) for name, value in body.items()}
    if _valid_login(mapped) and len(mapped["email"]) % 3 == 0:
        # The owner's own login now and then, so what is stored after a login is fuzzed too.
        mapped.update(email=world.owner.email, password=PASSWORD)
    if context.operation.path.endswith("/bookings") and "start" in mapped:
        mapped["start"] = _slot(mapped["start"], world)
        if isinstance(mapped.get("end"), str) and mapped["start"] != body["start"]:
            mapped["end"] = (datetime.fromisoformat(mapped["start"]) + timedelta(hours=1)).isoformat()
    return mapped


@pytest.fixture
def bound_app(app):
    SESSION_APP.app = app
    yield app
    SESSION_APP.app = None


@pytest.fixture(params=["resident", "office"])
def caller(request, world):
    Objects.world = world
    yield world.owner if request.param == "resident" else world.home_admin
    Objects.world = None


@schema.parametrize()
# The world is built afresh for every operation (and role), then shared by that operation's examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_answers_what_its_document_promises(case, bound_app, world, caller):
    # Schemathesis' WSGI transport sends requests' default "Accept-Encoding: gzip" but never decodes
    # the answer; compression has tests of its own (tests/core/test_compression.py).
    case.call_and_validate(headers={**bearer(world, caller), "Accept-Encoding": "identity"}, checks=CHECKS)
