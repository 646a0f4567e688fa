"""Allocation of a round: the dry run (the full result, nothing written) and the commit (written
once: a conditional UPDATE of the round's status decides between two commits, however close).

Both read the same inputs in bulk (one query each for applications, talent profiles, households,
leases and past allocations) and hand plain values to rules.allocate, which does the ranking."""
import gc
import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.accounts.models import Building, User
from community.apartments import queries, rules
from community.apartments.errors import AlreadyAllocated, ApartmentRuleViolation
from community.apartments.models import (
    ACCEPTED, ALLOCATED, ALLOCATED_OUTCOME, INELIGIBLE, OPEN, PUBLISHED, SUBMITTED, WAITLISTED, Application,
    Household, HouseholdMember, Offer, Round, RoundUnit, Unit,
)
from community.apartments.operations.rounds import rules_of
from community.core import audit, signals
from community.core.clock import now, zone
from community.extensions import db
from community.leases.queries import lease_holders_on


@dataclass
class Row:
    """One application in the result: rank (None when not eligible), score parts, lottery number,
    outcome, the unit and which preference it met."""

    application_id: int
    user_id: int
    display_name: str
    reasons: list
    score: dict
    lottery: str
    rank: int | None = None
    outcome: str = WAITLISTED
    unit_id: int | None = None
    preference_index: int | None = None


@dataclass
class Plan:
    round_id: int
    seed: str
    on_date: date
    rows: list = field(default_factory=list)  # rank order, then the ineligible by id
    units: dict = field(default_factory=dict)  # unit id -> Unit

    def counts(self) -> Counter:
        return Counter(row.outcome for row in self.rows)


def closing_day(round_: Round) -> date:
    """Eligibility and waiting months are counted on the local day the window closed (the last
    instant of the window), the same day for every applicant and every rerun."""
    return (round_.closes_at - timedelta(microseconds=1)).astimezone(zone(round_.community.timezone)).date()


def _bulk_facts(round_id, user_ids, on_date) -> dict[int, rules.ApplicantFacts]:
    """ApplicantFacts for a round's applicants in five queries (talent_of's rule, applied in bulk;
    the applicants are a subquery, not a list of ten thousand parameters)."""
    ids = sa.select(Application.user_id).where(Application.round_id == round_id).scalar_subquery()
    # Plain rows, not ORM objects: ten thousand of each would cost more to build than to read.
    profiles = queries.talents_of_applicants(round_id, on_date)
    households = {row.user_id: row for row in db.session.execute(
        sa.select(Household.user_id, Household.employer_district, Household.industry, Household.waiting_since)
        .where(Household.user_id.in_(ids)))}
    members = dict(db.session.execute(
        sa.select(Household.user_id, sa.func.count(HouseholdMember.id))
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(Household.user_id.in_(ids)).group_by(Household.user_id)).all())
    leased = lease_holders_on(ids, on_date)
    last = dict(db.session.execute(sa.select(Offer.user_id, sa.func.max(Offer.decided_at)).where(
        Offer.user_id.in_(ids), Offer.status == ACCEPTED).group_by(Offer.user_id)).all())
    facts = {}
    for user_id in user_ids:
        profile, household = profiles.get(user_id), households.get(user_id)
        facts[user_id] = rules.ApplicantFacts(
            talent_type=profile.talent_type if profile else None, tier=profile.tier if profile else None,
            tier_current=bool(profile and profile.current),
            employer_district=household.employer_district if household else "",
            industry=household.industry if household else "",
            household_size=1 + members.get(user_id, 0), has_current_lease=user_id in leased,
            last_allocated_on=last[user_id].date() if user_id in last else None,
            waiting_since=household.waiting_since if household else None)
    return facts


def _preference_keys(preferences) -> tuple:
    return tuple(("layout", p["layout"]) if "layout" in p else ("building", int(p["building_id"]))
                 for p in preferences)


