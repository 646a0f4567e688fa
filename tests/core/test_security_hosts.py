"""Hosts and external URLs (issue 9, defect 2): every absolute URL that leaves a request (reset
e-mails, QR codes, calendar feeds, API fields) is built from PUBLIC_BASE_URL, never from the Host or
X-Forwarded-Host a client sent; production answers 400 to hosts it does not serve."""
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import config as config_module
from community.core.urls import external_url
from tests.factories.amenities import local
from tests.helpers import assert_problem, frozen_at, text

BASE = "https://community.example.cn"
FORGED = {"Host": "evil.example"}
FORWARDED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def public_base(app, monkeypatch):
    """The session app with a public base URL that differs from the test client's host."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    return BASE


@pytest.fixture
def production_app(make_app, monkeypatch, database_url):
    """production_app(**settings) -> an app under the Production settings (CSRF off: these tests
    are about hosts, and test_csrf.py covers the token)."""
    monkeypatch.setenv("DATABASE_URL", database_url)

    def _make(**settings):
        values = dict(SECRET_KEY="a-real-secret", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL="redis://unused",
                      RATELIMIT_STORAGE_URI="memory://", PUBLIC_BASE_URL=BASE, WTF_CSRF_ENABLED=False)
        values.update(settings)
        return make_app(config_module.Production, **values)

    return _make


def _reset_links(outbox):
    return [re.search(r"\S+/password/reset/\S+", mail.body).group(0) for mail in outbox("password_reset")]


# -- the e-mailed reset link ------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [FORGED, {"Host": "evil.example:8443"}, FORWARDED])
def test_the_reset_mail_carries_the_configured_base_url(client, resident, outbox, public_base, headers):
    response = client.post("/password/forgot", data={"login": resident.email}, headers=headers)
    assert response.status_code == 302
    [link] = _reset_links(outbox)
    assert link.startswith(BASE + "/password/reset/"), link
    assert "evil" not in link


def test_behind_a_proxy_a_forwarded_host_does_not_reach_the_mail(make_app, db, create_user, outbox):
    app = make_app(PROXY_FIX_X_FOR=1, PUBLIC_BASE_URL=BASE)
    user = create_user("proxied@example.test")
    response = app.test_client().post("/password/forgot", data={"login": user.email},
                                      headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
    assert response.status_code == 302
    [link] = _reset_links(outbox)
    assert link.startswith(BASE + "/password/reset/")


def test_the_link_in_the_mail_opens_the_reset_page(client, resident, outbox, public_base):
    client.post("/password/forgot", data={"login": resident.email}, headers=FORGED)
    [link] = _reset_links(outbox)
    assert client.get(link.removeprefix(BASE)).status_code == 200


# -- QR codes, calendar feeds, API fields -----------------------------------------------------------

@pytest.fixture
def gym(make_resource):
    return make_resource(kind="gym", name="Gym", capacity=2)


def test_the_qr_payload_ignores_the_request_host(app, db, resident, gym, book, public_base):
    from community.amenities.presentation import qr_payload

    booking = book(resident, gym, at(1, 10))
    for headers in (FORGED, FORWARDED):
        with app.test_request_context("/amenities/bookings", headers=headers):
            assert qr_payload(booking) == f"{BASE}/amenities/checkin?token={booking.qr_token}"


def test_the_feed_url_on_my_bookings_ignores_the_request_host(app, db, client, login, resident, public_base):
    from flask_login import login_user

    from community.amenities.views import feed_url

    login(resident)
    client.post("/amenities/bookings/feed")
    page = text(client.get("/amenities/bookings"))
    shown = page.split('id="feed-url"')[1].split('value="')[1].split('"')[0]
    assert re.fullmatch(re.escape(BASE) + r"/amenities/calendar/[^/]+\.ics", shown), shown
    for headers in (FORGED, FORWARDED):  # the session cookie belongs to localhost: log in inside
        with app.test_request_context("/amenities/bookings", headers=headers):
            login_user(db.session.get(type(resident), resident.id))
            assert feed_url() == shown


def test_the_api_photo_url_ignores_the_request_host(client, db, api_token, resident, gym, public_base):
    gym.photo_path = f"{gym.id}/abcdef.png"
    db.session.commit()
    body = client.get(f"/api/v1/resources/{gym.id}", headers={**api_token(resident), **FORGED}).get_json()
    assert body["photo_url"] == f"{BASE}/amenities/{gym.id}/photo/abcdef.png"


# -- external_url itself ----------------------------------------------------------------------------

def test_external_url_needs_no_request(app, monkeypatch):
    """Jobs and CLI commands send e-mails with links too; they have no request to read a host from."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://community.example.cn/")
    with app.app_context():
        assert external_url("accounts.reset_password", token="t0k") == f"{BASE}/password/reset/t0k"
        assert external_url("accounts.login", next="/a b") == f"{BASE}/login?next=/a+b"
        assert external_url("core.home", _anchor="top") == f"{BASE}/#top"


