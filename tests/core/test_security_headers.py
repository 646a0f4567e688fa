"""Security headers (issue 9, defect 7): a Content-Security-Policy without 'unsafe-inline' for
scripts (inline scripts carry a per-request nonce), no framing, no sniffing, no full Referer to
other sites, and HSTS over HTTPS under production settings."""
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import config as config_module
from community.core import clock
from tests.helpers import text

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
BASE = "https://community.example.cn"
SH = ZoneInfo("Asia/Shanghai")
EXPECTED = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def csp_of(response) -> dict:
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";") if part.strip())}


def assert_secured(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.headers)
    policy = csp_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(policy[directive]), policy
    assert "Strict-Transport-Security" not in response.headers  # not production, or not HTTPS
    return policy


def inline_scripts(html: str) -> list[str]:
    """The opening tags of <script> elements that have no src (their code is in the page), and of
    <style> elements (the policy treats both alike)."""
    return [tag for tag in re.findall(r"<(?:script|style)\b[^>]*>", html, re.I) if not re.search(r"\ssrc=", tag)]


# -- every kind of response -------------------------------------------------------------------------

def test_a_page_has_every_header(client):
    assert_secured(client.get("/login"))


def test_an_api_answer_has_every_header(client, api_token, resident):
    assert_secured(client.get("/api/v1/me", headers=api_token(resident)))
    assert_secured(client.get("/api/v1/me"))  # a 401 problem+json
    assert_secured(client.get("/api/v1/openapi.json"))


def test_error_pages_have_every_header(client, make_app):
    assert_secured(client.get("/no-such-page"))
    assert_secured(client.get("/api/v1/no-such-thing"))
    app = make_app()

    @app.route("/_test/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/_test/boom")
    assert response.status_code == 500
    assert_secured(response)


def test_static_files_have_every_header(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert_secured(response)
    bootstrap = client.get("/bootstrap/static/css/bootstrap.min.css")
    assert bootstrap.status_code == 200
    assert_secured(bootstrap)


def test_a_view_keeps_its_own_stricter_policy(make_app):
    """A view that sets its own Content-Security-Policy (attachments: sandbox) keeps it."""
    from flask import Response

    app = make_app()

    @app.route("/_test/own-csp")
    def own_csp():
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'; sandbox"})

    response = app.test_client().get("/_test/own-csp")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- nonces -------------------------------------------------------------------------------------------

def _nonce(response):
    [source] = [s for s in csp_of(response)["script-src"] if s.startswith("'nonce-")]
    return source[len("'nonce-"):-1]


def test_inline_scripts_carry_this_requests_nonce(client, login, resident, make_resource):
    make_resource(kind="gym", name="Gym")
    login(resident)
    first, second = client.get("/amenities/day"), client.get("/amenities/day")
    nonces = []
    for response in (first, second):
        assert response.status_code == 200
        nonce = _nonce(response)
        tags = inline_scripts(text(response))
        assert tags, "the day page has an inline script"
        assert all(f'nonce="{nonce}"' in tag for tag in tags), tags
        assert f"'nonce-{nonce}'" in csp_of(response)["style-src"]  # the amenities <style> block
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert len(nonces[0]) >= 22  # 128 bits, base64


def test_a_page_without_inline_scripts_needs_no_nonce(client):
    response = client.get("/static/app.css")
    assert not [s for s in csp_of(response)["script-src"] if s.startswith("'nonce-")]


def test_the_token_page_and_the_booking_page_scripts_have_the_nonce(client, login, resident, make_resource):
    gym = make_resource(kind="gym", name="Gym")
    login(resident)
    created = client.post("/profile/tokens", data={"name": "laptop"})
    clock.freeze(datetime(2026, 12, 1, 9, 30, tzinfo=SH))
    book = client.get(f"/amenities/{gym.id}/book", query_string={"start": datetime(2026, 12, 2, 10, tzinfo=SH).isoformat()})
    for response in (created, book):
        assert response.status_code in (200, 201), text(response)[:300]
        tags = inline_scripts(text(response))
        assert tags and all(f'nonce="{_nonce(response)}"' in tag for tag in tags)


def test_swagger_ui_page_has_a_policy_it_can_run_under(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = assert_secured(response)
    html = text(response)
    assert "SwaggerUIBundle" in html and '{"validatorUrl": null}' in html  # no badge from swagger.io
    tags = inline_scripts(html)
    assert tags and all(f'nonce="{_nonce(response)}"' in tag for tag in tags)
    for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(r'<link[^>]*href="([^"]+)"', html):
        assert src.startswith("/"), src  # same origin: allowed by 'self'
        assert client.get(src).status_code == 200
    assert "'self'" in policy["connect-src"]  # Swagger UI fetches openapi.json and tries requests


# -- templates: nothing inline that the policy would block ----------------------------------------------

def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def test_no_template_has_an_inline_script_or_style_without_the_nonce():
    offenders = []
    for path in _template_files():
        for tag in inline_scripts(path.read_text(encoding="utf-8")):
            if 'nonce="{{ csp_nonce() }}"' not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
    assert not offenders, "\n".join(offenders)


def test_no_template_has_inline_event_handlers_javascript_urls_or_style_attributes():
    """The policy blocks them (no 'unsafe-inline', no 'unsafe-hashes'): behaviour goes through
    data attributes read by static/app.js, looks through CSS classes."""
    offenders = []
    pattern = re.compile(r"""<[a-z][^>]*?\s(on[a-z]+\s*=|style\s*=)|javascript:""", re.I | re.S)
    for path in _template_files():
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:120]}")
    assert not offenders, "\n".join(offenders)