@contextmanager
def _without_gc_pauses():
    """The cyclic garbage collector off while one allocation builds its tens of thousands of rows
    and objects (none of them cyclic garbage): measured, its full collections were half of a
    10,000-applicant dry run (4.4 s -> 2.0 s). Reference counting still frees everything; the
    collector is switched back on as it was, even on an error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan(round_: Round) -> Plan:
    """The whole result, computed and not written: the dry run, and what commit writes."""
    with _without_gc_pauses():
        return _plan(round_)


def _plan(round_: Round) -> Plan:
    if round_.status != PUBLISHED:
        raise AlreadyAllocated() if round_.status == ALLOCATED else ApartmentRuleViolation(
            _l("Only a published round is allocated."), code="not_published")
    if not round_.applications_closed(now()):
        raise ApartmentRuleViolation(_l("The application window has not closed yet."), code="window_open")
    if not rules.seed_matches(round_.seed or "", round_.seed_hash or ""):
        raise ApartmentRuleViolation(_l("The lottery seed does not match the hash published with the round."),
                                     code="seed_mismatch")
    on_date = closing_day(round_)
    units = {u.id: u for u in db.session.scalars(
        sa.select(Unit).join(RoundUnit, RoundUnit.unit_id == Unit.id).where(RoundUnit.round_id == round_.id))}
    buildings = dict(db.session.execute(sa.select(Building.id, Building.name).where(
        Building.id.in_({u.building_id for u in units.values()} or {-1}))).all())
    round_rules = rules_of(round_, {u.layout for u in units.values()})
    applications = db.session.execute(
        sa.select(Application.id, Application.user_id, Application.preferences, User.display_name)
        .join(User, User.id == Application.user_id)
        .where(Application.round_id == round_.id, Application.status == SUBMITTED)).all()
    facts = _bulk_facts(round_.id, {a.user_id for a in applications}, on_date)
    result = Plan(round_.id, round_.seed, on_date, units=units)
    rows, candidates = {}, []
    for app_id, user_id, preferences, name in applications:
        fact = facts[user_id]
        row = Row(app_id, user_id, name, rules.eligibility(round_rules, fact, on_date),
                  rules.score(round_rules, fact, on_date), rules.lottery_number(round_.seed, app_id))
        fits = rules.layouts_fitting(round_rules, fact.household_size)
        row.score["household_size"] = fact.household_size
        row.score["fits"] = list(fits)
        rows[app_id] = row
        if row.reasons:
            row.outcome = INELIGIBLE
            continue
        candidates.append(rules.Candidate(app_id, row.score["total"], row.lottery,
                                          frozenset(fits),
                                          _preference_keys(preferences)))
    flats = [rules.Flat(u.id, u.layout, u.building_id, (buildings.get(u.building_id, ""), u.floor, u.number))
             for u in units.values()]
    allocation = rules.allocate(candidates, flats)
    for rank, app_id in enumerate(allocation.ranking, start=1):
        row = rows[app_id]
        row.rank = rank
        if app_id in allocation.assigned:
            row.outcome, row.unit_id = ALLOCATED_OUTCOME, allocation.assigned[app_id]
            row.preference_index = allocation.matched_preference[app_id]
    result.rows = [rows[app_id] for app_id in allocation.ranking] + sorted(
        (row for row in rows.values() if row.rank is None), key=lambda row: row.application_id)
    return result


def _write_rows(rows) -> None:
    """Rank, score, lottery number and outcome of every application: on PostgreSQL one UPDATE
    joined to json_to_recordset() of one JSON parameter (the ORM's executemany of 10,000 UPDATEs
    took 2.7 s of a 7.6 s commit; unnest() of eight arrays spent most of its time in psycopg
    dumping 80,000 array items in Python, where json.dumps of the rows is one C call), elsewhere
    the ORM's bulk UPDATE by primary key."""
    values = [{"id": row.application_id, "rank": row.rank, "score": row.score["total"], "score_breakdown": row.score,
               "lottery_number": row.lottery, "outcome": row.outcome, "unit_id": row.unit_id,
               "outcome_reasons": [reason.as_dict() for reason in row.reasons] or None} for row in rows]
    if not values:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(sa.update(Application), values)
        return
    db.session.execute(sa.text(
        "UPDATE apartment_applications AS a SET rank = v.rank, score = v.score,"
        " score_breakdown = v.score_breakdown, lottery_number = v.lottery_number, outcome = v.outcome,"
        " unit_id = v.unit_id, outcome_reasons = v.outcome_reasons"
        " FROM json_to_recordset(CAST(:rows AS json))"
        " AS v(id integer, rank integer, score integer, score_breakdown json, lottery_number text, outcome text,"
        " unit_id integer, outcome_reasons json) WHERE a.id = v.id"),
        {"rows": json.dumps(values, separators=(",", ":"), ensure_ascii=False)})
    db.session.expire_all()


