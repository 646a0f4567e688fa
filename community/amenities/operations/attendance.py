"""Attendance: check-in (by the resident, the staff or the QR kiosk), no-shows and the suspensions
they lead to, and the expiry of bookings still unconfirmed when they start (the last two are run
by the amenities job)."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from community.amenities import notices, rules
from community.amenities.errors import AlreadyCheckedIn, BookingRuleViolation
from community.amenities.models import (
    CANCELLED, CHECKED_IN, CONFIRMED, NO_SHOW, PENDING_APPROVAL, PENDING_PAYMENT, Booking, Suspension,
)
from community.amenities.operations.access import is_admin, require_admin
from community.core import audit, signals
from community.core.clock import now
from community.core.errors import NotFound, PermissionDenied
from community.core.i18n import N_
from community.extensions import db


# -- check-in --------------------------------------------------------------------------------------

def check_in(booking: Booking, *, actor, via: str = "self") -> Booking:
    """The owner ("I'm here") or an admin (staff page, kiosk, QR) marks the booking checked in.
    A second check-in changes nothing and says when the first was (AlreadyCheckedIn, 409): at
    the desk a code scanned twice may be a copied one, and "success" again would hide it."""
    if via not in rules.CHECKIN_VIA:
        raise ValueError(f"unknown check-in channel {via!r}")
    if not is_admin(actor, booking.community_id) and booking.user_id != getattr(actor, "id", None):
        raise PermissionDenied(_l("You can only check in to your own bookings."), code="not_owner")
    if booking.status == CHECKED_IN:
        raise already_checked_in(booking)
    if booking.status != CONFIRMED:
        raise BookingRuleViolation(_l("Only confirmed bookings can be checked in."), code="not_checkable",
                                   booking_status=booking.status)
    at = now()
    problem = rules.checkin_problem(booking, at)
    if problem is not None:
        raise problem
    booking.status = CHECKED_IN
    booking.checked_in_at = at
    db.session.flush()
    audit.record(actor, "amenity.checked_in", booking, via=via)
    signals.booking_status_changed.send(booking, previous=CONFIRMED, actor=actor)
    return booking


def already_checked_in(booking: Booking) -> AlreadyCheckedIn:
    when = booking.checked_in_at.astimezone(booking.resource.tz) if booking.checked_in_at else None
    return AlreadyCheckedIn(_l("Already checked in at %(time)s.", time=when.strftime("%H:%M") if when else "—"),
                            checked_in_at=when.isoformat() if when else None)


def check_in_by_qr(qr_token: str, *, actor) -> Booking:
    """Staff or kiosk scanned (or typed) a booking's QR token. A code of another community is
    answered like an unknown one (it is not the actor's to see); its owner is told the desk is
    for staff."""
    booking = db.session.scalar(sa.select(Booking).where(Booking.qr_token == (qr_token or "").strip()))
    if booking is None or not (is_admin(actor, booking.community_id)
                               or booking.user_id == getattr(actor, "id", None)):
        raise NotFound(_l("No booking has this code."), code="unknown_qr")
    require_admin(actor, booking.community_id)
    return check_in(booking, actor=actor, via="qr")


# -- no-shows and suspensions ----------------------------------------------------------------------

def _no_show_settings() -> tuple[int, timedelta, timedelta]:
    config = current_app.config
    return (config.get("NO_SHOW_LIMIT", 3), timedelta(days=config.get("NO_SHOW_WINDOW_DAYS", 30)),
            timedelta(days=config.get("NO_SHOW_SUSPENSION_DAYS", 7)))


def release_no_shows(at: datetime) -> int:
    """Mark confirmed bookings not checked in by start + grace as no-shows (their place is free
    again) and suspend whoever reaches the no-show limit. Idempotent; returns how many."""
    candidates = db.session.scalars(
        sa.select(Booking).join(Booking.resource).options(contains_eager(Booking.resource))
        .where(Booking.status == CONFIRMED, Booking.start_at < at)
        .order_by(Booking.start_at, Booking.id)
        .with_for_update(of=Booking)  # a check-in committing meanwhile wins: the row drops out
    ).all()
    released = [b for b in candidates
                if at > b.start_at + timedelta(minutes=b.resource.checkin_grace_minutes)]
    for booking in released:
        booking.status = NO_SHOW
        audit.record(None, "amenity.no_show", booking)
    db.session.flush()
    for booking in released:
        signals.booking_status_changed.send(booking, previous=CONFIRMED, actor=None)
        notices.booking_released_no_show(booking)
    for user_id, community_id in sorted({(b.user_id, b.community_id) for b in released}):
        _suspend_if_due(user_id, community_id, at)
    return len(released)


def _suspend_if_due(user_id: int, community_id: int, at: datetime) -> Suspension | None:
    """Suspend after NO_SHOW_LIMIT no-shows within NO_SHOW_WINDOW_DAYS; no-shows before the last
    suspension began have been paid for and do not count again."""
    limit, window, length = _no_show_settings()
    latest = db.session.scalar(
        sa.select(Suspension).where(Suspension.user_id == user_id, Suspension.community_id == community_id)
        .order_by(Suspension.starts_at.desc()).limit(1))
    if latest is not None and latest.ends_at > at:
        return None
    since = at - window
    if latest is not None and latest.starts_at > since:
        since = latest.starts_at
    count = db.session.scalar(sa.select(sa.func.count(Booking.id)).where(
        Booking.user_id == user_id, Booking.community_id == community_id, Booking.status == NO_SHOW,
        Booking.start_at >= since))
    if count < limit:
        return None
    suspension = Suspension(user_id=user_id, community_id=community_id, starts_at=at, ends_at=at + length,
                            reason=f"{count} no-shows in {window.days} days")
    db.session.add(suspension)
    db.session.flush()
    audit.record(None, "amenity.suspended", suspension, community_id=community_id, user_id=user_id,
                 no_shows=count, ends_at=suspension.ends_at)
    notices.booking_suspended(suspension)
    return suspension


# -- bookings nobody confirmed -----------------------------------------------------------------------

# Stored in English and translated when shown: the job has no reader whose language to use.
EXPIRY_REASONS = {PENDING_APPROVAL: N_("Not approved before the start"),
                  PENDING_PAYMENT: N_("Not paid before the start")}


def expire_unconfirmed(at: datetime) -> int:
    """Bookings still waiting for approval or payment when they start are cancelled, so they
    stop holding a place; this is not a no-show. The resident is told why."""
    stale = db.session.scalars(
        sa.select(Booking).where(Booking.status.in_((PENDING_APPROVAL, PENDING_PAYMENT)), Booking.start_at <= at)
        .with_for_update(of=Booking)).all()
    previous = {}
    for booking in stale:
        previous[booking.id] = booking.status
        booking.decision_reason = EXPIRY_REASONS[booking.status]
        booking.status = CANCELLED
        booking.cancelled_at = at
        audit.record(None, "amenity.expired", booking, reason=booking.decision_reason)
    db.session.flush()
    for booking in stale:
        signals.booking_status_changed.send(booking, previous=previous[booking.id], actor=None)
        notices.booking_expired(booking, waiting_for="payment" if previous[booking.id] == PENDING_PAYMENT
                                else "approval")
    return len(stale)
