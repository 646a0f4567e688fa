"""Resources: settings, photos, status (close, reopen, archive) and closures. Office only.

A change that leaves bookings where they no longer fit (a closure over them, fewer places, opening
hours without them, closing or archiving the resource) is refused with BookingsAffected listing
them, unless the admin asked to cancel them (``cancel_affected=True``): then they are cancelled with
the reason, and their residents told, in the same unit of work as the change. The set is read under
the resource lock, the one booking takes, and must be the one the admin saw (``expected_ids``)."""
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from community.amenities import notices, queries, rules
from community.amenities.errors import BookingsAffected
from community.amenities.models import (
    ARCHIVED, CANCELLED, CLOSED, RESOURCE_KINDS, RESOURCE_STATUSES, TIERS, Booking, Closure, Resource,
)
from community.amenities.operations.access import require_admin
from community.amenities.operations.booking import lock_resource
from community.amenities.rules import is_whole_number
from community.amenities.schedule import OpeningHours
from community.core import audit, signals, uploads
from community.core.clock import now
from community.core.errors import RuleViolation
from community.extensions import db

# -- settings ----------------------------------------------------------------------------------

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


def _clean_text(field, value):
    limit = RESOURCE_TEXT_FIELDS[field]
    text = (value or "").strip()
    if field == "name" and not text:
        raise _invalid(field, _l("Give the resource a name."))
    if limit and len(text) > limit:
        raise _invalid(field, _l("%(field)s is longer than %(n)d characters.", field=field, n=limit))
    return text


def _clean_int(field, value, minimum):
    if not is_whole_number(value) or value < minimum:
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
        if not is_whole_number(value) or not 5 <= value <= 480:
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
    require_admin(actor, community.id)
    for required in ("kind", "name", "opening_hours"):
        if required not in fields:
            raise _invalid(required, _l("%(field)s is required.", field=required))
    values = _clean_resource_fields(fields)
    _check_slot_length(Resource(), values)
    resource = Resource(community=community, community_id=community.id, **values)
    db.session.add(resource)
    db.session.flush()
    audit.record(actor, "amenity.resource_created", resource, name=resource.name, kind=resource.kind)
    return resource


def update_resource(resource: Resource, *, actor, cancel_affected: bool = False, expected_ids=None,
                    reason: str = "", **fields) -> Resource:
    """Change settings. Bookings keep their times; those that a lower capacity or new opening
    hours leave without room (queries.affected_by_settings) are refused with BookingsAffected, or
    cancelled with ``reason`` when ``cancel_affected`` (see the module's docstring)."""
    require_admin(actor, resource.community_id)
    values = _clean_resource_fields(fields)
    _check_slot_length(resource, values)
    changed = {k: v for k, v in values.items() if getattr(resource, k) != v}
    cancelled = _settle_new_settings(resource, changed, cancel_affected=cancel_affected, expected_ids=expected_ids,
                                     reason=reason, actor=actor)
    for field, value in changed.items():
        setattr(resource, field, value)
    db.session.flush()
    audit.record(actor, "amenity.resource_updated", resource, fields=sorted(changed),
                 **_cancelled_detail(cancelled))
    return resource


def _settle_new_settings(resource: Resource, changed: dict, **settle) -> list[Booking]:
    """The bookings a lower capacity or new opening hours leave without room, refused or cancelled
    (_settle_affected) under the resource lock; nothing to read when neither changes."""
    fewer_places = changed.get("capacity", resource.capacity) < resource.capacity
    new_hours = OpeningHours.from_dict(changed["opening_hours"]) if "opening_hours" in changed else None
    if not fewer_places and new_hours is None:
        return []
    lock_resource(resource, require_active=False)
    affected = queries.affected_by_settings(resource, capacity=changed["capacity"] if fewer_places else None,
                                            hours=new_hours)
    causes = {b.id: _settings_cause(resource, b, new_hours) for b in affected}
    cause = notices.OTHER_HOURS if notices.OTHER_HOURS in causes.values() else notices.FEWER_PLACES
    return _settle_affected(resource, affected, cause=cause, causes=causes, **settle)


