"""The pure rules behind the admin's changes of a resource: which slot lengths fit the opening hours,
which bookings new hours leave outside, which a lower capacity cannot keep, which are owed a refund."""
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from community.amenities import rules
from community.amenities.schedule import OpeningHours

SH = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 2, tzinfo=SH)  # a Wednesday


def hours(text, weekend=None):
    texts = {day: text for day in range(5)}
    texts.update({5: weekend if weekend is not None else text, 6: weekend if weekend is not None else text})
    return OpeningHours.from_weekday_texts(texts)


def t(hour, minute=0, days=0):
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


@pytest.mark.parametrize("text, weekend, minutes", [
    ("08:00-22:00", None, 60), ("08:00-22:00", None, 7),  # 840 minutes: 7 divides it
    ("08:00-12:00, 13:00-22:00", "", 60), ("07:00-22:45", None, 45), ("10:00-24:00", None, 120),
    ("", "", 13),  # closed all week: nothing to misfit
])
def test_slot_lengths_that_divide_every_opening_fit(text, weekend, minutes):
    assert rules.slot_length_problem(hours(text, weekend), minutes) is None


def test_a_slot_length_that_leaves_minutes_over_is_refused_with_the_reason(app):
    with app.test_request_context("/"):
        problem = rules.slot_length_problem(hours("08:00-22:00", weekend="09:00-21:00"), 7)
        assert (problem.code, problem.extra["field"]) == ("invalid_resource", "slot_minutes")
        message = str(problem.message)
        assert "7" in message and "09:00-21:00" in message and "6" in message  # 720 minutes: 6 left over
        assert "15 / 20 / 30" in message  # the nearest lengths that fit every opening
        laundry = str(rules.slot_length_problem(hours("07:00-23:00"), 45).message)
        assert "07:00-23:00" in laundry and "15" in laundry  # the last 15 minutes
        assert "20 / 30 / 60" in laundry  # the nearest that fit 16 hours


def test_within_opening_hours_is_inside_one_interval_of_the_local_day():
    split = hours("08:00-12:00, 13:00-22:00")
    assert rules.within_opening_hours(t(8), t(9), split, SH)
    assert rules.within_opening_hours(t(21), t(22), split, SH)
    assert not rules.within_opening_hours(t(11, 30), t(13, 30), split, SH)  # across the lunch break
    assert not rules.within_opening_hours(t(7), t(8), split, SH)
    assert rules.within_opening_hours(t(23), t(24), hours("20:00-24:00"), SH)  # ends at midnight
    assert not rules.within_opening_hours(t(10, days=3), t(11, days=3), hours("08:00-22:00", weekend=""), SH)


def booking(id_, start, end, status="confirmed", paid_at=None, fee_fen=0):
    return SimpleNamespace(id=id_, start_at=start, end_at=end, status=status, paid_at=paid_at, fee_fen=fee_fen)


def ids(bookings):
    return [b.id for b in bookings]


def test_over_capacity_drops_the_bookings_made_last():
    same_hour = [booking(n, t(10), t(11)) for n in (3, 1, 2)]
    assert ids(rules.over_capacity(same_hour, 1)) == [2, 3]
    assert rules.over_capacity(same_hour, 3) == []


def test_over_capacity_counts_overlap_not_bookings_of_the_day():
    back_to_back = [booking(1, t(10), t(11)), booking(2, t(11), t(12)), booking(3, t(12), t(13))]
    assert rules.over_capacity(back_to_back, 1) == []
    long_one = booking(1, t(10), t(13))  # made first, keeps its place for three hours
    later = [booking(2, t(10), t(11)), booking(3, t(12), t(13)), booking(4, t(11), t(12))]
    assert ids(rules.over_capacity([long_one, *later], 2)) == []
    assert ids(rules.over_capacity([long_one, *later], 1)) == [2, 4, 3]


def test_over_capacity_never_drops_what_it_must_keep():
    there = booking(9, t(10), t(11), status="checked_in")  # made last, but the person is there
    other = booking(1, t(10), t(11))
    assert ids(rules.over_capacity([there, other], 1, keep=lambda b: b.status == "checked_in")) == [1]


def test_refund_due_only_for_a_paid_booking_that_was_cancelled():
    paid = datetime(2026, 12, 1, tzinfo=SH)
    assert rules.refund_due(booking(1, t(10), t(11), status="cancelled", paid_at=paid, fee_fen=3000))
    assert not rules.refund_due(booking(1, t(10), t(11), status="confirmed", paid_at=paid, fee_fen=3000))
    assert not rules.refund_due(booking(1, t(10), t(11), status="cancelled", fee_fen=3000))
    assert not rules.refund_due(booking(1, t(10), t(11), status="cancelled", paid_at=paid, fee_fen=0))
