"""Every rule and every write of the amenities domain. Flushes and audits, never commits.

The no-overbooking rule: an operation that adds holding bookings first bumps the resource's
lock_version with an UPDATE (the row lock on PostgreSQL, the database write lock on SQLite),
then counts the holding bookings of each slot of the requested range, then inserts. Everything
that does not depend on other bookings is checked before the lock, so the lock is held briefly.
"""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from community.amenities.errors import (
    AlreadyBooked, BookingRuleViolation, RecurrenceConflict, SlotFull,
)
from community.amenities.models import (
    ACTIVE, CANCELLED, CHECKED_IN, CONFIRMED, HOLDING_STATUSES, NO_SHOW, PENDING_APPROVAL,
    PENDING_PAYMENT, REJECTED, RESOURCE_KINDS, RESOURCE_STATUSES, TIERS, Booking, BookingSeries,
    CalendarFeed, Closure, Resource, Suspension,
)
from community.amenities.recurrence import RecurrenceError, expand, parse_rrule
from community.amenities.schedule import OpeningHours, is_slot_aligned, slots_for_day
from community.core import audit, uploads
from community.core.clock import now
from community.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from community.core.i18n import N_
from community.core.permissions import COMMUNITY_ADMIN, RESIDENT, has_role
from community.extensions import db

# Residents may check in from this long before the start until start + the resource's grace.
CHECKIN_OPENS_BEFORE = timedelta(minutes=15)
# A booking never crosses local midnight, so it lasts at most one local day (25 h on a DST
# fall-back day). Overlap queries use this as a lower bound on start_at so they stay index ranges.
MAX_BOOKING_SPAN = timedelta(hours=26)
CANCELLABLE_STATUSES = (PENDING_APPROVAL, PENDING_PAYMENT, CONFIRMED)
CHECKIN_VIA = ("self", "staff", "kiosk", "qr")


def local_text(instant: datetime, tz: ZoneInfo) -> str:
    """How a time appears in messages: community wall time, minute precision."""
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _require_admin(actor, community_id: int) -> None:
    if not has_role(actor, COMMUNITY_ADMIN, community_id):
        raise PermissionDenied(_l("Only an administrator of this community can do this."),
                               code="not_community_admin")


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise BookingRuleViolation(_l("%(name)s must be a date and time with a time zone offset.",
                                      name=name), code="not_aligned")


# -- resources ---------------------------------------------------------------------------------

# photo_path is not among them: a photo only arrives through set_resource_photo, checked and stored.
RESOURCE_TEXT_FIELDS = {"name": 120, "location": 255, "description": None}
RESOURCE_MIN_INT_FIELDS = {  # field -> smallest allowed value
    "capacity": 1, "booking_window_days": 1, "min_notice_minutes": 0, "cancel_cutoff_minutes": 0,
    "fee_fen": 0, "checkin_grace_minutes": 0,
}
RESOURCE_OPTIONAL_LIMITS = ("max_bookings_per_day", "max_bookings_per_week", "max_minutes_per_day",
                            "max_minutes_per_week", "max_attendees")
RESOURCE_FIELDS = (set(RESOURCE_TEXT_FIELDS) | set(RESOURCE_MIN_INT_FIELDS) | set(RESOURCE_OPTIONAL_LIMITS)
                   | {"kind", "slot_minutes", "opening_hours", "requires_approval", "currency",
                      "visible_tiers"})
MAX_WINDOW_DAYS = 366


def _invalid(field: str, message) -> RuleViolation:
    return RuleViolation(message, code="invalid_resource", field=field)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_text(field, value):
    limit = RESOURCE_TEXT_FIELDS[field]
    text = (value or "").strip()
    if field == "name" and not text:
        raise _invalid(field, _l("Give the resource a name."))
    if limit and len(text) > limit:
        raise _invalid(field, _l("%(field)s is longer than %(n)d characters.", field=field, n=limit))
    return text


def _clean_int(field, value, minimum):
    if not _is_int(value) or value < minimum:
        raise _invalid(field, _l("%(field)s must be a whole number of at least %(n)d.", field=field, n=minimum))
    if field == "booking_window_days" and value > MAX_WINDOW_DAYS:
        raise _invalid(field, _l("The booking window can be at most %(n)d days.", n=MAX_WINDOW_DAYS))
    return value


def _clean_opening_hours(value) -> dict:
    try:
        hours = value if isinstance(value, OpeningHours) else OpeningHours.from_dict(value or {})
    except (ValueError, TypeError, AttributeError) as exc:
        raise _invalid("opening_hours", _l("Opening hours are not valid: %(error)s", error=str(exc)))
    return hours.to_dict()


