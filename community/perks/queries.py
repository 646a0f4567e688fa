"""Scoped reads of the alliance (never imports operations). Every list is scoped by role and
ownership in SQL, before pagination."""
import functools
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from community.core.clock import local_today, now
from community.core.errors import NotFound
from community.core.permissions import (
    COMMUNITY_ADMIN, MERCHANT_STAFF, PLATFORM_ADMIN, RESIDENT, community_ids_with_role, has_role,
)
from community.extensions import db
from community.perks.models import (
    C_APPROVED, C_PAUSED, M_APPROVED, V_ACTIVE, V_EXPIRED, V_REDEEMED, V_REVOKED, Campaign, Merchant, Perk, Voucher,
)


def tier_of(user, today: date | None = None) -> str | None:
    """The one place perks reads a talent tier: the profile's tier while it is current."""
    talent = getattr(user, "talent", None)
    if talent is None:
        return None
    return talent.tier if talent.is_current(today or local_today(user.timezone)) else None


def is_resident(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.community_id is not None
                and any(g.role == RESIDENT and g.community_id == user.community_id for g in user.role_grants))


def staff_merchant_ids(user) -> set[int]:
    """Merchants the user is staff of (their own grants; a platform admin is not staff anywhere)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {g.merchant_id for g in user.role_grants if g.role == MERCHANT_STAFF and g.merchant_id}


def is_staff_of(user, merchant_id: int) -> bool:
    return merchant_id in staff_merchant_ids(user)


def admin_community_ids(user) -> set[int] | None:
    """Communities whose alliance the user administers; None: all (platform admin)."""
    return community_ids_with_role(user, COMMUNITY_ADMIN)


def may_administer(user, merchant: Merchant) -> bool:
    return has_role(user, COMMUNITY_ADMIN, merchant.community_id)


def _json_list_has(column, value):
    """A JSON list column holds ``value`` (a tier code or a community id), on SQLite and
    PostgreSQL alike: the list is stored as json.dumps text ('["junior", "senior"]', '[1, 2]')."""
    text = sa.cast(column, sa.Text)
    if value is None:
        return sa.false()
    item = f'"{value}"' if isinstance(value, str) else str(int(value))
    return sa.or_(text == f"[{item}]", text.like(f"[{item}, %"), text.like(f"%, {item}]"),
                  text.like(f"%, {item}, %"))


def _open_to(model, user, today):
    """Eligibility of a perk or campaign by tier and community, as SQL."""
    tier = tier_of(user, today)
    empty = sa.cast(model.eligible_tiers, sa.Text) == "[]"
    tier_ok = sa.or_(empty, _json_list_has(model.eligible_tiers, tier)) if tier else empty
    communities_empty = sa.cast(model.eligible_communities, sa.Text) == "[]"
    community_ok = sa.or_(communities_empty, _json_list_has(model.eligible_communities, user.community_id))
    return sa.and_(tier_ok, community_ok)


def is_open_to(obj, user, today) -> bool:
    """The same eligibility in Python, for one object already loaded."""
    tier = tier_of(user, today)
    tiers = obj.eligible_tiers or []
    communities = obj.eligible_communities or []
    return (not tiers or tier in tiers) and (not communities or user.community_id in communities)


def perks_for(user, *, category=None, search=None):
    """Perks a resident sees: of approved merchants, not hidden, valid today, open to them."""
    today = local_today(user.timezone)
    stmt = (sa.select(Perk).join(Perk.merchant).options(joinedload(Perk.merchant))
            .where(Merchant.status == M_APPROVED, Perk.hidden.is_(False),
                   sa.or_(Perk.valid_from.is_(None), Perk.valid_from <= today),
                   sa.or_(Perk.valid_until.is_(None), Perk.valid_until >= today),
                   _open_to(Perk, user, today)))
    if category:
        stmt = stmt.where(Perk.category == category)
    if search:
        pattern = f"%{_escape_like(search)}%"
        stmt = stmt.where(sa.or_(Perk.title.ilike(pattern, escape="\\"), Merchant.name.ilike(pattern, escape="\\"),
                                 Perk.description.ilike(pattern, escape="\\")))
    return stmt.order_by(Perk.created_at.desc(), Perk.id.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def perk_for(user, perk_id: int) -> Perk:
    perk = db.session.scalar(perks_for(user).where(Perk.id == perk_id))
    if perk is None:
        raise NotFound()
    return perk


def campaigns_for(user, *, category=None):
    """Campaigns open to the caller now: approved, of an approved merchant, claim window open,
    eligible by tier and community. Sold-out ones stay listed (remaining 0) until the window ends."""
    today = local_today(user.timezone)
    at = now()
    stmt = (sa.select(Campaign).join(Campaign.merchant).options(joinedload(Campaign.merchant))
            .where(Merchant.status == M_APPROVED, Campaign.status == C_APPROVED,
                   Campaign.claim_starts_at <= at, Campaign.claim_ends_at > at,
                   _open_to(Campaign, user, today)))
    if category:
        stmt = stmt.where(Merchant.category == category)
    return stmt.order_by(Campaign.claim_ends_at, Campaign.id)


def claimable_campaign(campaign_id: int) -> Campaign:
    """A campaign residents may try to claim (approved or paused, of an approved merchant); the
    claim itself says 403 when the caller's tier or community is not eligible. Otherwise 404."""
    campaign = db.session.scalar(_claimable_statement(), {"campaign_id": campaign_id})
    if campaign is None:
        raise NotFound()
    return campaign


