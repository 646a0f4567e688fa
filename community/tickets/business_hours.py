"""Business-hours arithmetic, pure (no session): a community's working calendar and the time that
counts between two instants or after an instant.

A calendar is working hours per weekday (several intervals a day, so a lunch break is the gap
between two), public holidays (no working time at all) and make-up working days (调休: a weekend
day worked with the make-up hours), in one IANA zone. Everything works on the day's intervals:
the cost of a computation grows with the number of days it spans, never with minutes.

Local times are turned into instants with the zone (zoneinfo, fold=0), so on a DST change a
working interval is as long as the clock on the wall says it lasted (an hour shorter or longer).

Other domains count working days with ``working_days_after`` (the talent domain's "public notice
for 5 working days")."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

Interval = tuple[time, time]
# No answer is looked for further than this: a calendar without working time would loop forever.
MAX_DAYS = 3 * 366
DEFAULT_HOURS = ((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0)))


class NoWorkingTime(ValueError):
    """The calendar has no working time within MAX_DAYS of the start."""


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """ "09:00-12:00, 13:30-18:00" -> intervals; ValueError for anything else (overlap, end
    before start, not ordered). An empty text is a day off."""
    intervals = []
    for part in filter(None, (p.strip() for p in text.replace("，", ",").split(","))):
        start_text, sep, end_text = part.partition("-")
        if not sep:
            raise ValueError(part)
        start, end = _parse_time(start_text), _parse_time(end_text)
        if end <= start and end != time(0, 0):
            raise ValueError(part)
        intervals.append((start, end))
    checked = check_intervals(intervals)
    return checked


def _parse_time(text: str) -> time:
    text = text.strip()
    if text == "24:00":
        return time(0, 0)
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(text)
    return time(int(hours), int(minutes))


def _minutes(t: time, *, end=False) -> int:
    value = t.hour * 60 + t.minute
    return 24 * 60 if end and value == 0 else value


def check_intervals(intervals) -> tuple[Interval, ...]:
    """Intervals sorted, non-empty, not overlapping; an end of 00:00 means midnight (24:00)."""
    previous_end = -1
    for start, end in intervals:
        s, e = _minutes(start), _minutes(end, end=True)
        if e <= s or s < previous_end:
            raise ValueError(f"{start}-{end}")
        previous_end = e
    return tuple(intervals)


def format_intervals(intervals) -> str:
    return ", ".join(f"{s:%H:%M}-{'24:00' if e == time(0, 0) else f'{e:%H:%M}'}" for s, e in intervals)


@dataclass(frozen=True)
class Calendar:
    """``weekly``: weekday (0 = Monday) -> that day's intervals; ``holidays``: dates without work;
    ``workdays``: make-up working days, worked with ``makeup_hours`` (default: Monday's)."""

    tz: ZoneInfo
    weekly: dict = field(default_factory=lambda: {d: DEFAULT_HOURS for d in range(5)})
    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()
    makeup_hours: tuple | None = None

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.makeup_hours if self.makeup_hours is not None else self.weekly.get(0, DEFAULT_HOURS)
        return self.weekly.get(day.weekday(), ())

    def is_working_day(self, day: date) -> bool:
        return bool(self.intervals_on(day))

    def spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working intervals as UTC instants, sorted. A minute counts when the wall
        clock shows a working time: on a DST change the day is split where the offset changes,
        so an hour the clock skips is not worked and an hour it repeats is worked twice."""
        intervals = self.intervals_on(day)
        if not intervals:
            return []
        spans = []
        pieces = _pieces(self.tz, day)
        for start, end in intervals:
            wall_start = datetime.combine(day, start)
            wall_end = datetime.combine(day + timedelta(days=1) if end == time(0, 0) else day, end)
            for piece_start, piece_end, offset in pieces:
                lo = max(piece_start, (wall_start - offset).replace(tzinfo=timezone.utc))
                hi = min(piece_end, (wall_end - offset).replace(tzinfo=timezone.utc))
                if hi > lo:
                    spans.append((lo, hi))
        spans.sort()
        return spans

    def has_working_time(self) -> bool:
        return any(self.weekly.get(d) for d in range(7)) or bool(self.workdays)


def _pieces(tz: ZoneInfo, day: date) -> list[tuple[datetime, datetime, timedelta]]:
    """The local day as UTC pieces of one offset each: one piece, or two on a DST change day
    (the change instant found by bisection to the second, about 17 steps)."""
    start = datetime.combine(day, time(0), tz).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
    first, last = start.astimezone(tz).utcoffset(), (end - timedelta(seconds=1)).astimezone(tz).utcoffset()
    if first == last:
        return [(start, end, first)]
    lo, hi = start, end - timedelta(seconds=1)  # offset(lo) == first, offset(hi) == last
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == first:
            lo = mid
        else:
            hi = mid
    return [(start, hi, first), (hi, end, last)]


def _local_day(cal: Calendar, instant: datetime) -> date:
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(cal.tz).date()


def business_time_between(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end); zero when end <= start."""
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    day = _local_day(cal, start) - timedelta(days=1)  # an interval ending at 24:00 starts the day before
    last = _local_day(cal, end)
    while day <= last:
        for span_start, span_end in cal.spans_on(day):
            lo, hi = max(span_start, start), min(span_end, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def business_minutes_between(cal: Calendar, start: datetime, end: datetime) -> int:
    return int(business_time_between(cal, start, end).total_seconds() // 60)


def add_business_time(cal: Calendar, start: datetime, amount: timedelta) -> datetime:
    """The instant when ``amount`` of working time has passed after ``start`` (``start`` itself
    when amount is zero or less). NoWorkingTime when the calendar has none for MAX_DAYS."""
    if amount <= timedelta(0):
        return start
    remaining = amount
    first = _local_day(cal, start) - timedelta(days=1)
    for offset in range(MAX_DAYS + 2):
        for span_start, span_end in cal.spans_on(first + timedelta(days=offset)):
            lo = max(span_start, start)
            if span_end <= lo:
                continue
            available = span_end - lo
            if remaining <= available:
                return lo + remaining
            remaining -= available
    raise NoWorkingTime(f"no working time within {MAX_DAYS} days")


def add_business_minutes(cal: Calendar, start: datetime, minutes: int) -> datetime:
    return add_business_time(cal, start, timedelta(minutes=minutes))


def working_days_after(cal: Calendar, day: date, n: int) -> date:
    """The n-th working day after ``day`` (``day`` itself for n == 0): holidays skipped, make-up
    days counted. For "5 working days" of a public notice."""
    if n < 0:
        raise ValueError("n must be >= 0")
    current, counted = day, 0
    for _ in range(MAX_DAYS * max(1, n)):
        if counted == n:
            return current
        current += timedelta(days=1)
        if cal.is_working_day(current):
            counted += 1
    raise NoWorkingTime(f"no {n} working days after {day}")


def calendar_from(tz_name: str, weekly: dict | None, days: list[tuple[date, str]] = (),
                  makeup_hours: str | None = None) -> Calendar:
    """A calendar from stored data: ``weekly`` maps "0".."6" to interval texts; ``days`` are
    (date, "holiday" | "workday") pairs."""
    parsed = {int(k): parse_intervals(v) for k, v in (weekly or {}).items()} if weekly is not None else None
    kwargs = {} if parsed is None else {"weekly": {k: v for k, v in parsed.items() if v}}
    return Calendar(
        tz=ZoneInfo(tz_name),
        holidays=frozenset(d for d, kind in days if kind == "holiday"),
        workdays=frozenset(d for d, kind in days if kind == "workday"),
        makeup_hours=parse_intervals(makeup_hours) if makeup_hours else None,
        **kwargs,
    )