def _clean_resource_field(field, value):
    """One field of a resource, validated; raises RuleViolation(code="invalid_resource")."""
    if field in RESOURCE_TEXT_FIELDS:
        return _clean_text(field, value)
    if field in RESOURCE_MIN_INT_FIELDS:
        return _clean_int(field, value, RESOURCE_MIN_INT_FIELDS[field])
    if field in RESOURCE_OPTIONAL_LIMITS:
        return None if value is None else _clean_int(field, value, 1)
    if field == "kind":
        if value not in RESOURCE_KINDS:
            raise _invalid(field, _l("Unknown kind of resource."))
        return value
    if field == "slot_minutes":
        if not _is_int(value) or not 5 <= value <= 480:
            raise _invalid(field, _l("Slot length must be between 5 and 480 minutes."))
        return value
    if field == "opening_hours":
        return _clean_opening_hours(value)
    if field == "requires_approval":
        return bool(value)
    if field == "currency":
        if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
            raise _invalid(field, _l("Currency is a three-letter code such as CNY."))
        return value.upper()
    if field == "visible_tiers":
        tiers = list(value or [])
        if any(t not in TIERS for t in tiers):
            raise _invalid(field, _l("Unknown talent tier."))
        return sorted(set(tiers), key=TIERS.index)
    raise TypeError(f"unknown resource field {field!r}")


def _clean_resource_fields(fields: dict) -> dict:
    return {field: _clean_resource_field(field, value) for field, value in fields.items()}


def create_resource(community, *, actor, **fields) -> Resource:
    """Add a bookable resource; kind, name and opening_hours are required, the rest has defaults."""
    _require_admin(actor, community.id)
    for required in ("kind", "name", "opening_hours"):
        if required not in fields:
            raise _invalid(required, _l("%(field)s is required.", field=required))
    resource = Resource(community=community, community_id=community.id, **_clean_resource_fields(fields))
    db.session.add(resource)
    db.session.flush()
    audit.record(actor, "amenity.resource_created", resource, name=resource.name, kind=resource.kind)
    return resource


def update_resource(resource: Resource, *, actor, **fields) -> Resource:
    """Change settings. Existing bookings keep their times; capacity cannot drop below what
    future bookings already hold."""
    _require_admin(actor, resource.community_id)
    values = _clean_resource_fields(fields)
    if values.get("capacity", resource.capacity) < resource.capacity:
        _lock_resource(resource, require_active=False)
        in_use = _peak_future_holding(resource, now())
        if values["capacity"] < in_use:
            raise Conflict(_l("%(n)d bookings already overlap in one slot; cancel some before lowering "
                              "the capacity.", n=in_use), code="capacity_in_use", in_use=in_use)
    changed = {k: v for k, v in values.items() if getattr(resource, k) != v}
    for field, value in changed.items():
        setattr(resource, field, value)
    db.session.flush()
    audit.record(actor, "amenity.resource_updated", resource, fields=sorted(changed))
    return resource


PHOTO_FOLDER = "amenities"


def photo_refusal_message(reason: str):
    """What the admin reads when an upload is refused (reason from uploads.UploadRefused)."""
    if reason == "size":
        max_mb = current_app.config["AMENITY_PHOTO_MAX_BYTES"] // (1024 * 1024)
        return _l("The photo is larger than %(mb)d MB. Choose a smaller one.", mb=max_mb)
    if reason == "empty":
        return _l("The chosen file is empty.")
    return _l("Choose a photo in JPEG, PNG or WebP format (the file itself is checked, not only its name).")


def set_resource_photo(resource: Resource, file, *, actor) -> Resource:
    """Store a new photo (JPEG, PNG or WebP by content, at most AMENITY_PHOTO_MAX_BYTES) under
    UPLOAD_ROOT/amenities/<random name>; the old file goes once the change is committed."""
    _require_admin(actor, resource.community_id)
    try:
        relative = uploads.save_image(file, PHOTO_FOLDER, current_app.config["AMENITY_PHOTO_MAX_BYTES"])
    except uploads.UploadRefused as refused:
        raise _invalid("photo", photo_refusal_message(refused.reason)) from None
    uploads.delete_after_commit(resource.photo_path)
    resource.photo_path = relative
    db.session.flush()
    audit.record(actor, "amenity.photo_set", resource, photo=relative)
    return resource


def remove_resource_photo(resource: Resource, *, actor) -> Resource:
    _require_admin(actor, resource.community_id)
    if resource.photo_path is None:
        return resource
    uploads.delete_after_commit(resource.photo_path)
    resource.photo_path = None
    db.session.flush()
    audit.record(actor, "amenity.photo_removed", resource)
    return resource


