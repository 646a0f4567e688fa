"""The amenities domain's errors. Each carries a stable ``code`` clients can branch on; the one
error handler in core.errors turns them into a flash message or problem+json."""
from community.core.errors import Conflict, RuleViolation


class SlotFull(Conflict):
    """Another booking took the last place of a slot in the requested range."""

    code = "slot_full"


class AlreadyBooked(Conflict):
    """The resident already holds an overlapping booking of the same resource."""

    code = "already_booked"


class AlreadyCheckedIn(Conflict):
    """The booking was checked in before (a second tap, a QR code scanned twice); says when."""

    code = "already_checked_in"


class RecurrenceConflict(Conflict):
    """At least one occurrence of a recurring request failed; ``extra["conflicts"]`` lists them all."""

    code = "recurrence_conflict"


class BookingsAffected(Conflict):
    """A change of a resource (a closure, fewer places, other opening hours, closing or archiving
    it) would leave bookings it hits standing. ``bookings``: those Booking objects, soonest first;
    ``extra["bookings"]``: the same as plain data for problem+json, ``extra["cause"]`` names the
    change. Codes: bookings_affected (say whether to cancel them), affected_bookings_changed (the
    set changed since the admin looked), reason_required (cancelling them needs a reason, 422)."""

    code = "bookings_affected"

    def __init__(self, message=None, *, bookings, cause, tz, **kwargs):
        super().__init__(message, cause=cause, count=len(bookings),
                         bookings=[_booking_entry(b, tz) for b in bookings], **kwargs)
        self.bookings = list(bookings)
        self.cause = cause


def _booking_entry(booking, tz) -> dict:
    return {"id": booking.id, "user_id": booking.user_id, "status": booking.status,
            "start": booking.start_at.astimezone(tz).isoformat(), "end": booking.end_at.astimezone(tz).isoformat(),
            "paid": booking.paid_at is not None}


class BookingRuleViolation(RuleViolation):
    """A booking rule said no (422); ``code`` names the rule, e.g. "outside_window"."""

    code = "booking_rule"


# The codes BookingRuleViolation is raised with, for documentation and tests.
RULE_CODES = (
    "not_aligned", "in_the_past", "outside_window", "too_short_notice", "closed",
    "resource_unavailable", "quota_exceeded", "suspended", "not_eligible", "too_many_attendees",
    "cancel_too_late", "not_cancellable", "checkin_window", "not_checkable", "invalid_recurrence",
    "crosses_midnight", "not_pending", "not_pending_payment", "reason_required",
)
