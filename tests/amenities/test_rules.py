"""amenities.rules without a database: unsaved objects in, the refusal (or None) out.

No fixture touches the app's database here; the objects are transient, and the rules never ask
a session for anything."""
from collections import namedtuple
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community.accounts.models import Community, TalentProfile
from community.amenities import rules
from community.amenities.errors import AlreadyBooked, SlotFull
from community.amenities.models import Booking, Closure, Resource
from community.core.money import Money
from tests.factories.amenities import hours_every_day, local

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday
Row = namedtuple("Row", "start_at end_at user_id")  # what the booking operation reads under the lock


def at(day_offset, hour, minute=0):
    return local(day_offset, hour, minute, base=NOW)


def resource(**fields):
    values = dict(id=1, community=Community(timezone="Asia/Shanghai"), kind="meeting_room", name="Room A",
                  capacity=1, slot_minutes=60, opening_hours=hours_every_day("08:00-22:00"), booking_window_days=14,
                  min_notice_minutes=0, fee_fen=0, currency="CNY", requires_approval=False, status="active",
                  visible_tiers=[], max_attendees=None, checkin_grace_minutes=15, cancel_cutoff_minutes=60,
                  max_bookings_per_day=None, max_bookings_per_week=None, max_minutes_per_day=None,
                  max_minutes_per_week=None)
    return Resource(**{**values, **fields})


def code(problem):
    return None if problem is None else problem.code


# -- times ---------------------------------------------------------------------------------------

def test_crosses_midnight_but_ending_at_midnight_is_fine():
    assert rules.crosses_midnight(at(0, 23), at(1, 1), SH)
    assert not rules.crosses_midnight(at(0, 23), at(1, 0), SH)
    assert not rules.crosses_midnight(at(0, 8), at(0, 22), SH)
    assert rules.crosses_midnight(at(0, 23), at(2, 0), SH)  # two midnights


def test_the_window_counts_today():
    assert rules.last_bookable_day(resource(booking_window_days=14), NOW) == date(2026, 3, 15)
    assert rules.last_bookable_day(resource(booking_window_days=1), NOW) == date(2026, 3, 2)
    late_evening_utc = datetime(2026, 3, 2, 17, 0, tzinfo=ZoneInfo("UTC"))  # already 01:00 on the 3rd
    assert rules.last_bookable_day(resource(booking_window_days=1), late_evening_utc) == date(2026, 3, 3)


def test_booking_end_is_whole_slots_from_the_start():
    laundry = resource(slot_minutes=45)
    assert rules.booking_end(laundry, at(1, 8), 1) == at(1, 8, 45)
    assert rules.booking_end(laundry, at(1, 8), 3) == at(1, 10, 15)
    assert rules.booking_end(laundry, at(1, 8), 0) == at(1, 8, 45)  # at least one slot


@pytest.mark.parametrize("start, end, expected", [
    (at(1, 10), at(1, 11), None),
    (at(1, 11), at(1, 10), "not_aligned"),
    (at(1, 10, 30), at(1, 11, 30), "not_aligned"),
    (at(1, 21), at(1, 23), "not_aligned"),
    (at(0, 8), at(0, 9), "in_the_past"),
    (at(0, 9), at(0, 10), None),  # starting this instant is still bookable
    (at(13, 21), at(13, 22), None),
    (at(14, 8), at(14, 9), "outside_window"),
])
def test_time_problem(start, end, expected):
    assert code(rules.time_problem(resource(), start, end, NOW, [])) == expected


def test_notice_is_checked_to_the_second():
    needs_notice = resource(min_notice_minutes=60)
    assert rules.time_problem(needs_notice, at(0, 10), at(0, 11), NOW, []) is None
    just_late = NOW + timedelta(seconds=1)
    assert code(rules.time_problem(needs_notice, at(0, 10), at(0, 11), just_late, [])) == "too_short_notice"


def test_only_an_overlapping_closure_refuses_and_names_its_reason():
    closure = Closure(starts_at=at(1, 12), ends_at=at(1, 14), reason="Carpet cleaning")
    problem = rules.time_problem(resource(), at(1, 13), at(1, 14), NOW, [closure])
    assert code(problem) == "closed" and problem.extra["reason"] == "Carpet cleaning"
    assert rules.time_problem(resource(), at(1, 11), at(1, 12), NOW, [closure]) is None  # back to back
    assert rules.time_problem(resource(), at(1, 14), at(1, 15), NOW, [closure]) is None


def test_a_closed_span_is_judged_after_the_other_time_rules():
    closure = Closure(starts_at=at(0, 0), ends_at=at(30, 0), reason="Renovation")
    assert code(rules.time_problem(resource(), at(0, 8), at(0, 9), NOW, [closure])) == "in_the_past"


# -- who may book ----------------------------------------------------------------------------------

def test_tier_allows():
    lounge = resource(visible_tiers=["senior"])
    senior = TalentProfile(tier="senior", valid_until=date(2026, 12, 31))
    expired = TalentProfile(tier="senior", valid_until=date(2026, 3, 1))
    junior = TalentProfile(tier="junior", valid_until=None)
    today = date(2026, 3, 2)
    assert rules.tier_allows(lounge, senior, today, is_admin=False)
    assert not rules.tier_allows(lounge, expired, today, is_admin=False)
    assert not rules.tier_allows(lounge, junior, today, is_admin=False)
    assert not rules.tier_allows(lounge, None, today, is_admin=False)
    assert rules.tier_allows(lounge, None, today, is_admin=True)
    assert rules.tier_allows(resource(), None, today, is_admin=False)


