"""Resources: settings, photos, status (close, reopen, archive) and closures. Office only."""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community.amenities.models import (
    HOLDING_STATUSES, RESOURCE_KINDS, RESOURCE_STATUSES, TIERS, Booking, Closure, Resource,
)
from community.amenities.operations.access import require_admin
from community.amenities.operations.booking import lock_resource
from community.amenities.rules import is_whole_number
from community.amenities.schedule import OpeningHours
from community.core import audit, uploads
from community.core.clock import now
from community.core.errors import Conflict, RuleViolation
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
    resource = Resource(community=community, community_id=community.id, **_clean_resource_fields(fields))
    db.session.add(resource)
    db.session.flush()
    audit.record(actor, "amenity.resource_created", resource, name=resource.name, kind=resource.kind)
    return resource


def update_resource(resource: Resource, *, actor, **fields) -> Resource:
    """Change settings. Existing bookings keep their times; capacity cannot drop below what
    future bookings already hold."""
    require_admin(actor, resource.community_id)
    values = _clean_resource_fields(fields)
    if values.get("capacity", resource.capacity) < resource.capacity:
        lock_resource(resource, require_active=False)
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
    require_admin(actor, resource.community_id)
    if status not in RESOURCE_STATUSES:
        raise _invalid("status", _l("Unknown resource status."))
    previous, resource.status = resource.status, status
    db.session.flush()
    audit.record(actor, "amenity.resource_status", resource, status=status, previous=previous)
    return resource


def add_closure(resource: Resource, *, starts_at: datetime, ends_at: datetime, reason: str, actor) -> Closure:
    require_admin(actor, resource.community_id)
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
    require_admin(actor, community_id)
    audit.record(actor, "amenity.closure_removed", closure, community_id=community_id,
                 resource_id=closure.resource_id, starts_at=closure.starts_at, ends_at=closure.ends_at)
    db.session.delete(closure)
    db.session.flush()