def test_external_url_keeps_a_path_prefix(app, monkeypatch):
    """Mounted under a path by the proxy: the prefix is part of the configured base."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://gov.example.cn/talent")
    with app.test_request_context("/", headers=FORGED):
        assert external_url("accounts.login") == "https://gov.example.cn/talent/login"


def test_no_absolute_url_is_built_from_the_request():
    """The pattern, not the three places: an absolute URL comes from core.urls.external_url.
    ``request.host_url`` may still be compared with (the language switch checks its Referer)."""
    offenders = []
    for path in (ROOT / "community").rglob("*.py"):
        if path == ROOT / "community" / "core" / "urls.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"_external\s*=\s*True|\burl_root\b|host_url\s*[.+]|\+\s*request\.host_url", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file() and "_external" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, "\n".join(offenders)


# -- production refuses hosts it does not serve -----------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/", "/static/app.css", "/no-such-page"])
def test_production_refuses_a_forged_host_on_pages(production_app, path):
    client = production_app().test_client()
    response = client.get(path, base_url=BASE, headers=FORGED)
    assert response.status_code == 400
    assert "evil.example" not in text(response)
    assert client.get("/login", base_url=BASE).status_code == 200


def test_production_refuses_a_forged_host_on_the_api(production_app):
    client = production_app().test_client()
    body = assert_problem(client.get("/api/v1/me", base_url=BASE, headers=FORGED), 400, code="untrusted_host")
    assert "evil" not in str(body)
    assert client.get("/api/v1/me", base_url=BASE).status_code == 401


def test_production_sends_no_reset_mail_for_a_forged_host(production_app, create_user, outbox):
    user = create_user("prod@example.test")
    client = production_app().test_client()
    response = client.post("/password/forgot", data={"login": user.email}, base_url=BASE, headers=FORGED)
    assert response.status_code == 400
    assert outbox("password_reset") == []
    assert client.post("/password/forgot", data={"login": user.email}, base_url=BASE).status_code == 302
    assert _reset_links(outbox)[0].startswith(BASE + "/password/reset/")


def test_production_behind_a_proxy_refuses_a_forged_forwarded_host(production_app):
    client = production_app(PROXY_FIX_X_FOR=1).test_client()
    assert client.get("/login", base_url=BASE, headers=FORWARDED).status_code == 400
    assert client.get("/login", base_url=BASE, headers={"X-Forwarded-Host": "community.example.cn"}).status_code == 200


def test_trusted_hosts_come_from_the_base_url_unless_listed(production_app):
    assert production_app().config["TRUSTED_HOSTS"] == ["community.example.cn"]
    app = production_app(TRUSTED_HOSTS=["community.example.cn", ".internal.example"])
    client = app.test_client()
    assert client.get("/healthz", base_url="http://node1.internal.example").status_code == 200
    assert client.get("/healthz", base_url="http://internal.example.evil").status_code == 400


def test_production_needs_a_public_base_url(production_app):
    for bad in (None, "", "community.example.cn", "ftp://community.example.cn", "https://"):
        with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
            production_app(PUBLIC_BASE_URL=bad)


def test_trusted_hosts_and_base_url_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://talent.example.cn")
    monkeypatch.setenv("TRUSTED_HOSTS", " talent.example.cn, .nodes.example.cn ,")
    fresh = _reload_config()
    assert fresh.Production.PUBLIC_BASE_URL == "https://talent.example.cn"
    assert fresh.Production.TRUSTED_HOSTS == ["talent.example.cn", ".nodes.example.cn"]
    monkeypatch.delenv("PUBLIC_BASE_URL")
    monkeypatch.delenv("TRUSTED_HOSTS")
    fresh = _reload_config()
    assert fresh.Production.PUBLIC_BASE_URL is None and fresh.Production.TRUSTED_HOSTS is None
    assert fresh.Default.PUBLIC_BASE_URL == "http://127.0.0.1:5000"  # where `make run` serves
    assert fresh.Testing.PUBLIC_BASE_URL == "http://localhost"       # the test client's host


def _reload_config():
    import importlib.util

    spec = importlib.util.spec_from_file_location("config_hosts_under_test", config_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_development_serves_any_host(app, client):
    """Default and Testing trust every host (a phone on the LAN, a container name)."""
    assert app.config["TRUSTED_HOSTS"] is None
    assert client.get("/login", headers=FORGED).status_code == 200