def _check_slot_length(resource: Resource, values: dict) -> None:
    """Slot length and opening hours together (rules.slot_length_problem), when either is set."""
    if "slot_minutes" not in values and "opening_hours" not in values:
        return
    hours = OpeningHours.from_dict(values.get("opening_hours", resource.opening_hours or {}))
    problem = rules.slot_length_problem(hours, values.get("slot_minutes", resource.slot_minutes or 60))
    if problem is not None:
        raise problem


def _settings_cause(resource: Resource, booking: Booking, new_hours) -> str:
    """Which change a booking's notice names: other hours when it is outside them, else fewer places."""
    if new_hours is not None and not rules.within_opening_hours(booking.start_at, booking.end_at, new_hours,
                                                                resource.tz):
        return notices.OTHER_HOURS
    return notices.FEWER_PLACES


# -- photos ------------------------------------------------------------------------------------

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
    require_admin(actor, resource.community_id)
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
    require_admin(actor, resource.community_id)
    if resource.photo_path is None:
        return resource
    uploads.delete_after_commit(resource.photo_path)
    resource.photo_path = None
    db.session.flush()
    audit.record(actor, "amenity.photo_removed", resource)
    return resource


# -- status and closures -------------------------------------------------------------------------

def set_resource_status(resource: Resource, status: str, *, actor, cancel_affected: bool = False,
                        keep_bookings: bool = False, expected_ids=None, reason: str = "") -> Resource:
    """Close (no new bookings), reopen, or archive (hidden from residents). Closing or archiving
    a resource with bookings still to come (queries.affected_by_status) is refused with
    BookingsAffected, unless they are cancelled with ``reason`` (``cancel_affected``) or, when
    only closing for new bookings, kept (``keep_bookings``: they stay valid)."""
    require_admin(actor, resource.community_id)
    if status not in RESOURCE_STATUSES:
        raise _invalid("status", _l("Unknown resource status."))
    cancelled = []
    if status in (CLOSED, ARCHIVED) and resource.status != status:
        lock_resource(resource, require_active=False)
        if not (keep_bookings and status == CLOSED):
            cancelled = _settle_affected(resource, queries.affected_by_status(resource), cause=notices.NOT_OPEN,
                                         cancel_affected=cancel_affected, expected_ids=expected_ids,
                                         reason=reason, actor=actor)
    previous, resource.status = resource.status, status
    db.session.flush()
    audit.record(actor, "amenity.resource_status", resource, status=status, previous=previous,
                 **_cancelled_detail(cancelled))
    return resource


def add_closure(resource: Resource, *, starts_at: datetime, ends_at: datetime, reason: str, actor,
                cancel_affected: bool = False, expected_ids=None) -> Closure:
    """Close a resource for a span that has not ended. The bookings it hits
    (queries.affected_by_closure) are refused with BookingsAffected, or cancelled with the
    closure's reason when ``cancel_affected``."""
    require_admin(actor, resource.community_id)
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise RuleViolation(_l("Closure times need a time zone."), code="invalid_closure", field=name)
    if ends_at <= starts_at:
        raise RuleViolation(_l("A closure must end after it starts."), code="invalid_closure", field="ends_at")
    if ends_at <= now():
        raise RuleViolation(_l("This closure is over already (it ended %(end)s), so it would change nothing. "
                               "Check the dates.", end=rules.local_text(ends_at, resource.tz)),
                            code="closure_in_the_past", field="ends_at")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_l("Give a reason; residents see it."), code="reason_required", field="reason")
    lock_resource(resource, require_active=False)
    affected = queries.affected_by_closure(resource, starts_at, ends_at)
    closure = Closure(resource_id=resource.id, starts_at=starts_at, ends_at=ends_at, reason=reason[:255],
                      created_by_id=getattr(actor, "id", None))
    cancelled = _settle_affected(resource, affected, cause=notices.CLOSURE, cancel_affected=cancel_affected,
                                 expected_ids=expected_ids, reason=closure.reason, actor=actor, closure=closure)
    db.session.add(closure)
    db.session.flush()
    audit.record(actor, "amenity.closure_added", closure, community_id=resource.community_id,
                 resource_id=resource.id, starts_at=starts_at, ends_at=ends_at, reason=closure.reason,
                 **_cancelled_detail(cancelled))
    return closure


