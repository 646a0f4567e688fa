"""The apartment rules as pure functions of plain values (no session, no clock, no request): who is
eligible and why not, how many points an applicant scores, the lottery number, and the allocation
itself. Everything is integer arithmetic over explicit, total sort keys, so the same inputs and
seed give the same result on any machine, in any row order (tests/apartments/test_allocation.py
proves it with Hypothesis)."""
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

TIER_ORDER = ("junior", "intermediate", "senior")
DEFAULT_TIER_POINTS = {"junior": 10, "intermediate": 20, "senior": 30}
LOTTERY_DIGITS = 16  # hex digits of the HMAC kept as the lottery number (64 bits)


# -- eligibility ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    """One failing rule: ``code`` for machines, ``params`` for the sentence (presentation.py)."""

    code: str
    params: tuple = ()

    def as_dict(self) -> dict:
        return {"code": self.code, **dict(self.params)}


@dataclass(frozen=True)
class RoundRules:
    talent_types: tuple = ()
    min_tier: str | None = None
    district: str = ""
    require_no_lease: bool = True
    recent_allocation_months: int = 0
    household_sizes: tuple = ()  # ((layout, min, max), ...) for every layout the round offers
    tier_points: tuple = ()  # ((tier, points), ...)
    points_per_waiting_month: int = 0
    points_per_member: int = 0
    priority_industry_points: int = 0
    priority_industries: tuple = ()


@dataclass(frozen=True)
class ApplicantFacts:
    """What the rules read about one resident on one day."""

    talent_type: str | None
    tier: str | None
    tier_current: bool
    employer_district: str = ""
    industry: str = ""
    household_size: int = 1
    has_current_lease: bool = False
    last_allocated_on: date | None = None
    waiting_since: date | None = None


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when end is before start): Jan 31 to
    Feb 28 is 0 months, Jan 15 to Feb 15 is 1."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def layouts_fitting(rules: RoundRules, household_size: int) -> tuple:
    """The offered layouts whose household size range holds ``household_size``."""
    return tuple(layout for layout, low, high in rules.household_sizes if low <= household_size <= high)


def eligibility(rules: RoundRules, facts: ApplicantFacts, on_date: date) -> list[Reason]:
    """Every failing rule, in a fixed order; an empty list means eligible."""
    reasons = []
    if not facts.tier or not facts.tier_current:
        reasons.append(Reason("no_current_tier"))
    elif rules.min_tier and TIER_ORDER.index(facts.tier) < TIER_ORDER.index(rules.min_tier):
        reasons.append(Reason("tier_too_low", (("tier", facts.tier), ("min_tier", rules.min_tier))))
    if rules.talent_types and facts.talent_type not in rules.talent_types:
        reasons.append(Reason("talent_type", (("talent_type", facts.talent_type or ""),)))
    if rules.district and facts.employer_district.strip() != rules.district.strip():
        reasons.append(Reason("employer_district", (("district", rules.district),
                                                    ("employer_district", facts.employer_district))))
    if rules.require_no_lease and facts.has_current_lease:
        reasons.append(Reason("current_lease"))
    if rules.recent_allocation_months and facts.last_allocated_on is not None and \
            months_between(facts.last_allocated_on, on_date) < rules.recent_allocation_months:
        reasons.append(Reason("recently_allocated", (("months", rules.recent_allocation_months),
                                                     ("on", facts.last_allocated_on.isoformat()))))
    if rules.household_sizes and not layouts_fitting(rules, facts.household_size):
        for layout, low, high in rules.household_sizes:
            code = "household_too_small" if facts.household_size < low else "household_too_large"
            reasons.append(Reason(code, (("size", facts.household_size), ("layout", layout),
                                         ("min", low), ("max", high))))
    return reasons


# -- scoring ----------------------------------------------------------------------------------