def test_confirmations_and_copy_buttons_are_data_attributes(client, login, resident, community_admin):
    """What the inline handlers did is declared for static/app.js, which base.html loads."""
    login(resident)
    client.post("/amenities/bookings/feed")
    page = text(client.get("/amenities/bookings"))
    assert re.search(r'<script src="/static/app\.js[^"]*"></script>', page)
    assert 'data-copy="#feed-url"' in page and "data-select-on-focus" in page and "data-confirm=" in page
    script = client.get("/static/app.js")
    assert script.status_code == 200
    assert all(selector in text(script) for selector in ("[data-confirm]", "[data-copy]", "[data-select-on-focus]"))


# -- HSTS -------------------------------------------------------------------------------------------------

@pytest.fixture
def production_client(make_app, monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)

    def _client(**settings):
        values = dict(SECRET_KEY="a-real-secret", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL="redis://unused",
                      RATELIMIT_STORAGE_URI="memory://", PUBLIC_BASE_URL=BASE)
        return make_app(config_module.Production, **{**values, **settings}).test_client()

    return _client


def test_hsts_only_over_https_in_production(production_client):
    client = production_client()
    secure = client.get("/login", base_url=BASE)
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in client.get("/login", base_url="http://community.example.cn").headers


def test_hsts_follows_the_proxy_when_it_is_trusted(production_client):
    behind = production_client(PROXY_FIX_X_FOR=1)
    response = behind.get("/healthz", base_url="http://community.example.cn", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    direct = production_client()  # no trusted proxy: a client saying "https" is not believed
    response = direct.get("/healthz", base_url="http://community.example.cn", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_no_hsts_outside_production_even_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://localhost").headers


def test_hsts_on_an_error_answer_too(production_client):
    response = production_client().get("/no-such-page", base_url=BASE)
    assert response.status_code == 404 and "Strict-Transport-Security" in response.headers


# -- rendered pages: what macros and Python-built markup add ------------------------------------------

NOT_PAGES = {"static", "bootstrap.static", "core.set_language", "attachments.download", "amenities.photo",
             "amenities.booking_qr", "amenities.calendar_feed", "accounts.reset_password"}
BLOCKED_INLINE = re.compile(r"""<[a-z][^>]*?\s(on[a-z]+\s*=|style\s*=)[^>]*>|javascript:""", re.I | re.S)


def _page_paths(app, ids):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.rule.startswith("/api/"):
            continue
        if set(rule.arguments) <= set(ids):
            yield rule.build({name: ids[name] for name in rule.arguments})[1]


def test_no_rendered_page_has_markup_the_policy_blocks(app, client, login, resident, community_admin,
                                                       platform_admin, community, make_resource, book):
    clock.freeze(datetime(2026, 12, 1, 9, 30, tzinfo=SH))
    gym = make_resource(kind="gym", name="Gym", capacity=2)
    book(resident, gym, datetime(2026, 12, 1, 10, tzinfo=SH))
    ids = {"resource_id": gym.id, "user_id": resident.id, "community_id": community.id}
    checked = 0
    for user in (None, resident, community_admin, platform_admin):
        if user:
            login(user)
            client.post("/amenities/bookings/feed")
        for path in _page_paths(app, ids):
            response = client.get(path)
            if response.mimetype != "text/html":
                continue
            html = text(response)
            nonce = [s for s in csp_of(response)["script-src"] if s.startswith("'nonce-")]
            for tag in inline_scripts(html):
                assert nonce and f'nonce="{nonce[0][7:-1]}"' in tag, (path, tag)
            assert not BLOCKED_INLINE.search(html), (path, BLOCKED_INLINE.search(html).group(0)[:200])
            checked += 1
        if user:
            client.post("/logout")
    assert checked > 40