def test_booker_problem_names_the_first_rule_that_says_no():
    room = resource(max_attendees=8)
    until = at(3, 9)
    assert rules.booker_problem(room, eligible=True, attendees=8, suspended_until=None) is None
    assert code(rules.booker_problem(resource(status="closed"), eligible=False, attendees=None,
                                     suspended_until=until)) == "resource_unavailable"
    assert code(rules.booker_problem(resource(status="archived"), eligible=True, attendees=None,
                                     suspended_until=None)) == "resource_unavailable"
    assert code(rules.booker_problem(room, eligible=False, attendees=None, suspended_until=until)) == "not_eligible"
    assert code(rules.booker_problem(room, eligible=True, attendees=9, suspended_until=until)) == "too_many_attendees"
    assert code(rules.booker_problem(room, eligible=True, attendees=0, suspended_until=None)) == "too_many_attendees"
    suspended = rules.booker_problem(room, eligible=True, attendees=None, suspended_until=until)
    assert code(suspended) == "suspended" and suspended.extra["suspended_until"] == until.isoformat()


# -- capacity and quotas, given the rows read under the lock -----------------------------------------

def test_capacity_counts_each_slot_of_the_span():
    gym = resource(capacity=2, kind="gym")
    rows = [Row(at(1, 10), at(1, 11), 7), Row(at(1, 10), at(1, 12), 8)]
    full = rules.capacity_problem(9, gym, at(1, 9), at(1, 11), rows)
    assert isinstance(full, SlotFull) and datetime.fromisoformat(full.extra["slot_start"]) == at(1, 10)
    assert rules.capacity_problem(9, gym, at(1, 12), at(1, 13), rows) is None  # back to back
    assert rules.capacity_problem(9, gym, at(1, 9), at(1, 10), rows) is None
    assert isinstance(rules.capacity_problem(7, gym, at(1, 10), at(1, 11), rows), AlreadyBooked)


def test_quotas_count_the_residents_own_rows_by_local_day_and_week():
    limited = resource(max_bookings_per_day=2, max_minutes_per_week=180)
    mine = [Row(at(1, 8), at(1, 9), 5), Row(at(2, 8), at(2, 9), 5)]
    others = [Row(at(1, 12), at(1, 13), 6)] * 5
    rows = mine + others
    assert rules.quota_problems(5, limited, [(at(1, 10), at(1, 11))], rows) == {}  # 2nd today, 3 h this week
    problems = rules.quota_problems(5, limited, [(at(1, 10), at(1, 11)), (at(1, 12), at(1, 13))], rows)
    assert list(problems) == [at(1, 12)] and problems[at(1, 12)].extra["quota"] == "max_bookings_per_day"
    over_week = rules.quota_problems(5, limited, [(at(3, 10), at(3, 12))], rows)  # 2 h + 2 h > 3 h
    assert over_week[at(3, 10)].extra == {"quota": "max_minutes_per_week", "limit": 180}
    next_week = rules.quota_problems(5, limited, [(at(7, 10), at(7, 12))], rows)  # Monday: a new week
    assert next_week == {}


def test_no_quota_no_window():
    assert rules.quota_window(resource(), [(at(1, 10), at(1, 11))]) is None
    window = rules.quota_window(resource(max_bookings_per_week=3), [(at(1, 10), at(1, 11)), (at(9, 10), at(9, 11))])
    assert window == (at(0, 0), at(14, 0))  # Monday of the first week .. Monday after the last


# -- status, fee, check-in, cancellation -------------------------------------------------------------

def test_initial_status_and_fee():
    assert rules.initial_status(resource()) == "confirmed"
    assert rules.initial_status(resource(fee_fen=3000)) == "pending_payment"
    assert rules.initial_status(resource(fee_fen=3000, requires_approval=True)) == "pending_approval"
    ktv = resource(fee_fen=3000)
    assert rules.booking_fee(ktv, at(1, 10), at(1, 13)) == Money(9000, "CNY")
    assert rules.booking_fee(resource(), at(1, 10), at(1, 13)) == Money.zero()
    assert rules.booking_fee(resource(fee_fen=250, currency="HKD", slot_minutes=30), at(1, 10), at(1, 11)) == \
        Money(500, "HKD")


def booking_of(room, start, end):
    return Booking(resource=room, start_at=start, end_at=end, status="confirmed", fee_fen=0)


def test_checkin_window_is_inclusive_at_both_ends():
    booking = booking_of(resource(checkin_grace_minutes=10), at(1, 10), at(1, 11))
    assert rules.checkin_window(booking) == (at(1, 9, 45), at(1, 10, 10))
    assert rules.checkin_problem(booking, at(1, 9, 45)) is None
    assert rules.checkin_problem(booking, at(1, 10, 10)) is None
    late = rules.checkin_problem(booking, at(1, 10, 10) + timedelta(seconds=1))
    assert code(late) == "checkin_window" and late.extra["closes_at"] == at(1, 10, 10).isoformat()
    assert code(rules.checkin_problem(booking, at(1, 9, 44))) == "checkin_window"


def test_late_cancellation_starts_after_the_cutoff():
    booking = booking_of(resource(cancel_cutoff_minutes=60), at(1, 10), at(1, 11))
    assert not rules.is_late_cancellation(booking, at(1, 9))  # exactly at the cut-off: on time
    assert rules.is_late_cancellation(booking, at(1, 9) + timedelta(seconds=1))
