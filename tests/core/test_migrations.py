"""The schema is made by the migrations only: upgrading an empty database gives exactly the models,
and downgrading to base and upgrading again works, on SQLite and on PostgreSQL."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from community.extensions import db as _db


def _drift(metadata=None):
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata if metadata is not None else _db.metadata)


def _tables():
    return set(sa.inspect(_db.engine).get_table_names()) - {"alembic_version"}


def _round_trip():
    assert _drift() == []
    assert _tables() == set(_db.metadata.tables)
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _drift() == []


@pytest.fixture
def empty_sqlite_app(make_app, tmp_path):
    return make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(tmp_path, "empty.sqlite3"))


def test_upgrade_on_an_empty_sqlite_file_matches_the_models(empty_sqlite_app):
    with empty_sqlite_app.app_context():
        assert _tables() == set()
        upgrade()
        _round_trip()
        _db.session.remove()


def test_the_drift_check_can_see_drift(empty_sqlite_app):
    """A control: a model the migrations do not know about is reported."""
    with empty_sqlite_app.app_context():
        upgrade()
        extra = sa.MetaData()
        for table in _db.metadata.tables.values():
            table.to_metadata(extra)
        sa.Table("not_migrated", extra, sa.Column("id", sa.Integer, primary_key=True))
        assert [d[0] for d in _drift(extra)] == ["add_table"]


def test_migrations_on_the_test_database(app, db, pg_only):
    """On PostgreSQL the session's database was built by upgrade(); check it, go down and up."""
    _round_trip()


def test_session_database_was_built_by_migrations(app, db):
    with db.engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert version
    assert _drift() == []
