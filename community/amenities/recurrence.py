"""A small, documented subset of RFC 5545 RRULE for recurring bookings.

Supported (everything else is rejected with ``RecurrenceError``)::

    FREQ=DAILY|WEEKLY      required
    INTERVAL=n             optional, n >= 1, default 1
    COUNT=n                1 <= n <= MAX_OCCURRENCES   } exactly one of the two:
    UNTIL=YYYYMMDD | YYYYMMDDTHHMMSSZ                   } no open-ended series
    BYDAY=MO,WE,...        only with FREQ=WEEKLY, plain weekday codes only

A leading ``RRULE:`` is accepted.  Semantics used by ``expand``:

* Occurrences keep the LOCAL wall-clock time of the first occurrence across
  DST changes (19:00 stays 19:00); each end is start + duration (real time).
* The first occurrence is always ``first_start`` itself; with BYDAY the first
  start's weekday must therefore be one of the BYDAY days (otherwise RFC 5545
  leaves the result undefined, so we refuse).  Weeks start on Monday.
* A wall time that does not exist on a date (spring-forward gap) is ignored
  and not counted, as RFC 5545 section 3.3.10 requires; ambiguous wall times
  use fold=0 (the first occurrence), like ``schedule`` -- this also applies
  to an ambiguous ``first_start`` given with fold=1.
* UNTIL is inclusive: a date UNTIL is compared with the occurrence's LOCAL
  date, a UTC date-time UNTIL with the occurrence's UTC start.
* At most ``MAX_OCCURRENCES`` occurrences: a larger COUNT is rejected at parse
  time, an UNTIL that would yield more is rejected at expansion time.

Every ``RecurrenceError`` names its ``reason`` (one of ``REASONS``) and the ``params`` a message
needs; its text is for developers and logs. ``problem_message(error)`` is the sentence a person
reads, translated, saying what to change (the booking page and the API both show it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from community.amenities.schedule import local_to_utc

UTC = timezone.utc
MAX_OCCURRENCES = 52
FREQUENCIES = ("DAILY", "WEEKLY")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = Python weekday

_INT = re.compile(r"^[0-9]{1,6}$")
_UNTIL_DATE = re.compile(r"^\d{8}$")
_UNTIL_UTC = re.compile(r"^\d{8}T\d{6}Z$")


class RecurrenceError(ValueError):
    """An unsupported or invalid recurrence rule; the text names the bad part, ``reason`` says
    which rule it breaks and ``params`` carry the dates a message names."""

    def __init__(self, detail: str, *, reason: str = "malformed", **params):
        super().__init__(detail)
        self.reason = reason
        self.params = params


class LocalDay:
    """A date in a message, written in the reader's language when the message is shown
    ("12月8日", "Dec 8")."""

    def __init__(self, day: date):
        self.day = day

    def __str__(self) -> str:
        from community.amenities.presentation import amenity_date

        return amenity_date(self.day)


def _until_before_start(p):
    return _l("The last date (%(until)s) is before the first booking (%(first)s). Choose %(first)s or a "
              "later date as the last date.", until=LocalDay(p["until"]), first=LocalDay(p["first"]))


def _too_many(p):
    if "latest" in p:
        return _l("A booking can repeat at most %(n)d times. Choose %(latest)s or an earlier date as the last "
                  "date.", n=MAX_OCCURRENCES, latest=LocalDay(p["latest"]))
    return _l("A booking can repeat at most %(n)d times. Choose fewer repeats.", n=MAX_OCCURRENCES)


# What each reason tells a person, as functions of the error's params.
REASONS = {
    "until_before_start": _until_before_start,
    "too_many_occurrences": _too_many,
    "unsupported_frequency": lambda p: _l("A booking can repeat daily or weekly only (FREQ=DAILY or FREQ=WEEKLY)."),
    "invalid_interval": lambda p: _l("The repeat interval must be a whole number of 1 or more."),
    "end_required": lambda p: _l("Say when the repeating ends: a number of times (COUNT) or a last date "
                                 "(UNTIL), not both."),
    "invalid_days": lambda p: _l("Repeat days must be weekday codes MO to SU, each once, and only for weekly "
                                 "repeats."),
    "days_miss_first": lambda p: _l("The repeat days must include the weekday of the first booking."),
    "start_does_not_exist": lambda p: _l("The first booking's time does not exist in the community's time zone "
                                         "(the clocks change then). Choose another time."),
    "malformed": lambda p: _l("Write the repeat rule like FREQ=WEEKLY;COUNT=4: FREQ, then COUNT or UNTIL "
                              "(YYYYMMDD), and if needed INTERVAL and BYDAY."),
}


def problem_message(error: RecurrenceError):
    """The translated sentence for a RecurrenceError: what is wrong and what to change."""
    return REASONS.get(error.reason, REASONS["malformed"])(error.params)


def problem_params(error: RecurrenceError) -> dict:
    """The error's params as JSON values (ISO dates), for the API's problem body."""
    return {key: value.isoformat() if isinstance(value, (date, datetime)) else value
            for key, value in error.params.items()}


@dataclass(frozen=True)
class RRule:
    """A validated recurrence rule; ``until`` is a date or an aware UTC datetime."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: date | datetime | None = None
    byday: tuple[int, ...] = ()  # Python weekdays, sorted, unique

    def __post_init__(self) -> None:
        _validate_freq(self.freq)
        _validate_interval(self.interval)
        _validate_end(self.count, self.until)
        object.__setattr__(self, "until", _normalise_until(self.until))
        object.__setattr__(self, "byday", _normalise_byday(self.byday, self.freq))

    def to_text(self) -> str:
        """Canonical RRULE text (without "RRULE:"); ``parse_rrule`` reads it back."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(DAY_CODES[d] for d in self.byday))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={_format_until(self.until)}")
        return ";".join(parts)


def _validate_freq(freq: str) -> None:
    """Only DAILY and WEEKLY make sense for amenity bookings."""
    if freq not in FREQUENCIES:
        raise RecurrenceError(f"FREQ={freq}: only DAILY and WEEKLY are supported", reason="unsupported_frequency")


def _validate_interval(interval: int) -> None:
    """INTERVAL must be a positive integer."""
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise RecurrenceError(f"INTERVAL={interval}: must be a positive integer", reason="invalid_interval")


def _validate_end(count: int | None, until: date | datetime | None) -> None:
    """Exactly one of COUNT/UNTIL, and COUNT within the cap."""
    if (count is None) == (until is None):
        raise RecurrenceError("exactly one of COUNT or UNTIL is required", reason="end_required")
    if count is not None and (
        not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_OCCURRENCES
    ):
        raise RecurrenceError(f"COUNT={count}: must be between 1 and {MAX_OCCURRENCES}",
                              reason="too_many_occurrences" if isinstance(count, int) and count > 0 else "malformed")


def _normalise_until(until: date | datetime | None) -> date | datetime | None:
    """Keep dates as dates; turn aware datetimes into UTC, reject naive ones."""
    if isinstance(until, datetime):
        if until.tzinfo is None or until.utcoffset() is None:
            raise RecurrenceError("UNTIL: a date-time must be timezone-aware (UTC)")
        return until.astimezone(UTC).replace(microsecond=0)
    if until is not None and not isinstance(until, date):
        raise RecurrenceError(f"UNTIL={until!r}: must be a date or datetime")
    return until


def _normalise_byday(byday: tuple[int, ...], freq: str) -> tuple[int, ...]:
    """BYDAY only with WEEKLY; weekdays 0..6, no duplicates; returned sorted."""
    if not byday:
        return ()
    if freq != "WEEKLY":
        raise RecurrenceError(f"BYDAY: only allowed with FREQ=WEEKLY, not FREQ={freq}", reason="invalid_days")
    if any(d not in range(7) for d in byday) or len(set(byday)) != len(byday):
        raise RecurrenceError(f"BYDAY: invalid or duplicate weekdays {byday!r}", reason="invalid_days")
    return tuple(sorted(byday))


def _format_until(until: date | datetime) -> str:
    """Format UNTIL as YYYYMMDD (date) or YYYYMMDDTHHMMSSZ (UTC datetime)."""
    if isinstance(until, datetime):
        return until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return until.strftime("%Y%m%d")


def _parse_until(value: str) -> date | datetime:
    """Parse the two supported UNTIL forms; floating local date-times are rejected."""
    try:
        if _UNTIL_DATE.match(value):
            return datetime.strptime(value, "%Y%m%d").date()
        if _UNTIL_UTC.match(value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        pass
    raise RecurrenceError(f"UNTIL={value}: expected YYYYMMDD or YYYYMMDDTHHMMSSZ")


def _parse_int(key: str, value: str) -> int:
    """Parse a plain decimal integer part (no signs, no spaces)."""
    if not _INT.match(value):
        raise RecurrenceError(f"{key}={value}: expected a positive integer")
    return int(value)


def _parse_byday(value: str) -> tuple[int, ...]:
    """Parse "MO,WE" into Python weekdays; ordinals like "1MO" are not supported."""
    days = []
    for code in value.split(","):
        if code not in DAY_CODES:
            raise RecurrenceError(f"BYDAY={value}: unsupported day {code!r}", reason="invalid_days")
        days.append(DAY_CODES.index(code))
    return tuple(days)


def _split_parts(text: str) -> dict[str, str]:
    """Split "K=V;K=V" into a dict, rejecting malformed and repeated parts."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:"):]
    parts: dict[str, str] = {}
    for part in body.split(";"):
        key, sep, value = part.partition("=")
        key = key.strip().upper()
        if not sep or not key or not value.strip():
            raise RecurrenceError(f"malformed rule part {part!r}: expected KEY=VALUE")
        if key in parts:
            raise RecurrenceError(f"{key}: given more than once")
        parts[key] = value.strip().upper()
    return parts


