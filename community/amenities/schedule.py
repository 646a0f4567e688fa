"""Slot arithmetic for bookable shared resources (meeting rooms, gym, laundry...).

Opening hours are stored as local wall-clock times per weekday, because that is
how a community manager thinks ("the gym opens at 08:00").  Bookings, however,
are stored as UTC instants, because instants are unambiguous.  This module is
the single place that converts between the two, so the rules below are the
rules for the whole amenities domain:

* Slots start at each opening interval's open time and step by ``slot_minutes``
  of LOCAL wall time; a slot that would run past the interval close is dropped.
* A slot is kept only when both its local start and local end exist and the
  real elapsed time between them is exactly ``slot_minutes``.  Consequently:

  - wall times inside a spring-forward gap produce no slot (and a slot whose
    end falls into the gap, or that spans the gap, is dropped as well);
  - ambiguous wall times of a fall-back day are resolved with ``fold=0`` (the
    first, daylight-saving occurrence); a slot whose wall-clock span crosses
    the repeated hour would last longer than ``slot_minutes`` and is dropped.
    The second occurrence of the repeated hour never produces slots.

  So every ``Slot`` satisfies ``end - start == timedelta(minutes=slot_minutes)``
  and slots of one day never overlap.  Communities in Asia/Shanghai have no
  DST, so none of this matters there; it keeps the code correct elsewhere.
* Slots never cross local midnight, except that an interval closing at "24:00"
  ends its last slot exactly at the next local midnight.

All datetimes accepted or returned are timezone-aware; naive ones raise
``ValueError`` because silently guessing a zone is how double bookings happen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

UTC = timezone.utc
MINUTES_PER_DAY = 24 * 60
WEEKDAYS = range(7)  # Python weekday numbers, 0 = Monday

_HHMM = re.compile(r"^(\d{2}):(\d{2})$")


class Interval(NamedTuple):
    """One opening interval of a day, in minutes after local midnight.

    ``close_minute`` may be 1440, meaning "until midnight at the end of the day".
    """

    open_minute: int
    close_minute: int

    def to_pair(self) -> list[str]:
        """Return the JSON form ``["HH:MM", "HH:MM"]`` used in the database."""
        return [format_minutes(self.open_minute), format_minutes(self.close_minute)]

    def to_text(self) -> str:
        """Return the compact admin-form text ``"HH:MM-HH:MM"``."""
        return "-".join(self.to_pair())


def parse_hhmm(text: str, *, allow_24: bool = False) -> int:
    """Parse "HH:MM" into minutes after midnight; "24:00" only when ``allow_24``.

    "24:00" is only meaningful as a closing time, so callers decide.
    """
    match = _HHMM.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"invalid time {text!r}: expected 'HH:MM'")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if allow_24 and hours == 24 and minutes == 0:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid time {text!r}: out of range")
    return hours * 60 + minutes


def format_minutes(minutes: int) -> str:
    """Format minutes after midnight as "HH:MM" (1440 becomes "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_day(weekday: int, intervals: Sequence[Interval]) -> None:
    """Reject inverted, out-of-range or overlapping intervals of one weekday."""
    previous: Interval | None = None
    for interval in intervals:
        if not 0 <= interval.open_minute < interval.close_minute <= MINUTES_PER_DAY:
            raise ValueError(
                f"weekday {weekday}: interval {interval.to_text()} must have open < close"
            )
        if previous is not None and interval.open_minute < previous.close_minute:
            raise ValueError(
                f"weekday {weekday}: intervals {previous.to_text()} and "
                f"{interval.to_text()} overlap"
            )
        previous = interval


def _parse_pair(weekday: int, pair: object) -> Interval:
    """Turn one ``["HH:MM", "HH:MM"]`` JSON pair into an ``Interval``."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        raise ValueError(f"weekday {weekday}: interval {pair!r} must be [open, close]")
    return Interval(parse_hhmm(pair[0]), parse_hhmm(pair[1], allow_24=True))


def _weekday_key(key: object) -> int:
    """Accept "0".."6" (JSON keys) or 0..6 and return the int weekday."""
    text = str(key)
    if text not in {str(day) for day in WEEKDAYS}:
        raise ValueError(f"invalid weekday key {key!r}: expected '0' (Monday) .. '6'")
    return int(text)


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours: for each weekday (0=Monday) a sorted tuple of intervals.

    Construction validates, so an ``OpeningHours`` instance is always usable
    for slot generation without further checks.
    """

    days: tuple[tuple[Interval, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("opening hours need exactly 7 weekdays")
        normalised = tuple(tuple(sorted(Interval(*i) for i in day)) for day in self.days)
        for weekday, intervals in enumerate(normalised):
            _check_day(weekday, intervals)
        object.__setattr__(self, "days", normalised)

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[Sequence[str]]]) -> OpeningHours:
        """Build from the stored JSON form; a missing weekday means closed."""
        days: list[list[Interval]] = [[] for _ in WEEKDAYS]
        for key, pairs in data.items():
            weekday = _weekday_key(key)
            if not isinstance(pairs, (list, tuple)):
                raise ValueError(f"weekday {weekday}: expected a list of intervals")
            days[weekday] = [_parse_pair(weekday, pair) for pair in pairs]
        return cls(tuple(tuple(day) for day in days))

    def to_dict(self) -> dict[str, list[list[str]]]:
        """Return the JSON form; every weekday key is present (closed = [])."""
        return {str(wd): [i.to_pair() for i in self.days[wd]] for wd in WEEKDAYS}

    def intervals_for(self, weekday: int) -> tuple[Interval, ...]:
        """Return the sorted opening intervals of a Python weekday (0=Monday)."""
        if weekday not in WEEKDAYS:
            raise ValueError(f"invalid weekday {weekday!r}")
        return self.days[weekday]

    @staticmethod
    def parse_text(text: str) -> tuple[Interval, ...]:
        """Parse admin-form text like "08:00-12:00, 13:00-22:00"; "" means closed."""
        intervals = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            bounds = part.split("-")
            if len(bounds) != 2:
                raise ValueError(f"invalid interval {part!r}: expected 'HH:MM-HH:MM'")
            intervals.append(Interval(parse_hhmm(bounds[0]), parse_hhmm(bounds[1], allow_24=True)))
        return tuple(intervals)

    @classmethod
    def from_weekday_texts(cls, texts: Mapping[int | str, str]) -> OpeningHours:
        """Build from admin-form texts per weekday; a missing weekday means closed."""
        days: list[tuple[Interval, ...]] = [() for _ in WEEKDAYS]
        for key, text in texts.items():
            weekday = _weekday_key(key)
            try:
                days[weekday] = cls.parse_text(text)
            except ValueError as exc:
                raise ValueError(f"weekday {weekday}: {exc}") from None
        return cls(tuple(days))

    def to_weekday_texts(self) -> dict[int, str]:
        """Inverse of ``from_weekday_texts``, for pre-filling admin forms."""
        return {wd: ", ".join(i.to_text() for i in self.days[wd]) for wd in WEEKDAYS}


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Raise ``ValueError`` for a naive datetime; return it unchanged otherwise."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


@dataclass(frozen=True)
class Slot:
    """A bookable half-open span [start, end); both stored as aware UTC datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = require_aware(self.start, "slot start").astimezone(UTC)
        end = require_aware(self.end, "slot end").astimezone(UTC)
        if end <= start:
            raise ValueError("slot end must be after slot start")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def local_start(self, tz: ZoneInfo) -> datetime:
        """Start as wall-clock time in ``tz`` (for display)."""
        return self.start.astimezone(tz)

    def local_end(self, tz: ZoneInfo) -> datetime:
        """End as wall-clock time in ``tz`` (for display)."""
        return self.end.astimezone(tz)


def local_to_utc(naive_local: datetime, tz: ZoneInfo) -> datetime | None:
    """Convert a naive wall time to UTC; ``None`` if it does not exist in ``tz``.

    Ambiguous wall times resolve with fold=0 (the first occurrence).  A time
    exists when converting to UTC and back yields the same wall time.
    """
    aware = naive_local.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != naive_local.replace(fold=0):
        return None
    return utc


def _wall_time(day: date, minute: int) -> datetime:
    """Naive local datetime ``minute`` minutes after midnight of ``day`` (1440 ok)."""
    return datetime.combine(day, time()) + timedelta(minutes=minute)


def _make_slot(day: date, start_minute: int, slot_minutes: int, tz: ZoneInfo) -> Slot | None:
    """Build one slot, or ``None`` if DST makes it non-existent or the wrong length."""
    start = local_to_utc(_wall_time(day, start_minute), tz)
    end = local_to_utc(_wall_time(day, start_minute + slot_minutes), tz)
    if start is None or end is None or end - start != timedelta(minutes=slot_minutes):
        return None
    return Slot(start, end)


def _check_slot_minutes(slot_minutes: int) -> None:
    """Slot length must be a positive whole number of minutes within one day."""
    if not isinstance(slot_minutes, int) or not 0 < slot_minutes <= MINUTES_PER_DAY:
        raise ValueError(f"slot_minutes must be an int in 1..1440, got {slot_minutes!r}")


def interval_slots(day: date, interval: Interval, slot_minutes: int, tz: ZoneInfo) -> list[Slot]:
    """All slots of one opening interval on ``day``, in chronological order."""
    _check_slot_minutes(slot_minutes)
    return list(_interval_slots(day, Interval(*interval), slot_minutes, tz))


@lru_cache(maxsize=8192)
def _interval_slots(day: date, interval: Interval, slot_minutes: int, tz: ZoneInfo) -> tuple[Slot, ...]:
    """Memoised: every availability view and every booking rebuilds the same days' slots, and
    the time-zone arithmetic per slot was a fifth of a week page's cost (bench/README.md).
    Safe to share: the arguments are immutable and so are the Slots (frozen) and the tuple.
    8192 entries = (day, interval, length, zone) keys of several months of a city's resources."""
    last_start = interval.close_minute - slot_minutes
    starts = range(interval.open_minute, last_start + 1, slot_minutes)
    return tuple(s for s in (_make_slot(day, m, slot_minutes, tz) for m in starts) if s is not None)


def slots_for_day(day: date, hours: OpeningHours, slot_minutes: int, tz: ZoneInfo) -> list[Slot]:
    """All bookable slots of a local calendar day, in chronological order."""
    _check_slot_minutes(slot_minutes)
    slots: list[Slot] = []
    for interval in hours.intervals_for(day.weekday()):
        slots.extend(interval_slots(day, interval, slot_minutes, tz))
    return slots


def slots_between(
    start_day: date, days: int, hours: OpeningHours, slot_minutes: int, tz: ZoneInfo
) -> list[Slot]:
    """Slots of ``days`` consecutive local days beginning with ``start_day``."""
    if days < 0:
        raise ValueError("days must not be negative")
    slots: list[Slot] = []
    for offset in range(days):
        slots.extend(slots_for_day(start_day + timedelta(days=offset), hours, slot_minutes, tz))
    return slots


def _is_consecutive_run(slots: Sequence[Slot], start: datetime, end: datetime) -> bool:
    """True when ``slots`` contain a gap-free run starting at ``start`` ending at ``end``."""
    index = next((i for i, s in enumerate(slots) if s.start == start), None)
    if index is None:
        return False
    for i in range(index, len(slots)):
        if i > index and slots[i].start != slots[i - 1].end:
            return False
        if slots[i].end == end:
            return True
    return False


def is_slot_aligned(
    start_utc: datetime, end_utc: datetime, hours: OpeningHours, slot_minutes: int, tz: ZoneInfo
) -> bool:
    """True when [start, end) is one or more consecutive slots of one opening interval.

    Used to validate booking requests: a request spanning a lunch break, or
    starting/ending between slot boundaries, is rejected.  The local day is
    the local date of ``start_utc``.
    """
    require_aware(start_utc, "start")
    require_aware(end_utc, "end")
    if end_utc <= start_utc:
        return False
    day = start_utc.astimezone(tz).date()
    return any(
        _is_consecutive_run(interval_slots(day, interval, slot_minutes, tz), start_utc, end_utc)
        for interval in hours.intervals_for(day.weekday())
    )


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open overlap: [a_start, a_end) and [b_start, b_end) share an instant.

    Back-to-back bookings (a_end == b_start) do not overlap.
    """
    for name, value in (("a_start", a_start), ("a_end", a_end), ("b_start", b_start), ("b_end", b_end)):
        require_aware(value, name)
    return a_start < b_end and b_start < a_end


def slot_closed(slot: Slot, closures: Iterable[tuple[datetime, datetime]]) -> bool:
    """True when the slot overlaps any closure window (maintenance, holidays...)."""
    return any(overlaps(slot.start, slot.end, start, end) for start, end in closures)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of a local calendar day, e.g. for "bookings on this day" queries.

    Uses fold=0 at midnight; where midnight falls in a DST gap, fold=0 maps it
    to the transition instant, which is the first existing instant of the day.
    """
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return start, end
