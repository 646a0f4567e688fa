"""The amenity booking rules that need no database: times, capacity, quotas, status and fee.

Everything here is a pure function of what it is given (a resource's settings, the requested
span, the instant "now", rows already read), so each rule is tested at its boundaries without a
session. The operations read what these need (closures, holding bookings, the suspension), call
them, and raise what they return. A ``*_problem`` function returns the error to raise, or None.
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import reduce
from math import gcd
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from community.amenities.errors import AlreadyBooked, BookingRuleViolation, SlotFull
from community.amenities.models import (
    CANCELLED, CONFIRMED, PENDING_APPROVAL, PENDING_PAYMENT, Booking, Closure, Resource,
)
from community.amenities.schedule import MINUTES_PER_DAY, OpeningHours, is_slot_aligned, slots_for_day
from community.core.errors import RuleViolation
from community.core.money import Money

# Residents may check in from this long before the start until start + the resource's grace.
CHECKIN_OPENS_BEFORE = timedelta(minutes=15)
# A booking never crosses local midnight, so it lasts at most one local day (25 h on a DST
# fall-back day). Overlap queries use this as a lower bound on start_at so they stay index ranges.
MAX_BOOKING_SPAN = timedelta(hours=26)
CANCELLABLE_STATUSES = (PENDING_APPROVAL, PENDING_PAYMENT, CONFIRMED)
CHECKIN_VIA = ("self", "staff", "kiosk", "qr")
# "How many slots" on the booking page and in POST /bookings {"slots"}: a longer stay is better
# split, and the select stays short on a phone. (An explicit end is bounded by the opening hours.)
MAX_SLOTS_PER_BOOKING = 8


def local_text(instant: datetime, tz: ZoneInfo) -> str:
    """How a time appears in messages: community wall time, minute precision."""
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def require_aware(value: datetime, name: str) -> None:
    """Refuse a naive (or non-datetime) start or end: the API and jobs pass instants, never wall time."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise BookingRuleViolation(_l("%(name)s must be a date and time with a time zone offset.",
                                      name=name), code="not_aligned")


# -- who may book --------------------------------------------------------------------------------

def tier_allows(resource: Resource, talent, today: date, *, is_admin: bool) -> bool:
    """Tier-restricted resources: a current talent tier in the list; admins see everything.
    ``talent``: the person's TalentProfile or None."""
    if not resource.visible_tiers or is_admin:
        return True
    return talent is not None and talent.is_current(today) and talent.tier in resource.visible_tiers


def attendees_problem(resource: Resource, attendees: int | None) -> BookingRuleViolation | None:
    if attendees is None:
        return None
    if not is_whole_number(attendees) or attendees < 1:
        return BookingRuleViolation(_l("Attendees must be at least 1."), code="too_many_attendees")
    if resource.max_attendees is not None and attendees > resource.max_attendees:
        return BookingRuleViolation(_l("At most %(n)d people can attend here.", n=resource.max_attendees),
                                    code="too_many_attendees", max_attendees=resource.max_attendees)
    return None


def unavailable(resource: Resource) -> BookingRuleViolation:
    """The refusal for a resource that is closed or archived (also under the lock)."""
    return BookingRuleViolation(_l("%(name)s is not open for booking.", name=resource.name),
                                code="resource_unavailable")


def booker_problem(resource: Resource, *, eligible: bool, attendees: int | None,
                   suspended_until: datetime | None) -> BookingRuleViolation | None:
    """The first rule about the resource and the person (not the times) that says no:
    status, tier (``eligible``: tier_allows), attendees, a running suspension ending at
    ``suspended_until``. Membership is checked before, as it is an access question (403)."""
    if not resource.is_active:
        return unavailable(resource)
    if not eligible:
        return BookingRuleViolation(_l("This resource is reserved for residents of certain talent tiers."),
                                    code="not_eligible")
    problem = attendees_problem(resource, attendees)
    if problem is not None:
        return problem
    if suspended_until is not None:
        return BookingRuleViolation(
            _l("Booking is suspended until %(until)s because of repeated no-shows.",
               until=local_text(suspended_until, resource.tz)),
            code="suspended", suspended_until=suspended_until.isoformat())
    return None


# -- the requested times ---------------------------------------------------------------------------

