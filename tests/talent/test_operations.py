"""The staged review, the notice, the registry and its jobs, through the operations."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from community.core import clock
from community.core.attachments import attachments_of, may_view
from community.core.errors import NotFound, PermissionDenied
from community.notifications.models import Notice
from community.talent import operations as ops
from community.talent.errors import ApplicationOpen, NoticeClosed, StageAlreadyDecided, TierAboveClaim
from community.talent.models import ApplicationEvent, RegistryEntry, TalentApplication
from tests.factories.talent import WEDNESDAY, evidence_file, WEBP


def _kinds(db, user):
    return [n.kind for n in db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))]


def test_stages_run_in_order_each_held_by_its_role(db, resident, community_admin, reviewer, make_application):
    application = make_application(resident)
    assert (application.status, application.stage) == ("in_review", 0)
    # The department stage is not the community admin's, nor is the first stage the reviewer's.
    assert not ops.may_decide(reviewer, application)
    with pytest.raises(PermissionDenied):
        ops.decide(application, actor=reviewer, decision="approve")
    db.session.rollback()
    ops.decide(application, actor=community_admin, decision="approve")
    db.session.commit()
    assert application.stage == 1 and application.status == "in_review"
    assert not ops.may_decide(community_admin, application)
    with pytest.raises(PermissionDenied):
        ops.decide(application, actor=community_admin, decision="approve")
    db.session.rollback()
    clock.freeze(WEDNESDAY)
    ops.decide(application, actor=reviewer, decision="approve")
    assert application.status == "notice"
    assert (application.notice_from, application.notice_until) == (date(2026, 6, 3), date(2026, 6, 10))
    assert [e.action for e in application.events] == ["created", "submitted", "approved", "approved", "published"]
    assert [e.actor_id for e in application.events if e.action == "approved"] == [community_admin.id, reviewer.id]


def test_the_applicant_never_decides_their_own(db, create_user, make_application):
    admin_and_resident = create_user("both@example.test", roles=("resident", "community_admin"))
    application = make_application(admin_and_resident)
    assert not ops.may_decide(admin_and_resident, application)
    with pytest.raises(PermissionDenied):
        ops.decide(application, actor=admin_and_resident, decision="approve")


def test_another_communitys_admin_never_decides(db, resident, create_user, create_community, make_application):
    elsewhere = create_community("Elsewhere")
    other_admin = create_user("other-admin@example.test", roles=("community_admin",), community_=elsewhere)
    application = make_application(resident)
    with pytest.raises(NotFound):
        ops.decide(application, actor=other_admin, decision="approve")


def test_a_reviewer_may_lower_the_tier_but_never_raise_it(db, resident, community_admin, reviewer, make_application):
    application = make_application(resident, tier="intermediate")
    with pytest.raises(TierAboveClaim):
        ops.decide(application, actor=community_admin, decision="approve", tier="senior")
    db.session.rollback()
    ops.decide(application, actor=community_admin, decision="approve", tier="junior")
    assert application.tier == "junior"
    ops.decide(application, actor=reviewer, decision="approve", tier="intermediate")  # back up to the claim
    assert application.tier == "intermediate"


def test_return_for_evidence_round_trip(db, resident, community_admin, reviewer, make_application):
    application = make_application(resident)
    ops.decide(application, actor=community_admin, decision="approve")
    ops.decide(application, actor=reviewer, decision="return", message="请补充劳动合同")
    assert application.status == "returned" and application.stage == 1
    assert "talent.application_returned" in _kinds(db, resident)
    ops.update_application(application, actor=resident, files=[evidence_file("contract.pdf")], submit=True,
                           talent_type="production", claimed_tier="senior", employer="张江实验室", statement="补充了合同")
    assert application.status == "in_review" and application.stage == 1  # back at the stage that returned it
    assert [a.original_name for a in attachments_of(application)] == ["contract.pdf"]
    ops.decide(application, actor=reviewer, decision="approve")
    assert application.status == "notice"


def test_return_and_reject_need_a_message(db, resident, community_admin, make_application):
    application = make_application(resident)
    for decision in ("return", "reject"):
        with pytest.raises(Exception) as caught:
            ops.decide(application, actor=community_admin, decision=decision, message="  ")
        assert caught.value.code == "message_required"
        db.session.rollback()


def test_a_stale_decision_is_refused(db, resident, community_admin, make_application):
    application = make_application(resident)
    ops.decide(application, actor=community_admin, decision="approve", expected_stage=0)
    with pytest.raises(StageAlreadyDecided):
        ops.decide(application, actor=community_admin, decision="approve", expected_stage=0)


def test_one_open_application_a_resident(db, resident, make_application):
    make_application(resident, submit=False)
    with pytest.raises(ApplicationOpen):
        make_application(resident)


def test_withdraw_then_apply_again(db, resident, make_application):
    first = make_application(resident)
    ops.withdraw_application(first, actor=resident)
    db.session.commit()
    assert make_application(resident).status == "in_review"


def test_objection_holds_the_application_until_resolved(db, resident, create_user, reviewer, make_application,
                                                         to_notice):
    neighbour = create_user("neighbour@example.test")
    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(resident))
    objection = ops.lodge_objection(application, actor=neighbour, reason="他没有在这里工作")
    db.session.commit()
    clock.freeze(WEDNESDAY + timedelta(days=8))
    assert ops.enter_after_notice() == 0  # held
    ops.resolve_objection(objection, actor=reviewer, upheld=False, note="查无实据")
    assert ops.enter_after_notice() == 1  # released
    assert resident.talent.tier == "senior"
    assert "talent.objection" in _kinds(db, resident)


def test_an_upheld_objection_rejects(db, resident, create_user, reviewer, make_application, to_notice):
    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(resident))
    objection = ops.lodge_objection(application, actor=create_user("n@example.test"), reason="证书是假的")
    ops.resolve_objection(objection, actor=reviewer, upheld=True, note="核实证书无效")
    assert application.status == "rejected"
    assert "talent.application_rejected" in _kinds(db, resident)


def test_no_objection_after_the_notice_or_to_ones_own(db, resident, create_user, make_application, to_notice):
    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(resident))
    with pytest.raises(PermissionDenied):
        ops.lodge_objection(application, actor=resident, reason="x")
    db.session.rollback()
    clock.freeze(WEDNESDAY + timedelta(days=8))
    with pytest.raises(NoticeClosed):
        ops.lodge_objection(application, actor=create_user("late@example.test"), reason="too late")


def test_notice_end_job_enters_once(db, resident, make_application, to_notice):
    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(resident, tier="intermediate"))
    clock.freeze(datetime(2026, 6, 10, 15, 59, tzinfo=timezone.utc))  # 23:59 Wed in Shanghai: last day
    assert ops.enter_after_notice() == 0
    clock.freeze(datetime(2026, 6, 10, 16, 0, tzinfo=timezone.utc))   # 00:00 Thu in Shanghai
    assert ops.enter_after_notice() == 1
    db.session.commit()
    assert ops.enter_after_notice() == 0
    entries = db.session.scalars(sa.select(RegistryEntry)).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.certificate_no == f"RC2026{entry.id:06d}"
    assert (entry.valid_from, entry.valid_until) == (date(2026, 6, 11), date(2027, 6, 10))
    profile = resident.talent
    assert (profile.talent_type, profile.tier, profile.valid_until) == ("production", "intermediate", date(2027, 6, 10))
    assert profile.is_current(date(2026, 6, 11))
    assert _kinds(db, resident).count("talent.entered") == 1


def test_rereview_opens_30_days_before_once(db, entered):
    resident, entry = entered
    clock.freeze(datetime(2027, 5, 10, 4, tzinfo=timezone.utc))
    assert ops.open_rereviews() == 0
    clock.freeze(datetime(2027, 5, 11, 4, tzinfo=timezone.utc))
    assert ops.open_rereviews() == 1
    db.session.commit()
    assert ops.open_rereviews() == 0
    renewals = db.session.scalars(sa.select(TalentApplication).where(TalentApplication.kind == "renewal")).all()
    assert len(renewals) == 1 and renewals[0].status == "draft" and renewals[0].entry_id == entry.id
    assert _kinds(db, resident).count("talent.rereview_due") == 1


def test_renewal_confirmed_then_lowered_by_the_office(db, entered, community_admin, reviewer):
    resident, entry = entered
    clock.freeze(datetime(2027, 5, 20, 4, tzinfo=timezone.utc))
    ops.open_rereviews()
    renewal = db.session.scalar(sa.select(TalentApplication).where(TalentApplication.kind == "renewal"))
    ops.submit_application(renewal, actor=resident)
    assert not ops.may_decide(reviewer, renewal)  # the office of the community renews
    ops.decide(renewal, actor=community_admin, decision="approve", tier="intermediate")
    assert (entry.tier, entry.valid_until, entry.status) == ("intermediate", date(2028, 6, 10), "active")
    assert (resident.talent.tier, resident.talent.valid_until) == ("intermediate", date(2028, 6, 10))


def test_lapse_on_the_day_after_valid_until_in_the_communitys_zone(db, entered):
    resident, entry = entered
    clock.freeze(datetime(2027, 6, 10, 15, 59, tzinfo=timezone.utc))  # 23:59 on valid-until, Shanghai
    assert ops.lapse_expired() == 0
    assert resident.talent.is_current(clock.local_today("Asia/Shanghai"))
    clock.freeze(datetime(2027, 6, 10, 16, 0, tzinfo=timezone.utc))   # the next day there (08:00 UTC-less)
    assert not resident.talent.is_current(clock.local_today("Asia/Shanghai"))
    assert ops.lapse_expired() == 1
    db.session.commit()
    assert ops.lapse_expired() == 0
    assert entry.status == "expired"
    assert _kinds(db, resident).count("talent.lapsed") == 1


def test_revocation_takes_effect_at_once_everywhere(db, entered, community_admin):
    from community.amenities.rules import tier_allows

    resident, entry = entered

    class Restricted:
        visible_tiers = ["senior"]

    today = clock.local_today("Asia/Shanghai")
    assert tier_allows(Restricted, resident.talent, today, is_admin=False)
    ops.revoke_entry(entry, actor=community_admin, reason="dishonest")
    db.session.commit()
    assert entry.status == "revoked" and resident.talent.tier is None
    assert not tier_allows(Restricted, resident.talent, today, is_admin=False)
    assert "talent.revoked" in _kinds(db, resident)
    from community.core.audit import AuditEntry
    assert db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "talent_registry.revoked")) \
        ["reason"] == "dishonest"


def test_revocation_reason_from_the_list_and_other_needs_words(db, entered, community_admin):
    _resident, entry = entered
    with pytest.raises(Exception) as caught:
        ops.revoke_entry(entry, actor=community_admin, reason="bored")
    assert caught.value.code == "unknown_reason"
    with pytest.raises(Exception) as caught:
        ops.revoke_entry(entry, actor=community_admin, reason="other")
    assert caught.value.code == "note_required"


def test_another_community_cannot_revoke(db, entered, create_user, create_community):
    _resident, entry = entered
    other_admin = create_user("oa@example.test", roles=("community_admin",), community_=create_community("B"))
    with pytest.raises(NotFound):
        ops.revoke_entry(entry, actor=other_admin, reason="dishonest")


def test_evidence_is_seen_by_owner_and_reviewers_only(db, resident, community_admin, reviewer, create_user,
                                                      create_community, make_application):
    application = make_application(resident, files=[evidence_file()])
    [attachment] = attachments_of(application)
    neighbour = create_user("neighbour@example.test")
    other_admin = create_user("oa@example.test", roles=("community_admin",), community_=create_community("B"))
    merchant = create_user("m@example.test", roles=("merchant_staff",))
    assert may_view(resident, attachment) and may_view(community_admin, attachment) and may_view(reviewer, attachment)
    assert not any(may_view(u, attachment) for u in (neighbour, other_admin, merchant))


def test_evidence_is_pdf_jpeg_or_png(db, resident, make_application):
    with pytest.raises(Exception) as caught:
        make_application(resident, files=[evidence_file("photo.png", WEBP, "image/png")])
    assert caught.value.code == "attachment_refused"


def test_office_correction_goes_through_the_registry(db, resident, community_admin, talent_types):
    entry = ops.correct(resident, actor=community_admin, talent_type="business", tier="junior",
                        valid_until=date(2030, 1, 31), note="人工核定")
    assert entry.certificate_no and resident.talent.tier == "junior"
    ops.correct(resident, actor=community_admin, talent_type="business", tier="senior", valid_until=date(2030, 1, 31))
    assert entry.tier == "senior" and resident.talent.tier == "senior"
    ops.correct(resident, actor=community_admin, talent_type=None, tier=None, valid_until=None)
    assert entry.status == "revoked" and resident.talent.tier is None


def test_timeline_records_who_when_why(db, resident, community_admin, make_application):
    application = make_application(resident)
    ops.decide(application, actor=community_admin, decision="reject", message="不符合条件")
    event = db.session.scalar(sa.select(ApplicationEvent).where(ApplicationEvent.action == "rejected"))
    assert (event.actor_id, event.stage_name, event.message) == (community_admin.id, "社区推荐", "不符合条件")
    assert event.at is not None
