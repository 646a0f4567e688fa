"""Applying to a round: the eligibility check with every failing rule named, applying with ranked
preferences, editing and withdrawing while the window is open. One application per round and
resident: the unique constraint decides when two requests race."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.apartments import queries, rules
from community.apartments.errors import AlreadyApplied, ApartmentRuleViolation, NotEligible
from community.apartments.models import SUBMITTED, WITHDRAWN, Application, Round
from community.apartments.operations.households import household_for
from community.apartments.operations.rounds import cached_rules, round_rules, rules_of
from community.apartments.presentation import reason_text
from community.core import audit
from community.core.clock import local_today, now
from community.core.db import is_unique_violation, savepoint
from community.core.errors import NotFound
from community.extensions import db

MAX_PREFERENCES = 10


def facts_for(user, on_date: date) -> rules.ApplicantFacts:
    talent = queries.talent_of(user, on_date)
    household = queries.household_facts(user.id)
    district, industry, waiting_since, size = household or ("", "", None, 1)
    leased, last_allocated = queries.lease_and_last_allocation(user.id, on_date)
    return rules.ApplicantFacts(
        talent_type=talent.talent_type, tier=talent.tier, tier_current=talent.current, employer_district=district,
        industry=industry, household_size=size, has_current_lease=leased, last_allocated_on=last_allocated,
        waiting_since=waiting_since)


def check_eligibility(round_: Round, user, on_date: date | None = None) -> list[rules.Reason]:
    """Every rule of the round the resident fails today (or on ``on_date``); [] when eligible."""
    on_date = on_date or local_today(round_.community.timezone)
    return rules.eligibility(round_rules(round_), facts_for(user, on_date), on_date)


def eligibility_of(user, round_id: int) -> list[rules.Reason]:
    """check_eligibility for a round known by its id, as the API asks it on every call: one
    statement reads the round's visibility and the resident's facts (queries.eligibility_row), the
    tier comes with the request's user, and a frozen round's parsed rules from the cache. NotFound
    for a round the user may not see (round_for_resident's rule)."""
    community = user.community
    guess = community.timezone if community is not None else None
    on_date = local_today(guess)
    row = queries.eligibility_row(user.id, round_id, on_date)
    if row is None or not queries.visible_to_resident(user, row.status, row.community_id):
        raise NotFound()
    if row.timezone != guess:  # another community's round (a manager), or a user without one
        on_date = local_today(row.timezone)
        row = queries.eligibility_row(user.id, round_id, on_date)
    round_rules_ = cached_rules(round_id, row.status, row.seed_hash, row.rules_version,
                                lambda: db.session.get(Round, round_id))
    talent = queries.talent_of(user, on_date)
    facts = rules.ApplicantFacts(
        talent_type=talent.talent_type, tier=talent.tier, tier_current=talent.current,
        employer_district=row.employer_district, industry=row.industry, household_size=row.household_size,
        has_current_lease=row.has_current_lease, last_allocated_on=row.last_allocated_on,
        waiting_since=row.waiting_since)
    return rules.eligibility(round_rules_, facts, on_date)


def not_eligible(reasons) -> NotEligible:
    messages = [str(reason_text(reason)) for reason in reasons]
    return NotEligible(_l("Not eligible: %(reasons)s", reasons="; ".join(messages)),
                       reasons=[reason.as_dict() for reason in reasons], messages=messages)


def _ensure_window(round_: Round) -> None:
    if not round_.accepting_applications(now()):
        raise ApartmentRuleViolation(_l("Applications to this round are not open."), code="outside_window")


def clean_preferences(round_: Round, preferences, household_size: int) -> list[dict]:
    """Preferences as stored: [{"layout": code} | {"building_id": id}], each naming something the
    round offers, without repeats; a layout the household does not fit is refused with the reason."""
    if not isinstance(preferences, list) or not 1 <= len(preferences) <= MAX_PREFERENCES:
        raise ApartmentRuleViolation(_l("Give 1 to %(n)s preferences, the most wanted first.", n=MAX_PREFERENCES),
                                     code="invalid_preferences")
    units = queries.offered_units(round_)
    layouts = {unit.layout for unit in units}
    buildings = {unit.building_id for unit in units}
    sizes = {layout: (low, high) for layout, low, high in rules_of(round_, layouts).household_sizes}
    cleaned, reasons = [], []
    for preference in preferences:
        if not isinstance(preference, dict) or len(preference) != 1:
            raise ApartmentRuleViolation(_l("Each preference names one layout or one building."),
                                         code="invalid_preferences")
        if "layout" in preference and preference["layout"] in layouts:
            entry = {"layout": preference["layout"]}
            low, high = sizes[entry["layout"]]
            if not low <= household_size <= high:
                code = "household_too_small" if household_size < low else "household_too_large"
                reasons.append(rules.Reason(code, (("size", household_size), ("layout", entry["layout"]),
                                                   ("min", low), ("max", high))))
        elif "building_id" in preference and preference["building_id"] in buildings:
            entry = {"building_id": preference["building_id"]}
        else:
            raise ApartmentRuleViolation(_l("A preference names a layout or building this round does not offer."),
                                         code="invalid_preferences")
        if entry in cleaned:
            raise ApartmentRuleViolation(_l("A preference is listed twice."), code="invalid_preferences")
        cleaned.append(entry)
    if reasons:
        raise not_eligible(reasons)
    return cleaned


def apply(round_: Round, user, preferences, *, actor=None) -> Application:
    """201 path of the API: eligible, inside the window, first application of this resident."""
    _ensure_window(round_)
    if user.community_id != round_.community_id:
        raise ApartmentRuleViolation(_l("This round is for residents of another community."), code="not_resident")
    existing = queries.application_of(user, round_)
    if existing is not None:
        if existing.status == WITHDRAWN:
            return resubmit(existing, preferences, actor=actor or user)
        raise AlreadyApplied()
    reasons = check_eligibility(round_, user)
    if reasons:
        raise not_eligible(reasons)
    household = household_for(user)
    cleaned = clean_preferences(round_, preferences, household.size)
    application = Application(round_id=round_.id, user_id=user.id, community_id=round_.community_id,
                              preferences=cleaned, status=SUBMITTED)
    try:
        with savepoint(db.session):
            db.session.add(application)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if is_unique_violation(error):
            raise AlreadyApplied() from None
        raise
    if household.waiting_since is None:
        household.waiting_since = local_today(round_.community.timezone)
        db.session.flush()
    audit.record(actor or user, "apartment.applied", application, round_id=round_.id, preferences=cleaned)
    return application


def update_preferences(application: Application, preferences, *, actor) -> Application:
    round_ = application.round
    _ensure_window(round_)
    if application.status != SUBMITTED:
        raise ApartmentRuleViolation(_l("A withdrawn application cannot be changed."), code="withdrawn")
    cleaned = clean_preferences(round_, preferences, household_for(application.user).size)
    if cleaned != application.preferences:
        application.preferences = cleaned
        db.session.flush()
        audit.record(actor, "apartment.application_updated", application, round_id=round_.id, preferences=cleaned)
    return application


def withdraw(application: Application, *, actor) -> Application:
    _ensure_window(application.round)
    if application.status == WITHDRAWN:
        return application
    application.status, application.withdrawn_at = WITHDRAWN, now()
    db.session.flush()
    audit.record(actor, "apartment.application_withdrawn", application, round_id=application.round_id)
    return application


def resubmit(application: Application, preferences, *, actor) -> Application:
    """A withdrawn application sent again inside the window (the row is unique per round and
    resident, so withdrawing and applying again reuse it)."""
    _ensure_window(application.round)
    reasons = check_eligibility(application.round, application.user)
    if reasons:
        raise not_eligible(reasons)
    application.preferences = clean_preferences(application.round, preferences, household_for(application.user).size)
    application.status, application.withdrawn_at = SUBMITTED, None
    db.session.flush()
    audit.record(actor, "apartment.applied", application, round_id=application.round_id,
                 preferences=application.preferences)
    return application
