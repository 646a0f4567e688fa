"""Test fixtures: one database per run, built by the migrations, emptied after every test.

SQLite (a temporary file) by default; PostgreSQL when TEST_DATABASE_URL is set, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/talent_test . Tests commit for real, as requests
do, and every table is emptied afterwards, so concurrency tests see the same behaviour as others.
"""
import os
import smtplib
import tempfile
from datetime import date

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from community import create_app
from community.core import clock
from config import Testing
from tests import helpers

pytest_plugins = [
    "tests.factories.amenities",
    "tests.factories.talent",
    "tests.factories.apartments",
    "tests.factories.perks",
    "tests.factories.tickets",
    "tests.factories.payments",
    "tests.factories.leases",
]

PG_URL = os.environ.get("TEST_DATABASE_URL")
DEFAULT_PASSWORD = "secret123"


def _test_config(database_url):
    class RunConfig(Testing):
        SQLALCHEMY_DATABASE_URI = database_url

    return RunConfig


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_smtp: the test talks to a real (local) SMTP server")


@pytest.fixture(autouse=True)
def disallow_smtp(request, monkeypatch):
    """No test reaches a mail server unless it says so with @pytest.mark.allow_smtp (and starts its
    own, as tests/notifications/test_smtp.py does): a developer's MAIL_SERVER is never mailed."""
    if request.node.get_closest_marker("allow_smtp"):
        return

    def refuse(self, host="localhost", port=0, source_address=None):
        pytest.fail(f"a test tried to connect to the SMTP server {host}:{port}", pytrace=False)

    monkeypatch.setattr(smtplib.SMTP, "connect", refuse)


@pytest.fixture(scope="session")
def database_url():
    if PG_URL:
        yield PG_URL
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield "sqlite:///" + os.path.join(tmp, "test.sqlite3")


class IsolatedClient(FlaskClient):
    """Runs every request in its own app context, as a real server does.

    pytest-flask keeps a request context pushed for the whole test, and Flask reuses an active app
    context for client requests, so ``g`` (the logged-in user, the unit-of-work flags) and the
    database session would leak from one request to the next and hide bugs. We hide the test's app
    context during each request and expire the test's own session afterwards so it re-reads what
    the request committed."""

    def __enter__(self):
        # pytest-flask opens the client with ``with``, which would preserve each request's
        # contexts past the request; we want them gone, as on a server.
        return self

    def __exit__(self, *exc_info):
        return None

    def open(self, *args, **kwargs):
        outer = _cv_app.get(None)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if outer is not None:
                from community.extensions import db

                db.session.expire_all()


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(_test_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        from flask_migrate import upgrade

        from community.extensions import db

        _drop_everything(db)
        upgrade()
    return app


def _drop_everything(db):
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty every table after a test that touched the app; reset the clock and rate limits."""
    yield
    clock.freeze(None)
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from community.extensions import db, limiter

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()


@pytest.fixture
def db(app):
    from community.extensions import db as _db

    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def pg_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL test: set TEST_DATABASE_URL to run it")


# -- factories: fixtures that return callables -------------------------------------------------

@pytest.fixture
def create_community(db):
    from community.accounts import operations as ops

    counter = iter(range(1, 10_000))

    def _create(name=None, timezone="Asia/Shanghai", **kwargs):
        community = ops.create_community(name=name or f"Community {next(counter)}", timezone=timezone, **kwargs)
        db.session.commit()
        return community

    return _create


@pytest.fixture
def community(create_community):
    return create_community("Test Community")


@pytest.fixture
def create_user(db, community):
    """create_user(email=..., roles=("resident",), community=..., tier=None) -> User (committed)."""
    from community.accounts import operations as ops

    counter = iter(range(1, 10_000))

    def _create(email=None, *, password=DEFAULT_PASSWORD, roles=("resident",), community_=None,
                display_name=None, tier=None, talent_type="production"):
        home = community_ or community
        email = email or f"user{next(counter)}@example.test"
        user = ops.register_user(login=email, password=password, display_name=display_name or email.split("@")[0])
        for role in roles:
            ops.grant_role(user, role, None if role in ("platform_admin", "talent_reviewer") else home)
        if tier:
            ops.set_talent(user, talent_type=talent_type, tier=tier, valid_until=date(2099, 1, 1))
        db.session.commit()
        return user

    return _create


@pytest.fixture
def resident(create_user):
    return create_user("resident@example.test")


@pytest.fixture
def community_admin(create_user):
    return create_user("admin@example.test", roles=("community_admin",))


@pytest.fixture
def platform_admin(create_user):
    return create_user("platform@example.test", roles=("platform_admin",))


@pytest.fixture
def login(client):
    """login(user) logs the test client in through the real login form."""

    def _login(user, password=DEFAULT_PASSWORD):
        response = client.post("/login", data={"login": user.email or user.mobile, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture
def api_token(client):
    """api_token(user) -> headers with a bearer token from the real token endpoint."""

    def _token(user, password=DEFAULT_PASSWORD):
        response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return _token


@pytest.fixture
def make_app(database_url):
    """make_app(base=None, **settings) -> a second app on the test database (already migrated),
    for tests that register their own routes or need other settings than the session app.

    Flask-Limiter binds one app at a time, so its state is put back for the session app after."""
    from community.extensions import db, limiter

    made = []
    limiter_state = dict(limiter.__dict__)

    def _make(base=None, **settings):
        config = type("ExtraConfig", (base or _test_config(database_url),), settings)
        new_app = create_app(config)
        new_app.test_client_class = IsolatedClient
        made.append(new_app)
        return new_app

    yield _make
    for made_app in made:
        with made_app.app_context():
            db.session.remove()
            db.engine.dispose()
    limiter.__dict__.clear()
    limiter.__dict__.update(limiter_state)


@pytest.fixture
def csrf_on(app, monkeypatch):
    """Switch CSRF protection back on, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def outbox(db):
    """outbox() -> the queued e-mails, oldest first, as committed by the requests so far."""
    from community.notifications.models import OutboxEmail

    def _outbox(kind=None):
        db.session.expire_all()
        stmt = sa.select(OutboxEmail).order_by(OutboxEmail.id)
        if kind:
            stmt = stmt.where(OutboxEmail.kind == kind)
        return db.session.scalars(stmt).all()

    return _outbox


@pytest.fixture
def audit_actions(db):
    """audit_actions(**filters) -> the actions written to the audit log so far, oldest first."""
    from community.core.audit import AuditEntry

    def _actions(**filters):
        db.session.expire_all()
        stmt = sa.select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)
        return [entry.action for entry in db.session.scalars(stmt)]

    return _actions


@pytest.fixture
def assert_problem():
    """assert_problem(response, status, code=None) checks the problem+json shape and returns the body."""
    return helpers.assert_problem


@pytest.fixture
def english(client):
    """The client reads English (the language switch); tests that check texts word for word."""
    client.get("/lang/en")


@pytest.fixture
def elsewhere(create_community):
    """A second community, for the wrong-community cases."""
    return create_community("Elsewhere")
