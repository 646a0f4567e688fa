"""Tests for community.amenities.recurrence: RRULE subset parsing and expansion."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from community.amenities.recurrence import (
    MAX_OCCURRENCES,
    RecurrenceError,
    RRule,
    expand,
    parse_rrule,
    weekly,
)

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


# --- parsing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("FREQ=MONTHLY;COUNT=3", "FREQ=MONTHLY"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20250101", "COUNT or UNTIL"),
        ("FREQ=WEEKLY", "COUNT or UNTIL"),
        ("FREQ=WEEKLY;COUNT=53", "COUNT=53"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT=0"),
        ("FREQ=WEEKLY;COUNT=-1", "COUNT=-1"),
        ("FREQ=DAILY;BYDAY=MO;COUNT=3", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=1MO;COUNT=3", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=MO,MO;COUNT=3", "BYDAY"),
        ("FREQ=WEEKLY;BYMONTH=1;COUNT=3", "BYMONTH"),
        ("FREQ=WEEKLY;WKST=SU;COUNT=3", "WKST"),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "INTERVAL=0"),
        ("FREQ=WEEKLY;INTERVAL=x;COUNT=3", "INTERVAL=X"),
        ("FREQ=WEEKLY;UNTIL=20250101T000000", "UNTIL"),
        ("FREQ=WEEKLY;UNTIL=20251301", "UNTIL"),
        ("COUNT=3", "FREQ"),
        ("FREQ=WEEKLY;COUNT=3;COUNT=4", "COUNT"),
        ("FREQ=WEEKLY;;COUNT=3", "malformed"),
        ("", "malformed"),
    ],
)
def test_parse_errors_name_the_bad_part(text, named):
    with pytest.raises(RecurrenceError) as info:
        parse_rrule(text)
    assert named in str(info.value)
    assert isinstance(info.value, ValueError)


def test_parse_full_rule():
    rule = parse_rrule("RRULE:freq=weekly;interval=2;byday=WE,MO;count=52")
    assert rule == RRule(freq="WEEKLY", interval=2, count=52, byday=(0, 2))
    assert rule.count == MAX_OCCURRENCES


def test_parse_until_forms():
    assert parse_rrule("FREQ=DAILY;UNTIL=20240601").until == date(2024, 6, 1)
    assert parse_rrule("FREQ=DAILY;UNTIL=20240601T153000Z").until == datetime(
        2024, 6, 1, 15, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=WEEKLY;COUNT=4",
        "FREQ=DAILY;INTERVAL=3;COUNT=10",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;UNTIL=20240630",
        "FREQ=WEEKLY;UNTIL=20240630T155959Z",
    ],
)
def test_round_trip(text):
    rule = parse_rrule(text)
    assert rule.to_text() == text
    assert parse_rrule(rule.to_text()) == rule


def test_weekly_convenience():
    assert weekly(count=4).to_text() == "FREQ=WEEKLY;COUNT=4"
    assert weekly(until=date(2024, 6, 30)).to_text() == "FREQ=WEEKLY;UNTIL=20240630"
    shanghai_until = datetime(2024, 6, 30, 22, 0, tzinfo=SHANGHAI)
    assert weekly(until=shanghai_until).to_text() == "FREQ=WEEKLY;UNTIL=20240630T140000Z"
    with pytest.raises(RecurrenceError):
        weekly()
    with pytest.raises(RecurrenceError):
        weekly(count=2, until=date(2024, 6, 30))
    with pytest.raises(RecurrenceError, match="aware"):
        weekly(until=datetime(2024, 6, 30, 22, 0))


# --- expansion --------------------------------------------------------------


def test_first_occurrence_is_first_start_and_durations_kept():
    first = datetime(2024, 5, 6, 19, 0, tzinfo=SHANGHAI)
    result = expand(first, 90 * timedelta(minutes=1), weekly(count=3), SHANGHAI)
    assert result[0] == (first, first + timedelta(minutes=90))
    assert result[0][0].tzinfo == UTC
    assert [s for s, _ in result] == [first + timedelta(weeks=k) for k in range(3)]
    assert all(e - s == timedelta(minutes=90) for s, e in result)


def test_weekly_across_spring_dst_keeps_local_wall_time():
    first = datetime(2024, 3, 19, 19, 0, tzinfo=BERLIN)  # CET, DST starts 31 March
    result = expand(first, HOUR, weekly(count=4), BERLIN)
    assert [s.astimezone(BERLIN).hour for s, _ in result] == [19, 19, 19, 19]
    assert [s.hour for s, _ in result] == [18, 18, 17, 17]  # UTC shifts by one hour
    assert result[2][0] == datetime(2024, 4, 2, 17, 0, tzinfo=UTC)


def test_weekly_across_autumn_dst_new_york():
    first = datetime(2024, 10, 28, 7, 30, tzinfo=NEW_YORK)  # EDT, DST ends 3 Nov
    result = expand(first, HOUR, weekly(count=2), NEW_YORK)
    assert [s.astimezone(NEW_YORK).strftime("%H:%M") for s, _ in result] == ["07:30", "07:30"]
    assert result[1][0] - result[0][0] == timedelta(days=7, hours=1)


def test_interval_two():
    first = datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI)
    result = expand(first, HOUR, parse_rrule("FREQ=WEEKLY;INTERVAL=2;COUNT=3"), SHANGHAI)
    assert [s.astimezone(SHANGHAI).date() for s, _ in result] == [
        date(2024, 5, 6),
        date(2024, 5, 20),
        date(2024, 6, 3),
    ]
    daily = expand(first, HOUR, parse_rrule("FREQ=DAILY;INTERVAL=2;COUNT=3"), SHANGHAI)
    assert [s.astimezone(SHANGHAI).day for s, _ in daily] == [6, 8, 10]


def test_byday_monday_wednesday():
    first = datetime(2024, 5, 8, 20, 0, tzinfo=SHANGHAI)  # a Wednesday
    result = expand(first, HOUR, parse_rrule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5"), SHANGHAI)
    assert [s.astimezone(SHANGHAI).date().day for s, _ in result] == [8, 13, 15, 20, 22]
    assert all(s.astimezone(SHANGHAI).hour == 20 for s, _ in result)


def test_byday_with_interval_two():
    first = datetime(2024, 5, 8, 20, 0, tzinfo=SHANGHAI)
    rule = parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4")
    days = [s.astimezone(SHANGHAI).date() for s, _ in expand(first, HOUR, rule, SHANGHAI)]
    assert days == [date(2024, 5, 8), date(2024, 5, 20), date(2024, 5, 22), date(2024, 6, 3)]


def test_byday_must_contain_first_weekday():
    first = datetime(2024, 5, 7, 20, 0, tzinfo=SHANGHAI)  # a Tuesday
    with pytest.raises(RecurrenceError, match="BYDAY"):
        expand(first, HOUR, parse_rrule("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5"), SHANGHAI)


def test_until_date_is_inclusive_and_uses_local_date():
    first = datetime(2024, 5, 6, 7, 0, tzinfo=SHANGHAI)  # 7:00 local = 23:00 UTC previous day
    inclusive = expand(first, HOUR, weekly(until=date(2024, 5, 27)), SHANGHAI)
    assert len(inclusive) == 4
    # The 27 May occurrence starts on 26 May in UTC, but UNTIL compares local dates.
    assert len(expand(first, HOUR, weekly(until=date(2024, 5, 26)), SHANGHAI)) == 3


def test_until_datetime_is_inclusive():
    first = datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI)
    fourth = first + timedelta(weeks=3)
    assert len(expand(first, HOUR, weekly(until=fourth), SHANGHAI)) == 4
    assert len(expand(first, HOUR, weekly(until=fourth - timedelta(seconds=1)), SHANGHAI)) == 3


def test_until_before_first_start_is_rejected():
    first = datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(RecurrenceError, match="UNTIL"):
        expand(first, HOUR, weekly(until=date(2024, 5, 5)), SHANGHAI)


def test_until_producing_too_many_occurrences_is_rejected():
    first = datetime(2024, 1, 1, 9, 0, tzinfo=SHANGHAI)
    exactly = expand(first, HOUR, parse_rrule("FREQ=DAILY;UNTIL=20240221"), SHANGHAI)
    assert len(exactly) == MAX_OCCURRENCES == 52
    with pytest.raises(RecurrenceError, match="52"):
        expand(first, HOUR, parse_rrule("FREQ=DAILY;UNTIL=20240222"), SHANGHAI)


def test_nonexistent_wall_time_is_skipped_and_not_counted():
    first = datetime(2024, 3, 30, 2, 30, tzinfo=BERLIN)  # 02:30 does not exist on 31 March
    result = expand(first, HOUR, parse_rrule("FREQ=DAILY;COUNT=3"), BERLIN)
    assert [s.astimezone(BERLIN).day for s, _ in result] == [30, 1, 2]
    assert all(s.astimezone(BERLIN).hour == 2 for s, _ in result)


def test_expand_rejects_naive_start_and_bad_duration():
    with pytest.raises(ValueError, match="aware"):
        expand(datetime(2024, 5, 6, 9, 0), HOUR, weekly(count=2), SHANGHAI)
    with pytest.raises(ValueError, match="duration"):
        expand(datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI), timedelta(0), weekly(count=2), SHANGHAI)


# --- what a person reads ----------------------------------------------------------------------------

def test_every_error_names_a_reason_with_a_message():
    """Each rejection maps to a known reason; nothing falls through to the parser's text."""
    from community.amenities.recurrence import REASONS

    texts = ["FREQ=MONTHLY;COUNT=3", "FREQ=WEEKLY", "FREQ=WEEKLY;COUNT=53", "FREQ=WEEKLY;INTERVAL=0;COUNT=3",
             "FREQ=DAILY;BYDAY=MO;COUNT=3", "FREQ=WEEKLY;BYDAY=XX;COUNT=3", "FREQ=WEEKLY;;COUNT=3", ""]
    reasons = []
    for text in texts:
        with pytest.raises(RecurrenceError) as info:
            parse_rrule(text)
        reasons.append(info.value.reason)
    assert reasons == ["unsupported_frequency", "end_required", "too_many_occurrences", "invalid_interval",
                       "invalid_days", "invalid_days", "malformed", "malformed"]
    assert set(reasons) <= set(REASONS)


