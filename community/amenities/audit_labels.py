"""Display names for the audit entries amenities operations write (see core.labels).

Action codes keep their "amenity." prefix (stored codes; the registration below claims it for the
amenities domain). Object and detail labels are short words other domains use too ("Booking",
"Status", "Start"), so they are translated in the "amenities" context; the status and kind values
in "amenities.status" / "amenities.kind" (community/amenities/labels.py)."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.amenities.labels import audit_status_label, kind_label
from community.core.labels import register_audit_labels

register_audit_labels(
    "amenities",
    label=_l("Amenities"),
    actions={
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
    },
    objects={
        "Resource": lazy_pgettext("amenities", "Amenity"),
        "Booking": lazy_pgettext("amenities", "Booking"),
        "Closure": lazy_pgettext("amenities", "Closure"),
        "Suspension": lazy_pgettext("amenities", "Suspension"),
        "CalendarFeed": lazy_pgettext("amenities", "Calendar link"),
        "BookingSeries": lazy_pgettext("amenities", "Recurring booking"),
    },
    details={
        "resource_id": lazy_pgettext("amenities", "Amenity"),
        "start": lazy_pgettext("amenities", "Start"),
        "end": lazy_pgettext("amenities", "End"),
        "starts_at": lazy_pgettext("amenities", "From"),
        "ends_at": lazy_pgettext("amenities", "Until"),
        "reason": lazy_pgettext("amenities", "Reason"),
        "late": _l("Late cancellation"),
        "via": _l("Checked in by"),
        "no_shows": _l("No-shows"),
        "rrule": lazy_pgettext("amenities", "Repeats"),
        "fee": _l("Fee (fen)"),
        "status": lazy_pgettext("amenities.status", "Status"),
        "previous": lazy_pgettext("amenities.status", "Previous status"),
        "kind": lazy_pgettext("amenities.kind", "Kind"),
        "name": lazy_pgettext("amenities", "Name"),
    },
    # "status" is a booking's status on booking entries and a resource's on resource entries.
    values={"status": audit_status_label, "previous": audit_status_label, "kind": kind_label},
)
