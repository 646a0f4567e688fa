"""Talent Community: the app factory."""
import importlib
import os

from flask import Flask, g
from werkzeug.routing import IntegerConverter

from config import CONFIGS, INSTANCE_DIR

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))

# Every domain, in the order they are wired (a domain may rely on those before it). Each is a
# package community/<name>/ whose __init__ has register(app): its blueprints, API blueprint, jobs,
# menu entries, dashboard panels, audit labels, listeners and demo data. Models are found by
# walking the packages (community.models.import_all_models), so this is the only list to edit.
DOMAINS = ("accounts", "admin", "amenities", "notifications", "talent", "apartments", "perks", "tickets",
           "payments", "leases")


def create_app(config="default"):
    """Build the app from a config name ("default", "testing", "production") or a config object."""
    app = Flask(
        __name__,
        template_folder=os.path.join(BASE_DIR, "templates"),
        instance_path=INSTANCE_DIR,
    )
    config_obj = CONFIGS[config] if isinstance(config, str) else config
    app.config.from_object(config_obj)
    if hasattr(config_obj, "check"):
        config_obj.check(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_converters(app)
    register_compression(app)  # first registered, so the last after_request: it sees the final body
    register_extensions(app)
    register_errorhandlers(app)
    register_unit_of_work(app)
    register_shellcontext(app)
    register_domains(app)
    return app


class DatabaseIntConverter(IntegerConverter):
    """``<int:id>`` that only matches ids the database can hold: a 30-digit id is a 404, not an
    overflow inside the driver."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app):
    app.url_map.converters["int"] = DatabaseIntConverter


def register_compression(app):
    from community.core import compression

    compression.init_app(app)


def register_extensions(app):
    from community.core import pool, sqlite
    from community.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from community.core.i18n import select_babel_locale, select_timezone
    from community.models import import_all_models

    db.init_app(app)
    with app.app_context():
        sqlite.configure(db.engine)
        pool.configure(db.engine, app.config["DB_PING_IDLE_SECONDS"])
    import_all_models()  # the whole schema, for Alembic
    migrate.init_app(app, db, directory=os.path.join(BASE_DIR, "migrations"), render_as_batch=True,
                     compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_babel_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)


def register_domains(app):
    """Core's own pages, API and commands first, then every domain in DOMAINS order."""
    from community import core

    core.register(app)
    for name in DOMAINS:
        importlib.import_module(f"community.{name}").register(app)


def register_errorhandlers(app):
    from community.core.errors import register_errorhandlers as register

    register(app)


def register_unit_of_work(app):
    """One commit per request: commit when the response is a success or a redirect, roll back
    otherwise. Operations only flush; a view that re-renders a form after a DomainError answers
    with 4xx, so whatever the failed operation flushed is rolled back."""
    from community.extensions import db

    @app.after_request
    def finish_unit_of_work(response):
        if response.status_code < 400 or g.get("keep_changes"):
            db.session.commit()
        else:
            db.session.rollback()
        return response


def register_shellcontext(app):
    from community.extensions import db

    app.shell_context_processor(lambda: {"db": db})