def crosses_midnight(start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """True unless [start, end) stays within one local day (ending exactly at midnight is fine)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_end.date() == local_start.date():
        return False
    ends_at_midnight = local_end.time() == datetime.min.time() and local_end.date() == local_start.date() + timedelta(days=1)
    return not ends_at_midnight


def last_bookable_day(resource: Resource, at: datetime) -> date:
    """The booking window counts local days including today: 14 days = today .. today + 13."""
    return at.astimezone(resource.tz).date() + timedelta(days=resource.booking_window_days - 1)


def booking_end(resource: Resource, start: datetime, slots: int) -> datetime:
    """The end of ``slots`` whole slots from ``start`` (how the page and the API turn "how many
    slots" into an end; whether the span is bookable is time_problem's to say)."""
    return start + timedelta(minutes=resource.slot_minutes * max(slots, 1))


def closure_problem(resource: Resource, start: datetime, end: datetime,
                    closures: Iterable[Closure]) -> BookingRuleViolation | None:
    tz = resource.tz
    for closure in closures:
        if closure.starts_at < end and start < closure.ends_at:
            return BookingRuleViolation(
                _l("Closed from %(start)s to %(end)s: %(reason)s", start=local_text(closure.starts_at, tz),
                   end=local_text(closure.ends_at, tz), reason=closure.reason),
                code="closed", reason=closure.reason)
    return None


def time_problem(resource: Resource, start: datetime, end: datetime, at: datetime,
                 closures: Iterable[Closure]) -> BookingRuleViolation | None:
    """The first rule the requested span breaks that does not depend on other bookings."""
    tz = resource.tz
    if end <= start:
        return BookingRuleViolation(_l("The end must be after the start."), code="not_aligned")
    if crosses_midnight(start, end, tz):
        return BookingRuleViolation(_l("A booking cannot run past midnight; book each day separately."),
                                    code="crosses_midnight")
    if not is_slot_aligned(start, end, resource.hours, resource.slot_minutes, tz):
        return BookingRuleViolation(
            _l("Choose whole %(n)d-minute slots within the opening hours.", n=resource.slot_minutes),
            code="not_aligned")
    if start < at:
        return BookingRuleViolation(_l("This slot has already started."), code="in_the_past")
    if start - at < timedelta(minutes=resource.min_notice_minutes):
        return BookingRuleViolation(
            _l("Book at least %(n)d minutes in advance.", n=resource.min_notice_minutes),
            code="too_short_notice")
    if start.astimezone(tz).date() > last_bookable_day(resource, at):
        return BookingRuleViolation(
            _l("You can book at most %(n)d days ahead.", n=resource.booking_window_days),
            code="outside_window")
    return closure_problem(resource, start, end, closures)


# -- capacity (given the holding bookings read under the lock) -------------------------------------

def slots_of(resource: Resource, start: datetime, end: datetime):
    """The slots an aligned span is made of."""
    day = start.astimezone(resource.tz).date()
    return [slot for slot in slots_for_day(day, resource.hours, resource.slot_minutes, resource.tz)
            if start <= slot.start and slot.end <= end]


def capacity_problem(user_id: int, resource: Resource, start: datetime, end: datetime, rows):
    """SlotFull / AlreadyBooked for one span, given ``rows`` (start_at, end_at, user_id) of the
    holding bookings around it."""
    overlapping = [r for r in rows if r.start_at < end and start < r.end_at]
    if any(r.user_id == user_id for r in overlapping):
        return AlreadyBooked(_l("You already have a booking of %(name)s at this time.", name=resource.name))
    for slot in slots_of(resource, start, end):
        taken = sum(1 for r in overlapping if r.start_at < slot.end and slot.start < r.end_at)
        if taken >= resource.capacity:
            return SlotFull(_l("%(name)s is fully booked at %(time)s.", name=resource.name,
                               time=local_text(slot.start, resource.tz)),
                            slot_start=slot.start.isoformat())
    return None


# -- changing a resource: what new settings do to the bookings already made ---------------------

# Slot lengths offered as examples (the nearest that fit) when the typed one does not fit the hours.
COMMON_SLOT_LENGTHS = (15, 20, 30, 45, 60, 90, 120, 180, 240)


def slot_length_problem(hours: OpeningHours, slot_minutes: int) -> RuleViolation | None:
    """Slots start at each opening and step by ``slot_minutes``; when an opening interval is not a
    whole number of slots its last minutes could never be booked, without anyone being told. So a
    slot length must divide every opening interval (RuleViolation invalid_resource, field
    slot_minutes, saying which interval and what would fit)."""
    lengths = [i.close_minute - i.open_minute for day in range(7) for i in hours.intervals_for(day)]
    misfit = next((i for day in range(7) for i in hours.intervals_for(day)
                   if (i.close_minute - i.open_minute) % slot_minutes), None)
    if misfit is None:
        return None
    left = (misfit.close_minute - misfit.open_minute) % slot_minutes
    common = reduce(gcd, lengths)
    nearest = sorted((n for n in COMMON_SLOT_LENGTHS if common % n == 0), key=lambda n: abs(n - slot_minutes))[:3]
    fits = [str(n) for n in sorted(nearest)]
    if fits:
        message = _l("%(n)d-minute slots do not fit the opening hours %(hours)s: the last %(left)d minutes "
                     "could never be booked. Choose a slot length that divides the opening hours (for example "
                     "%(fits)s minutes), or change the hours.", n=slot_minutes, hours=misfit.to_text(), left=left,
                     fits=" / ".join(fits))
    else:
        message = _l("%(n)d-minute slots do not fit the opening hours %(hours)s: the last %(left)d minutes "
                     "could never be booked. Change the slot length or the hours so that each opening is a "
                     "whole number of slots.", n=slot_minutes, hours=misfit.to_text(), left=left)
    return RuleViolation(message, code="invalid_resource", field="slot_minutes")


def within_opening_hours(start: datetime, end: datetime, hours: OpeningHours, tz: ZoneInfo) -> bool:
    """Whether [start, end) lies inside one opening interval of its local day (a booking ending at
    the next local midnight ends at minute 1440)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    first = local_start.hour * 60 + local_start.minute
    last = MINUTES_PER_DAY if local_end.date() > day else local_end.hour * 60 + local_end.minute
    return any(i.open_minute <= first and last <= i.close_minute for i in hours.intervals_for(day.weekday()))


def over_capacity(bookings: Sequence[Booking], capacity: int, *, keep=lambda booking: False) -> list[Booking]:
    """The bookings that no longer fit ``capacity``: first come, first kept. Sweeping through time,
    whenever more than ``capacity`` bookings overlap, the one made last is dropped (for its whole
    span) until they fit again; bookings ``keep`` says must stay (checked in: the person is there)
    are never dropped. Back-to-back bookings do not overlap."""
    events = sorted([(b.start_at, 1, b.id, b) for b in bookings] + [(b.end_at, 0, b.id, b) for b in bookings],
                    key=lambda event: event[:3])
    active, dropped = {}, {}
    for _instant, is_start, booking_id, booking in events:
        if not is_start:
            active.pop(booking_id, None)
            continue
        active[booking_id] = booking
        while len(active) > capacity:
            droppable = [b for b in active.values() if not keep(b)]
            if not droppable:
                break
            last_made = max(droppable, key=lambda b: b.id)
            del active[last_made.id]
            dropped[last_made.id] = last_made
    return sorted(dropped.values(), key=lambda b: (b.start_at, b.id))


def refund_due(booking: Booking) -> bool:
    """The hook for the payments domain: a booking the office cancelled after it was paid (paid_at
    is kept on cancellation) may be owed its fee back; refund_owed says whether the policy owes it
    (amenities.payables asks payments to refund then)."""
    return booking.status == CANCELLED and booking.paid_at is not None and booking.fee_fen > 0


def refund_owed(booking: Booking, *, by_office: bool, late: bool) -> bool:
    """The refund policy: a paid booking cancelled by the office, or by its resident before the
    cut-off, gets its fee back; a late cancellation by the resident keeps it."""
    return refund_due(booking) and (by_office or not late)


# -- quotas --------------------------------------------------------------------------------------

QUOTAS = (  # (resource attribute, period, measure)
    ("max_bookings_per_day", "day", "bookings"),
    ("max_bookings_per_week", "week", "bookings"),
    ("max_minutes_per_day", "day", "minutes"),
    ("max_minutes_per_week", "week", "minutes"),
)


def quota_message(attribute: str, name: str, limit: int):
    if attribute == "max_bookings_per_day":
        return _l("You can book %(name)s at most %(n)d times a day.", name=name, n=limit)
    if attribute == "max_bookings_per_week":
        return _l("You can book %(name)s at most %(n)d times a week.", name=name, n=limit)
    if attribute == "max_minutes_per_day":
        return _l("You can book %(name)s for at most %(n)d minutes a day.", name=name, n=limit)
    return _l("You can book %(name)s for at most %(n)d minutes a week.", name=name, n=limit)


def period_keys(start: datetime, tz: ZoneInfo) -> dict[str, date]:
    """Local day and local week (its Monday) a booking counts toward, by its start."""
    day = start.astimezone(tz).date()
    return {"day": day, "week": day - timedelta(days=day.weekday())}


def quota_window(resource: Resource, spans: Sequence[tuple[datetime, datetime]]):
    """[first Monday, Monday after the last week) of the spans in the resource's time zone: where
    the quotas count; None when the resource has no quota."""
    if not spans or all(getattr(resource, q[0]) is None for q in QUOTAS):
        return None
    tz = resource.tz
    weeks = [period_keys(s, tz)["week"] for s, _ in spans]
    return (datetime.combine(min(weeks), datetime.min.time(), tzinfo=tz),
            datetime.combine(max(weeks) + timedelta(days=7), datetime.min.time(), tzinfo=tz))


def quota_problems(user_id: int, resource: Resource, spans: Sequence[tuple[datetime, datetime]], rows) -> dict:
    """{span start: BookingRuleViolation} for every new span that would break a quota; ``rows``
    (start_at, end_at, user_id) include the user's holding bookings of the quota weeks."""
    active = [q for q in QUOTAS if getattr(resource, q[0]) is not None]
    window = quota_window(resource, spans)
    if not active or window is None:
        return {}
    tz = resource.tz
    lo, hi = window
    rows = [r for r in rows if r.user_id == user_id and lo <= r.start_at < hi]
    used = defaultdict(int)  # (period, key, measure) -> amount

    def add(start, end):
        keys = period_keys(start, tz)
        for period in ("day", "week"):
            used[(period, keys[period], "bookings")] += 1
            used[(period, keys[period], "minutes")] += int((end - start).total_seconds() // 60)

    for row in rows:
        add(row.start_at, row.end_at)
    problems = {}
    for start, end in spans:
        add(start, end)
        keys = period_keys(start, tz)
        for attribute, period, measure in active:
            limit = getattr(resource, attribute)
            if used[(period, keys[period], measure)] > limit:
                problems[start] = BookingRuleViolation(quota_message(attribute, resource.name, limit),
                                                       code="quota_exceeded", quota=attribute, limit=limit)
                break
    return problems


# -- what a new booking is -------------------------------------------------------------------------

def initial_status(resource: Resource) -> str:
    if resource.requires_approval:
        return PENDING_APPROVAL
    return PENDING_PAYMENT if resource.fee_fen > 0 else CONFIRMED


def slot_count(resource: Resource, start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=resource.slot_minutes))


def booking_fee(resource: Resource, start: datetime, end: datetime) -> Money:
    """The resource's fee a slot times the slots of [start, end)."""
    return resource.fee * slot_count(resource, start, end)


def status_after_approval(booking: Booking) -> str:
    """A paid booking still waits for its payment once approved."""
    return PENDING_PAYMENT if booking.fee_fen > 0 else CONFIRMED


# -- check-in --------------------------------------------------------------------------------------

def checkin_window(booking: Booking) -> tuple[datetime, datetime]:
    """[opens, closes], both inclusive."""
    return (booking.start_at - CHECKIN_OPENS_BEFORE,
            booking.start_at + timedelta(minutes=booking.resource.checkin_grace_minutes))


def checkin_problem(booking: Booking, at: datetime) -> BookingRuleViolation | None:
    """Why a (confirmed) booking cannot be checked in at ``at``, or None."""
    opens, closes = checkin_window(booking)
    if opens <= at <= closes:
        return None
    tz = booking.resource.tz
    return BookingRuleViolation(
        _l("Check-in is open from %(opens)s to %(closes)s.", opens=local_text(opens, tz),
           closes=local_text(closes, tz)),
        code="checkin_window", opens_at=opens.isoformat(), closes_at=closes.isoformat())


def is_late_cancellation(booking: Booking, at: datetime) -> bool:
    """After the cut-off (exactly at the cut-off is still on time)."""
    return at > booking.start_at - timedelta(minutes=booking.resource.cancel_cutoff_minutes)
