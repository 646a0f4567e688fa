"""Scoped reads of the apartments domain (never imports operations). The functions at the top are
the only places the domain reads talent types and tiers: the tier from the talent profile, which
the talent domain's registry keeps (entry, renewal, lapse, revocation), the types from the talent
domain's configuration."""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import TALENT_TYPES, Building, Community
from community.apartments.models import (
    ACCEPTED, ALLOCATED, DRAFT, OPEN, PUBLISHED, Application, Household, HouseholdMember, LeaseDraft, Offer, Round,
    RoundUnit, Unit,
)
from community.core.errors import NotFound
from community.core.permissions import COMMUNITY_ADMIN, community_ids_with_role, has_role
from community.extensions import db
from community.leases.queries import holds_lease_on


# -- talent (the one door to tiers) -----------------------------------------------------------

@dataclass(frozen=True)
class Talent:
    talent_type: str | None
    tier: str | None
    valid_until: date | None
    current: bool


def talent_of(user, on_date: date) -> Talent:
    """The resident's talent type and tier, and whether the tier is current on ``on_date`` (a tier
    valid until a day is still current on that day)."""
    profile = user.talent
    if profile is None:
        return Talent(None, None, None, False)
    return Talent(profile.talent_type, profile.tier, profile.valid_until, profile.is_current(on_date))


def talents_of_applicants(round_id, on_date: date) -> dict[int, Talent]:
    """talent_of for every applicant of a round in one query (the allocation's bulk read): the same
    rule as TalentProfile.is_current, on plain rows."""
    from community.accounts.models import TalentProfile

    rows = db.session.execute(
        sa.select(TalentProfile.user_id, TalentProfile.talent_type, TalentProfile.tier, TalentProfile.valid_until)
        .where(TalentProfile.user_id.in_(sa.select(Application.user_id).where(Application.round_id == round_id))))
    return {row.user_id: Talent(row.talent_type, row.tier, row.valid_until,
                                row.tier is not None and (row.valid_until is None or row.valid_until >= on_date))
            for row in rows}


def talent_type_codes() -> tuple:
    """The talent types a round may name: the ones the platform admin configured (talent domain)."""
    from community.talent.queries import talent_types

    return tuple(t.code for t in talent_types()) or TALENT_TYPES


# -- scope ------------------------------------------------------------------------------------

def managed_community_ids(user):
    """Communities the user runs apartments of; None means every community (platform admin)."""
    return community_ids_with_role(user, COMMUNITY_ADMIN)


def _scoped(stmt, column, user):
    ids = managed_community_ids(user)
    return stmt if ids is None else stmt.where(column.in_(ids or [-1]))


def may_manage(user, community_id) -> bool:
    return has_role(user, COMMUNITY_ADMIN, community_id)


def managed_or_404(user, model, ident):
    obj = db.session.get(model, ident)
    if obj is None or not may_manage(user, obj.community_id):
        raise NotFound()
    return obj


# -- units ------------------------------------------------------------------------------------

def units_for_admin(user, *, q="", building_id=None, layout=None, status=None, floor=None) -> sa.Select:
    stmt = _scoped(sa.select(Unit).join(Building, Unit.building_id == Building.id), Unit.community_id, user)
    if q:
        stmt = stmt.where(Unit.number.contains(q, autoescape=True))
    if building_id:
        stmt = stmt.where(Unit.building_id == building_id)
    if layout:
        stmt = stmt.where(Unit.layout == layout)
    if status:
        stmt = stmt.where(Unit.status == status)
    if floor is not None:
        stmt = stmt.where(Unit.floor == floor)
    return stmt.options(joinedload(Unit.building)).order_by(Building.name, Unit.floor, Unit.number, Unit.id)


def buildings_for_admin(user) -> list[Building]:
    stmt = _scoped(sa.select(Building), Building.community_id, user).order_by(Building.community_id, Building.name)
    return list(db.session.scalars(stmt))