def _peak_future_holding(resource: Resource, at: datetime) -> int:
    """Most holding bookings overlapping at any instant from ``at`` on (a sweep over the rows)."""
    rows = db.session.execute(
        sa.select(Booking.start_at, Booking.end_at).where(
            Booking.resource_id == resource.id, Booking.status.in_(HOLDING_STATUSES), Booking.end_at > at)
    ).all()
    # At equal instants an end (-1) sorts before a start (+1): back-to-back is not an overlap.
    events = sorted([(r.start_at, 1) for r in rows] + [(r.end_at, -1) for r in rows])
    peak = current = 0
    for _instant, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def set_resource_status(resource: Resource, status: str, *, actor) -> Resource:
    """Close (no new bookings), reopen, or archive (hidden from residents). Existing bookings stay."""
    _require_admin(actor, resource.community_id)
    if status not in RESOURCE_STATUSES:
        raise _invalid("status", _l("Unknown resource status."))
    previous, resource.status = resource.status, status
    db.session.flush()
    audit.record(actor, "amenity.resource_status", resource, status=status, previous=previous)
    return resource


def add_closure(resource: Resource, *, starts_at: datetime, ends_at: datetime, reason: str, actor) -> Closure:
    _require_admin(actor, resource.community_id)
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise RuleViolation(_l("Closure times need a time zone."), code="invalid_closure", field=name)
    if ends_at <= starts_at:
        raise RuleViolation(_l("A closure must end after it starts."), code="invalid_closure", field="ends_at")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_l("Give a reason; residents see it."), code="reason_required", field="reason")
    closure = Closure(resource_id=resource.id, starts_at=starts_at, ends_at=ends_at, reason=reason[:255],
                      created_by_id=getattr(actor, "id", None))
    db.session.add(closure)
    db.session.flush()
    audit.record(actor, "amenity.closure_added", closure, community_id=resource.community_id,
                 resource_id=resource.id, starts_at=starts_at, ends_at=ends_at, reason=closure.reason)
    return closure


def remove_closure(closure: Closure, *, actor) -> None:
    community_id = closure.resource.community_id
    _require_admin(actor, community_id)
    audit.record(actor, "amenity.closure_removed", closure, community_id=community_id,
                 resource_id=closure.resource_id, starts_at=closure.starts_at, ends_at=closure.ends_at)
    db.session.delete(closure)
    db.session.flush()


# -- who may book ------------------------------------------------------------------------------

def active_suspension(user, community_id: int, at: datetime) -> Suspension | None:
    """The suspension running at ``at`` (the one ending last), or None."""
    return db.session.scalar(
        sa.select(Suspension).where(
            Suspension.user_id == user.id, Suspension.community_id == community_id,
            Suspension.starts_at <= at, Suspension.ends_at > at,
        ).order_by(Suspension.ends_at.desc()).limit(1)
    )


def tier_allows(user, resource: Resource, today: date) -> bool:
    """Tier-restricted resources: a current talent tier in the list; admins see everything."""
    if not resource.visible_tiers or has_role(user, COMMUNITY_ADMIN, resource.community_id):
        return True
    talent = user.talent
    return talent is not None and talent.is_current(today) and talent.tier in resource.visible_tiers


def _suspension_end(user, community_id: int, at: datetime) -> datetime | None:
    suspension = active_suspension(user, community_id, at)
    return suspension.ends_at if suspension is not None else None


@lru_cache(maxsize=1)
def _suspension_end_and_closure_stmt():
    """Built once (bound parameters): building a statement costs about as much as running it."""
    suspended_until = (sa.select(Suspension.ends_at).where(
        Suspension.user_id == sa.bindparam("user_id"), Suspension.community_id == sa.bindparam("community_id"),
        Suspension.starts_at <= sa.bindparam("at"), Suspension.ends_at > sa.bindparam("at"),
    ).order_by(Suspension.ends_at.desc()).limit(1).scalar_subquery())
    closed = sa.exists().where(Closure.resource_id == sa.bindparam("resource_id"),
                               Closure.starts_at < sa.bindparam("end"), Closure.ends_at > sa.bindparam("start"))
    return sa.select(suspended_until, closed)


def _suspension_end_and_closures(user, resource: Resource, at: datetime, start: datetime, end: datetime):
    """(end of the suspension running at ``at`` or None, closures overlapping [start, end)): the two
    reads before the lock in ONE round trip. Closures are rare, so the query only asks whether one
    overlaps; they are loaded (a second query) only then, to name them in the error."""
    until, any_closure = db.session.execute(_suspension_end_and_closure_stmt(), {
        "user_id": user.id, "community_id": resource.community_id, "at": at,
        "resource_id": resource.id, "start": start, "end": end}).one()
    return until, (_closures_between(resource.id, start, end) if any_closure else [])