def test_until_before_the_first_date_names_both_dates():
    first = datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(RecurrenceError) as info:
        expand(first, HOUR, weekly(until=date(2024, 5, 5)), SHANGHAI)
    assert info.value.reason == "until_before_start"
    assert info.value.params == {"until": date(2024, 5, 5), "first": date(2024, 5, 6)}


def test_too_many_occurrences_names_the_last_date_allowed():
    first = datetime(2024, 1, 1, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(RecurrenceError) as info:
        expand(first, HOUR, parse_rrule("FREQ=WEEKLY;UNTIL=20250601"), SHANGHAI)
    assert info.value.reason == "too_many_occurrences"
    assert info.value.params == {"latest": date(2024, 12, 23)}  # the 52nd Monday


@pytest.mark.parametrize("locale, expected", [
    ("zh_CN", "最后日期（2024年5月5日）早于第一次预约（2024年5月6日）。请选择 2024年5月6日 或之后的日期作为最后日期。"),
    ("en", "The last date (May 5, 2024) is before the first booking (May 6, 2024). Choose May 6, 2024 or a "
           "later date as the last date."),
])
def test_messages_are_one_translated_sentence(app, locale, expected):
    from flask_babel import force_locale

    from community.amenities.recurrence import problem_message

    error = RecurrenceError("UNTIL: is before the first occurrence", reason="until_before_start",
                            until=date(2024, 5, 5), first=date(2024, 5, 6))
    with app.test_request_context(), force_locale(locale):
        assert str(problem_message(error)) == expected
