"""The app factory and the settings classes; Production takes everything from the environment."""
import importlib.util
import os

import pytest
from flask import Flask

import config as config_module
from community import create_app

PRODUCTION_ENV = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME",
                  "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_DEFAULT_SENDER", "STRIPE_SECRET_KEY",
                  "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "SESSION_COOKIE_SECURE", "PROXY_FIX_X_FOR",
                  "PUBLIC_BASE_URL", "TRUSTED_HOSTS", "HSTS_SECONDS")


@pytest.fixture
def fresh_config(monkeypatch):
    """fresh_config(**env) -> the config module read again under exactly these variables."""

    def _load(**env):
        for name in PRODUCTION_ENV:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        spec = importlib.util.spec_from_file_location("config_under_test", config_module.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return _load


def remote_addr_seen(app, forwarded_for):
    """The client address a view of ``app`` sees for a request sent with this X-Forwarded-For."""
    seen = {}

    @app.route("/whoami")
    def whoami():
        from flask import request

        seen["ip"] = request.remote_addr
        return "ok"

    app.test_client().get("/whoami", headers={"X-Forwarded-For": forwarded_for})
    return seen["ip"]


def test_create_app_by_name_and_by_object(make_app):
    """make_app is requested so the extensions' state is put back for the session app."""
    by_name = create_app("testing")
    assert by_name.config["TESTING"] is True and by_name.config["SECRET_KEY"] == config_module.Testing.SECRET_KEY
    assert make_app(config_module.Testing).config["TESTING"] is True
    assert set(config_module.CONFIGS) == {"default", "testing", "production"}


def test_default_config_uses_sqlite_in_instance(fresh_config):
    default = fresh_config().Default
    assert default.SQLALCHEMY_DATABASE_URI == "sqlite:///" + os.path.join(config_module.INSTANCE_DIR,
                                                                          "community.sqlite3")
    assert default.BABEL_DEFAULT_LOCALE == "zh_CN" and default.BABEL_DEFAULT_TIMEZONE == "Asia/Shanghai"
    assert default.DEMO_ALLOWED is True


def test_production_refuses_the_default_secret_key(fresh_config, database_url):
    module = fresh_config(DATABASE_URL=database_url)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(module.Production)
    module = fresh_config(DATABASE_URL=database_url, SECRET_KEY=module.DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(module.Production)


def test_production_refuses_a_missing_database_url(fresh_config):
    module = fresh_config(SECRET_KEY="a-real-secret-from-the-vault")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(module.Production)


def test_production_takes_everything_from_the_environment(fresh_config, make_app, database_url):
    module = fresh_config(
        SECRET_KEY="a-real-secret-from-the-vault", DATABASE_URL=database_url,
        MAIL_SERVER="smtp.example.test", MAIL_PORT="587", MAIL_USERNAME="mailer", MAIL_PASSWORD="pw",
        MAIL_USE_TLS="1", MAIL_DEFAULT_SENDER="office@example.test",
        STRIPE_SECRET_KEY="sk_test_x", STRIPE_PUBLISHABLE_KEY="pk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x",
        PROXY_FIX_X_FOR="1", PUBLIC_BASE_URL="https://community.example.cn",
        TRUSTED_HOSTS="community.example.cn,localhost",
    )
    with pytest.warns(RuntimeWarning, match="REDIS_URL"):  # one node may; several must not
        app = make_app(module.Production)
    config = app.config
    assert config["SECRET_KEY"] == "a-real-secret-from-the-vault"
    assert config["SQLALCHEMY_DATABASE_URI"].split("://")[1] == database_url.split("://")[1]
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == ("smtp.example.test", 587, True)
    assert config["MAIL_DEFAULT_SENDER"] == "office@example.test"
    assert (config["STRIPE_SECRET_KEY"], config["STRIPE_WEBHOOK_SECRET"]) == ("sk_test_x", "whsec_x")
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["DEMO_ALLOWED"] is False and not config.get("DEBUG")
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"  # no REDIS_URL
    assert config["PUBLIC_BASE_URL"] == "https://community.example.cn"
    assert config["TRUSTED_HOSTS"] == ["community.example.cn", "localhost"]
    # behind one proxy, the client's address comes from X-Forwarded-For (per-IP limits need it)
    assert remote_addr_seen(app, forwarded_for="203.0.113.7") == "203.0.113.7"


def test_redis_url_becomes_the_rate_limit_storage(fresh_config):
    module = fresh_config(REDIS_URL="redis://cache.internal:6379/2", SECRET_KEY="s", DATABASE_URL="postgres://u@h/db")
    assert module.Production.REDIS_URL == "redis://cache.internal:6379/2"
    # register_extensions hands REDIS_URL to Flask-Limiter when no storage is set explicitly
    assert "RATELIMIT_STORAGE_URI" not in vars(module.Default)
    assert module.Production.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("url, expected", [
    ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
])
def test_database_urls_use_the_installed_driver(url, expected):
    assert config_module.database_url(url) == expected


def test_without_proxy_setting_forwarded_for_is_ignored(make_app):
    assert remote_addr_seen(make_app(), forwarded_for="203.0.113.7") == "127.0.0.1"


def test_wsgi_exposes_the_app(monkeypatch):
    monkeypatch.setenv("APP_CONFIG", "testing")
    spec = importlib.util.spec_from_file_location(
        "wsgi_under_test", os.path.join(os.path.dirname(config_module.__file__), os.pardir, "wsgi.py"))
    module = importlib.util.module_from_spec(spec)
    from community.extensions import limiter

    state = dict(limiter.__dict__)
    try:
        spec.loader.exec_module(module)
    finally:
        limiter.__dict__.update(state)
    assert isinstance(module.app, Flask) and module.app.config["TESTING"]


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