def _check_may_book(user, resource: Resource, at: datetime, attendees: int | None,
                    suspended_until: datetime | None) -> None:
    """Rules about the person and the resource, independent of the requested times;
    ``suspended_until``: the end of the suspension running at ``at`` (_suspension_end), or None."""
    community_id = resource.community_id
    if not (has_role(user, RESIDENT, community_id) or has_role(user, COMMUNITY_ADMIN, community_id)):
        raise PermissionDenied(_l("Only residents of this community can book its amenities."), code="not_member")
    if not resource.is_active:
        raise BookingRuleViolation(_l("%(name)s is not open for booking.", name=resource.name),
                                   code="resource_unavailable")
    if not tier_allows(user, resource, at.astimezone(resource.tz).date()):
        raise BookingRuleViolation(_l("This resource is reserved for residents of certain talent tiers."),
                                   code="not_eligible")
    if attendees is not None:
        if not _is_int(attendees) or attendees < 1:
            raise BookingRuleViolation(_l("Attendees must be at least 1."), code="too_many_attendees")
        if resource.max_attendees is not None and attendees > resource.max_attendees:
            raise BookingRuleViolation(_l("At most %(n)d people can attend here.", n=resource.max_attendees),
                                       code="too_many_attendees", max_attendees=resource.max_attendees)
    if suspended_until is not None:
        raise BookingRuleViolation(
            _l("Booking is suspended until %(until)s because of repeated no-shows.",
               until=local_text(suspended_until, resource.tz)),
            code="suspended", suspended_until=suspended_until.isoformat())


# -- rules about the requested times -----------------------------------------------------------

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


