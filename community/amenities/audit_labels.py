"""Display names for the audit entries amenities operations write (see core.labels).

Action codes keep their "amenity." prefix (stored codes; the registration below claims it for the
amenities domain). Object and detail labels are short words other domains use too ("Booking",
"Status", "Start"), so they are translated in the "amenities" context; the status and kind values
in "amenities.status" / "amenities.kind" (community/amenities/labels.py).

The name resolvers at the end read amenity rows for the audit page, one query per type for a whole
page of entries (core.labels.audit_names calls them); they name things as the amenity pages do
("Room A Mon 1/5 10:00–11:00 (resident's name)")."""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import get_day_names
from babel.lists import format_list
from flask import url_for
from flask_babel import format_date, get_locale, gettext, ngettext, pgettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.accounts.models import Community, User
from community.amenities.labels import audit_status_label, kind_label
from community.amenities.models import Booking, BookingSeries, CalendarFeed, Closure, Resource, Suspension
from community.amenities.presentation import amenity_day, amenity_hm, amenity_span
from community.amenities.recurrence import parse_rrule
from community.core.labels import AuditName, register_audit_labels
from community.core.money import Money
from community.core.permissions import COMMUNITY_ADMIN, has_role
from community.extensions import db

# What amenity.resource_updated lists in "fields": the settings as the resource form names them.
RESOURCE_FIELD_LABELS = {
    "kind": _l("Kind"), "name": _l("Name"), "location": _l("Location"), "description": _l("Description"),
    "capacity": _l("Capacity"), "slot_minutes": _l("Slot length (minutes)"),
    "opening_hours": lazy_pgettext("amenities", "Opening hours"),
    "booking_window_days": _l("Bookable up to (days ahead)"), "min_notice_minutes": _l("Minimum notice (minutes)"),
    "max_bookings_per_day": _l("Most bookings per resident per day"),
    "max_bookings_per_week": _l("Most bookings per resident per week"),
    "max_minutes_per_day": _l("Most hours per resident per day"),
    "max_minutes_per_week": _l("Most hours per resident per week"),
    "cancel_cutoff_minutes": _l("Free cancellation until (minutes before start)"),
    "checkin_grace_minutes": _l("Check-in grace (minutes after start)"),
    "max_attendees": _l("Most attendees per booking"),
    "requires_approval": _l("Bookings need an administrator's approval"),
    "fee_fen": lazy_pgettext("amenities", "Fee"), "currency": lazy_pgettext("amenities", "Currency"),
    "visible_tiers": _l("Only for these talent tiers"),
}
CHECKIN_VIA_LABELS = {
    "self": _l("the resident, on their phone"), "staff": _l("staff"), "kiosk": _l("the kiosk"),
    "qr": _l("staff, scanning the QR code"),
}


def resource_field_label(code):
    return RESOURCE_FIELD_LABELS.get(code, code)


def checkin_via_label(code):
    return CHECKIN_VIA_LABELS.get(code, code)


def fee_text(fen, details):
    """A fee with the currency recorded beside it (the "currency" detail is then not listed)."""
    try:
        return Money(int(fen), details.get("currency") or "CNY").display()
    except (TypeError, ValueError):
        return str(fen)


def said_elsewhere(_value):
    """A detail another one already says (the currency with the fee) or that is an internal path."""
    return None


def describe_rrule(text):
    """A recurrence rule as words: "Weekly, 2 times", "每周，共 2 次"; a rule that does not parse
    (an old or hand-made row) is shown as stored."""
    try:
        rule = parse_rrule(text)
    except ValueError:
        return text
    if rule.freq == "DAILY":
        parts = [gettext("Daily") if rule.interval == 1 else
                 ngettext("Every %(num)d day", "Every %(num)d days", rule.interval)]
    else:
        parts = [gettext("Weekly") if rule.interval == 1 else
                 ngettext("Every %(num)d week", "Every %(num)d weeks", rule.interval)]
    locale = get_locale() or "zh_CN"
    if rule.byday:
        days = get_day_names("abbreviated", locale=locale)
        parts.append(gettext("on %(days)s", days=format_list([days[d] for d in rule.byday], locale=locale)))
    if rule.count is not None:
        parts.append(ngettext("%(num)d time", "%(num)d times", rule.count))
    if rule.until is not None:
        parts.append(gettext("until %(date)s", date=format_date(rule.until)))
    return pgettext("amenities.rrule", ", ").join(parts)


# -- names: one query per type for a page of entries ------------------------------------------------

def _tz(name):
    return ZoneInfo(name or "Asia/Shanghai")


def _span(start, end, tz):
    """A booking's span on one day; a closure may cover several."""
    if start.astimezone(tz).date() == end.astimezone(tz).date():
        return amenity_span(start, end, tz)
    return f"{amenity_day(start, tz)} {amenity_hm(start, tz)} – {amenity_day(end, tz)} {amenity_hm(end, tz)}"