def score(rules: RoundRules, facts: ApplicantFacts, on_date: date) -> dict:
    """Integer points by part ("tier", "waiting", "household", "industry") and their "total"."""
    tier_points = dict(rules.tier_points)
    months = months_between(facts.waiting_since, on_date) if facts.waiting_since else 0
    industry = facts.industry.strip()
    parts = {
        "tier": int(tier_points.get(facts.tier, 0)) if facts.tier_current else 0,
        "waiting": rules.points_per_waiting_month * months,
        "household": rules.points_per_member * (facts.household_size - 1),
        "industry": rules.priority_industry_points if industry and industry in rules.priority_industries else 0,
    }
    parts["total"] = sum(parts.values())
    parts["waiting_months"] = months
    return parts


# -- lottery ----------------------------------------------------------------------------------

def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def seed_matches(seed: str, committed_hash: str) -> bool:
    return hmac.compare_digest(seed_hash(seed), committed_hash)


def lottery_number(seed: str, application_id: int) -> str:
    """HMAC-SHA256(seed, application id), the first 64 bits in hex: the tie-break, lower first."""
    # hmac.digest: the same HMAC in one C call (hmac.new builds two hash objects in Python).
    return hmac.digest(seed.encode("ascii"), str(application_id).encode("ascii"), "sha256").hex()[:LOTTERY_DIGITS]


# -- allocation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """An eligible applicant: id, total score, lottery number, the layouts their household fits,
    and ranked preferences as ("layout", code) or ("building", id)."""

    id: int
    score: int
    lottery: str
    fits: frozenset
    preferences: tuple


@dataclass(frozen=True)
class Flat:
    """An offered unit: id, layout, building id, and ``order``: its place among equals (building
    name, floor, number), a tuple of plain values."""

    id: int
    layout: str
    building_id: int
    order: tuple = ()


@dataclass
class Allocation:
    ranking: list = field(default_factory=list)  # candidate ids, best first
    assigned: dict = field(default_factory=dict)  # candidate id -> unit id
    waitlist: list = field(default_factory=list)  # candidate ids without a unit, in rank order
    matched_preference: dict = field(default_factory=dict)  # candidate id -> index of the preference met


def rank_key(candidate: Candidate) -> tuple:
    """Higher score first, then the lower lottery number, then the lower id: total."""
    return (-candidate.score, candidate.lottery, candidate.id)


def unit_key(flat: Flat) -> tuple:
    return (flat.order, flat.id)


def matches(preference: tuple, flat: Flat) -> bool:
    kind, value = preference
    return flat.layout == value if kind == "layout" else flat.building_id == value


def allocate(candidates, flats) -> Allocation:
    """Walk the ranking; give each candidate the first unit of their highest-ranked preference that
    is still free and fits their household (units of equal preference in ``unit_key`` order).

    Each preference is answered from a pool per (kind, value): the units of that layout or
    building in unit order, with a cursor that skips units already taken. A cursor only moves
    forward, so the whole walk costs O(candidates x preferences + units)."""
    flats = sorted(flats, key=unit_key)
    pools: dict[tuple, list] = {}
    for flat in flats:
        pools.setdefault(("layout", flat.layout), []).append(flat)
        pools.setdefault(("building", flat.building_id), []).append(flat)
    # A building pool may hold layouts a household does not fit: one cursor per (pool, fits).
    cursors: dict[tuple, int] = {}
    taken: set[int] = set()
    result = Allocation()
    for candidate in sorted(candidates, key=rank_key):
        result.ranking.append(candidate.id)
        unit = None
        for index, preference in enumerate(candidate.preferences):
            pool = pools.get(preference, ())
            cursor_key = (preference, candidate.fits)
            position = cursors.get(cursor_key, 0)
            while position < len(pool) and (pool[position].id in taken or pool[position].layout not in candidate.fits):
                position += 1
            cursors[cursor_key] = position
            if position < len(pool):
                unit = pool[position]
                result.matched_preference[candidate.id] = index
                break
        if unit is None:
            result.waitlist.append(candidate.id)
        else:
            taken.add(unit.id)
            result.assigned[candidate.id] = unit.id
    return result
