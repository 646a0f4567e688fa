"""Template helpers: labels of statuses and priorities, business time left, local times."""
from zoneinfo import ZoneInfo

from flask_babel import format_datetime, gettext, lazy_gettext as _l, lazy_pgettext, ngettext

STATUS_LABELS = {
    "new": lazy_pgettext("ticket", "New"), "assigned": lazy_pgettext("ticket", "Assigned"),
    "in_progress": lazy_pgettext("ticket", "In progress"), "waiting": lazy_pgettext("ticket", "Waiting on resident"),
    "resolved": lazy_pgettext("ticket", "Resolved"), "closed": lazy_pgettext("ticket", "Closed"),
    "reopened": lazy_pgettext("ticket", "Reopened"),
}
STATUS_BADGES = {"new": "text-bg-warning", "assigned": "text-bg-info", "in_progress": "text-bg-primary",
                 "waiting": "text-bg-secondary", "resolved": "text-bg-success", "closed": "text-bg-light",
                 "reopened": "text-bg-danger"}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
LOCATION_LABELS = {"building": _l("My building"), "public": _l("A public area")}
EVENT_LABELS = {"assigned": _l("Assigned"), "reassigned": _l("Reassigned"), "priority": _l("Priority changed"),
                "breached": _l("SLA target missed"), "escalated": _l("Escalated to the community admin"),
                "rated": _l("Rated")}


def status_label(code):
    return STATUS_LABELS.get(code, code)


def status_badge(code):
    return STATUS_BADGES.get(code, "text-bg-light")


def priority_label(code):
    return PRIORITY_LABELS.get(code, code)


def event_label(code):
    return EVENT_LABELS.get(code, code)


def business_left(minutes):
    """ "3 h 20 min left" / "45 min overdue" in business time; "" for None."""
    if minutes is None:
        return ""
    span = abs(int(minutes))
    hours, rest = divmod(span, 60)
    if hours:
        text = gettext("%(h)d h %(m)d min", h=hours, m=rest) if rest else ngettext("%(num)d hour", "%(num)d hours", hours)
    else:
        text = ngettext("%(num)d minute", "%(num)d minutes", rest)
    if minutes < 0:
        return gettext("%(time)s overdue (business hours)", time=text)
    return gettext("%(time)s left (business hours)", time=text)


def business_duration(minutes):
    if minutes is None:
        return "—"
    hours, rest = divmod(int(round(minutes)), 60)
    return gettext("%(h)d h %(m)02d min", h=hours, m=rest)


def ticket_time(instant, ticket, fmt="short"):
    if instant is None:
        return ""
    return format_datetime(instant.astimezone(ZoneInfo(ticket.community.timezone)), fmt, rebase=False)


class LocalTimes:
    """Formats many instants of a page in the locale's short date-time format with one lookup of
    the locale and patterns (format_datetime looks them up again for every value)."""

    def __init__(self):
        from babel.dates import get_date_format, get_datetime_format, get_time_format
        from flask_babel import get_locale

        self.locale = get_locale()
        self.date = get_date_format("short", self.locale)
        self.time = get_time_format("short", self.locale)
        self.both = get_datetime_format("short", self.locale)
        self.zones = {}

    def __call__(self, instant, zone_name):
        if instant is None:
            return ""
        zone = self.zones.get(zone_name) or self.zones.setdefault(zone_name, ZoneInfo(zone_name))
        local = instant.astimezone(zone)
        return self.both.replace("{1}", self.date.apply(local, self.locale)).replace(
            "{0}", self.time.apply(local, self.locale))


def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


HELPERS = (status_label, status_badge, priority_label, event_label, business_left, business_duration, ticket_time,
           percent)