_ALLOWED_KEYS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY")


def parse_rrule(text: str) -> RRule:
    """Parse the supported RRULE subset; anything else raises ``RecurrenceError``."""
    parts = _split_parts(text)
    unknown = [key for key in parts if key not in _ALLOWED_KEYS]
    if unknown:
        raise RecurrenceError(f"{unknown[0]}: unsupported rule part")
    if "FREQ" not in parts:
        raise RecurrenceError("FREQ: required")
    return RRule(
        freq=parts["FREQ"],
        interval=_parse_int("INTERVAL", parts["INTERVAL"]) if "INTERVAL" in parts else 1,
        count=_parse_int("COUNT", parts["COUNT"]) if "COUNT" in parts else None,
        until=_parse_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        byday=_parse_byday(parts["BYDAY"]) if "BYDAY" in parts else (),
    )


def weekly(count: int | None = None, until: date | datetime | None = None) -> RRule:
    """"Weekly for ``count`` weeks" or "weekly until ``until``" (inclusive)."""
    return RRule(freq="WEEKLY", count=count, until=until)


def _candidate_dates(first: date, rule: RRule) -> Iterator[date]:
    """Endless stream of local dates matching the rule, starting with ``first``."""
    if rule.freq == "DAILY" or not rule.byday:
        step = timedelta(days=rule.interval * (1 if rule.freq == "DAILY" else 7))
        current = first
        while True:
            yield current
            current += step
    week_start = first - timedelta(days=first.weekday())
    while True:
        for weekday in rule.byday:
            candidate = week_start + timedelta(days=weekday)
            if candidate >= first:
                yield candidate
        week_start += timedelta(weeks=rule.interval)


