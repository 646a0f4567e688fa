"""What residents are told about their bookings: one function per event, each calling notify().

Operations call these after their flush (docs/architecture.md, "Notifications"); the texts are
registered here, in this domain's catalog, and written out in the resident's language. This
module imports no operations, so operations may import it."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from community.amenities.models import CONFIRMED, Booking, Resource, Suspension
from community.extensions import db
from community.notifications.kinds import register_group, register_kind
from community.notifications.models import Notice
from community.core.audit import object_type_of
from community.notifications.operations import notify

BOOKINGS = "bookings"
MY_BOOKINGS = "amenities.my_bookings"
PAST_BOOKINGS = (MY_BOOKINGS, {"tab": "past"})
REMINDER_LEAD = timedelta(hours=1)

CONFIRMED_KIND = "amenities.booking_confirmed"
SERIES_CONFIRMED_KIND = "amenities.series_confirmed"
APPROVED_KIND = "amenities.booking_approved"
REJECTED_KIND = "amenities.booking_rejected"
CANCELLED_BY_OFFICE_KIND = "amenities.booking_cancelled_by_office"
REMINDER_KIND = "amenities.booking_reminder"
NO_SHOW_KIND = "amenities.booking_released_no_show"
SUSPENDED_KIND = "amenities.booking_suspended"
EXPIRED_KIND = "amenities.booking_expired"


def _approved_body(params):
    if params.get("fee"):
        return _l("The community office approved your booking of %(resource)s on %(start_at)s.\n"
                  "Please pay %(fee)s before it starts: a booking still unpaid at its start is cancelled.")
    return _l("The community office approved your booking of %(resource)s on %(start_at)s. It is confirmed.")


def _expired_body(params):
    if params.get("waiting_for") == "payment":
        return _l("Your booking of %(resource)s on %(start_at)s was still unpaid when it started, so it was "
                  "cancelled and its place freed. Nothing was charged.")
    return _l("The community office had not approved your booking of %(resource)s on %(start_at)s when it "
              "started, so it was cancelled and its place freed.")


def _reminder_body(params):
    if params.get("location"):
        return _l("Your booking of %(resource)s (%(location)s) starts at %(start_at)s, in about an hour.\n"
                  "Check in when you arrive with “I'm here” or the QR code in My bookings; a booking nobody "
                  "checks in to is released %(grace)s minutes after its start.")
    return _l("Your booking of %(resource)s starts at %(start_at)s, in about an hour.\n"
              "Check in when you arrive with “I'm here” or the QR code in My bookings; a booking nobody "
              "checks in to is released %(grace)s minutes after its start.")


register_group(BOOKINGS, _l("Bookings"),
               description=_l("Confirmations, approvals, cancellations, reminders and no-shows of your "
                              "amenity bookings."))
register_kind(CONFIRMED_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Booking confirmed: %(resource)s, %(start_at)s"),
              body=_l("Your booking of %(resource)s on %(start_at)s is confirmed.\n"
                      "Check in when you arrive with “I'm here” or the QR code in My bookings."))
register_kind(SERIES_CONFIRMED_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("%(count)s bookings confirmed: %(resource)s"),
              body=_l("Your %(count)s repeating bookings of %(resource)s are confirmed, from %(start_at)s "
                      "to %(last_at)s."))
register_kind(APPROVED_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Booking approved: %(resource)s, %(start_at)s"), body=_approved_body)
register_kind(REJECTED_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Booking not approved: %(resource)s, %(start_at)s"),
              body=_l("The community office did not approve your booking of %(resource)s on %(start_at)s.\n"
                      "Reason: %(reason)s"))
register_kind(CANCELLED_BY_OFFICE_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Your booking of %(resource)s was cancelled"),
              body=_l("The community office cancelled your booking of %(resource)s on %(start_at)s.\n"
                      "Reason: %(reason)s"))
register_kind(REMINDER_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Reminder: %(resource)s at %(start_at)s"), body=_reminder_body)
register_kind(NO_SHOW_KIND, BOOKINGS, link=PAST_BOOKINGS[0],
              subject=_l("Released as a no-show: %(resource)s, %(start_at)s"),
              body=_l("Nobody checked in to your booking of %(resource)s on %(start_at)s within %(grace)s "
                      "minutes of its start, so it was released for others and counted as a no-show.\n"
                      "Repeated no-shows suspend amenity booking for a while."))
register_kind(EXPIRED_KIND, BOOKINGS, link=PAST_BOOKINGS[0],
              subject=_l("Booking cancelled, not confirmed in time: %(resource)s, %(start_at)s"),
              body=_expired_body)
register_kind(SUSPENDED_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Amenity booking suspended until %(ends_at)s"),
              body=_l("After %(limit)s no-shows within %(days)s days you cannot book amenities in %(community)s "
                      "until %(ends_at)s.\nThe bookings you already have are kept: check in to them, or cancel "
                      "them in time."))


def _booking_params(booking: Booking) -> dict:
    """What every booking text may use. Names and reasons are the office's own text: the notice
    page escapes them and the e-mail is plain text."""
    resource = booking.resource
    return {"resource": resource.name, "location": resource.location or "", "start_at": booking.start_at,
            "end_at": booking.end_at, "tz": resource.community.timezone, "booking_id": booking.id}


def _tell(booking: Booking, kind: str, *, link=None, once=False, email=True, **extra) -> Notice | None:
    return notify(booking.user, kind, obj=booking, link=link, once=once, email=email, **_booking_params(booking),
                  **extra)


def booking_confirmed(booking: Booking, *, email: bool = True) -> Notice:
    """The booking holds its place for sure: booked without approval or fee, or paid.
    ``email=False`` for a booking confirmed the moment the resident made it: the page they are
    looking at already says so, and the notice list keeps it."""
    return _tell(booking, CONFIRMED_KIND, email=email)


def series_confirmed(bookings: list[Booking], *, email: bool = True) -> Notice:
    """One notice for every occurrence of a recurring booking confirmed at once (not one each)."""
    first, last = bookings[0], bookings[-1]
    return notify(first.user, SERIES_CONFIRMED_KIND, obj=first.series or first, email=email,
                  **_booking_params(first), last_at=last.start_at, count=len(bookings))


def booking_approved(booking: Booking) -> Notice:
    """Approved by the office; the text says when it still has to be paid."""
    fee = booking.fee.display() if booking.status != CONFIRMED and booking.fee_fen > 0 else ""
    return _tell(booking, APPROVED_KIND, fee=fee)


def booking_rejected(booking: Booking) -> Notice:
    return _tell(booking, REJECTED_KIND, reason=booking.decision_reason)


def booking_cancelled_by_office(booking: Booking) -> Notice:
    """An admin cancelled a resident's booking; the resident learns what, when and why."""
    return _tell(booking, CANCELLED_BY_OFFICE_KIND, reason=booking.decision_reason)


