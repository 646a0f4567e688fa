"""Rental rounds (招租公告): draft, offer units, publish (frozen from then on, with the lottery
seed's SHA-256 made public)."""
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.apartments import rules
from community.apartments.errors import ApartmentRuleViolation, RoundFrozen
from community.apartments.models import AVAILABLE, DRAFT, LAYOUTS, PUBLISHED, Round, RoundUnit, Unit
from community.apartments.queries import offered_layouts, talent_type_codes
from community.core import audit
from community.core.clock import now
from community.extensions import db

# Household size (people, the resident included) a layout suits, unless the round says otherwise.
DEFAULT_HOUSEHOLD_SIZES = {"studio": (1, 2), "1b1l": (1, 2), "2b1l": (2, 4), "2b2l": (2, 5),
                           "3b1l": (3, 6), "3b2l": (3, 7)}
ROUND_FIELDS = ("title", "announcement", "opens_at", "closes_at", "talent_types", "min_tier", "district",
                "require_no_lease", "recent_allocation_months", "household_sizes", "tier_points",
                "points_per_waiting_month", "points_per_member", "priority_industry_points",
                "priority_industries", "offer_days")


def _clean(fields: dict) -> dict:
    values = {key: fields[key] for key in ROUND_FIELDS if key in fields}
    values["title"] = (values.get("title") or "").strip()
    if not values["title"] or len(values["title"]) > 160:
        raise ApartmentRuleViolation(_l("A title has 1 to 160 characters."), code="invalid_title")
    if values["closes_at"] <= values["opens_at"]:
        raise ApartmentRuleViolation(_l("The application window must close after it opens."),
                                     code="invalid_window")
    values["talent_types"] = sorted(set(values.get("talent_types") or ()))
    if any(code not in talent_type_codes() for code in values["talent_types"]):
        raise ApartmentRuleViolation(_l("Unknown talent type."), code="invalid_talent_type")
    if values.get("min_tier") not in (None, "", *rules.TIER_ORDER):
        raise ApartmentRuleViolation(_l("Unknown talent tier."), code="invalid_tier")
    values["min_tier"] = values.get("min_tier") or None
    sizes = {}
    for layout, pair in (values.get("household_sizes") or {}).items():
        low, high = int(pair[0]), int(pair[1])
        if layout not in LAYOUTS or not 1 <= low <= high <= 20:
            raise ApartmentRuleViolation(_l("Household sizes are 1 to 20 people, the smallest first."),
                                         code="invalid_household_sizes")
        sizes[layout] = [low, high]
    values["household_sizes"] = sizes
    points = {tier: int((values.get("tier_points") or {}).get(tier, 0)) for tier in rules.TIER_ORDER}
    numbers = [*points.values(), values.get("points_per_waiting_month", 0), values.get("points_per_member", 0),
               values.get("priority_industry_points", 0), values.get("recent_allocation_months", 0)]
    if any(not 0 <= int(n) <= 10_000 for n in numbers):
        raise ApartmentRuleViolation(_l("Points and months are whole numbers from 0 to 10000."),
                                     code="invalid_points")
    values["tier_points"] = points
    values["priority_industries"] = sorted({text.strip()[:60] for text in values.get("priority_industries") or ()
                                            if text.strip()})
    values["district"] = (values.get("district") or "").strip()[:60]
    if not 1 <= int(values.get("offer_days", 7)) <= 60:
        raise ApartmentRuleViolation(_l("An offer stays open 1 to 60 days."), code="invalid_offer_days")
    return values


def ensure_draft(round_: Round) -> None:
    if round_.status != DRAFT:
        raise RoundFrozen()


def create_round(community, *, actor, **fields) -> Round:
    values = {"tier_points": dict(rules.DEFAULT_TIER_POINTS), **fields}
    round_ = Round(community_id=community.id, status=DRAFT, **_clean(values))
    db.session.add(round_)
    db.session.flush()
    audit.record(actor, "apartment.round_created", round_, title=round_.title)
    return round_


def update_round(round_: Round, *, actor, **fields) -> Round:
    ensure_draft(round_)
    values = _clean(fields)
    changed = sorted(key for key, value in values.items() if getattr(round_, key) != value)
    for key, value in values.items():
        setattr(round_, key, value)
    db.session.flush()
    if changed:
        audit.record(actor, "apartment.round_updated", round_, fields=changed)
    return round_


def _busy_unit_ids(community_id) -> set[int]:
    """Units already offered in another round that is not finished (draft or published)."""
    return set(db.session.scalars(
        sa.select(RoundUnit.unit_id).join(Round, Round.id == RoundUnit.round_id)
        .where(Round.community_id == community_id, Round.status.in_((DRAFT, PUBLISHED)))))