def _past_until(local_day: date, start_utc: datetime, until: date | datetime | None) -> bool:
    """True once an occurrence is after an inclusive UNTIL."""
    if isinstance(until, datetime):
        return start_utc > until
    return until is not None and local_day > until


def _checked_first_start(first_start_local: datetime, rule: RRule, tz: ZoneInfo) -> datetime:
    """Validate the first occurrence and return it as wall time in ``tz``."""
    if first_start_local.tzinfo is None or first_start_local.utcoffset() is None:
        raise ValueError("first_start_local must be timezone-aware")
    local = first_start_local.astimezone(tz)
    if local_to_utc(local.replace(tzinfo=None), tz) is None:
        raise RecurrenceError("first start does not exist in the community time zone", reason="start_does_not_exist")
    if rule.byday and local.weekday() not in rule.byday:
        raise RecurrenceError(f"BYDAY: must include the first start's weekday {DAY_CODES[local.weekday()]}",
                              reason="days_miss_first")
    if _past_until(local.date(), local.astimezone(UTC), rule.until):
        until = rule.until.astimezone(tz).date() if isinstance(rule.until, datetime) else rule.until
        raise RecurrenceError("UNTIL: is before the first occurrence", reason="until_before_start",
                              until=until, first=local.date())
    return local


def expand(
    first_start_local: datetime, duration: timedelta, rule: RRule, tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Expand a rule into UTC (start, end) pairs; see the module doc for semantics."""
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    local = _checked_first_start(first_start_local, rule, tz)
    wall_time = local.time().replace(tzinfo=None, fold=0)
    occurrences: list[tuple[datetime, datetime]] = []
    for day in _candidate_dates(local.date(), rule):
        naive = datetime.combine(day, wall_time)
        if _past_until(day, naive.replace(tzinfo=tz).astimezone(UTC), rule.until):
            break
        start = local_to_utc(naive, tz)
        if start is None:  # spring-forward gap: ignored and not counted
            continue
        if len(occurrences) == MAX_OCCURRENCES:
            raise RecurrenceError(f"UNTIL: series would exceed {MAX_OCCURRENCES} occurrences",
                                  reason="too_many_occurrences", latest=occurrences[-1][0].astimezone(tz).date())
        occurrences.append((start, start + duration))
        if rule.count is not None and len(occurrences) == rule.count:
            break
    return occurrences