def resource_names(ids, viewer):
    """An amenity by its name, linked to its settings for the admins of its community."""
    rows = db.session.execute(sa.select(Resource.id, Resource.name, Resource.community_id)
                              .where(Resource.id.in_(ids)))
    return {row.id: AuditName(row.name, url_for("amenities_admin.edit", resource_id=row.id)
                              if has_role(viewer, COMMUNITY_ADMIN, row.community_id) else None) for row in rows}


def booking_names(ids, viewer):
    """"Room A Mon 1/5 10:00–11:00 (resident's name)", in the resource's time zone."""
    rows = db.session.execute(
        sa.select(Booking.id, Booking.start_at, Booking.end_at, Resource.name, Community.timezone,
                  User.display_name)
        .join(Resource, Booking.resource_id == Resource.id).join(Community, Resource.community_id == Community.id)
        .join(User, Booking.user_id == User.id).where(Booking.id.in_(ids)))
    return {row.id: gettext("%(slot)s (%(name)s)", slot=f"{row.name} {_span(row.start_at, row.end_at, _tz(row.timezone))}",
                            name=row.display_name) for row in rows}


def closure_names(ids, viewer):
    rows = db.session.execute(
        sa.select(Closure.id, Closure.starts_at, Closure.ends_at, Resource.name, Community.timezone)
        .join(Resource, Closure.resource_id == Resource.id).join(Community, Resource.community_id == Community.id)
        .where(Closure.id.in_(ids)))
    return {row.id: f"{row.name} {_span(row.starts_at, row.ends_at, _tz(row.timezone))}" for row in rows}


def series_names(ids, viewer):
    rows = db.session.execute(sa.select(BookingSeries.id, BookingSeries.rrule, Resource.name)
                              .join(Resource, BookingSeries.resource_id == Resource.id)
                              .where(BookingSeries.id.in_(ids)))
    return {row.id: f"{row.name} · {describe_rrule(row.rrule)}" for row in rows}


def suspension_names(ids, viewer):
    rows = db.session.execute(
        sa.select(Suspension.id, Suspension.ends_at, User.display_name, Community.timezone)
        .join(User, Suspension.user_id == User.id).join(Community, Suspension.community_id == Community.id)
        .where(Suspension.id.in_(ids)))
    return {row.id: gettext("%(name)s, until %(date)s", name=row.display_name,
                            date=amenity_day(row.ends_at, _tz(row.timezone)))
            for row in rows}


def feed_names(ids, viewer):
    """A calendar link by its owner's name."""
    rows = db.session.execute(sa.select(CalendarFeed.id, User.display_name)
                              .join(User, CalendarFeed.user_id == User.id).where(CalendarFeed.id.in_(ids)))
    return dict(rows.all())  # "Calendar link · <owner>": the object's label already says what it is


CHANGE_CAUSE_LABELS = {
    "closure": _l("a closure"),
    "capacity": _l("fewer places"),
    "hours": _l("new opening hours"),
    "status": _l("closed or archived"),
}


def change_cause_label(code):
    """Why the office's change cancelled a booking (operations.resources; notices' causes)."""
    return CHANGE_CAUSE_LABELS.get(code, code)


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
        "amenity.unpaid": _l("Booking payment reversed"),
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
        "by_admin": _l("Cancelled by the office"),
        "resident_id": lazy_pgettext("amenities", "Resident"),
        "user_id": lazy_pgettext("amenities", "Resident"),
        "via": _l("Checked in by"),
        "no_shows": _l("No-shows"),
        "rrule": lazy_pgettext("amenities", "Repeats"),
        "count": _l("Bookings made"),
        "booking_ids": lazy_pgettext("amenities", "Bookings"),
        "fee": lazy_pgettext("amenities", "Fee"),
        "currency": lazy_pgettext("amenities", "Currency"),
        "status": lazy_pgettext("amenities.status", "Status"),
        "previous": lazy_pgettext("amenities.status", "Previous status"),
        "kind": lazy_pgettext("amenities.kind", "Kind"),
        "name": lazy_pgettext("amenities", "Name"),
        "fields": _l("Settings changed"),
        "photo": lazy_pgettext("amenities", "Photo"),
        "rotated": _l("Replaces the previous link"),
        "cause": _l("Because"),
        "refund_due": _l("Fee to refund"),
    },
    # "status" is a booking's status on booking entries and a resource's on resource entries.
    values={"status": audit_status_label, "previous": audit_status_label, "kind": kind_label,
            "rrule": describe_rrule, "fields": resource_field_label, "via": checkin_via_label,
            "fee": fee_text, "currency": said_elsewhere, "photo": said_elsewhere, "cause": change_cause_label},
    refs={"resource_id": "amenities.Resource", "booking_ids": "amenities.Booking",
          "resident_id": "accounts.User", "user_id": "accounts.User"},
    names={"Resource": resource_names, "Booking": booking_names, "Closure": closure_names,
           "BookingSeries": series_names, "Suspension": suspension_names, "CalendarFeed": feed_names},
)