def _time_problem(resource: Resource, start: datetime, end: datetime, at: datetime,
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
    for closure in closures:
        if closure.starts_at < end and start < closure.ends_at:
            return BookingRuleViolation(
                _l("Closed from %(start)s to %(end)s: %(reason)s", start=local_text(closure.starts_at, tz),
                   end=local_text(closure.ends_at, tz), reason=closure.reason),
                code="closed", reason=closure.reason)
    return None


def _closures_between(resource_id: int, start: datetime, end: datetime) -> list[Closure]:
    return list(db.session.scalars(sa.select(Closure).where(
        Closure.resource_id == resource_id, Closure.starts_at < end, Closure.ends_at > start)))


# -- the lock, capacity and quotas ---------------------------------------------------------------

def _lock_resource(resource: Resource, *, require_active=True) -> None:
    """Take the resource's row lock (PostgreSQL) or the write lock (SQLite) before counting.

    Concurrent bookers of one resource queue here until the holder commits; in READ COMMITTED
    each later statement then sees what the holder wrote. The status condition re-checks, under
    the lock, that nobody closed the resource meanwhile."""
    result = db.session.execute(_lock_stmt(require_active), {"locked_resource_id": resource.id})
    if result.rowcount != 1:
        raise BookingRuleViolation(_l("%(name)s is not open for booking.", name=resource.name),
                                   code="resource_unavailable")


@lru_cache(maxsize=2)
def _lock_stmt(require_active: bool):
    """_lock_resource's UPDATE, built once (bound parameter)."""
    stmt = sa.update(Resource).where(Resource.id == sa.bindparam("locked_resource_id"))
    if require_active:
        stmt = stmt.where(Resource.status == ACTIVE)
    # updated_at is left alone: it tells admins when the settings changed, not the bookings.
    return (stmt.values(lock_version=Resource.lock_version + 1, updated_at=Resource.updated_at)
            .execution_options(synchronize_session=False))


def _holding_rows(user, resource: Resource, spans: Sequence[tuple[datetime, datetime]]):
    """(start_at, end_at, user_id) of the resource's holding bookings overlapping any span, plus the
    user's own holding bookings in the weeks its quotas count (when it has quotas): ONE query
    after the lock for the capacity and the quota checks, which each filter what they need."""
    window = _quota_window(resource, spans)
    params = {"resource_id": resource.id}
    for n, (start, end) in enumerate(spans):
        params.update({f"earliest{n}": start - MAX_BOOKING_SPAN, f"start{n}": start, f"end{n}": end})
    if window is not None:
        params.update(user_id=user.id, window_from=window[0], window_to=window[1])
    return db.session.execute(_holding_rows_stmt(len(spans), window is not None), params).all()


@lru_cache(maxsize=32)
def _holding_rows_stmt(span_count: int, with_quota_window: bool):
    """_holding_rows' statement for that many spans, built once (bound parameters)."""
    conditions = [sa.and_(Booking.start_at > sa.bindparam(f"earliest{n}"), Booking.start_at < sa.bindparam(f"end{n}"),
                          Booking.end_at > sa.bindparam(f"start{n}"))
                  for n in range(span_count)]
    if with_quota_window:
        conditions.append(sa.and_(Booking.user_id == sa.bindparam("user_id"),
                                  Booking.start_at >= sa.bindparam("window_from"),
                                  Booking.start_at < sa.bindparam("window_to")))
    return sa.select(Booking.start_at, Booking.end_at, Booking.user_id).where(
        Booking.resource_id == sa.bindparam("resource_id"), Booking.status.in_(HOLDING_STATUSES), sa.or_(*conditions))


def _slots_of(resource: Resource, start: datetime, end: datetime):
    """The slots an aligned span is made of."""
    day = start.astimezone(resource.tz).date()
    return [slot for slot in slots_for_day(day, resource.hours, resource.slot_minutes, resource.tz)
            if start <= slot.start and slot.end <= end]


def _capacity_problem(user, resource: Resource, start: datetime, end: datetime, rows):
    """SlotFull / AlreadyBooked for one span, given the holding bookings around it."""
    overlapping = [r for r in rows if r.start_at < end and start < r.end_at]
    if any(r.user_id == user.id for r in overlapping):
        return AlreadyBooked(_l("You already have a booking of %(name)s at this time.", name=resource.name))
    for slot in _slots_of(resource, start, end):
        taken = sum(1 for r in overlapping if r.start_at < slot.end and slot.start < r.end_at)
        if taken >= resource.capacity:
            return SlotFull(_l("%(name)s is fully booked at %(time)s.", name=resource.name,
                               time=local_text(slot.start, resource.tz)),
                            slot_start=slot.start.isoformat())
    return None


QUOTAS = (  # (resource attribute, period, measure)
    ("max_bookings_per_day", "day", "bookings"),
    ("max_bookings_per_week", "week", "bookings"),
    ("max_minutes_per_day", "day", "minutes"),
    ("max_minutes_per_week", "week", "minutes"),
)


def _quota_message(attribute: str, name: str, limit: int):
    if attribute == "max_bookings_per_day":
        return _l("You can book %(name)s at most %(n)d times a day.", name=name, n=limit)
    if attribute == "max_bookings_per_week":
        return _l("You can book %(name)s at most %(n)d times a week.", name=name, n=limit)
    if attribute == "max_minutes_per_day":
        return _l("You can book %(name)s for at most %(n)d minutes a day.", name=name, n=limit)
    return _l("You can book %(name)s for at most %(n)d minutes a week.", name=name, n=limit)


def _period_keys(start: datetime, tz: ZoneInfo) -> dict[str, date]:
    """Local day and local week (its Monday) a booking counts toward, by its start."""
    day = start.astimezone(tz).date()
    return {"day": day, "week": day - timedelta(days=day.weekday())}


def _quota_window(resource: Resource, spans: Sequence[tuple[datetime, datetime]]):
    """[first Monday, Monday after the last week) of the spans in the resource's time zone: where
    the quotas count; None when the resource has no quota."""
    if not spans or all(getattr(resource, q[0]) is None for q in QUOTAS):
        return None
    tz = resource.tz
    weeks = [_period_keys(s, tz)["week"] for s, _ in spans]
    return (datetime.combine(min(weeks), datetime.min.time(), tzinfo=tz),
            datetime.combine(max(weeks) + timedelta(days=7), datetime.min.time(), tzinfo=tz))


def _quota_problems(user, resource: Resource, spans: Sequence[tuple[datetime, datetime]], rows) -> dict:
    """{span start: BookingRuleViolation} for every new span that would break a quota; ``rows``
    come from _holding_rows (they include the user's holding bookings of the quota weeks)."""
    active = [q for q in QUOTAS if getattr(resource, q[0]) is not None]
    window = _quota_window(resource, spans)
    if not active or window is None:
        return {}
    tz = resource.tz
    lo, hi = window
    rows = [r for r in rows if r.user_id == user.id and lo <= r.start_at < hi]
    used = defaultdict(int)  # (period, key, measure) -> amount

    def add(start, end):
        keys = _period_keys(start, tz)
        for period in ("day", "week"):
            used[(period, keys[period], "bookings")] += 1
            used[(period, keys[period], "minutes")] += int((end - start).total_seconds() // 60)

    for row in rows:
        add(row.start_at, row.end_at)
    problems = {}
    for start, end in spans:
        add(start, end)
        keys = _period_keys(start, tz)
        for attribute, period, measure in active:
            limit = getattr(resource, attribute)
            if used[(period, keys[period], measure)] > limit:
                problems[start] = BookingRuleViolation(_quota_message(attribute, resource.name, limit),
                                                       code="quota_exceeded", quota=attribute, limit=limit)
                break
    return problems


# -- booking -----------------------------------------------------------------------------------

def initial_status(resource: Resource) -> str:
    if resource.requires_approval:
        return PENDING_APPROVAL
    return PENDING_PAYMENT if resource.fee_fen > 0 else CONFIRMED


def _new_booking(user, resource: Resource, start: datetime, end: datetime, attendees, series=None) -> Booking:
    slot_count = int((end - start) / timedelta(minutes=resource.slot_minutes))
    booking = Booking(
        resource=resource, resource_id=resource.id, user_id=user.id, community_id=resource.community_id,
        start_at=start, end_at=end, status=initial_status(resource), attendees=attendees, series=series,
        qr_token=secrets.token_urlsafe(24), fee_fen=resource.fee_fen * slot_count, currency=resource.currency,
    )
    db.session.add(booking)
    return booking


def book(user, resource: Resource, start_at: datetime, end_at: datetime, *, attendees: int | None = None) -> Booking:
    """Book one or more consecutive slots. Raises BookingRuleViolation (422), SlotFull or
    AlreadyBooked (409), PermissionDenied (403)."""
    _require_aware(start_at, "start")
    _require_aware(end_at, "end")
    at = now()
    suspended_until, closures = _suspension_end_and_closures(user, resource, at, start_at, end_at)
    _check_may_book(user, resource, at, attendees, suspended_until)
    problem = _time_problem(resource, start_at, end_at, at, closures)
    if problem is not None:
        raise problem
    _lock_resource(resource)
    rows = _holding_rows(user, resource, [(start_at, end_at)])
    problem = _capacity_problem(user, resource, start_at, end_at, rows)
    problem = problem or _quota_problems(user, resource, [(start_at, end_at)], rows).get(start_at)
    if problem is not None:
        raise problem
    booking = _new_booking(user, resource, start_at, end_at, attendees)
    db.session.flush()
    audit.record(user, "amenity.booked", booking, resource_id=resource.id, start=start_at, end=end_at,
                 status=booking.status)
    return booking


def _expand_recurrence(resource: Resource, start_at: datetime, end_at: datetime, rrule_text: str):
    try:
        rule = parse_rrule(rrule_text or "")
        return rule, expand(start_at, end_at - start_at, rule, resource.tz)
    except RecurrenceError as exc:
        raise BookingRuleViolation(_l("The repeat rule is not valid: %(error)s", error=str(exc)),
                                   code="invalid_recurrence")
    except ValueError as exc:
        raise BookingRuleViolation(str(exc), code="invalid_recurrence")


def _conflict_entry(start: datetime, end: datetime, error, tz: ZoneInfo) -> dict:
    return {"start": start.astimezone(tz).isoformat(), "end": end.astimezone(tz).isoformat(),
            "code": error.code, "reason": str(error.message)}


def book_recurring(user, resource: Resource, start_at: datetime, end_at: datetime, rrule_text: str, *,
                   attendees: int | None = None) -> list[Booking]:
    """Book every occurrence of a (subset) RRULE, or none: any failure raises RecurrenceConflict
    whose ``conflicts`` lists every failing date with its code and reason."""
    _require_aware(start_at, "start")
    _require_aware(end_at, "end")
    at = now()
    _check_may_book(user, resource, at, attendees, _suspension_end(user, resource.community_id, at))
    rule, spans = _expand_recurrence(resource, start_at, end_at, rrule_text)
    closures = _closures_between(resource.id, spans[0][0], spans[-1][1])
    problems = {s: p for s, e in spans if (p := _time_problem(resource, s, e, at, closures)) is not None}
    _lock_resource(resource)
    rows = _holding_rows(user, resource, spans)
    for s, e in spans:
        if s not in problems and (p := _capacity_problem(user, resource, s, e, rows)) is not None:
            problems[s] = p
    for s, p in _quota_problems(user, resource, [span for span in spans if span[0] not in problems], rows).items():
        problems.setdefault(s, p)
    if problems:
        conflicts = [_conflict_entry(s, e, problems[s], resource.tz) for s, e in spans if s in problems]
        raise RecurrenceConflict(
            _l("%(n)d of %(total)d dates cannot be booked; nothing was booked.", n=len(conflicts), total=len(spans)),
            conflicts=conflicts)
    series = BookingSeries(resource_id=resource.id, user_id=user.id, rrule=rule.to_text())
    db.session.add(series)
    bookings = [_new_booking(user, resource, s, e, attendees, series) for s, e in spans]
    db.session.flush()
    audit.record(user, "amenity.booked_series", series, community_id=resource.community_id,
                 resource_id=resource.id, rrule=series.rrule, count=len(bookings),
                 booking_ids=[b.id for b in bookings])
    return bookings


# -- cancel, approve, pay ------------------------------------------------------------------------

def cancel_booking(booking: Booking, *, actor, reason: str = "") -> Booking:
    """Owners cancel until the start; after the cut-off it is recorded as a late cancellation.
    Admins of the community cancel any time; cancelling someone else's booking needs a reason,
    which the resident sees in My bookings and in an e-mail. The slot is free again at once."""
    at = now()
    is_admin = has_role(actor, COMMUNITY_ADMIN, booking.community_id)
    is_owner = booking.user_id == getattr(actor, "id", None)
    if not is_admin and not is_owner:
        raise PermissionDenied(_l("You can only cancel your own bookings."), code="not_owner")
    if booking.status not in CANCELLABLE_STATUSES:
        raise BookingRuleViolation(_l("This booking cannot be cancelled any more."), code="not_cancellable",
                                   booking_status=booking.status)
    reason = (reason or "").strip()[:255]
    on_behalf = is_admin and not is_owner
    if on_behalf and not reason:
        raise BookingRuleViolation(_l("Tell the resident why their booking is cancelled."), code="reason_required")
    if not is_admin:
        if at >= booking.start_at:
            raise BookingRuleViolation(_l("This booking has already started and cannot be cancelled."),
                                       code="cancel_too_late")
        cutoff = booking.start_at - timedelta(minutes=booking.resource.cancel_cutoff_minutes)
        booking.late_cancel = at > cutoff
    booking.status = CANCELLED
    booking.cancelled_at = at
    if on_behalf:
        booking.decision_reason = reason
        booking.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, "amenity.cancelled", booking, late=booking.late_cancel, by_admin=is_admin,
                 **({"reason": reason, "resident_id": booking.user_id} if on_behalf else {}))
    if on_behalf:
        _tell_resident_of_cancellation(booking)
    return booking


def _tell_resident_of_cancellation(booking: Booking) -> None:
    """An e-mail in the resident's language; it leaves through the outbox after the commit."""
    from flask_babel import force_locale

    from community.notifications.operations import queue_email

    user = booking.user
    if not user.email:
        return
    resource = booking.resource
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = str(_l("Your booking of %(name)s was cancelled", name=resource.name))
        body = str(_l("The community office cancelled your booking of %(name)s on %(when)s.\n"
                      "Reason: %(reason)s", name=resource.name,
                      when=local_text(booking.start_at, resource.tz), reason=booking.decision_reason))
    queue_email(user.email, subject, body, kind="amenity_cancelled")


def approve_booking(booking: Booking, *, actor) -> Booking:
    """A pending booking already holds its place, so approval needs no new capacity check."""
    _require_admin(actor, booking.community_id)
    if booking.status != PENDING_APPROVAL:
        raise BookingRuleViolation(_l("Only bookings waiting for approval can be approved."),
                                   code="not_pending", booking_status=booking.status)
    if booking.start_at <= now():
        raise BookingRuleViolation(_l("This booking has already started."), code="in_the_past")
    booking.status = PENDING_PAYMENT if booking.fee_fen > 0 else CONFIRMED
    booking.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, "amenity.approved", booking, status=booking.status)
    return booking


