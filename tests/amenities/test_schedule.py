"""Tests for community.amenities.schedule: opening hours, slots, DST, alignment."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from community.amenities.schedule import (
    Interval,
    OpeningHours,
    Slot,
    is_slot_aligned,
    local_day_bounds,
    overlaps,
    slot_closed,
    slots_between,
    slots_for_day,
)

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2024, 5, 6)  # a Monday, no DST anywhere nearby


def every_day(text: str) -> OpeningHours:
    return OpeningHours.from_weekday_texts({wd: text for wd in range(7)})


def sh(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI)


# --- OpeningHours -----------------------------------------------------------


def test_from_dict_round_trips_and_missing_weekday_is_closed():
    data = {"0": [["13:00", "22:00"], ["08:00", "12:00"]], "6": [["10:00", "24:00"]]}
    hours = OpeningHours.from_dict(data)
    assert hours.intervals_for(0) == (Interval(480, 720), Interval(780, 1320))
    assert hours.intervals_for(3) == ()
    assert hours.intervals_for(6) == (Interval(600, 1440),)
    dumped = hours.to_dict()
    assert dumped["0"] == [["08:00", "12:00"], ["13:00", "22:00"]]
    assert dumped["6"] == [["10:00", "24:00"]]
    assert dumped["3"] == []
    assert OpeningHours.from_dict(dumped) == hours


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"0": [["12:00", "08:00"]]}, "open < close"),
        ({"0": [["08:00", "08:00"]]}, "open < close"),
        ({"0": [["08:00", "12:00"], ["11:30", "14:00"]]}, "overlap"),
        ({"0": [["08:00", "25:00"]]}, "invalid time"),
        ({"0": [["24:00", "24:00"]]}, "invalid time"),
        ({"0": [["8:00", "12:00"]]}, "invalid time"),
        ({"0": [["08:60", "12:00"]]}, "invalid time"),
        ({"7": [["08:00", "12:00"]]}, "weekday"),
        ({"0": [["08:00"]]}, "[open, close]"),
        ({"0": "08:00-12:00"}, "list of intervals"),
    ],
)
def test_from_dict_rejects_invalid_hours(data, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        OpeningHours.from_dict(data)


def test_touching_intervals_are_allowed():
    hours = OpeningHours.from_dict({"0": [["08:00", "12:00"], ["12:00", "13:00"]]})
    assert len(hours.intervals_for(0)) == 2


def test_parse_text_and_weekday_texts():
    assert OpeningHours.parse_text("08:00-12:00, 13:00-22:00") == (
        Interval(480, 720),
        Interval(780, 1320),
    )
    assert OpeningHours.parse_text("  ") == ()
    hours = OpeningHours.from_weekday_texts({0: "08:00-22:00", "5": "", 6: "18:00-24:00"})
    assert hours.to_weekday_texts()[0] == "08:00-22:00"
    assert hours.to_weekday_texts()[5] == ""
    assert hours.intervals_for(6) == (Interval(1080, 1440),)
    with pytest.raises(ValueError, match="weekday 1"):
        OpeningHours.from_weekday_texts({1: "08:00 to 22:00"})
    with pytest.raises(ValueError, match="overlap"):
        OpeningHours.from_weekday_texts({1: "08:00-12:00, 10:00-14:00"})


def test_intervals_for_rejects_bad_weekday():
    with pytest.raises(ValueError):
        every_day("08:00-22:00").intervals_for(7)


# --- slots ------------------------------------------------------------------


def test_slots_for_normal_day_in_shanghai():
    hours = every_day("08:00-12:00, 13:00-22:00")
    slots = slots_for_day(MONDAY, hours, 60, SHANGHAI)
    assert len(slots) == 4 + 9
    assert slots[0] == Slot(datetime(2024, 5, 6, 0, 0, tzinfo=UTC), datetime(2024, 5, 6, 1, 0, tzinfo=UTC))
    assert slots[0].start.tzinfo == UTC
    assert slots[0].local_start(SHANGHAI) == sh(MONDAY, 8)
    assert [s.local_start(SHANGHAI).hour for s in slots[3:5]] == [11, 13]  # lunch break skipped
    assert slots[-1].local_end(SHANGHAI) == sh(MONDAY, 22)


def test_closed_day_has_no_slots():
    hours = OpeningHours.from_weekday_texts({0: "08:00-22:00"})
    assert slots_for_day(MONDAY + timedelta(days=1), hours, 60, SHANGHAI) == []


def test_laundry_slot_that_does_not_fit_is_dropped():
    slots = slots_for_day(MONDAY, every_day("08:00-22:00"), 45, SHANGHAI)
    assert len(slots) == 18  # 840 min / 45 = 18.67
    assert slots[-1].local_start(SHANGHAI) == sh(MONDAY, 20, 45)
    assert slots[-1].local_end(SHANGHAI) == sh(MONDAY, 21, 30)
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)


def test_interval_closing_at_24_00_ends_at_next_midnight():
    slots = slots_for_day(MONDAY, every_day("18:00-24:00"), 60, SHANGHAI)
    assert len(slots) == 6
    assert slots[-1].local_end(SHANGHAI) == datetime(2024, 5, 7, 0, 0, tzinfo=SHANGHAI)
    assert slots[-1].end == datetime(2024, 5, 6, 16, 0, tzinfo=UTC)


def test_slots_never_cross_midnight_without_24_00():
    slots = slots_for_day(MONDAY, every_day("22:00-23:59"), 60, SHANGHAI)
    assert len(slots) == 1
    assert slots[0].local_end(SHANGHAI) == sh(MONDAY, 23)


def test_invalid_slot_minutes():
    with pytest.raises(ValueError):
        slots_for_day(MONDAY, every_day("08:00-22:00"), 0, SHANGHAI)


def test_berlin_spring_forward_skips_the_gap():
    day = date(2024, 3, 31)  # 02:00 -> 03:00
    slots = slots_for_day(day, every_day("00:00-24:00"), 60, BERLIN)
    local_starts = [s.local_start(BERLIN).hour for s in slots]
    # 01:00-02:00 (end does not exist) and 02:00-03:00 (start does not exist) are skipped
    assert local_starts == [0] + list(range(3, 24))
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)
    assert len(slots_for_day(day - timedelta(days=1), every_day("00:00-24:00"), 60, BERLIN)) == 24


def test_berlin_fall_back_uses_fold_0_and_drops_stretched_slot():
    day = date(2024, 10, 27)  # 03:00 CEST -> 02:00 CET
    slots = slots_for_day(day, every_day("00:00-24:00"), 60, BERLIN)
    assert len(slots) == 23
    by_hour = {s.local_start(BERLIN).hour: s for s in slots}
    assert 2 not in by_hour  # 02:00(CEST)-03:00(CET) would last 2 hours: dropped
    assert by_hour[1].end == datetime(2024, 10, 27, 0, 0, tzinfo=UTC)  # ends 02:00 CEST (fold=0)
    assert by_hour[3].start == datetime(2024, 10, 27, 2, 0, tzinfo=UTC)
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)
    assert all(a.end <= b.start for a, b in zip(slots, slots[1:]))


def test_berlin_fall_back_half_hour_slots():
    slots = slots_for_day(date(2024, 10, 27), every_day("00:00-24:00"), 30, BERLIN)
    assert len(slots) == 47  # only 02:30-03:00 (90 real minutes) is dropped
    two = [s for s in slots if s.local_start(BERLIN).hour == 2]
    assert len(two) == 1 and two[0].start == datetime(2024, 10, 27, 0, 0, tzinfo=UTC)


def test_normal_hours_on_dst_days_are_unaffected():
    slots = slots_for_day(date(2024, 3, 31), every_day("08:00-22:00"), 60, BERLIN)
    assert len(slots) == 14
    assert slots[0].start == datetime(2024, 3, 31, 6, 0, tzinfo=UTC)  # CEST


def test_new_york_spring_forward_has_fewer_slots():
    slots = slots_for_day(date(2024, 3, 10), every_day("00:00-24:00"), 60, NEW_YORK)
    assert len(slots) == 22
    assert 2 not in {s.local_start(NEW_YORK).hour for s in slots}


def test_new_york_fall_back():
    day = date(2024, 11, 3)  # 02:00 EDT -> 01:00 EST, 01:xx repeated
    slots = slots_for_day(day, every_day("00:00-24:00"), 60, NEW_YORK)
    assert len(slots) == 23
    assert 1 not in {s.local_start(NEW_YORK).hour for s in slots}
    assert slots[0].end == datetime(2024, 11, 3, 5, 0, tzinfo=UTC)  # 01:00 EDT, fold=0
    half = slots_for_day(day, every_day("01:00-01:30"), 30, NEW_YORK)
    assert half[0].start == datetime(2024, 11, 3, 5, 0, tzinfo=UTC)  # first (EDT) 01:00


def test_slots_between_spans_days():
    hours = OpeningHours.from_weekday_texts({0: "08:00-10:00", 1: "08:00-09:00"})
    slots = slots_between(MONDAY, 3, hours, 60, SHANGHAI)
    assert [s.local_start(SHANGHAI) for s in slots] == [
        sh(MONDAY, 8),
        sh(MONDAY, 9),
        sh(MONDAY + timedelta(days=1), 8),
    ]
    assert slots_between(MONDAY, 0, hours, 60, SHANGHAI) == []


# --- alignment --------------------------------------------------------------

LUNCH = every_day("08:00-12:00, 13:00-22:00")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((9, 0), (9, 30), True),
        ((9, 0), (10, 30), True),
        ((11, 30), (12, 0), True),
        ((8, 0), (12, 0), True),
        ((13, 0), (22, 0), True),
        ((9, 15), (10, 15), False),  # misaligned start
        ((9, 0), (9, 45), False),  # end not on a slot boundary
        ((11, 0), (14, 0), False),  # across the lunch break
        ((11, 30), (13, 30), False),  # across the lunch break, both on boundaries
        ((12, 0), (12, 30), False),  # closed
        ((21, 30), (22, 30), False),  # runs past close
        ((10, 0), (10, 0), False),  # empty
        ((10, 0), (9, 0), False),  # inverted
    ],
)
def test_is_slot_aligned(start, end, expected):
    result = is_slot_aligned(sh(MONDAY, *start), sh(MONDAY, *end), LUNCH, 30, SHANGHAI)
    assert result is expected


def test_is_slot_aligned_accepts_any_aware_timezone():
    start = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    assert is_slot_aligned(start, start + timedelta(hours=1), LUNCH, 30, SHANGHAI)


def test_is_slot_aligned_laundry_and_midnight():
    laundry = every_day("08:00-22:00")
    assert is_slot_aligned(sh(MONDAY, 20, 45), sh(MONDAY, 21, 30), laundry, 45, SHANGHAI)
    assert not is_slot_aligned(sh(MONDAY, 21, 30), sh(MONDAY, 22, 15), laundry, 45, SHANGHAI)
    late = every_day("18:00-24:00")
    assert is_slot_aligned(sh(MONDAY, 23), datetime(2024, 5, 7, tzinfo=SHANGHAI), late, 60, SHANGHAI)


def test_is_slot_aligned_rejects_run_over_dropped_dst_slot():
    hours = every_day("00:00-24:00")
    start = datetime(2024, 10, 26, 23, 0, tzinfo=UTC)  # 01:00 CEST on 27 Oct
    assert is_slot_aligned(start, start + timedelta(hours=1), hours, 60, BERLIN)
    assert not is_slot_aligned(start, datetime(2024, 10, 27, 3, 0, tzinfo=UTC), hours, 60, BERLIN)


def test_naive_datetimes_are_rejected():
    naive = datetime(2024, 5, 6, 9, 0)
    with pytest.raises(ValueError, match="aware"):
        is_slot_aligned(naive, naive + timedelta(hours=1), LUNCH, 30, SHANGHAI)
    with pytest.raises(ValueError, match="aware"):
        overlaps(naive, naive, sh(MONDAY, 9), sh(MONDAY, 10))
    with pytest.raises(ValueError, match="aware"):
        Slot(naive, naive + timedelta(hours=1))


# --- overlaps / closures / day bounds -----------------------------------------


def test_overlaps_is_half_open():
    assert overlaps(sh(MONDAY, 9), sh(MONDAY, 10), sh(MONDAY, 9, 30), sh(MONDAY, 11))
    assert overlaps(sh(MONDAY, 9), sh(MONDAY, 12), sh(MONDAY, 10), sh(MONDAY, 11))
    assert not overlaps(sh(MONDAY, 9), sh(MONDAY, 10), sh(MONDAY, 10), sh(MONDAY, 11))
    assert not overlaps(sh(MONDAY, 10), sh(MONDAY, 11), sh(MONDAY, 9), sh(MONDAY, 10))


def test_slot_closed():
    slot = Slot(sh(MONDAY, 9), sh(MONDAY, 10))
    assert slot_closed(slot, [(sh(MONDAY, 9, 59), sh(MONDAY, 12))])
    assert not slot_closed(slot, [(sh(MONDAY, 10), sh(MONDAY, 12)), (sh(MONDAY, 7), sh(MONDAY, 9))])
    assert not slot_closed(slot, [])


def test_slot_normalises_to_utc_and_rejects_inverted():
    slot = Slot(sh(MONDAY, 9), sh(MONDAY, 10))
    assert slot.start.tzinfo == UTC and slot.start.hour == 1
    with pytest.raises(ValueError):
        Slot(sh(MONDAY, 10), sh(MONDAY, 9))


def test_local_day_bounds():
    assert local_day_bounds(MONDAY, SHANGHAI) == (
        datetime(2024, 5, 5, 16, 0, tzinfo=UTC),
        datetime(2024, 5, 6, 16, 0, tzinfo=UTC),
    )
    start, end = local_day_bounds(date(2024, 3, 31), BERLIN)
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(date(2024, 10, 27), BERLIN)
    assert end - start == timedelta(hours=25)
