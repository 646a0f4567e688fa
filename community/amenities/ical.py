"""Render a private iCalendar (RFC 5545) feed of amenity bookings.

The feed is subscribed to by Apple Calendar, Google Calendar and Outlook, which
are strict about the wire format, so this module follows RFC 5545 literally:
CRLF line endings, content lines folded at 75 octets (never inside a UTF-8
character, so Chinese text survives), TEXT values escaped, and every
date-time written in UTC "Z" form so that no VTIMEZONE block is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

UTC = timezone.utc
CRLF = "\r\n"
MAX_LINE_OCTETS = 75
DEFAULT_PRODUCT_ID = "-//Talent Community//Amenities//EN"
STATUSES = ("CONFIRMED", "CANCELLED", "TENTATIVE")
REFRESH = "PT1H"  # how often clients should re-fetch the feed

# Control characters other than HTAB are not allowed in TEXT values (RFC 5545 3.3.11); C1
# controls are dropped too, since nothing a person types needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Every other way to break a line: CR and LF alone or together, and the Unicode separators that
# lenient readers (anything using Python's str.splitlines) also end a line at. Each becomes the
# escaped "\n", so a name like "Gym\r\nATTENDEE:mailto:x" stays one SUMMARY, two lines long.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _require_aware(value: datetime, name: str) -> None:
    """Feeds are written in UTC; a naive datetime cannot be converted safely."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT; ``uid`` must be globally unique and stable across feed refreshes."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str | None = None
    description: str | None = None
    status: str = "CONFIRMED"
    last_modified: datetime | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("uid must not be empty")
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        if self.last_modified is not None:
            _require_aware(self.last_modified, "last_modified")
        if self.url is not None and re.search(r"[\x00-\x20\x7f]", self.url):
            raise ValueError("url must not contain whitespace or control characters")


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = _LINE_BREAK.sub("\\\\n", value)
    return _CONTROL.sub("", value)


def format_utc(value: datetime) -> str:
    """Format an aware datetime as the UTC form ``YYYYMMDDTHHMMSSZ``."""
    _require_aware(value, "datetime")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets without splitting a UTF-8 character.

    Continuation lines start with a single space, which counts toward their
    75 octets.  The result uses CRLF between physical lines, no trailing CRLF.
    """
    physical: list[str] = []
    current, size, limit = "", 0, MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            physical.append(current)
            current, size, limit = " ", 1, MAX_LINE_OCTETS
        current += char
        size += width
    physical.append(current)
    return CRLF.join(physical)


def unfold(text: str) -> str:
    """Inverse of folding (CRLF followed by one space/tab is removed); for tests and tools."""
    return re.sub(r"\r\n[ \t]", "", text)


def _event_lines(event: CalendarEvent, dtstamp: str) -> list[str]:
    """Unfolded content lines of one VEVENT."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{dtstamp}",
        f"DTSTART:{format_utc(event.start)}",
        f"DTEND:{format_utc(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    lines.append(f"STATUS:{event.status}")
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{format_utc(event.last_modified)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def _calendar_header(name: str, product_id: str) -> list[str]:
    """VCALENDAR properties, including the refresh hints Apple/Google/Outlook read."""
    return [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(product_id)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-PUBLISHED-TTL:{REFRESH}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
    ]


def render_calendar(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    product_id: str = DEFAULT_PRODUCT_ID,
    now: datetime | None = None,
) -> str:
    """Render a complete VCALENDAR document (CRLF-terminated) for ``events``.

    ``now`` becomes every event's DTSTAMP; pass it explicitly for reproducible
    output in tests.
    """
    stamp = format_utc(now if now is not None else datetime.now(UTC))
    lines = _calendar_header(name, product_id)
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