def booking_released_no_show(booking: Booking) -> Notice:
    return _tell(booking, NO_SHOW_KIND, link=PAST_BOOKINGS, grace=booking.resource.checkin_grace_minutes)


def booking_expired(booking: Booking, *, waiting_for: str) -> Notice:
    """Still waiting for approval or payment (``waiting_for``: "approval" | "payment") when it
    started, so the job cancelled it (attendance.expire_unconfirmed)."""
    return _tell(booking, EXPIRED_KIND, link=PAST_BOOKINGS, waiting_for=waiting_for)


def booking_suspended(suspension: Suspension) -> Notice:
    from community.accounts.models import Community, User

    user = db.session.get(User, suspension.user_id)
    community = db.session.get(Community, suspension.community_id)
    config = current_app.config
    return notify(user, SUSPENDED_KIND, obj=suspension, ends_at=suspension.ends_at, tz=community.timezone,
                  community=community.name, limit=config.get("NO_SHOW_LIMIT", 3),
                  days=config.get("NO_SHOW_WINDOW_DAYS", 30))


# -- the 1-hour reminder (job "amenities-reminders", community/amenities/reminders.py) -----------

def _reminder_candidates(at: datetime) -> list[Booking]:
    """Confirmed bookings starting within the next hour that have no reminder yet."""
    reminded = sa.exists().where(Notice.kind == REMINDER_KIND, Notice.object_type == object_type_of(Booking),
                                 Notice.object_id == Booking.id)
    return db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.resource).joinedload(Resource.community), joinedload(Booking.user))
        .where(Booking.status == CONFIRMED, Booking.start_at > at, Booking.start_at <= at + REMINDER_LEAD,
               ~reminded)
        .order_by(Booking.start_at, Booking.id)).all()


def send_reminders(at: datetime) -> int:
    """Remind each resident once, about an hour before a confirmed booking starts; returns how
    many were reminded. A booking made less than an hour ahead gets none: it was just made.

    Idempotent: the reminder is a notice that exists once per booking (a unique key), so a second
    run, even one racing this one, reminds nobody twice."""
    sent = 0
    for booking in _reminder_candidates(at):
        if booking.created_at > booking.start_at - REMINDER_LEAD:
            continue
        if _tell(booking, REMINDER_KIND, once=True, grace=booking.resource.checkin_grace_minutes) is not None:
            sent += 1
    return sent


# -- a booking cancelled because the resource changed (operations.resources) ----------------------

CANCELLED_BY_CHANGE_KIND = "amenities.booking_cancelled_by_change"
# What changed; the params' "cause".
CLOSURE, FEWER_PLACES, OTHER_HOURS, NOT_OPEN = "closure", "capacity", "hours", "status"


def _cancelled_by_change_body(params):
    cause = params.get("cause")
    if cause == CLOSURE:
        first = _l("%(resource)s is closed from %(closure_starts_at)s to %(closure_ends_at)s, so the community "
                   "office cancelled your booking on %(start_at)s.")
    elif cause == FEWER_PLACES:
        first = _l("%(resource)s has fewer places now, so the community office cancelled your booking on "
                   "%(start_at)s (the bookings made last could not be kept).")
    elif cause == OTHER_HOURS:
        first = _l("The opening hours of %(resource)s changed and no longer include your booking on %(start_at)s, "
                   "so the community office cancelled it.")
    else:
        first = _l("%(resource)s is no longer open for booking, so the community office cancelled your booking "
                   "on %(start_at)s.")
    lines = [str(first), str(_l("Reason: %(reason)s"))]
    if params.get("refund"):
        lines.append(str(_l("You paid %(fee)s for it; it will be refunded to you.")))
    return "\n".join(lines)


register_kind(CANCELLED_BY_CHANGE_KIND, BOOKINGS, link=MY_BOOKINGS,
              subject=_l("Your booking of %(resource)s was cancelled"), body=_cancelled_by_change_body)


def booking_cancelled_by_change(booking: Booking, *, cause: str, refund: bool, closure=None) -> Notice:
    """The office closed the resource, lowered its capacity, changed its hours, or closed or
    archived it, and cancelled this booking with it (its decision_reason says why). ``refund``:
    it had been paid, and the text says the fee comes back (rules.refund_due)."""
    extra = {"closure_starts_at": closure.starts_at, "closure_ends_at": closure.ends_at} if closure else {}
    return _tell(booking, CANCELLED_BY_CHANGE_KIND, cause=cause, reason=booking.decision_reason,
                 refund=refund, fee=booking.fee.display() if refund else "", **extra)