@functools.cache
def _claimable_statement():
    """Built once (the claim's hot path: building the select, its join and its loader option cost
    more CPU than running it); the campaign's id is a bound parameter."""
    return (sa.select(Campaign).join(Campaign.merchant).options(joinedload(Campaign.merchant))
            .where(Campaign.id == sa.bindparam("campaign_id"), Merchant.status == M_APPROVED,
                   Campaign.status.in_((C_APPROVED, C_PAUSED))))


def visible_campaign(user, campaign_id: int) -> Campaign:
    """A campaign's page: claimable, and for the caller's community (another community's
    campaign is not theirs to see: 404); a tier it is not open to is said on the page."""
    campaign = claimable_campaign(campaign_id)
    communities = campaign.eligible_communities or []
    if communities and user.community_id not in communities:
        raise NotFound()
    return campaign


VOUCHER_TABS = {"active": (V_ACTIVE,), "used": (V_REDEEMED,), "expired": (V_EXPIRED, V_REVOKED)}


def vouchers_for(user, tab=None):
    stmt = (sa.select(Voucher).where(Voucher.user_id == user.id)
            .options(joinedload(Voucher.campaign), joinedload(Voucher.merchant)))
    if tab in VOUCHER_TABS:
        stmt = stmt.where(Voucher.status.in_(VOUCHER_TABS[tab]))
    return stmt.order_by(Voucher.claimed_at.desc(), Voucher.id.desc())


def voucher_of(user, voucher_id: int) -> Voucher:
    voucher = db.session.scalar(vouchers_for(user).where(Voucher.id == voucher_id))
    if voucher is None:
        raise NotFound()
    return voucher


def voucher_by_code(code: str) -> Voucher | None:
    """The voucher with everything the counter and the resident's notice need, in one query."""
    return db.session.scalars(_voucher_by_code_statement(), {"code": code}).first()


@functools.cache
def _voucher_by_code_statement():
    """Built once (the counter's hot path). The holder comes with their talent profile (the tier
    the counter shows) and community (the language and time zone of their notice), not their
    role grants (the mapper's selectin load, an extra query), which nothing at the counter reads:
    every join is many-to-one, one row."""
    from community.accounts.models import User

    return sa.select(Voucher).where(Voucher.code == sa.bindparam("code")).options(
        joinedload(Voucher.campaign), joinedload(Voucher.merchant).joinedload(Merchant.community),
        joinedload(Voucher.user).options(joinedload(User.talent), joinedload(User.community),
                                         lazyload(User.role_grants)))


def claimed_by(user, campaign_ids) -> dict[int, int]:
    """campaign id -> vouchers the user claimed there."""
    from community.perks.models import ClaimCount

    if not campaign_ids:
        return {}
    rows = db.session.execute(sa.select(ClaimCount.campaign_id, ClaimCount.claimed)
                              .where(ClaimCount.user_id == user.id, ClaimCount.campaign_id.in_(campaign_ids)))
    return dict(rows.all())


# -- merchants and their staff ------------------------------------------------------------------

def merchants_of_user(user):
    """Merchants the user applied for or is staff of."""
    ids = staff_merchant_ids(user)
    return db.session.scalars(sa.select(Merchant).where(sa.or_(Merchant.owner_id == user.id, Merchant.id.in_(ids)))
                              .order_by(Merchant.name)).all()


def staff_merchant(user, merchant_id: int) -> Merchant:
    """A merchant whose staff pages the user may open (its staff, or its applicant while it is
    not approved yet, to see the decision); 404 otherwise."""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or not (is_staff_of(user, merchant_id) or merchant.owner_id == user.id):
        raise NotFound()
    return merchant


def merchants_for_admin(user, status=None, search=None):
    scope = admin_community_ids(user)
    stmt = sa.select(Merchant).options(joinedload(Merchant.community))
    if scope is not None:
        stmt = stmt.where(Merchant.community_id.in_(scope))
    if status:
        stmt = stmt.where(Merchant.status == status)
    if search:
        stmt = stmt.where(Merchant.name.ilike(f"%{_escape_like(search)}%", escape="\\"))
    return stmt.order_by(Merchant.created_at.desc(), Merchant.id.desc())


def merchant_for_admin(user, merchant_id: int) -> Merchant:
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None or not may_administer(user, merchant):
        raise NotFound()
    return merchant


def campaigns_for_admin(user, status=None):
    scope = admin_community_ids(user)
    stmt = sa.select(Campaign).join(Campaign.merchant).options(joinedload(Campaign.merchant))
    if scope is not None:
        stmt = stmt.where(Merchant.community_id.in_(scope))
    if status:
        stmt = stmt.where(Campaign.status == status)
    return stmt.order_by(Campaign.created_at.desc(), Campaign.id.desc())


