"""Business-hours arithmetic: across a weekend, a holiday, a make-up working day, lunch, midnight,
a DST zone; and a Hypothesis property against a minute-by-minute reference (tests only)."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community.tickets import business_hours as bh

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
OFFICE = {d: ((time(9), time(12)), (time(13, 30), time(18))) for d in range(5)}  # 7.5 h a day


def cal(tz=SH, **kwargs):
    return bh.Calendar(tz=tz, weekly=kwargs.pop("weekly", OFFICE), **kwargs)


def local(y, m, d, h=0, mi=0, tz=SH):
    return datetime(y, m, d, h, mi, tzinfo=tz)


def reference_minutes(calendar, start, end):
    """Minute by minute: a minute counts when its local time lies in a working interval of its local day."""
    count, t = 0, start.astimezone(timezone.utc)
    end = end.astimezone(timezone.utc)
    while t < end:
        lt = t.astimezone(calendar.tz)
        minute = lt.hour * 60 + lt.minute
        for s, e in calendar.intervals_on(lt.date()):
            e_min = 24 * 60 if e == time(0) else e.hour * 60 + e.minute
            if s.hour * 60 + s.minute <= minute < e_min:
                count += 1
                break
        t += timedelta(minutes=1)
    return count


def reference_add(calendar, start, minutes):
    """Step minute by minute until that many working minutes have passed."""
    t = start.astimezone(timezone.utc)
    left = minutes
    for _ in range(60 * 24 * 40):
        if reference_minutes(calendar, t, t + timedelta(minutes=1)):
            left -= 1
            if left == 0:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)
    raise AssertionError("no working time")


# -- examples -------------------------------------------------------------------------------

def test_a_working_day_has_its_lunch_break_left_out():
    c = cal()
    assert bh.business_minutes_between(c, local(2026, 12, 1, 8), local(2026, 12, 1, 20)) == 450
    assert bh.business_minutes_between(c, local(2026, 12, 1, 11, 30), local(2026, 12, 1, 14)) == 60
    assert bh.add_business_minutes(c, local(2026, 12, 1, 11, 30), 45) == local(2026, 12, 1, 13, 45)


def test_the_clock_stops_over_a_weekend():
    c = cal()
    friday = local(2026, 12, 4, 17)
    assert bh.add_business_minutes(c, friday, 120) == local(2026, 12, 7, 10)  # Monday 10:00
    assert bh.business_minutes_between(c, friday, local(2026, 12, 7, 10)) == 120


def test_across_midnight_counts_only_the_working_hours_either_side():
    c = cal()
    assert bh.business_minutes_between(c, local(2026, 12, 1, 17), local(2026, 12, 2, 10)) == 120
    assert bh.add_business_minutes(c, local(2026, 12, 1, 23, 30), 30) == local(2026, 12, 2, 9, 30)


def test_a_holiday_has_no_working_time_and_a_make_up_day_has():
    c = cal(holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}), workdays=frozenset({date(2026, 10, 10)}))
    # Wednesday 30 Sep 17:00 + 2 h: Thursday and Friday are holidays, the weekend too: Monday 5 Oct.
    assert bh.add_business_minutes(c, local(2026, 9, 30, 17), 120) == local(2026, 10, 5, 10)
    # Friday 9 Oct 17:00 + 2 h: Saturday 10 Oct is a make-up working day (Monday's hours).
    assert bh.add_business_minutes(c, local(2026, 10, 9, 17), 120) == local(2026, 10, 10, 10)
    assert bh.business_minutes_between(c, local(2026, 10, 10), local(2026, 10, 11)) == 450
    assert not c.is_working_day(date(2026, 10, 1)) and c.is_working_day(date(2026, 10, 10))


def test_working_days_after_skips_holidays_and_counts_make_up_days():
    c = cal(holidays=frozenset({date(2026, 10, d) for d in range(1, 8)}), workdays=frozenset({date(2026, 10, 10)}))
    # After Tue 29 Sep: Wed 30 Sep, Thu 8, Fri 9, Sat 10 (make-up), Mon 12 Oct.
    assert bh.working_days_after(c, date(2026, 9, 29), 5) == date(2026, 10, 12)
    assert bh.working_days_after(c, date(2026, 12, 4), 1) == date(2026, 12, 7)
    assert bh.working_days_after(c, date(2026, 12, 1), 0) == date(2026, 12, 1)


def test_dst_zone_days_are_as_long_as_the_wall_clock_says():
    round_the_clock = {d: ((time(0), time(0)),) for d in range(7)}  # 00:00-24:00
    c = cal(tz=NY, weekly=round_the_clock)
    assert bh.business_minutes_between(c, local(2026, 3, 8, tz=NY), local(2026, 3, 9, tz=NY)) == 23 * 60
    assert bh.business_minutes_between(c, local(2026, 11, 1, tz=NY), local(2026, 11, 2, tz=NY)) == 25 * 60
    office = cal(tz=NY)
    # Friday 6 Mar 17:00 EST + 2 h -> Monday 9 Mar 10:00 EDT.
    assert bh.add_business_minutes(office, local(2026, 3, 6, 17, tz=NY), 120) == local(2026, 3, 9, 10, tz=NY)


def test_a_calendar_without_working_time_says_so_instead_of_looping():
    with pytest.raises(bh.NoWorkingTime):
        bh.add_business_minutes(cal(weekly={}), local(2026, 12, 1), 1)


@pytest.mark.parametrize("text, expected", [
    ("09:00-12:00, 13:30-18:00", ((time(9), time(12)), (time(13, 30), time(18)))),
    ("", ()), ("22:00-24:00", ((time(22), time(0)),)),
    ("08:00-12:00，13:00-17:00", ((time(8), time(12)), (time(13), time(17)))),
])
def test_parse_intervals(text, expected):
    assert bh.parse_intervals(text) == expected


@pytest.mark.parametrize("text", ["9-12", "12:00-09:00", "09:00-12:00, 11:00-13:00", "13:00-14:00, 09:00-10:00",
                                  "25:00-26:00", "09:00"])
def test_parse_intervals_refuses(text):
    with pytest.raises(ValueError):
        bh.parse_intervals(text)


def test_the_cost_grows_with_days_not_minutes():
    """A year of business time is computed from ~365 days of intervals, quickly."""
    import time as timer

    c = cal()
    started = timer.perf_counter()
    due = bh.add_business_minutes(c, local(2026, 1, 1), 250 * 450)
    assert bh.business_minutes_between(c, local(2026, 1, 1), due) == 250 * 450
    assert timer.perf_counter() - started < 0.5


# -- the property -----------------------------------------------------------------------------

quarter_hours = st.integers(min_value=0, max_value=24 * 4 - 1).map(lambda q: q * 15)


@st.composite
def day_intervals(draw):
    cuts = sorted(set(draw(st.lists(quarter_hours, min_size=0, max_size=4))))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    intervals = [(time(s // 60, s % 60), time(e // 60, e % 60)) for s, e in zip(cuts[::2], cuts[1::2])]
    if draw(st.booleans()) and (not cuts or cuts[-1] < 23 * 60):
        intervals.append((time(23), time(0)))  # up to midnight
    return tuple(intervals)


@st.composite
def calendars(draw):
    tz = draw(st.sampled_from([SH, NY]))
    weekly = {d: draw(day_intervals()) for d in range(7)}
    base = date(2026, 3, 5) if tz is NY else date(2026, 9, 28)
    days = [base + timedelta(days=i) for i in range(8)]
    holidays = frozenset(draw(st.lists(st.sampled_from(days), max_size=2)))
    workdays = frozenset(draw(st.lists(st.sampled_from(days), max_size=2))) - holidays
    makeup = draw(st.one_of(st.none(), day_intervals()))
    return bh.Calendar(tz=tz, weekly=weekly, holidays=holidays, workdays=workdays, makeup_hours=makeup)


def _base(calendar):
    # New York's spring-forward night (8 Mar 2026) lies inside the range the property draws from.
    return local(2026, 3, 6, tz=NY) if calendar.tz is NY else local(2026, 9, 29)


@settings(max_examples=60, deadline=None)
@given(calendars(), st.integers(0, 5 * 24 * 60), st.integers(0, 3 * 24 * 60))
def test_between_matches_the_minute_by_minute_reference(calendar, offset, length):
    start = (_base(calendar) + timedelta(minutes=offset)).astimezone(timezone.utc)
    end = start + timedelta(minutes=length)
    assert bh.business_minutes_between(calendar, start, end) == reference_minutes(calendar, start, end)


@settings(max_examples=40, deadline=None)
@given(calendars(), st.integers(0, 3 * 24 * 60), st.integers(1, 600))
def test_add_matches_the_reference_and_inverts_between(calendar, offset, minutes):
    start = (_base(calendar) + timedelta(minutes=offset)).astimezone(timezone.utc)
    try:
        due = bh.add_business_minutes(calendar, start, minutes)
    except bh.NoWorkingTime:
        assert reference_minutes(calendar, start, start + timedelta(days=15)) < minutes
        return
    assert bh.business_minutes_between(calendar, start, due) == minutes
    if due - start < timedelta(days=12):
        assert due == reference_add(calendar, start, minutes)


def test_on_dst_change_days_the_wall_clock_decides_which_minutes_count():
    skipped = cal(tz=NY, weekly={6: ((time(2), time(2, 30)), (time(9), time(10)))})
    assert bh.business_minutes_between(skipped, local(2026, 3, 8, tz=NY), local(2026, 3, 9, tz=NY)) == 60
    repeated = cal(tz=NY, weekly={6: ((time(1, 30), time(3)),)})
    # 01:30-01:59 EDT, 01:30-01:59 EST, 02:00-02:59 EST.
    assert bh.business_minutes_between(repeated, local(2026, 11, 1, tz=NY), local(2026, 11, 2, tz=NY)) == 120
    start = local(2026, 11, 1, tz=NY)
    assert bh.business_minutes_between(repeated, start, bh.add_business_minutes(repeated, start, 90)) == 90
