"""SQLite settings that make the embedded database behave: foreign keys on, WAL so readers do
not wait for writers, and a busy timeout so concurrent writers queue instead of failing.

We keep the driver's default transaction handling: it opens a transaction at the first write, so
a write transaction always starts with a write and takes SQLite's single write lock at once; that
lock is what serialises capacity checks on SQLite."""
from sqlalchemy import event


def configure(engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
