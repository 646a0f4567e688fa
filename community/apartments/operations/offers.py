"""Offers: accept (the unit is reserved and a lease draft handed over), decline, expire (a job),
and passing a unit down the round's waitlist in rank order. Each state change is a conditional
UPDATE on the offer's status, and the partial unique indexes on open offers keep a unit from being
offered twice at once and a resident from holding two offers."""
from datetime import timedelta

import sqlalchemy as sa

from community.apartments import notices, queries
from community.apartments.errors import OfferClosed
from community.apartments.models import (
    ACCEPTED, ALLOCATED_OUTCOME, AVAILABLE, DECLINED, EXPIRED, OPEN, RESERVED, SUBMITTED, WAITLISTED, Application,
    Household, LeaseDraft, Offer, Unit,
)
from community.core import audit, signals
from community.core.clock import local_today, now
from community.core.db import is_unique_violation, savepoint
from community.extensions import db

LEASE_MONTHS = 12


def _close(offer: Offer, status: str, *, only_before=None) -> bool:
    """Move an open offer to ``status``; False when it was no longer open (or, with
    ``only_before``, already past its deadline)."""
    stmt = sa.update(Offer).where(Offer.id == offer.id, Offer.status == OPEN)
    if only_before is not None:
        stmt = stmt.where(Offer.expires_at > only_before)
    done = db.session.execute(stmt.values(status=status, decided_at=now())
                              .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(offer)
    return bool(done)


def _years_later(day, months):
    year, month = divmod(day.month - 1 + months, 12)
    try:
        return day.replace(year=day.year + year, month=month + 1)
    except ValueError:  # 29 February, or the 31st of a shorter month
        return day.replace(year=day.year + year, month=month + 1, day=28)


def accept_offer(offer: Offer, *, actor) -> LeaseDraft:
    if offer.user_id != getattr(actor, "id", None):
        from community.core.errors import NotFound

        raise NotFound()
    if not _close(offer, ACCEPTED, only_before=now()):
        raise OfferClosed()
    unit = offer.unit
    reserved = db.session.execute(sa.update(Unit).where(Unit.id == unit.id, Unit.status == AVAILABLE)
                                  .values(status=RESERVED).execution_options(synchronize_session=False)).rowcount
    if not reserved:
        raise OfferClosed()
    db.session.refresh(unit)
    starts_on = local_today(offer.round.community.timezone)
    draft = LeaseDraft(offer_id=offer.id, unit_id=unit.id, user_id=offer.user_id, community_id=offer.community_id,
                       starts_on=starts_on, ends_on=_years_later(starts_on, LEASE_MONTHS), rent_fen=unit.rent_fen,
                       currency=unit.currency, deposit_fen=unit.deposit_fen)
    db.session.add(draft)
    household = db.session.scalar(sa.select(Household).where(Household.user_id == offer.user_id))
    if household is not None:
        household.waiting_since = None
    db.session.flush()
    audit.record(actor, "apartment.offer_accepted", offer, unit_id=unit.id, round_id=offer.round_id)
    signals.offer_accepted.send(offer, lease_draft=draft, actor=actor)
    return draft


def decline_offer(offer: Offer, *, actor) -> Offer | None:
    """Decline; the unit goes to the next on the waitlist. Returns that next offer (or None)."""
    if offer.user_id != getattr(actor, "id", None):
        from community.core.errors import NotFound

        raise NotFound()
    if not _close(offer, DECLINED):
        raise OfferClosed()
    audit.record(actor, "apartment.offer_declined", offer, unit_id=offer.unit_id, round_id=offer.round_id)
    following = pass_down(offer)
    signals.offer_closed.send(offer, status=DECLINED, passed_to=following)
    return following


def expire_offers(at) -> int:
    """Close every open offer past its deadline and pass its unit down. Idempotent: an offer
    already closed (by this job on another node, or accepted just before) is skipped."""
    due = list(db.session.scalars(sa.select(Offer).where(Offer.status == OPEN, Offer.expires_at <= at)
                                  .order_by(Offer.expires_at, Offer.id)))
    expired = 0
    for offer in due:
        if not _close(offer, EXPIRED):
            continue
        expired += 1
        audit.record(None, "apartment.offer_expired", offer, unit_id=offer.unit_id, round_id=offer.round_id)
        following = pass_down(offer)
        notices.offer_expired(offer, passed=following is not None)
        signals.offer_closed.send(offer, status=EXPIRED, passed_to=following)
    return expired


def _wants(application: Application, unit: Unit) -> bool:
    fits = (application.score_breakdown or {}).get("fits")
    if fits is not None and unit.layout not in fits:
        return False
    return any(p.get("layout") == unit.layout or p.get("building_id") == unit.building_id
               for p in application.preferences or ())


def pass_down(offer: Offer) -> Offer | None:
    """Offer the unit to the best-ranked waitlisted applicant of the round who wants it (one of
    their preferences names its layout or building, and their household fits it) and holds no
    open offer anywhere. The partial unique indexes settle a race with another pass-down."""
    unit = offer.unit
    if unit.status != AVAILABLE:
        return None
    holding = sa.select(Offer.user_id).where(Offer.status == OPEN)
    candidates = db.session.scalars(
        sa.select(Application).where(Application.round_id == offer.round_id, Application.status == SUBMITTED,
                                     Application.outcome == WAITLISTED, Application.user_id.not_in(holding))
        .order_by(Application.rank, Application.id))
    at = now()
    for application in candidates:
        if not _wants(application, unit):
            continue
        following = Offer(round_id=offer.round_id, application_id=application.id, unit_id=unit.id,
                          user_id=application.user_id, community_id=offer.community_id, status=OPEN,
                          expires_at=at + timedelta(days=offer.round.offer_days))
        try:
            with savepoint(db.session):
                db.session.add(following)
                db.session.flush()
        except sa.exc.IntegrityError as error:
            if not is_unique_violation(error):
                raise
            if queries.unit_has_open_offer(unit.id):
                return None  # someone else passed this unit on meanwhile
            continue  # that applicant got another offer meanwhile
        application.outcome, application.unit_id = ALLOCATED_OUTCOME, unit.id
        offer.passed_to_id = following.id
        db.session.flush()
        audit.record(None, "apartment.offer_made", following, unit_id=unit.id, round_id=offer.round_id,
                     passed_from=offer.id)
        notices.offer_made(following)
        return following
    return None


def remind_expiring(at, within=timedelta(days=1)) -> int:
    """Tell each resident once that their open offer closes within a day."""
    offers = db.session.scalars(sa.select(Offer).where(Offer.status == OPEN, Offer.expires_at > at,
                                                       Offer.expires_at <= at + within))
    return sum(1 for offer in offers if notices.offer_expiring(offer))