def building_grid(building) -> dict[int, list[Unit]]:
    """floor -> units of that floor, by number; the highest floor first."""
    units = db.session.scalars(sa.select(Unit).where(Unit.building_id == building.id)
                               .order_by(Unit.floor.desc(), Unit.number, Unit.id))
    grid: dict[int, list[Unit]] = {}
    for unit in units:
        grid.setdefault(unit.floor, []).append(unit)
    return grid


# -- households -------------------------------------------------------------------------------

def household_of(user) -> Household | None:
    return db.session.scalar(sa.select(Household).where(Household.user_id == user.id)
                             .options(selectinload(Household.members)))


def household_facts(user_id):
    """(employer_district, industry, waiting_since, size) of the resident's household in one query;
    None without a household (the eligibility check's read, kept to a couple of statements)."""
    from community.apartments.models import HouseholdMember

    members = (sa.select(sa.func.count(HouseholdMember.id)).where(HouseholdMember.household_id == Household.id)
               .scalar_subquery())
    row = db.session.execute(sa.select(Household.employer_district, Household.industry, Household.waiting_since,
                                       members).where(Household.user_id == user_id)).first()
    return None if row is None else (row[0], row[1], row[2], 1 + row[3])


def lease_and_last_allocation(user_id, on_date: date) -> tuple[bool, date | None]:
    """has_current_lease and last_allocated_on in one statement."""
    lease = holds_lease_on(user_id, on_date)
    last = sa.select(sa.func.max(Offer.decided_at)).where(Offer.user_id == user_id, Offer.status == ACCEPTED)
    leased, at = db.session.execute(sa.select(lease.label("leased"), last.scalar_subquery())).one()
    return bool(leased), (at.date() if at else None)


@lru_cache(maxsize=1)
def _eligibility_stmt():
    """Built once, on the tables (plain rows, no ORM entities): the round's visibility and cache key
    with its community's time zone, and the resident's household, household size, current lease and
    last accepted offer, in one statement."""
    rounds, communities = Round.__table__, Community.__table__
    households, members = Household.__table__, HouseholdMember.__table__
    offers = Offer.__table__
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    on_date = sa.bindparam("on_date", type_=sa.Date)
    size = (sa.select(sa.func.count(members.c.id)).where(members.c.household_id == households.c.id)
            .scalar_subquery())
    leased = holds_lease_on(user_id, on_date)
    last = (sa.select(sa.func.max(offers.c.decided_at))
            .where(offers.c.user_id == user_id, offers.c.status == ACCEPTED).scalar_subquery())
    return (sa.select(rounds.c.status, rounds.c.community_id, rounds.c.seed_hash, rounds.c.rules_version,
                      communities.c.timezone, households.c.id.label("household_id"), households.c.employer_district,
                      households.c.industry, households.c.waiting_since, size.label("members"),
                      leased.label("leased"), last.label("last_accepted_at"))
            .select_from(rounds.join(communities, communities.c.id == rounds.c.community_id)
                         .outerjoin(households, households.c.user_id == user_id))
            .where(rounds.c.id == sa.bindparam("round_id", type_=sa.Integer)))


@dataclass(frozen=True)
class EligibilityRow:
    """What the eligibility check reads on each request (eligibility_row)."""

    status: str
    community_id: int
    seed_hash: str | None
    rules_version: int
    timezone: str
    has_household: bool
    employer_district: str
    industry: str
    waiting_since: date | None
    household_size: int
    has_current_lease: bool
    last_allocated_on: date | None


def eligibility_row(user_id, round_id, on_date: date) -> EligibilityRow | None:
    """The round (None when there is none) and the resident's facts on ``on_date`` in one statement:
    household_facts and lease_and_last_allocation together, with what round_for_resident checks."""
    row = db.session.connection().execute(
        _eligibility_stmt(), {"user_id": user_id, "round_id": round_id, "on_date": on_date}).first()
    if row is None:
        return None
    at = row.last_accepted_at
    return EligibilityRow(
        status=row.status, community_id=row.community_id, seed_hash=row.seed_hash, rules_version=row.rules_version,
        timezone=row.timezone, has_household=row.household_id is not None,
        employer_district=row.employer_district or "", industry=row.industry or "", waiting_since=row.waiting_since,
        household_size=1 + (row.members or 0), has_current_lease=bool(row.leased),
        last_allocated_on=at.date() if at else None)


