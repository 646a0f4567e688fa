"""How amenities look on pages: names, colours, times, photos, slot cells and QR codes. Shared by
the residents' pages, the admin pages, the dashboard panels and the API's photo_url, and offered
to every template as globals (register_template_globals, called by the pages' blueprint)."""
import os
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qs, quote_plus, urlsplit

import segno
from flask import g, url_for
from flask_babel import format_date, gettext as _
from markupsafe import Markup

from community.amenities.labels import STATUS_COLOURS, kind_label, status_label
from community.amenities.models import CONFIRMED
from community.amenities.rules import checkin_window
from community.core.urls import external_url


def booking_status_colour(status):
    return STATUS_COLOURS.get(status, "secondary")


def amenity_hm(instant, tz):
    """Wall-clock "HH:MM" in the resource's own time zone (not the viewer's)."""
    return instant.astimezone(tz).strftime("%H:%M")


def amenity_day(day_or_instant, tz=None, fmt="EEE M/d"):
    """A short, localised day ("周一 12/1", "Mon 12/1")."""
    day = day_or_instant.astimezone(tz).date() if isinstance(day_or_instant, datetime) else day_or_instant
    return format_date(day, fmt)


def amenity_span(start, end, tz):
    """"周一 12/1 08:00–09:00" in the resource's time zone; the usual way a booking is named."""
    return f"{amenity_day(start, tz)} {amenity_hm(start, tz)}–{amenity_hm(end, tz)}"


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
        self.book_url = url_for("amenities.book", resource_id=resource.id)
        self.book_label = Markup(_("Book %(start)s–%(end)s"))
        self.free, self.left = Markup(_("Free")), Markup(_("%(n)d left"))
        self.full, self.closed = Markup(_("Full")), Markup(_("Closed"))
        self.past, self.not_bookable = Markup(_("Past")), Markup(_("Not bookable"))

    def href(self, start):
        """url_for("amenities.book", resource_id=..., start=start.isoformat()), same encoding."""
        return f"{self.book_url}?start={quote_plus(start.isoformat(), safe=URL_QUERY_SAFE)}"


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
    return segno.make(payload, error="m").svg_inline(scale=4, omitsize=True, title=title)


def qr_svg_document(booking) -> str:
    """The booking's QR code as a standalone SVG file (larger, for printing or saving)."""
    svg = segno.make(qr_payload(booking), error="m").svg_inline(scale=8)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)


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
    "amenity_span": amenity_span,
    "amenity_photo_url": amenity_photo_url,
    "slot_cell_texts": slot_cell_texts,
}


def register_template_globals(blueprint) -> None:
    """Offer the helpers above to every template of the app (pages, admin pages, panels)."""
    for name, helper in TEMPLATE_GLOBALS.items():
        blueprint.add_app_template_global(helper, name)