def campaign_for_admin(user, campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not may_administer(user, campaign.merchant):
        raise NotFound()
    return campaign


def perk_for_admin(user, perk_id: int) -> Perk:
    perk = db.session.get(Perk, perk_id)
    if perk is None or not may_administer(user, perk.merchant):
        raise NotFound()
    return perk


def voucher_for_admin(user, voucher_id: int) -> Voucher:
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None or not may_administer(user, voucher.merchant):
        raise NotFound()
    return voucher


def merchant_campaigns(merchant):
    return db.session.scalars(sa.select(Campaign).where(Campaign.merchant_id == merchant.id)
                              .order_by(Campaign.created_at.desc(), Campaign.id.desc())).all()


def merchant_perks(merchant):
    return db.session.scalars(sa.select(Perk).where(Perk.merchant_id == merchant.id)
                              .order_by(Perk.created_at.desc(), Perk.id.desc())).all()


def merchant_campaign(merchant, campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.merchant_id != merchant.id:
        raise NotFound()
    return campaign


def staff_grants(merchant):
    from community.accounts.models import RoleGrant

    return db.session.scalars(sa.select(RoleGrant).where(RoleGrant.role == MERCHANT_STAFF,
                                                         RoleGrant.merchant_id == merchant.id)
                              .options(joinedload(RoleGrant.user)).order_by(RoleGrant.granted_at)).all()


# -- reports ------------------------------------------------------------------------------------

def daily_counts(campaign, tz_name: str, days: int = 14) -> list[tuple[date, int, int]]:
    """(local day, claims, redemptions) of the last ``days`` days up to today, from two grouped
    queries (local days are computed in Python from the instants, the same on both databases)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    today = local_today(tz_name)
    first = today - timedelta(days=days - 1)
    counts = {first + timedelta(days=i): [0, 0] for i in range(days)}
    since = now() - timedelta(days=days + 1)
    for column, slot in ((Voucher.claimed_at, 0), (Voucher.redeemed_at, 1)):
        for (instant,) in db.session.execute(sa.select(column).where(Voucher.campaign_id == campaign.id,
                                                                     column.is_not(None), column >= since)):
            day = instant.astimezone(tz).date()
            if day in counts:
                counts[day][slot] += 1
    return [(day, claims, redeemed) for day, (claims, redeemed) in sorted(counts.items())]


def campaign_vouchers(campaign):
    return (sa.select(Voucher).where(Voucher.campaign_id == campaign.id)
            .options(joinedload(Voucher.user)).order_by(Voucher.claimed_at, Voucher.id))


def alliance_overview(user):
    """Per merchant in the admin's scope: campaigns, vouchers claimed, redeemed, subsidy spent
    (face value of redeemed government-funded vouchers)."""
    scope = admin_community_ids(user)
    redeemed = sa.func.sum(sa.case((Voucher.status == V_REDEEMED, 1), else_=0))
    subsidy = sa.func.sum(sa.case((sa.and_(Voucher.status == V_REDEEMED, Campaign.funded_by == "government"),
                                   Campaign.face_value_fen), else_=0))
    stmt = (sa.select(Merchant, sa.func.count(sa.distinct(Campaign.id)), sa.func.count(Voucher.id),
                      redeemed, subsidy)
            .outerjoin(Campaign, Campaign.merchant_id == Merchant.id)
            .outerjoin(Voucher, Voucher.campaign_id == Campaign.id)
            .group_by(Merchant.id).order_by(Merchant.name))
    if scope is not None:
        stmt = stmt.where(Merchant.community_id.in_(scope))
    return [{"merchant": m, "campaigns": c, "claimed": v, "redeemed": int(r or 0), "subsidy_fen": int(s or 0)}
            for m, c, v, r, s in db.session.execute(stmt).all()]


def count_open_for_tier(tier, today) -> tuple[int, int]:
    """(perks, campaigns) of approved merchants open to a tier today, whatever the community (the
    talent card's benefit line)."""
    def tier_ok(model):
        empty = sa.cast(model.eligible_tiers, sa.Text) == "[]"
        return sa.or_(empty, _json_list_has(model.eligible_tiers, tier)) if tier else empty

    perks = db.session.scalar(sa.select(sa.func.count(Perk.id)).join(Perk.merchant).where(
        Merchant.status == M_APPROVED, Perk.hidden.is_(False), tier_ok(Perk),
        sa.or_(Perk.valid_until.is_(None), Perk.valid_until >= today)))
    at = now()
    campaigns = db.session.scalar(sa.select(sa.func.count(Campaign.id)).join(Campaign.merchant).where(
        Merchant.status == M_APPROVED, Campaign.status == C_APPROVED, Campaign.claim_ends_at > at,
        Campaign.claimed < Campaign.total, tier_ok(Campaign)))
    return perks or 0, campaigns or 0
