"""Error pages for people, problem+json (RFC 9457) for the API, and never a stack trace."""
import re

import pytest
from werkzeug.exceptions import abort

from community.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation


@pytest.fixture
def boom_app(make_app):
    """An app with test-only routes that fail in the ways the error handlers must catch."""
    app = make_app()

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    @app.route("/api/v1/boom")
    def api_boom():
        raise ZeroDivisionError("secret internals")

    @app.route("/api/v1/domain/<kind>")
    def api_domain(kind):
        errors = {"404": NotFound("No such thing."), "403": PermissionDenied("Not yours."),
                  "409": Conflict("Already taken.", code="taken"), "422": RuleViolation("Bad rule.", field="x")}
        raise errors[kind]

    @app.route("/domain/<kind>")
    def page_domain(kind):
        return api_domain(kind)

    @app.route("/api/v1/abort/<int:status>")
    def api_abort(status):
        abort(status)

    return app


def _no_internals(response):
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret internals" not in text and "hunter2" not in text


def test_500_page_shows_no_stack_trace(boom_app):
    response = boom_app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert 'lang="zh-CN"' in response.get_data(as_text=True)
    _no_internals(response)


def test_500_problem_json(boom_app, assert_problem):
    response = boom_app.test_client().get("/api/v1/boom")
    body = assert_problem(response, 500)
    assert set(body) == {"type", "title", "status", "detail"}
    _no_internals(response)


def test_500_rolls_back_what_the_request_wrote(make_app, db, community):
    import sqlalchemy as sa

    from community.accounts.models import Community

    app = make_app()

    @app.route("/write-then-fail")
    def write_then_fail():
        db.session.get(Community, community.id).address = "changed"
        db.session.flush()
        raise RuntimeError("after a write")

    assert app.test_client().get("/write-then-fail").status_code == 500
    db.session.expire_all()
    assert db.session.scalar(sa.select(Community.address).where(Community.id == community.id)) == ""


@pytest.mark.parametrize("status, code", [("404", "not_found"), ("403", "forbidden"), ("409", "taken"),
                                          ("422", "rule_violation")])
def test_domain_errors_as_problem_json(boom_app, assert_problem, status, code):
    body = assert_problem(boom_app.test_client().get(f"/api/v1/domain/{status}"), int(status))
    assert body["code"] == code and body["detail"]


def test_domain_error_extras_become_members(boom_app, assert_problem):
    assert assert_problem(boom_app.test_client().get("/api/v1/domain/422"), 422)["field"] == "x"


@pytest.mark.parametrize("status", ["404", "403", "409", "422"])
def test_domain_errors_as_pages(boom_app, status):
    response = boom_app.test_client().get(f"/domain/{status}")
    assert response.status_code == int(status) and response.mimetype == "text/html"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 422, 429, 500])
def test_every_http_error_has_the_problem_shape(boom_app, assert_problem, status):
    assert_problem(boom_app.test_client().get(f"/api/v1/abort/{status}"), status)


def test_json_clients_get_problem_json_outside_the_api(client, assert_problem):
    assert_problem(client.get("/no-such-page", headers={"Accept": "application/json"}), 404)


def test_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_404_page_in_english(client):
    client.get("/lang/en")
    response = client.get("/no-such-page")
    assert "We could not find what you were looking for." in response.get_data(as_text=True)


def test_405_page(client):
    response = client.delete("/login")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_413_page(client, app, monkeypatch, resident):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/login", data={"login": resident.email, "password": "x" * 5000})
    assert response.status_code == 413 and response.mimetype == "text/html"
    client.get("/lang/en")
    response = client.post("/login", data={"login": resident.email, "password": "x" * 5000})
    assert "The file or form you sent is too large." in response.get_data(as_text=True)


def test_413_problem_json(client, app, monkeypatch, assert_problem):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/api/v1/auth/token", data="x" * 5000, content_type="application/json")
    assert_problem(response, 413)


def test_429_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_IP", "1 per minute")
    client.post("/login", data={"login": "a@example.test", "password": "x"})
    client.get("/lang/en")
    response = client.post("/login", data={"login": "b@example.test", "password": "x"})
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "Too many attempts in a short time." in response.get_data(as_text=True)


def test_400_page_for_a_form_without_csrf_token(client, csrf_on, resident):
    response = client.post("/login", data={"login": resident.email, "password": "secret123"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert client.get("/dashboard").status_code == 302  # not logged in


def test_422_lists_the_invalid_fields(client, assert_problem):
    body = assert_problem(client.post("/api/v1/auth/token", json={"email": 5, "password": "", "extra": 1}), 422)
    assert set(body["errors"]) == {"email", "password", "extra"}


def test_error_page_escapes_what_the_user_typed(client):
    response = client.get("/users/<script>alert(1)</script>")
    assert response.status_code == 404
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/users/abc", "/admin/users/-1", "/password/reset/%00", "/lang/xx",
                                  "/api/v1/swagger-ui/../../etc/passwd", "/api/v1/swagger-ui/nope.js"])
def test_odd_paths_never_500(client, path):
    assert client.get(path).status_code < 500


@pytest.mark.parametrize("path", ["/login", "/register", "/password/forgot", "/api/v1/auth/token"])
def test_odd_bodies_never_500(client, community, path):
    bodies = [
        {"data": {"login": "\x00", "password": "\x00" * 3, "confirm": "x", "community_id": "abc"}},
        {"data": {"login": "a" * 10_000, "password": "b" * 10_000}},
        {"data": "\xff\xfe", "content_type": "application/x-www-form-urlencoded"},
        {"json": ["not", "an", "object"]},
        {"json": {"email": {"nested": 1}, "password": ["x"]}},
        {"data": "null", "content_type": "application/json"},
    ]
    for body in bodies:
        response = client.post(path, **body)
        assert response.status_code < 500, (path, body, response.get_data(as_text=True)[:300])


def test_no_page_links_to_external_assets(client):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