def offer_units(round_: Round, *, actor, unit_ids=(), layout=None, count=0, building_id=None) -> list[Unit]:
    """Add units to a draft round: these ids, or ``count`` available units of ``layout`` (of one
    building when given), picked by building, floor and number."""
    ensure_draft(round_)
    busy = _busy_unit_ids(round_.community_id)
    stmt = sa.select(Unit).where(Unit.community_id == round_.community_id, Unit.status == AVAILABLE)
    if unit_ids:
        units = list(db.session.scalars(stmt.where(Unit.id.in_(list(unit_ids)))))
        if len(units) != len(set(unit_ids)) or any(unit.id in busy for unit in units):
            raise ApartmentRuleViolation(_l("Only available units not offered in another round can be added."),
                                         code="unit_unavailable")
    else:
        if layout not in LAYOUTS or not 1 <= count <= 5000:
            raise ApartmentRuleViolation(_l("Choose a layout and a count from 1 to 5000."), code="invalid_count")
        stmt = stmt.where(Unit.layout == layout)
        if building_id:
            stmt = stmt.where(Unit.building_id == building_id)
        if busy:
            stmt = stmt.where(Unit.id.not_in(busy))
        units = list(db.session.scalars(stmt.order_by(Unit.building_id, Unit.floor, Unit.number, Unit.id).limit(count)))
        if len(units) < count:
            raise ApartmentRuleViolation(
                _l("Only %(n)s available units of that layout are free to offer.", n=len(units)),
                code="not_enough_units")
    for unit in units:
        db.session.add(RoundUnit(round_id=round_.id, unit_id=unit.id))
    db.session.flush()
    audit.record(actor, "apartment.round_units_added", round_, unit_ids=[unit.id for unit in units])
    return units


def remove_unit(round_: Round, unit_id: int, *, actor) -> None:
    ensure_draft(round_)
    deleted = db.session.execute(sa.delete(RoundUnit).where(RoundUnit.round_id == round_.id,
                                                            RoundUnit.unit_id == unit_id)).rowcount
    db.session.expire(round_, ["offerings"])
    if deleted:
        audit.record(actor, "apartment.round_unit_removed", round_, unit_ids=[unit_id])


def publish_round(round_: Round, *, actor) -> Round:
    """Freeze the round and commit to a fresh lottery seed by its SHA-256 (the seed itself is shown
    once the round is allocated). A conditional UPDATE, so two clicks publish once."""
    ensure_draft(round_)
    if not round_.offerings:
        raise ApartmentRuleViolation(_l("Add the units offered before publishing."), code="no_units")
    if round_.closes_at <= now():
        raise ApartmentRuleViolation(_l("The application window is already over."), code="invalid_window")
    seed = secrets.token_hex(32)
    published = db.session.execute(
        sa.update(Round).where(Round.id == round_.id, Round.status == DRAFT)
        .values(status=PUBLISHED, seed=seed, seed_hash=rules.seed_hash(seed), published_at=now())
        .execution_options(synchronize_session=False)).rowcount
    if not published:
        raise RoundFrozen()
    db.session.refresh(round_)
    audit.record(actor, "apartment.round_published", round_, seed_hash=round_.seed_hash)
    return round_


def household_sizes_of(round_: Round, layouts) -> tuple:
    """((layout, min, max), ...) for the offered layouts, in layout order."""
    sizes = round_.household_sizes or {}
    return tuple((layout, *(sizes.get(layout) or DEFAULT_HOUSEHOLD_SIZES[layout]))
                 for layout in LAYOUTS if layout in layouts)


# Parsed rules of published and allocated rounds, by (round id, seed_hash, rules_version): a
# published round is frozen, and what could still change what its rules read (an offered unit's
# layout) raises rules_version; seed_hash is drawn afresh at each publication, so a reused id (a
# new database, a test) never meets an old entry. Per process, bounded; a draft is never cached.
_RULES_CACHE: dict[tuple, rules.RoundRules] = {}
RULES_CACHE_SIZE = 256


def _rules_key(round_id, status, seed_hash, rules_version):
    return None if status == DRAFT or not seed_hash else (round_id, seed_hash, rules_version)


def round_rules(round_: Round) -> rules.RoundRules:
    """rules_of the round with the layouts it offers, from the cache when it is frozen."""
    return cached_rules(round_.id, round_.status, round_.seed_hash, round_.rules_version, lambda: round_)


def cached_rules(round_id, status, seed_hash, rules_version, load) -> rules.RoundRules:
    """The parsed rules for a round known by its key columns; ``load()`` gives the Round on a miss
    (two statements: the round, its layouts)."""
    key = _rules_key(round_id, status, seed_hash, rules_version)
    found = _RULES_CACHE.get(key) if key else None
    if found is None:
        round_ = load()
        found = rules_of(round_, offered_layouts(round_))
        if key and round_.status != DRAFT and (round_.seed_hash, round_.rules_version) == key[1:]:
            if len(_RULES_CACHE) >= RULES_CACHE_SIZE:
                _RULES_CACHE.pop(next(iter(_RULES_CACHE)), None)
            _RULES_CACHE[key] = found
    return found


def rules_changed(round_ids) -> None:
    """Raise rules_version of these rounds: what their rules read has changed."""
    if round_ids:
        db.session.execute(sa.update(Round).where(Round.id.in_(list(round_ids)))
                           .values(rules_version=Round.rules_version + 1)
                           .execution_options(synchronize_session=False))
        for round_ in [obj for obj in db.session.identity_map.values() if isinstance(obj, Round)]:
            if round_.id in round_ids:
                db.session.expire(round_, ["rules_version"])


def rules_of(round_: Round, layouts) -> rules.RoundRules:
    return rules.RoundRules(
        talent_types=tuple(round_.talent_types or ()), min_tier=round_.min_tier, district=round_.district or "",
        require_no_lease=round_.require_no_lease, recent_allocation_months=round_.recent_allocation_months,
        household_sizes=household_sizes_of(round_, layouts),
        tier_points=tuple(sorted((round_.tier_points or {}).items())),
        points_per_waiting_month=round_.points_per_waiting_month, points_per_member=round_.points_per_member,
        priority_industry_points=round_.priority_industry_points,
        priority_industries=tuple(round_.priority_industries or ()))
