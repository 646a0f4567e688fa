"""Connection pool liveness: ping a pooled connection only when it has sat idle.

SQLAlchemy's ``pool_pre_ping`` sends a ``SELECT 1`` on every checkout, so every request paid one
more round trip to PostgreSQL before its first real statement (bench/README.md, "The pool ping"). A
connection that was checked in a moment ago is as alive as a connection can be known to be without
using it; the ones that die are those left idle (a PostgreSQL restart, a proxy's or firewall's idle
timeout). So a connection is pinged at checkout only when it has been idle in the pool for
``DB_PING_IDLE_SECONDS`` or more (default 10; 0 pings every checkout, like pool_pre_ping); a
connection just opened is not pinged (pool_pre_ping skips those too). A ping that fails raises
InvalidatePoolError, as pool_pre_ping does: the pool drops that connection and every other one
pooled before it, and connects afresh, so a request after a restart gets a live connection instead
of an error. A connection that dies while busy is caught as before: the statement fails, SQLAlchemy
invalidates the pool, and the next checkout connects afresh.
"""
import time

from sqlalchemy import event, exc

CHECKED_IN_AT = "checked_in_at"
JUST_CONNECTED = "just_connected"
DEFAULT_PING_IDLE_SECONDS = 10


def configure(engine, idle_seconds=DEFAULT_PING_IDLE_SECONDS):
    if engine.dialect.name == "sqlite":
        return  # a file, not a server: nothing to lose the connection to

    @event.listens_for(engine, "connect")
    def remember_connect(_dbapi_connection, record):
        record.info[JUST_CONNECTED] = True

    @event.listens_for(engine, "checkin")
    def remember_checkin(_dbapi_connection, record):
        if record is not None:
            record.info[CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy):
        if record.info.pop(JUST_CONNECTED, False):
            return  # opened for this checkout
        checked_in_at = record.info.get(CHECKED_IN_AT)
        if checked_in_at is not None and time.monotonic() - checked_in_at < idle_seconds:
            return  # in use a moment ago: alive
        ping(engine, dbapi_connection)


def ping(engine, dbapi_connection):
    """The dialect's own ping (what pool_pre_ping sends); InvalidatePoolError when it fails."""
    try:
        alive = engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as error:
        if engine.dialect.is_disconnect(error, dbapi_connection, None):
            raise exc.InvalidatePoolError(str(error)) from error
        raise
    if not alive:
        raise exc.InvalidatePoolError("ping failed")
