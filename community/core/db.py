"""Declarative base with a constraint naming convention and UTC-aware timestamps.

Named constraints let Alembic drop and alter them on SQLite (batch mode) and PostgreSQL alike.
"""
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """Stores instants in UTC and always hands back timezone-aware UTC datetimes.

    SQLite has no time zone type, so without this a value would come back naive there and aware on
    PostgreSQL; comparing the two raises. Naive input is refused instead of guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store instants as aware UTC")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    from community.core.clock import now

    return now()


class Model(DeclarativeBase):
    # Every ``Mapped[datetime]`` column is a UTCDateTime unless a model says otherwise.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@contextmanager
def savepoint(session):
    """``session.begin_nested()`` that keeps the unit of work whole on SQLite too.

    Use it around a flush that may break a unique constraint because another request inserted the
    same key after our check: the SAVEPOINT rolls back only that flush, so the operation can raise
    a Conflict and the session stays usable.

    pysqlite opens a transaction only before INSERT/UPDATE/DELETE, not before SAVEPOINT, and SQLite
    treats a SAVEPOINT outside a transaction as the transaction itself: releasing it would COMMIT
    everything so far, halfway through the request. So on SQLite we open the transaction first;
    IMMEDIATE takes the write lock now, as the first write would have (see core/sqlite.py)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    with session.begin_nested():
        yield


def is_unique_violation(error: sa.exc.IntegrityError) -> bool:
    """True when the database refused a row because a unique constraint already holds its key."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return True
    return getattr(orig, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


# -- writing a row the unit of work would only insert -------------------------------------------

def insert_now(session, obj) -> None:
    """INSERT ``obj`` (a new, transient model instance) at once through one Core statement and
    attach it to ``session`` as persistent, as if a flush had written it.

    For hot paths that write a row they never change again in the request (a booking, its audit
    entry, a notice): the unit of work's flush (dependency sort, history, post-fetch) cost more CPU
    than the INSERT itself. Python-side column defaults are applied as the flush would; columns the
    database fills (the id, server defaults) come back with RETURNING, so no attribute is left to
    load later. Relationships already set on ``obj`` stay set. The caller must know that every row
    ``obj`` refers to is already in the database (flushed): nothing is reordered for it."""
    from sqlalchemy.orm import make_transient_to_detached

    mapper = sa.inspect(obj).mapper
    values, state = {}, obj.__dict__
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.table is not mapper.local_table:
            continue
        if prop.key in state:
            values[column.key] = state[prop.key]
        elif column.default is not None and column.default.is_scalar:
            values[column.key] = column.default.arg
        elif column.default is not None and column.default.is_callable:
            values[column.key] = column.default.arg(None)
    for key in values:  # what the defaults gave, on the object too
        prop = mapper.get_property_by_column(mapper.local_table.c[key])
        if prop.key not in state:
            setattr(obj, prop.key, values[key])
    stmt, returned = _insert_stmt(mapper.local_table, tuple(sorted(values)))
    row = session.connection().execute(stmt, values).one()
    for column, value in zip(returned, row):
        setattr(obj, mapper.get_property_by_column(column).key, value)
    make_transient_to_detached(obj)
    session.add(obj)


_INSERTS: dict = {}


def _insert_stmt(table, keys: tuple):
    """The INSERT of ``keys`` into ``table`` RETURNING every other column, built once a shape."""
    found = _INSERTS.get((table, keys))
    if found is None:
        returned = [column for column in table.c if column.key not in keys]
        stmt = sa.insert(table).returning(*returned) if returned else sa.insert(table).returning(table.c[keys[0]])
        found = _INSERTS[(table, keys)] = (stmt, returned if returned else [table.c[keys[0]]])
    return found


def nothing_pending(session) -> bool:
    """True when the session holds no object still to be inserted or deleted: a row written now
    through insert_now then refers only to rows already in the database."""
    return not session.new and not session.deleted
