"""Talent's "never twice" rules under concurrency, proven on PostgreSQL: one open application a
person (partial unique index), one decision a stage (row lock), one registry entry an
application (conditional UPDATE + unique application_id), even with every request at once."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.accounts.models import User
from community.core import clock
from community.core.errors import DomainError
from community.talent import operations as ops
from community.talent.models import RegistryEntry, TalentApplication
from tests.factories.talent import WEDNESDAY
from tests.helpers import run_together as release_together

THREADS = 12


def run_together(work, count=THREADS):
    return release_together(work, count)


def _in_context(app, body):
    from community.extensions import db

    def work(index):
        with app.app_context():
            try:
                outcome = body(index)
                db.session.commit()
                return outcome
            except DomainError as error:
                db.session.rollback()
                return error.code
            finally:
                db.session.remove()

    return work


def test_one_open_application_under_concurrent_submits(pg_only, app, db, resident, talent_types):
    user_id = resident.id

    def body(index):
        from community.extensions import db as _db

        user = _db.session.get(User, user_id)
        ops.create_application(user, talent_type="production", claimed_tier="senior", employer="x", statement="y")
        return "created"

    results = run_together(_in_context(app, body))
    assert results.count("created") == 1, results
    assert set(results) == {"created", "application_open"}, results
    assert db.session.scalar(sa.select(sa.func.count(TalentApplication.id))) == 1


def test_one_decision_a_stage_under_concurrent_deciders(pg_only, app, db, resident, create_user, make_application):
    admins = [create_user(f"admin{i}@example.test", roles=("community_admin",)).id for i in range(THREADS)]
    application_id = make_application(resident).id

    def body(index):
        from community.extensions import db as _db

        ops.decide(_db.session.get(TalentApplication, application_id), actor=_db.session.get(User, admins[index]),
                   decision="approve", expected_stage=0)
        return "decided"

    results = run_together(_in_context(app, body))
    assert results.count("decided") == 1, results
    assert set(results) == {"decided", "stage_already_decided"}, results
    db.session.expire_all()
    application = db.session.get(TalentApplication, application_id)
    assert application.stage == 1
    assert [e.action for e in application.events].count("approved") == 1


def test_notice_end_job_on_many_nodes_enters_once(pg_only, app, db, resident, make_application, to_notice):
    clock.freeze(WEDNESDAY)
    to_notice(make_application(resident))
    clock.freeze(WEDNESDAY + timedelta(days=8))

    results = run_together(_in_context(app, lambda index: ops.enter_after_notice()), count=6)
    assert sorted(results) == [0, 0, 0, 0, 0, 1], results
    assert db.session.scalar(sa.select(sa.func.count(RegistryEntry.id))) == 1
