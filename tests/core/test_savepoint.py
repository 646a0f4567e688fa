"""core.db.savepoint: a SAVEPOINT that rolls back one flush and nothing else, on SQLite too."""
import pytest
import sqlalchemy as sa

from community.accounts.models import Community
from community.core.db import is_unique_violation, savepoint


def _names(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(Community.name).order_by(Community.name)).all()


def test_releasing_the_savepoint_does_not_commit_the_unit_of_work(db):
    """pysqlite would treat a SAVEPOINT outside a transaction as the transaction, and its RELEASE
    as COMMIT; a rollback afterwards must still undo everything."""
    with savepoint(db.session):
        db.session.add(Community(name="A"))
    db.session.rollback()
    assert _names(db) == []


def test_a_unique_violation_undoes_only_the_savepoint(db):
    db.session.add(Community(name="Before"))
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError) as caught:
        with savepoint(db.session):
            db.session.add(Community(name="Before"))
    assert is_unique_violation(caught.value)
    db.session.add(Community(name="After"))
    db.session.commit()
    assert _names(db) == ["After", "Before"]


def test_a_check_constraint_is_not_a_unique_violation(db, community):
    from community.accounts.models import Building

    with pytest.raises(sa.exc.IntegrityError) as caught:
        with savepoint(db.session):
            db.session.add(Building(community_id=community.id, name="B", floors=0))
    assert not is_unique_violation(caught.value)
