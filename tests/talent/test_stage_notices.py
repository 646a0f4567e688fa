"""Reviewers are told when an application reaches their stage; never the applicant, never another
community's admin; once per arrival."""
import sqlalchemy as sa

from community.notifications.models import Notice
from community.talent import operations as ops

WAITING = "talent.review_waiting"


def _waiting(db, user):
    return db.session.scalar(sa.select(sa.func.count(Notice.id)).where(Notice.user_id == user.id, Notice.kind == WAITING))


def test_each_stage_arrival_tells_its_holders_once(db, resident, community_admin, reviewer, create_user,
                                                    create_community, make_application):
    other_admin = create_user("other-admin@example.test", roles=("community_admin",),
                              community_=create_community("Elsewhere"))
    application = make_application(resident)
    assert (_waiting(db, community_admin), _waiting(db, reviewer), _waiting(db, other_admin)) == (1, 0, 0)
    ops.decide(application, actor=community_admin, decision="approve")
    assert (_waiting(db, community_admin), _waiting(db, reviewer)) == (1, 1)
    ops.decide(application, actor=reviewer, decision="return", message="请补充劳动合同")
    ops.submit_application(application, actor=resident)  # back at the reviewer's stage: a new arrival
    assert (_waiting(db, community_admin), _waiting(db, reviewer)) == (1, 2)
    ops.decide(application, actor=reviewer, decision="approve")  # to the public notice: nobody reviews it
    assert (_waiting(db, community_admin), _waiting(db, reviewer), _waiting(db, other_admin)) == (1, 2, 0)
    assert _waiting(db, resident) == 0
    assert db.session.scalar(sa.select(sa.func.count(Notice.id)).where(
        Notice.user_id == resident.id, Notice.kind == "talent.application_approved")) == 1


def test_a_draft_tells_nobody(db, resident, community_admin, make_application):
    make_application(resident, submit=False)
    assert _waiting(db, community_admin) == 0
