"""How amenities look on pages: names, colours, times, photos, slot cells and QR codes. Shared by
the residents' pages, the admin pages, the dashboard panels and the API's photo_url, and offered
to every template as globals (register_template_globals, called by the pages' blueprint)."""
import os
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qs, quote_plus, urlsplit

from babel.dates import format_skeleton
from flask import g, request, url_for
from flask_babel import format_date, get_locale, gettext as _
from markupsafe import Markup

from community.amenities.labels import STATUS_COLOURS, kind_label, status_label
from community.amenities.models import CONFIRMED
from community.amenities.rules import checkin_window
from community.core import clock
from community.core.qr import qr_document, qr_inline
from community.core.urls import external_url


def booking_status_colour(status):
    return STATUS_COLOURS.get(status, "secondary")


def amenity_hm(instant, tz):
    """Wall-clock "HH:MM" in the resource's own time zone (not the viewer's)."""
    return instant.astimezone(tz).strftime("%H:%M")


def this_year(tz=None) -> int:
    """The current year where the viewer looks (the resource's zone, else the default zone)."""
    return clock.now().astimezone(tz or clock.zone(None)).year


def with_year(fmt: str) -> str:
    """A day pattern that also names the year: "M/d" becomes "y/M/d"."""
    return fmt if "y" in fmt else fmt.replace("M/d", "y/M/d")


def amenity_day(day_or_instant, tz=None, fmt="EEE M/d"):
    """A short, localised day ("周一 12/1", "Mon 12/1"), with the year when it is not this year
    ("周一 2027/1/4"): a day a year away must not read like one next week."""
    day = day_or_instant.astimezone(tz).date() if isinstance(day_or_instant, datetime) else day_or_instant
    if day.year != this_year(tz):
        fmt = with_year(fmt)
    return format_date(day, fmt)


def amenity_range(first: date, last: date, tz=None) -> str:
    """"12/1 – 12/7"; both ends with their year when either is not this year
    ("2026/12/29 – 2027/1/4")."""
    year = this_year(tz)
    fmt = "M/d" if first.year == last.year == year else "y/M/d"
    return f"{format_date(first, fmt)} – {format_date(last, fmt)}"


def amenity_date(day: date, tz=None) -> str:
    """A day in words, as sentences use it: "12月15日", "Dec 15"; with the year when not this year."""
    skeleton = "MMMd" if day.year == this_year(tz) else "yMMMd"
    return format_skeleton(skeleton, day, locale=get_locale())


def amenity_span(start, end, tz):
    """"周一 12/1 08:00–09:00" in the resource's time zone; the usual way a booking is named."""
    return f"{amenity_day(start, tz)} {amenity_hm(start, tz)}–{amenity_hm(end, tz)}"


# -- the booking window on the week and day views ------------------------------------------------

def booking_opens_on(resource, day: date) -> date:
    """The first local day on which ``day`` can be booked: the window counts days including today
    (rules.last_bookable_day), so a day opens window - 1 days before it."""
    return day - timedelta(days=resource.booking_window_days - 1)