def remove_closure(closure: Closure, *, actor) -> None:
    community_id = closure.resource.community_id
    require_admin(actor, community_id)
    audit.record(actor, "amenity.closure_removed", closure, community_id=community_id,
                 resource_id=closure.resource_id, starts_at=closure.starts_at, ends_at=closure.ends_at)
    db.session.delete(closure)
    db.session.flush()


# -- the bookings a change hits ------------------------------------------------------------------

def _affected_message(cause: str, n: int) -> str:
    """Said at once (ngettext: "1 booking", "2 bookings"), in the language of the request."""
    if cause == notices.CLOSURE:
        return ngettext("This closure hits %(num)d booking. Cancel it with the closure's reason, or go back.",
                        "This closure hits %(num)d bookings. Cancel them with the closure's reason, or go back.", n)
    if cause == notices.FEWER_PLACES:
        return ngettext("The new capacity leaves %(num)d booking without a place. Cancel it with a reason, or go back.",
                        "The new capacity leaves %(num)d bookings without a place. Cancel them with a reason, or go "
                        "back.", n)
    if cause == notices.OTHER_HOURS:
        return ngettext("The new settings leave %(num)d booking outside the opening hours or without a place. Cancel "
                        "it with a reason, or go back.",
                        "The new settings leave %(num)d bookings outside the opening hours or without a place. Cancel "
                        "them with a reason, or go back.", n)
    return ngettext("%(num)d booking is still to come. Cancel it with a reason, or go back.",
                    "%(num)d bookings are still to come. Cancel them with a reason, or go back.", n)


def _settle_affected(resource: Resource, affected: list[Booking], *, cause: str, cancel_affected: bool,
                     expected_ids, reason: str, actor, closure: Closure | None = None,
                     causes: dict | None = None) -> list[Booking]:
    """Refuse the change while it leaves ``affected`` standing (BookingsAffected), or cancel them
    all; the caller holds the resource lock. ``cause`` names the change, ``causes`` (booking id ->
    cause) what it did to each booking when that differs. Returns the bookings cancelled."""
    refusal = dict(bookings=affected, cause=cause, tz=resource.tz)
    if cancel_affected and expected_ids is not None and set(expected_ids) != {b.id for b in affected}:
        # Even when none is left: "N bookings cancelled" must be true when the change goes through.
        raise BookingsAffected(_l("The bookings this change hits are not the ones you saw: someone booked or "
                                  "cancelled meanwhile. Nothing was changed; check the list again."),
                               code="affected_bookings_changed", **refusal)
    if not affected:
        return []
    if not cancel_affected:
        raise BookingsAffected(_affected_message(cause, len(affected)), **refusal)
    reason = (reason or "").strip()[:255]
    if not reason:
        raise BookingsAffected(_l("Write the reason the residents will read before cancelling their bookings."),
                               code="reason_required", status=422, **refusal)
    at = now()
    for booking in affected:
        booking.status, booking.cancelled_at = CANCELLED, at
        booking.decision_reason, booking.decided_by_id = reason, actor.id
    db.session.flush()
    for booking in affected:
        _tell_cancelled(booking, cause=(causes or {}).get(booking.id, cause), actor=actor, closure=closure)
    return affected


def _tell_cancelled(booking: Booking, *, cause: str, actor, closure: Closure | None) -> None:
    """The audit entry, the resident's notice and the signal of one booking cancelled by a change.
    paid_at stays: rules.refund_due says the fee is owed back (the payments domain's hook)."""
    refund = rules.refund_due(booking)
    audit.record(actor, "amenity.cancelled", booking, late=False, by_admin=True, reason=booking.decision_reason,
                 resident_id=booking.user_id, cause=cause, **({"refund_due": True} if refund else {}))
    notices.booking_cancelled_by_change(booking, cause=cause, refund=refund, closure=closure)
    signals.booking_cancelled.send(booking, actor=actor, by_office=True, late=False)


def _cancelled_detail(cancelled: list[Booking]) -> dict:
    return {"booking_ids": [b.id for b in cancelled]} if cancelled else {}
