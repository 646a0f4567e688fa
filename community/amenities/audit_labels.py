"""Display names for the audit entries amenities operations write (see core.labels)."""
from flask_babel import lazy_gettext as _l

from community.amenities.labels import kind_label, status_label
from community.core.labels import register_action_labels, register_detail_labels, register_object_labels

register_action_labels({
    "amenity.resource_created": _l("Amenity created"),
    "amenity.resource_updated": _l("Amenity settings changed"),
    "amenity.resource_status": _l("Amenity opened, closed or archived"),
    "amenity.photo_set": _l("Amenity photo changed"),
    "amenity.photo_removed": _l("Amenity photo removed"),
    "amenity.closure_added": _l("Closure added"),
    "amenity.closure_removed": _l("Closure removed"),
    "amenity.booked": _l("Amenity booked"),
    "amenity.booked_series": _l("Recurring booking made"),
    "amenity.approved": _l("Booking approved"),
    "amenity.rejected": _l("Booking rejected"),
    "amenity.cancelled": _l("Booking cancelled"),
    "amenity.paid": _l("Booking paid"),
    "amenity.checked_in": _l("Checked in"),
    "amenity.no_show": _l("No-show recorded"),
    "amenity.suspended": _l("Booking suspended after no-shows"),
    "amenity.expired": _l("Unconfirmed booking expired"),
    "amenity.feed_issued": _l("Calendar link created"),
    "amenity.feed_revoked": _l("Calendar link switched off"),
})
register_object_labels({
    "Resource": _l("Amenity"),
    "Booking": _l("Booking"),
    "Closure": _l("Closure"),
    "Suspension": _l("Suspension"),
    "CalendarFeed": _l("Calendar link"),
    "BookingSeries": _l("Recurring booking"),
})
register_detail_labels({
    "resource_id": _l("Amenity"),
    "start": _l("Start"),
    "end": _l("End"),
    "starts_at": _l("From"),
    "ends_at": _l("Until"),
    "reason": _l("Reason"),
    "late": _l("Late cancellation"),
    "via": _l("Checked in by"),
    "no_shows": _l("No-shows"),
    "rrule": _l("Repeats"),
    "fee": _l("Fee (fen)"),
    "status": _l("Status"),
    "kind": _l("Kind"),
    "name": _l("Name"),
}, values={"status": status_label, "kind": kind_label})