def last_week_start(today: date, last_day: date) -> date:
    """The start of the last week, in steps of 7 days from today, that holds a bookable day: where
    the week view stops (a start past the window is sent here)."""
    return today + timedelta(days=7 * ((last_day - today).days // 7))


def aligned_columns(days, tz) -> dict:
    """{day: [slot or None, ...]}: each day's slots placed on the week's common times of day, so a
    desktop grid keeps 10:00 on one row even when a day opens later (None is a gap). Days without
    slots stay empty (they say "closed all day")."""
    times = sorted({slot.start.astimezone(tz).time() for d in days for slot in d.slots})
    columns = {}
    for d in days:
        if not d.slots:
            columns[d.day] = []
            continue
        by_time = {slot.start.astimezone(tz).time(): slot for slot in d.slots}
        columns[d.day] = [by_time.get(t) for t in times] if len(by_time) != len(times) else d.slots
    return columns


def amenity_photo_url(resource):
    """The photo's URL, or None. The file name is part of the URL, so a new photo is a new URL
    and browsers may keep each one for long."""
    if not resource.photo_path:
        return None
    return url_for("amenities.photo", resource_id=resource.id, name=os.path.basename(resource.photo_path))


URL_QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug.urls._urlencode: what url_for leaves unescaped


class SlotCellTexts:
    """What every slot cell of one resource shares on a page, translated and built once a request.

    A week page draws up to ~200 cells (a day view ~20 per resource); each used to call gettext
    three times and url_for once, which made template rendering two thirds of the week page's
    time (bench/README.md, "Profile and fix"). The output is the same: gettext without variables
    returns the message as is, and Markup % escapes the values as Jinja's newstyle gettext does."""

    def __init__(self, resource):
        self.tz = resource.tz
        self.book_url = _relative_to_page(url_for("amenities.book", resource_id=resource.id))
        self.mine_url = url_for("amenities.my_bookings")
        # A room (one place) is "free" or "full"; a gym counts its places, never "left" alone, so
        # "2 places left" in a slot cannot be read as the day's "17 free times".
        self.counts_places = resource.capacity > 1
        self.free, self.left = Markup(_("Free")), Markup(_("%(n)d places left"))
        self.mine, self.mine_label = Markup(_("Booked by you")), Markup(_("%(start)s: booked by you, see My bookings"))
        self.full, self.closed = Markup(_("Full")), Markup(_("Closed"))
        # Free but inside the resource's minimum notice. (Days past the booking window draw no
        # cells: the views say when booking opens instead.)
        self.past, self.too_late = Markup(_("Past")), Markup(_("Too late to book"))

    def href(self, start):
        """url_for("amenities.book", resource_id=..., start=...) with the start as a short UTC
        instant, "2026-12-02T06:00Z" (slots start on whole minutes; the booking page reads any ISO
        8601 instant): 16 bytes less a cell than "2026-12-02T06:00:00%2B00:00", ~200 cells a week."""
        if start.second or start.microsecond:
            return f"{self.book_url}?start={quote_plus(start.isoformat(), safe=URL_QUERY_SAFE)}"
        return f"{self.book_url}?start={start.astimezone(timezone.utc):%Y-%m-%dT%H:%M}Z"


def _relative_to_page(url):
    """"1/book" instead of "/amenities/1/book" when the page itself lives in /amenities/ (the week
    and day pages): ~170 links a week, 11 bytes each. A plain relative URL, so links work without
    JS; any other page gets the absolute URL."""
    folder = (request.script_root + request.path).rpartition("/")[0] + "/"
    return url[len(folder):] if url.startswith(folder) and len(url) > len(folder) else url


def slot_cell_texts(resource):
    cache = g.setdefault("slot_cell_texts", {})
    if resource.id not in cache:
        cache[resource.id] = SlotCellTexts(resource)
    return cache[resource.id]


def conflict_rows(conflicts, tz):
    """The dates a recurring request failed on (RecurrenceConflict's ``conflicts``), as
    {"when": "周一 12/8 08:00–09:00", "reason": ...}."""
    rows = []
    for conflict in conflicts or ():
        start, end = datetime.fromisoformat(conflict["start"]), datetime.fromisoformat(conflict["end"])
        rows.append({"when": amenity_span(start, end, tz), "reason": conflict.get("reason", "")})
    return rows


class SeriesChoice(NamedTuple):
    """How many dates the cancel buttons of a series booking would cancel: from this one on, and
    every one still to come."""

    following: int
    whole: int


# -- check-in and QR codes -------------------------------------------------------------------------

def checkin_open(booking, at) -> bool:
    """Whether to offer "I'm here"; the operation checks the same window again."""
    if booking.status != CONFIRMED:
        return False
    opens, closes = checkin_window(booking)
    return opens <= at <= closes


def qr_payload(booking) -> str:
    """The QR carries the kiosk URL, so a staff phone camera opens the check-in page directly and a
    USB scanner typing into the kiosk field works too (the token is read back from the URL)."""
    return external_url("amenities.checkin", token=booking.qr_token)


def qr_svg_inline(booking) -> str:
    return _qr_svg(qr_payload(booking), _("Check-in code"))


@lru_cache(maxsize=2048)
def _qr_svg(payload: str, title: str) -> str:
    """Memoised: encoding a QR code was half of the My bookings page's time, and a booking's code
    never changes (payload = the check-in URL with its fixed token). About 3 kB an entry."""
    return qr_inline(payload, scale=4, title=title)


def qr_svg_document(booking) -> str:
    """The booking's QR code as a standalone SVG file (larger, for printing or saving)."""
    return qr_document(qr_payload(booking), scale=8)


def token_from_scan(text: str) -> str:
    """Accept what a scanner or a person types: the bare token or the whole check-in URL."""
    text = (text or "").strip()
    if "token=" in text:
        return (parse_qs(urlsplit(text).query).get("token") or [""])[0].strip()
    return text


TEMPLATE_GLOBALS = {
    "amenity_kind_label": kind_label,
    "booking_status_label": status_label,
    "booking_status_colour": booking_status_colour,
    "amenity_hm": amenity_hm,
    "amenity_day": amenity_day,
    "amenity_date": amenity_date,
    "amenity_range": amenity_range,
    "amenity_span": amenity_span,
    "amenity_photo_url": amenity_photo_url,
    "slot_cell_texts": slot_cell_texts,
}


def register_template_globals(blueprint) -> None:
    """Offer the helpers above to every template of the app (pages, admin pages, panels)."""
    for name, helper in TEMPLATE_GLOBALS.items():
        blueprint.add_app_template_global(helper, name)
