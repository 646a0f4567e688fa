"""The pool pings a connection only after it sat idle (community/core/pool.py), on a real
PostgreSQL: a connection back from a request a moment ago goes out without a round trip, and one
that died while idle (its backend terminated, as by a restart) is replaced without an error."""
import pytest
import sqlalchemy as sa

from community.core import pool


@pytest.fixture
def make_engine(pg_only, database_url):
    engines = []

    def make(idle_seconds):
        engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
        pool.configure(engine, idle_seconds)
        pings = []
        real_ping = engine.dialect.do_ping
        engine.dialect.do_ping = lambda connection: pings.append(1) or real_ping(connection)
        engines.append(engine)
        return engine, pings

    yield make
    for engine in engines:
        engine.dispose()


def backend_pid(engine):
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT pg_backend_pid()"))


def test_a_connection_used_a_moment_ago_is_not_pinged(make_engine):
    engine, pings = make_engine(idle_seconds=10)
    first = backend_pid(engine)  # a new connection: not pinged either
    assert backend_pid(engine) == first  # the same pooled connection, checked out again
    assert pings == []


def test_a_connection_idle_past_the_limit_is_pinged(make_engine):
    engine, pings = make_engine(idle_seconds=0)
    first = backend_pid(engine)
    assert backend_pid(engine) == first
    assert len(pings) == 1


def test_a_connection_that_died_while_idle_is_replaced_without_an_error(make_engine, database_url):
    engine, pings = make_engine(idle_seconds=0)
    dead = backend_pid(engine)
    admin = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    finally:
        admin.dispose()
    replacement = backend_pid(engine)  # would raise OperationalError without the ping
    assert replacement != dead
    assert len(pings) == 1


def test_without_the_ping_a_dead_connection_fails_its_statement(make_engine, database_url):
    """Why the ping is there at all: the same death within the idle limit is found only by the
    request's own statement (SQLAlchemy then drops the pool, and the next checkout connects)."""
    engine, pings = make_engine(idle_seconds=3600)
    dead = backend_pid(engine)
    admin = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    finally:
        admin.dispose()
    with pytest.raises(sa.exc.OperationalError):
        backend_pid(engine)
    assert backend_pid(engine) != dead
    assert pings == []