def visible_to_resident(user, status, community_id) -> bool:
    """round_for_resident's rule on plain values: a published or allocated round of the user's own
    community, or any round of a community the user manages."""
    return (status != DRAFT and community_id == user.community_id) or may_manage(user, community_id)


def last_allocated_on(user_id) -> date | None:
    """The day the resident last accepted an offer, in UTC dates (the rule counts whole months)."""
    at = db.session.scalar(sa.select(sa.func.max(Offer.decided_at)).where(
        Offer.user_id == user_id, Offer.status == ACCEPTED))
    return at.date() if at else None


# -- rounds -----------------------------------------------------------------------------------

def rounds_for_resident(user) -> sa.Select:
    """Published and allocated rounds of the caller's community (nothing for a user without one)."""
    return (sa.select(Round).where(Round.community_id == (user.community_id or -1),
                                   Round.status.in_((PUBLISHED, ALLOCATED)))
            .order_by(Round.closes_at.desc(), Round.id.desc()))


def round_for_resident(user, round_id) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.status == DRAFT or round_.community_id != user.community_id:
        if round_ is not None and may_manage(user, round_.community_id):
            return round_
        raise NotFound()
    return round_


def rounds_for_admin(user) -> sa.Select:
    return _scoped(sa.select(Round), Round.community_id, user).order_by(Round.opens_at.desc(), Round.id.desc())


def offered_units(round_) -> list[Unit]:
    return list(db.session.scalars(
        sa.select(Unit).join(RoundUnit, RoundUnit.unit_id == Unit.id).join(Building, Unit.building_id == Building.id)
        .where(RoundUnit.round_id == round_.id).options(joinedload(Unit.building))
        .order_by(Building.name, Unit.floor, Unit.number, Unit.id)))


def offered_layouts(round_) -> list[str]:
    return sorted(db.session.scalars(sa.select(Unit.layout).distinct().join(RoundUnit, RoundUnit.unit_id == Unit.id)
                                     .where(RoundUnit.round_id == round_.id)))


def offered_buildings(round_) -> list[Building]:
    return sorted({unit.building for unit in offered_units(round_)}, key=lambda b: (b.name, b.id))


# -- applications and offers ------------------------------------------------------------------

def application_of(user, round_) -> Application | None:
    return db.session.scalar(sa.select(Application).where(
        Application.round_id == round_.id, Application.user_id == user.id))


def applications_of(user) -> sa.Select:
    return (sa.select(Application).where(Application.user_id == user.id)
            .options(joinedload(Application.round), joinedload(Application.unit))
            .order_by(Application.created_at.desc(), Application.id.desc()))


def own_application_or_404(user, application_id) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != user.id:
        raise NotFound()
    return application


def ranked_applications(round_) -> sa.Select:
    """A round's applications in rank order (unranked ones after, by id)."""
    return (sa.select(Application).where(Application.round_id == round_.id)
            .options(joinedload(Application.user), joinedload(Application.unit))
            .order_by(Application.rank.is_(None), Application.rank, Application.id))


def offers_of(user, *, open_only=False) -> sa.Select:
    stmt = sa.select(Offer).where(Offer.user_id == user.id)
    if open_only:
        stmt = stmt.where(Offer.status == OPEN)
    return stmt.options(joinedload(Offer.unit), joinedload(Offer.round)).order_by(Offer.created_at.desc(), Offer.id.desc())


def own_offer_or_404(user, offer_id) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.user_id != user.id:
        raise NotFound()
    return offer


def offers_of_round(round_) -> list[Offer]:
    return list(db.session.scalars(sa.select(Offer).where(Offer.round_id == round_.id)
                                   .options(joinedload(Offer.unit), joinedload(Offer.user))
                                   .order_by(Offer.created_at, Offer.id)))


def lease_draft_of(offer) -> LeaseDraft | None:
    return db.session.scalar(sa.select(LeaseDraft).where(LeaseDraft.offer_id == offer.id))


def unit_has_open_offer(unit_id) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Offer.unit_id == unit_id, Offer.status == OPEN))) or False
