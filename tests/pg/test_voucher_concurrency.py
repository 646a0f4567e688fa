"""Vouchers under concurrency, proven on PostgreSQL: a campaign's total is never exceeded, one
resident's per-campaign limit is never passed, and a voucher is redeemed exactly once.

Fifty threads, each with its own app context (its own session and connection), wait at a barrier
and then claim or redeem at once, through the operation + commit and through the real HTTP API."""
from collections import Counter

import pytest
import sqlalchemy as sa

from community.accounts import operations as account_ops
from community.accounts.models import User
from community.perks import operations as ops
from community.perks.errors import AlreadyRedeemed, LimitReached, SoldOut
from community.perks.models import Campaign, ClaimCount, Voucher
from tests.pg.test_booking_concurrency import THREADS, run_together


@pytest.fixture
def residents(db, create_user):
    return [create_user(f"claimer{i}@example.test").id for i in range(THREADS)]


def claim_via_operation(app, campaign_id, user_ids):
    from community.extensions import db

    def work(index):
        with app.app_context():
            try:
                ops.claim(db.session.get(User, user_ids[index]), db.session.get(Campaign, campaign_id))
                db.session.commit()
                return "claimed"
            except (SoldOut, LimitReached) as error:
                db.session.rollback()
                return error.code
            finally:
                db.session.remove()

    return work


def counts(db, campaign_id):
    db.session.expire_all()
    vouchers = db.session.scalar(sa.select(sa.func.count(Voucher.id)).where(Voucher.campaign_id == campaign_id))
    return vouchers, db.session.get(Campaign, campaign_id).claimed


def test_claims_never_exceed_the_total(pg_only, app, db, make_merchant, make_campaign, residents):
    campaign = make_campaign(make_merchant(), total=10)
    results = run_together(claim_via_operation(app, campaign.id, residents))
    assert Counter(results) == {"claimed": 10, "sold_out": THREADS - 10}, results
    assert counts(db, campaign.id) == (10, 10)
    # Each voucher audited once, by its claimant; the refused claims left no counter row behind.
    from community.core.audit import AuditEntry

    audited = db.session.execute(sa.select(AuditEntry.object_id, AuditEntry.actor_id).where(
        AuditEntry.action == "perks.voucher_claimed")).all()
    vouchers = db.session.execute(sa.select(Voucher.id, Voucher.user_id).where(Voucher.campaign_id == campaign.id)).all()
    assert sorted(audited) == sorted(vouchers)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClaimCount).where(
        ClaimCount.campaign_id == campaign.id)) == 10


def test_one_resident_never_passes_the_limit(pg_only, app, db, make_merchant, make_campaign, resident):
    campaign = make_campaign(make_merchant(), total=1000, per_resident_limit=3)
    results = run_together(claim_via_operation(app, campaign.id, [resident.id] * THREADS))
    assert Counter(results) == {"claimed": 3, "limit_reached": THREADS - 3}, results
    assert counts(db, campaign.id) == (3, 3)
    assert db.session.get(ClaimCount, (campaign.id, resident.id)).claimed == 3


def test_claims_over_the_api(pg_only, app, db, make_merchant, make_campaign, residents):
    campaign = make_campaign(make_merchant(), total=7)
    campaign_id = campaign.id
    tokens = [account_ops.issue_api_token(db.session.get(User, uid), "race")[1] for uid in residents]
    db.session.commit()

    def work(index):
        response = app.test_client().post(f"/api/v1/campaigns/{campaign_id}/claim",
                                          headers={"Authorization": f"Bearer {tokens[index]}"})
        if response.status_code == 201:
            return "claimed"
        if response.status_code == 409:
            return response.get_json()["code"]
        return f"HTTP {response.status_code} {response.get_data(as_text=True)[:200]}"

    results = run_together(work)
    assert Counter(results) == {"claimed": 7, "sold_out": THREADS - 7}, results
    assert counts(db, campaign_id) == (7, 7)


@pytest.fixture
def one_voucher(db, make_merchant, make_campaign, resident, staff_of):
    merchant = make_merchant(name="Race Café")
    voucher = ops.claim(resident, make_campaign(merchant))
    db.session.commit()
    staff = [staff_of(merchant, f"counter{i}@example.test").id for i in range(THREADS)]
    return voucher, staff


def test_fifty_counters_redeem_one_code_exactly_once(pg_only, app, db, one_voucher):
    from community.extensions import db as _db

    voucher, staff = one_voucher
    code = voucher.code

    def work(index):
        with app.app_context():
            try:
                ops.redeem(code, actor=_db.session.get(User, staff[index]))
                _db.session.commit()
                return "redeemed"
            except AlreadyRedeemed as error:
                _db.session.rollback()
                assert "Race Café" in str(error.message) and error.extra["redeemed_at"]
                return "already_redeemed"
            finally:
                _db.session.remove()

    results = run_together(work)
    assert Counter(results) == {"redeemed": 1, "already_redeemed": THREADS - 1}, results
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == "redeemed"


def test_fifty_counters_over_the_api(pg_only, app, db, one_voucher):
    voucher, staff = one_voucher
    code = voucher.code
    tokens = [account_ops.issue_api_token(db.session.get(User, uid), "race")[1] for uid in staff]
    db.session.commit()

    def work(index):
        response = app.test_client().post("/api/v1/vouchers/redeem", json={"code": code.lower()},
                                          headers={"Authorization": f"Bearer {tokens[index]}"})
        if response.status_code == 200:
            return "redeemed"
        if response.status_code == 409 and response.get_json()["code"] == "already_redeemed":
            assert response.get_json()["redeemed_at"] and response.get_json()["merchant"] == "Race Café"
            return "already_redeemed"
        return f"HTTP {response.status_code} {response.get_data(as_text=True)[:200]}"

    results = run_together(work)
    assert Counter(results) == {"redeemed": 1, "already_redeemed": THREADS - 1}, results
