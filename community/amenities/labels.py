"""Display names for amenity codes (resource kinds, booking and resource statuses), used by pages,
the dashboard and the audit log.

They are short words every domain has ("Cancelled", "Closed", "Other"), and the catalogs of all
domains are merged at run time, so each is translated in a context of its own ("amenities.status",
"amenities.kind"): a voucher's "Cancelled" can read differently from a booking's."""
from flask_babel import lazy_pgettext

from community.amenities.models import (
    ACTIVE, ARCHIVED, CANCELLED, CHECKED_IN, CLOSED, CONFIRMED, NO_SHOW, PENDING_APPROVAL, PENDING_PAYMENT,
    REJECTED,
)

KIND_LABELS = {
    "meeting_room": lazy_pgettext("amenities.kind", "Meeting room"),
    "gym": lazy_pgettext("amenities.kind", "Gym"),
    "laundry": lazy_pgettext("amenities.kind", "Laundry"),
    "coffee_bar": lazy_pgettext("amenities.kind", "Coffee & book bar"),
    "canteen": lazy_pgettext("amenities.kind", "Canteen"),
    "activity_room": lazy_pgettext("amenities.kind", "Activity room"),
    "other": lazy_pgettext("amenities.kind", "Other"),
}
STATUS_LABELS = {
    PENDING_APPROVAL: lazy_pgettext("amenities.status", "Waiting for approval"),
    PENDING_PAYMENT: lazy_pgettext("amenities.status", "Pending payment"),
    CONFIRMED: lazy_pgettext("amenities.status", "Confirmed"),
    CHECKED_IN: lazy_pgettext("amenities.status", "Checked in"),
    CANCELLED: lazy_pgettext("amenities.status", "Cancelled"),
    REJECTED: lazy_pgettext("amenities.status", "Rejected"),
    NO_SHOW: lazy_pgettext("amenities.status", "No-show"),
}
RESOURCE_STATUS_LABELS = {
    ACTIVE: lazy_pgettext("amenities.status", "Open"),
    CLOSED: lazy_pgettext("amenities.status", "Closed"),
    ARCHIVED: lazy_pgettext("amenities.status", "Archived"),
}
STATUS_COLOURS = {
    PENDING_APPROVAL: "warning", PENDING_PAYMENT: "warning", CONFIRMED: "success", CHECKED_IN: "primary",
    CANCELLED: "secondary", REJECTED: "danger", NO_SHOW: "danger",
}


def kind_label(kind):
    return KIND_LABELS.get(kind, kind)


def status_label(status):
    return STATUS_LABELS.get(status, status)


def audit_status_label(status):
    """An audit entry's "status": a booking's or a resource's (their codes do not overlap)."""
    return STATUS_LABELS.get(status) or RESOURCE_STATUS_LABELS.get(status, status)
