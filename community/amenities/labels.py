"""Display names for amenity codes (resource kinds, booking statuses), used by pages, the
dashboard and the audit log."""
from flask_babel import lazy_gettext as _l

from community.amenities.models import (
    CANCELLED, CHECKED_IN, CONFIRMED, NO_SHOW, PENDING_APPROVAL, PENDING_PAYMENT, REJECTED,
)

KIND_LABELS = {
    "meeting_room": _l("Meeting room"),
    "gym": _l("Gym"),
    "laundry": _l("Laundry"),
    "coffee_bar": _l("Coffee & book bar"),
    "canteen": _l("Canteen"),
    "activity_room": _l("Activity room"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    PENDING_APPROVAL: _l("Waiting for approval"),
    PENDING_PAYMENT: _l("Pending payment"),
    CONFIRMED: _l("Confirmed"),
    CHECKED_IN: _l("Checked in"),
    CANCELLED: _l("Cancelled"),
    REJECTED: _l("Rejected"),
    NO_SHOW: _l("No-show"),
}
STATUS_COLOURS = {
    PENDING_APPROVAL: "warning", PENDING_PAYMENT: "warning", CONFIRMED: "success", CHECKED_IN: "primary",
    CANCELLED: "secondary", REJECTED: "danger", NO_SHOW: "danger",
}


def kind_label(kind):
    return KIND_LABELS.get(kind, kind)


def status_label(status):
    return STATUS_LABELS.get(status, status)