def reject_booking(booking: Booking, *, actor, reason: str) -> Booking:
    _require_admin(actor, booking.community_id)
    if booking.status != PENDING_APPROVAL:
        raise BookingRuleViolation(_l("Only bookings waiting for approval can be rejected."),
                                   code="not_pending", booking_status=booking.status)
    reason = (reason or "").strip()
    if not reason:
        raise BookingRuleViolation(_l("Give the resident a reason for the rejection."), code="reason_required")
    booking.status = REJECTED
    booking.decision_reason = reason[:255]
    booking.decided_by_id = actor.id
    db.session.flush()
    audit.record(actor, "amenity.rejected", booking, reason=booking.decision_reason)
    return booking


def mark_paid(booking: Booking, *, actor=None) -> Booking:
    """The payments hook: pending_payment -> confirmed. Paying twice is harmless.

    ``actor=None`` is the payment provider's webhook; a person (the office recording money paid at
    the counter) must administer the booking's community."""
    if actor is not None:
        _require_admin(actor, booking.community_id)
    if booking.status == CONFIRMED and booking.paid_at is not None:
        return booking
    if booking.status != PENDING_PAYMENT:
        raise BookingRuleViolation(_l("This booking is not waiting for payment."), code="not_pending_payment",
                                   booking_status=booking.status)
    booking.status = CONFIRMED
    booking.paid_at = now()
    db.session.flush()
    audit.record(actor, "amenity.paid", booking, fee=booking.fee_fen, currency=booking.currency)
    return booking


