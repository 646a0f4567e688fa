"""Perks operations: claiming, redemption at the counter, undo, approvals, invitations."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts import operations as account_ops
from community.core import clock
from community.core.audit import AuditEntry
from community.core.clock import now
from community.core.errors import DomainError, NotFound, PermissionDenied
from community.notifications.models import Notice, OutboxEmail
from community.perks import codes
from community.perks import operations as ops
from community.perks.errors import AlreadyRedeemed, LimitReached, NotEligible, SoldOut, UnknownCode, VoucherRefused
from community.perks.models import Campaign, ClaimCount, Voucher


@pytest.fixture
def cafe(make_merchant):
    return make_merchant(name="Café")


@pytest.fixture
def barista(cafe, staff_of):
    return staff_of(cafe, "barista@example.test")


def refused(error_type, func, *args, code=None, **kwargs):
    with pytest.raises(error_type) as caught:
        func(*args, **kwargs)
    if code:
        assert caught.value.code == code
    return caught.value


# -- claiming -----------------------------------------------------------------------------------

def test_claim_gives_a_voucher_with_a_well_formed_code(db, cafe, make_campaign, resident):
    campaign = make_campaign(cafe, total=2)
    voucher = ops.claim(resident, campaign)
    db.session.commit()
    assert codes.is_well_formed(voucher.code)
    assert voucher.status == "active" and voucher.merchant_id == cafe.id
    assert db.session.get(Campaign, campaign.id).claimed == 1
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_id == voucher.id, AuditEntry.object_type == "perks.Voucher")) == \
        "perks.voucher_claimed"


def test_total_is_never_exceeded(db, cafe, make_campaign, create_user):
    campaign = make_campaign(cafe, total=2)
    for i in range(2):
        ops.claim(create_user(f"r{i}@example.test"), campaign)
        db.session.commit()
    late = create_user("late@example.test")
    db.session.refresh(campaign)
    refused(SoldOut, ops.claim, late, campaign, code="sold_out")
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).claimed == 2


def test_stale_campaign_row_still_cannot_oversell(db, cafe, make_campaign, create_user):
    """The Python read is only a shortcut: the conditional UPDATE says sold out itself."""
    campaign = make_campaign(cafe, total=1)
    first, second = create_user("a@example.test"), create_user("b@example.test")
    stale = db.session.get(Campaign, campaign.id)
    ops.claim(first, campaign)
    db.session.commit()
    # What a request that read the row before the claim committed holds in memory.
    set_committed_value(stale, "claimed", 0)
    refused(SoldOut, ops.claim, second, stale)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Voucher.id))) == 1


def test_per_resident_limit(db, cafe, make_campaign, resident):
    campaign = make_campaign(cafe, total=10, per_resident_limit=2)
    ops.claim(resident, campaign)
    ops.claim(resident, campaign)
    db.session.commit()
    refused(LimitReached, ops.claim, resident, campaign, code="limit_reached")
    db.session.rollback()
    assert db.session.get(ClaimCount, (campaign.id, resident.id)).claimed == 2


def test_tier_eligibility(db, cafe, make_campaign, create_user):
    campaign = make_campaign(cafe, eligible_tiers=["senior"])
    senior = create_user("senior@example.test", tier="senior")
    junior = create_user("junior@example.test", tier="junior")
    untiered = create_user("none@example.test")
    assert ops.claim(senior, campaign).id
    refused(NotEligible, ops.claim, junior, campaign, code="not_eligible")
    refused(NotEligible, ops.claim, untiered, campaign, code="not_eligible")


def test_a_lapsed_tier_is_no_tier(db, cafe, make_campaign, create_user):
    campaign = make_campaign(cafe, eligible_tiers=["senior"])
    lapsed = create_user("lapsed@example.test")
    account_ops.set_talent(lapsed, talent_type="production", tier="senior", valid_until=date(2001, 1, 1))
    db.session.commit()
    refused(NotEligible, ops.claim, lapsed, campaign)


def test_community_eligibility(db, cafe, make_campaign, create_user, elsewhere):
    campaign = make_campaign(cafe, eligible_communities=[cafe.community_id])
    outsider = create_user("outsider@example.test", community_=elsewhere)
    refused(NotEligible, ops.claim, outsider, campaign)


def test_only_residents_claim(db, cafe, make_campaign, create_user):
    campaign = make_campaign(cafe)
    refused(NotEligible, ops.claim, create_user("nobody@example.test", roles=()), campaign, code="not_resident")


def test_paused_and_closed_windows_are_refused(db, cafe, make_campaign, resident):
    paused = make_campaign(cafe, status="paused")
    refused(DomainError, ops.claim, resident, paused, code="campaign_paused")
    later = make_campaign(cafe, claim_starts_at=now() + timedelta(days=1), claim_ends_at=now() + timedelta(days=2))
    refused(DomainError, ops.claim, resident, later, code="claim_not_started")
    clock.freeze(now() + timedelta(days=30))
    refused(DomainError, ops.claim, resident, later, code="claim_ended")


def test_unapproved_campaigns_and_suspended_merchants_are_not_found(db, cafe, make_campaign, make_merchant,
                                                                     resident):
    refused(NotFound, ops.claim, resident, make_campaign(cafe, status="pending"))
    shut = make_merchant(name="Shut")
    campaign = make_campaign(shut)
    shut.status = "suspended"
    db.session.commit()
    refused(NotFound, ops.claim, resident, campaign)


def test_validity_n_days_after_claim(db, cafe, make_campaign, resident):
    campaign = make_campaign(cafe, validity="days", valid_days=14, valid_from=None, valid_until=None)
    voucher = ops.claim(resident, campaign)
    today = clock.local_today("Asia/Shanghai")
    assert (voucher.valid_from, voucher.valid_until) == (today, today + timedelta(days=13))


# -- the counter --------------------------------------------------------------------------------

@pytest.fixture
def voucher(db, cafe, make_campaign, resident):
    campaign = make_campaign(cafe, title="Free coffee")
    claimed = ops.claim(resident, campaign)
    db.session.commit()
    return claimed


def test_staff_redeem_once_and_the_resident_is_told(db, voucher, barista, resident):
    ops.redeem(codes.display(voucher.code).lower(), actor=barista)
    db.session.commit()
    assert db.session.get(Voucher, voucher.id).status == "redeemed"
    assert db.session.scalar(sa.select(Notice.kind).where(Notice.user_id == resident.id)) == "perks.voucher_redeemed"
    error = refused(AlreadyRedeemed, ops.redeem, voucher.code, actor=barista, code="already_redeemed")
    assert "Café" in str(error.message) and error.extra["merchant"] == "Café" and error.extra["redeemed_at"]


def test_a_typo_is_caught_before_any_lookup(db, voucher, barista):
    typo = ("1" if voucher.code[3] != "1" else "2").join([voucher.code[:3], voucher.code[4:]])
    refused(UnknownCode, ops.redeem, typo, actor=barista, code="code_mistyped")
    body = codes.generate()
    refused(UnknownCode, ops.redeem, body, actor=barista, code="unknown_code")


def test_other_merchants_staff_and_non_staff_are_refused(db, voucher, make_merchant, staff_of, resident):
    other = staff_of(make_merchant(name="Gym"), "trainer@example.test")
    refused(PermissionDenied, ops.redeem, voucher.code, actor=other, code="other_merchant")
    refused(PermissionDenied, ops.redeem, voucher.code, actor=resident, code="not_staff")
    db.session.rollback()
    assert db.session.get(Voucher, voucher.id).status == "active"


def test_suspended_merchant_cannot_redeem(db, voucher, barista, cafe, create_user):
    admin = create_user("platform@example.test", roles=("platform_admin",))
    ops.decide_merchant(cafe, "suspend", actor=admin, reason="complaints")
    db.session.commit()
    refused(PermissionDenied, ops.redeem, voucher.code, actor=barista, code="merchant_suspended")


def test_expired_not_yet_valid_revoked_and_paused_are_refused(db, cafe, make_campaign, resident, barista,
                                                               create_user):
    admin = create_user("platform@example.test", roles=("platform_admin",))
    today = clock.local_today("Asia/Shanghai")
    future = ops.claim(resident, make_campaign(cafe, valid_from=today + timedelta(days=3),
                                               valid_until=today + timedelta(days=9)))
    revoked = ops.claim(resident, make_campaign(cafe))
    ops.revoke_voucher(revoked, actor=admin, reason="claimed by mistake")
    paused_campaign = make_campaign(cafe)
    paused = ops.claim(resident, paused_campaign)
    ops.decide_campaign(paused_campaign, "pause", actor=admin)
    old = ops.claim(resident, make_campaign(cafe, validity="days", valid_days=1, valid_from=None, valid_until=None))
    db.session.commit()
    refused(VoucherRefused, ops.redeem, future.code, actor=barista, code="not_yet_valid")
    refused(VoucherRefused, ops.redeem, revoked.code, actor=barista, code="revoked")
    refused(VoucherRefused, ops.redeem, paused.code, actor=barista, code="campaign_paused")
    clock.freeze(now() + timedelta(days=2))
    refused(VoucherRefused, ops.redeem, old.code, actor=barista, code="expired")


def test_undo_within_24_hours_with_a_reason(db, voucher, barista, cafe, create_user):
    admin = create_user("admin@example.test", roles=("community_admin",))
    ops.redeem(voucher.code, actor=barista)
    db.session.commit()
    refused(DomainError, ops.undo_redemption, voucher, actor=admin, reason=" ", code="reason_required")
    ops.undo_redemption(voucher, actor=admin, reason="pressed twice")
    db.session.commit()
    assert db.session.get(Voucher, voucher.id).status == "active"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "perks.redemption_undone"))
    assert entry.details["reason"] == "pressed twice"
    ops.redeem(voucher.code, actor=barista)
    db.session.commit()
    clock.freeze(now() + timedelta(hours=25))
    refused(DomainError, ops.undo_redemption, voucher, actor=admin, reason="late", code="undo_too_late")


def test_admin_of_another_community_cannot_undo(db, voucher, barista, create_user, elsewhere):
    stranger = create_user("far@example.test", roles=("community_admin",), community_=elsewhere)
    ops.redeem(voucher.code, actor=barista)
    db.session.commit()
    refused(NotFound, ops.undo_redemption, voucher, actor=stranger, reason="x")


# -- jobs ---------------------------------------------------------------------------------------

def test_expiry_and_reminder_jobs_are_idempotent(db, cafe, make_campaign, resident):
    today = clock.local_today("Asia/Shanghai")
    soon = ops.claim(resident, make_campaign(cafe, valid_from=today, valid_until=today + timedelta(days=2)))
    gone = ops.claim(resident, make_campaign(cafe, validity="days", valid_days=1, valid_from=None, valid_until=None))
    db.session.commit()
    assert ops.remind_expiring() == 1
    db.session.commit()
    assert ops.remind_expiring() == 0
    clock.freeze(now() + timedelta(days=1))
    assert ops.expire_vouchers() == 1
    db.session.commit()
    assert ops.expire_vouchers() == 0
    assert db.session.get(Voucher, gone.id).status == "expired"
    assert db.session.get(Voucher, soon.id).status == "active"


# -- merchants and staff ------------------------------------------------------------------------

def test_approval_workflow_makes_the_owner_staff(db, community, create_user):
    owner = create_user("owner@example.test", roles=())
    admin = create_user("admin@example.test", roles=("community_admin",))
    merchant = ops.apply_merchant(owner, community, name="Books", category="shopping", address="2 Road",
                                  contact_name="Wang", contact_phone="1", licence_number="L1")
    refused(DomainError, ops.decide_merchant, merchant, "reject", actor=admin, reason="", code="reason_required")
    ops.decide_merchant(merchant, "request_changes", actor=admin, reason="licence image unreadable")
    ops.update_application(merchant, actor=owner, name="Books", category="shopping", address="2 Road",
                           contact_name="Wang", contact_phone="1", licence_number="L1-new")
    assert merchant.status == "pending"
    ops.decide_merchant(merchant, "approve", actor=admin)
    db.session.commit()
    assert any(g.merchant_id == merchant.id for g in owner.role_grants)
    assert db.session.scalar(sa.select(sa.func.count(Notice.id)).where(Notice.user_id == owner.id)) == 2


def test_admin_of_another_community_cannot_decide(db, make_merchant, create_user, elsewhere):
    merchant = make_merchant(status="pending")
    stranger = create_user("far@example.test", roles=("community_admin",), community_=elsewhere)
    refused(NotFound, ops.decide_merchant, merchant, "approve", actor=stranger)


def _token_from_outbox(db):
    body = db.session.scalar(sa.select(OutboxEmail.body).order_by(OutboxEmail.id.desc()))
    return body.rsplit("/", 1)[1].strip()


def test_invitation_works_once(db, cafe, create_user):
    invitation = ops.invite_staff(cafe, "new@example.test", actor=cafe.owner)
    db.session.commit()
    token = _token_from_outbox(db)
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    newcomer = create_user("new@example.test", roles=())
    ops.accept_invitation(token, user=newcomer)
    db.session.commit()
    assert any(g.merchant_id == cafe.id for g in newcomer.role_grants)
    refused(DomainError, ops.accept_invitation, token, user=create_user("other@example.test", roles=()),
            code="invitation_used")


def test_invitation_expires(db, cafe, create_user):
    ops.invite_staff(cafe, "late@example.test", actor=cafe.owner)
    db.session.commit()
    token = _token_from_outbox(db)
    clock.freeze(now() + timedelta(days=4))
    refused(DomainError, ops.accept_invitation, token, user=create_user("late@example.test", roles=()),
            code="invitation_expired")


def test_only_the_owner_invites_and_removes(db, cafe, barista):
    refused(PermissionDenied, ops.invite_staff, cafe, "x@example.test", actor=barista, code="not_owner")
    grant = next(g for g in barista.role_grants if g.merchant_id == cafe.id)
    ops.remove_staff(cafe, grant, actor=cafe.owner)
    db.session.commit()
    db.session.refresh(barista)
    assert not any(g.merchant_id == cafe.id for g in barista.role_grants)