def _insert_offers(round_: Round, rows, at, expires_at, *, load: bool = True) -> list[Offer]:
    """An open offer for every unit given, as Offer objects (the round_allocated signal hands them
    on). On PostgreSQL one INSERT ... SELECT from json_to_recordset() and, when ``load``, one
    SELECT of the rows (the ORM's insertmanyvalues with RETURNING of 2,000 offers was 1.5 s of the
    commit: it builds and parses the statement in batches); elsewhere the ORM's unit of work.
    Without ``load`` (nobody listens to round_allocated) no Offer object is built on PostgreSQL."""
    given = [row for row in rows if row.unit_id is not None]
    if db.session.get_bind().dialect.name != "postgresql":
        offers = [Offer(round_id=round_.id, application_id=row.application_id, unit_id=row.unit_id,
                        user_id=row.user_id, community_id=round_.community_id, status=OPEN, expires_at=expires_at)
                  for row in given]
        db.session.add_all(offers)
        db.session.flush()
        return offers
    if given:
        db.session.execute(sa.text(
            "INSERT INTO apartment_offers (round_id, application_id, unit_id, user_id, community_id, status,"
            " expires_at, created_at, updated_at)"
            " SELECT :round_id, v.application_id, v.unit_id, v.user_id, :community_id, :status, :expires_at, :at, :at"
            " FROM json_to_recordset(CAST(:rows AS json)) AS v(application_id integer, unit_id integer,"
            " user_id integer, n integer) ORDER BY v.n"),
            {"round_id": round_.id, "community_id": round_.community_id, "status": OPEN, "expires_at": expires_at,
             "at": at, "rows": json.dumps([{"application_id": row.application_id, "unit_id": row.unit_id,
                                            "user_id": row.user_id, "n": n} for n, row in enumerate(given)])})
    if not load:
        return []
    return list(db.session.scalars(sa.select(Offer).where(Offer.round_id == round_.id).order_by(Offer.id)))


def commit_allocation(round_: Round, *, actor) -> Plan:
    """Write the plan once: rank, score, lottery number and outcome on every application, an offer
    for every unit given, the seed revealed, the result notice published. A second commit (the
    same operator twice, or two at once) finds the round no longer published and is refused."""
    with _without_gc_pauses():
        return _commit(round_, actor)


def _commit(round_: Round, actor) -> Plan:
    result = _plan(round_)
    at = now()
    taken = db.session.execute(
        sa.update(Round).where(Round.id == round_.id, Round.status == PUBLISHED)
        .values(status=ALLOCATED, allocated_at=at, allocated_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise AlreadyAllocated()
    _write_rows(result.rows)
    expires_at = at + timedelta(days=round_.offer_days)
    # 2,000 Offer objects are read back only for someone who listens (none in this code base today).
    listening = bool(signals.round_allocated.receivers)
    offers = _insert_offers(round_, result.rows, at, expires_at, load=listening)
    db.session.refresh(round_)
    counts = result.counts()
    audit.record(actor, "apartment.round_allocated", round_, seed=round_.seed, applications=len(result.rows),
                 allocated=counts[ALLOCATED_OUTCOME], waitlisted=counts[WAITLISTED], ineligible=counts[INELIGIBLE])
    # The applicants are told by the offers job (notices.send_pending_results / send_pending_offers),
    # in batches, within a minute or two: notify() writes one row and one e-mail at a time.
    if listening:
        signals.round_allocated.send(round_, actor=actor, offers=offers)
    return result