# -- check-in and no-shows -----------------------------------------------------------------------

def checkin_window(booking: Booking) -> tuple[datetime, datetime]:
    """[opens, closes], both inclusive."""
    return (booking.start_at - CHECKIN_OPENS_BEFORE,
            booking.start_at + timedelta(minutes=booking.resource.checkin_grace_minutes))


def check_in(booking: Booking, *, actor, via: str = "self") -> Booking:
    """The owner ("I'm here") or an admin (staff page, kiosk, QR) marks the booking checked in."""
    if via not in CHECKIN_VIA:
        raise ValueError(f"unknown check-in channel {via!r}")
    is_admin = has_role(actor, COMMUNITY_ADMIN, booking.community_id)
    if not is_admin and booking.user_id != getattr(actor, "id", None):
        raise PermissionDenied(_l("You can only check in to your own bookings."), code="not_owner")
    if booking.status == CHECKED_IN:
        return booking
    if booking.status != CONFIRMED:
        raise BookingRuleViolation(_l("Only confirmed bookings can be checked in."), code="not_checkable",
                                   booking_status=booking.status)
    at = now()
    opens, closes = checkin_window(booking)
    if not opens <= at <= closes:
        tz = booking.resource.tz
        raise BookingRuleViolation(
            _l("Check-in is open from %(opens)s to %(closes)s.", opens=local_text(opens, tz),
               closes=local_text(closes, tz)),
            code="checkin_window", opens_at=opens.isoformat(), closes_at=closes.isoformat())
    booking.status = CHECKED_IN
    booking.checked_in_at = at
    db.session.flush()
    audit.record(actor, "amenity.checked_in", booking, via=via)
    return booking


