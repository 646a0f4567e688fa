"""Revision f9892d5cdd84 renames the object types of the audit rows written before object types
carried their domain, and its downgrade puts the old names back; other values are left alone."""
import os
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from community.core.audit import AuditEntry
from community.extensions import db as _db
from community.extensions import migrate

REVISION = "f9892d5cdd84"

# (action, object_type as the old code wrote it, as it reads after the upgrade, after the downgrade)
ROWS = [
    ("user.registered", "User", "accounts.User", "User"),
    ("user.profile_updated", "LocalProxy", "accounts.User", "User"),  # current_user, seen through its proxy
    ("community.created", "Community", "accounts.Community", "Community"),
    ("api_token.issued", "ApiToken", "accounts.ApiToken", "ApiToken"),
    ("building.created", "Building", "accounts.Building", "Building"),
    ("amenity.resource_created", "Resource", "amenities.Resource", "Resource"),
    ("amenity.booked", "Booking", "amenities.Booking", "Booking"),
    ("amenity.booked_series", "BookingSeries", "amenities.BookingSeries", "BookingSeries"),
    ("amenity.closure_added", "Closure", "amenities.Closure", "Closure"),
    ("amenity.suspended", "Suspension", "amenities.Suspension", "Suspension"),
    ("amenity.feed_issued", "CalendarFeed", "amenities.CalendarFeed", "CalendarFeed"),
    ("amenity.no_show", "", "", ""),  # no object
    ("gadget.polished", "Gadget", "Gadget", "Gadget"),  # nobody's model: left as it was
]


def _previous_revision():
    return ScriptDirectory.from_config(migrate.get_config()).get_revision(REVISION).down_revision


def _object_types():
    with _db.engine.connect() as connection:
        rows = connection.execute(sa.select(AuditEntry.action, AuditEntry.object_type).order_by(AuditEntry.id))
        return [tuple(row) for row in rows]


def _check_the_rows_are_mapped_both_ways(reach_previous_revision):
    reach_previous_revision(revision=_previous_revision())
    at = datetime(2026, 11, 30, tzinfo=timezone.utc)
    with _db.engine.begin() as connection:
        connection.execute(AuditEntry.__table__.insert(), [
            {"created_at": at, "action": action, "object_type": old, "object_id": n, "details": {}}
            for n, (action, old, _, _) in enumerate(ROWS)])
    upgrade(revision=REVISION)
    assert _object_types() == [(action, new) for action, _, new, _ in ROWS]
    downgrade(revision=_previous_revision())
    assert _object_types() == [(action, back) for action, _, _, back in ROWS]
    upgrade()


@pytest.fixture
def empty_sqlite_app(make_app, tmp_path):
    return make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(tmp_path, "empty.sqlite3"))


def test_old_rows_are_renamed_on_sqlite(empty_sqlite_app):
    with empty_sqlite_app.app_context():
        _check_the_rows_are_mapped_both_ways(upgrade)  # from nothing, up to the revision before
        _db.session.remove()


def test_old_rows_are_renamed_on_the_test_database(app, db, pg_only):
    """On PostgreSQL: the session's database goes down to the previous revision and back up."""
    db.session.remove()
    try:
        _check_the_rows_are_mapped_both_ways(downgrade)  # from head, down to the revision before
    finally:
        upgrade()  # leave the session's database at head whatever happened
