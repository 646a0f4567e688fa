"""The merchant-scope migration (cdba7ac956b9) keeps the grants that exist, on the test database
itself (SQLite or PostgreSQL): down one revision, write rows as the old schema allowed, up again."""
from contextlib import contextmanager

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from community.accounts.models import User
from community.core import permissions as perms
from tests.factories.perks import merchants_numbered

numbered_merchants = merchants_numbered(7)

BEFORE = "aed8b99fdc22"
REVISION = "cdba7ac956b9"


@contextmanager
def old_schema(db):
    """The schema one revision back inside the block; back at head afterwards, whatever happens.
    The models know only the new schema: make rows with them before, or with SQL inside."""
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        yield
    finally:
        db.session.remove()
        upgrade()


def _grants(db):
    with db.engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT id, user_id, role, community_id FROM role_grants ORDER BY id")).all()


def _insert_grant(connection, user_id, role, community_id):
    connection.execute(sa.text(
        "INSERT INTO role_grants (user_id, role, community_id, granted_at) VALUES (:u, :r, :c, :t)"),
        {"u": user_id, "r": role, "c": community_id, "t": "2026-11-01 08:00:00+00:00"})


def test_upgrade_keeps_merchant_staff_granted_in_a_community(db, create_user, community):
    community_id = community.id
    staff_id = create_user("old-staff@example.test", roles=("resident",)).id
    admin_id = create_user("old-admin@example.test", roles=()).id
    with old_schema(db):
        with db.engine.begin() as connection:
            _insert_grant(connection, staff_id, "merchant_staff", community_id)
            _insert_grant(connection, admin_id, "platform_admin", None)
            _insert_grant(connection, admin_id, "platform_admin", None)  # the old UNIQUE let NULLs repeat
        before = _grants(db)
        upgrade(revision=REVISION)
        after = _grants(db)

    first_platform_grant = next(g for g in before if g.role == "platform_admin")
    assert after == [g for g in before if g.role != "platform_admin" or g.id == first_platform_grant.id]
    assert len(after) == 3
    staff = db.session.get(User, staff_id)
    assert [(g.role, g.community_id, g.merchant_id) for g in staff.role_grants] == [
        ("resident", community_id, None), ("merchant_staff", community_id, None)]
    assert perms.has_role(staff, perms.MERCHANT_STAFF, community_id)
    assert perms.merchant_ids_with_role(staff, perms.MERCHANT_STAFF) == set()


def test_downgrade_drops_only_merchant_scoped_grants(db, create_user, community):
    from community.accounts import operations as ops

    community_id = community.id
    staff = create_user("staff@example.test", roles=("resident", "merchant_staff"))
    ops.grant_role(staff, "merchant_staff", merchant_id=7)
    db.session.commit()
    staff_id = staff.id
    with old_schema(db):
        assert [(g.role, g.community_id) for g in _grants(db)] == [
            ("resident", community_id), ("merchant_staff", community_id)]
    assert [(g.role, g.community_id) for g in db.session.get(User, staff_id).role_grants] == [
        ("resident", community_id), ("merchant_staff", community_id)]