def check_in_by_qr(qr_token: str, *, actor) -> Booking:
    """Staff or kiosk scanned (or typed) a booking's QR token. A code of another community is
    answered like an unknown one (it is not the actor's to see); its owner is told the desk is
    for staff."""
    booking = db.session.scalar(sa.select(Booking).where(Booking.qr_token == (qr_token or "").strip()))
    if booking is None or not (has_role(actor, COMMUNITY_ADMIN, booking.community_id)
                               or booking.user_id == getattr(actor, "id", None)):
        raise NotFound(_l("No booking has this code."), code="unknown_qr")
    _require_admin(actor, booking.community_id)
    return check_in(booking, actor=actor, via="qr")


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
    return suspension


# Stored in English and translated when shown: the job has no reader whose language to use.
EXPIRY_REASONS = {PENDING_APPROVAL: N_("Not approved before the start"),
                  PENDING_PAYMENT: N_("Not paid before the start")}


def expire_unconfirmed(at: datetime) -> int:
    """Bookings still waiting for approval or payment when they start are cancelled, so they
    stop holding a place; this is not a no-show."""
    stale = db.session.scalars(
        sa.select(Booking).where(Booking.status.in_((PENDING_APPROVAL, PENDING_PAYMENT)), Booking.start_at <= at)
        .with_for_update(of=Booking)).all()
    for booking in stale:
        booking.decision_reason = EXPIRY_REASONS[booking.status]
        booking.status = CANCELLED
        booking.cancelled_at = at
        audit.record(None, "amenity.expired", booking, reason=booking.decision_reason)
    db.session.flush()
    return len(stale)


# -- the private calendar feed -------------------------------------------------------------------

def _feed_token_for(feed: CalendarFeed) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{feed.user_id}:{feed.nonce}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _feed_of(user) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_token(user, *, rotate: bool = False) -> str:
    """The user's feed URL token: the same one every time, a new one (old URL dead) when rotating
    or when the feed had been revoked."""
    feed = _feed_of(user)
    fresh = feed is None or rotate or feed.revoked_at is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    if fresh:
        feed.nonce = secrets.token_hex(16)
        feed.created_at = now()
        feed.revoked_at = None
    token = _feed_token_for(feed)
    # Also re-derives the hash when SECRET_KEY changed: the page must show a URL that works.
    if feed.token_hash != token_hash(token):
        feed.token_hash = token_hash(token)
    db.session.flush()
    if fresh:
        audit.record(user, "amenity.feed_issued", feed, community_id=user.community_id, rotated=rotate)
    return token


def revoke_feed(user, *, actor=None) -> None:
    """Kill the feed URL; feed_token() issues a new one when asked again."""
    feed = _feed_of(user)
    if feed is None or feed.revoked_at is not None:
        return
    feed.revoked_at = now()
    db.session.flush()
    audit.record(actor or user, "amenity.feed_revoked", feed, community_id=user.community_id)


def user_for_feed_token(token: str):
    """The owner of a live feed token, or None (unknown, revoked, or inactive account)."""
    if not token:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(
        CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None)))
    if feed is None or not feed.user.active:
        return None
    return feed.user
