"""Cancelling a recurring booking from one date onwards or as a whole (operations.cancel_series):
every date still to come by cancel_booking's own rules, all or nothing.

The clock is frozen on Monday 2026-03-02 09:00 in Shanghai unless a test moves it."""
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.errors import BookingRuleViolation
from community.amenities.models import CANCELLED, CHECKED_IN, CONFIRMED, Booking
from community.core import clock, signals
from community.core.audit import AuditEntry
from community.core.errors import PermissionDenied
from tests.factories.amenities import local
from tests.helpers import frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)


@pytest.fixture
def weekly(db, make_resource, resident):
    """weekly(hour=19, count=4) -> the resident's bookings of a weekly series in a room, soonest first."""
    room = make_resource(booking_window_days=60)

    def _make(hour=19, count=4, user=None):
        bookings = ops.book_recurring(user or resident, room, at(0, hour), at(0, hour + 1), f"FREQ=WEEKLY;COUNT={count}")
        db.session.commit()
        return bookings

    return _make


def statuses(db, bookings):
    db.session.expire_all()
    return [db.session.get(Booking, b.id).status for b in bookings]


def test_from_one_date_onwards_cancels_it_and_the_later_dates(db, weekly, resident):
    series = weekly()
    cancelled = ops.cancel_series(series[1], actor=resident)
    db.session.commit()
    assert [b.id for b in cancelled] == [b.id for b in series[1:]]
    assert statuses(db, series) == [CONFIRMED, CANCELLED, CANCELLED, CANCELLED]
    assert not any(b.late_cancel for b in cancelled)


def test_the_whole_series_leaves_what_has_started(db, weekly, resident):
    series = weekly(hour=10)
    clock.freeze(at(0, 9, 50))
    ops.check_in(series[0], actor=resident)
    db.session.commit()
    clock.freeze(at(0, 10, 30))  # the first date is under way
    cancelled = ops.cancel_series(series[2], actor=resident, from_this=False)
    db.session.commit()
    assert [b.id for b in cancelled] == [b.id for b in series[1:]]  # the earlier date still to come too
    assert statuses(db, series) == [CHECKED_IN, CANCELLED, CANCELLED, CANCELLED]


def test_each_date_keeps_its_own_cut_off(db, weekly, resident):
    """Today's 10:00 is 60 minutes away at 09:00, inside the 60-minute cut-off only after 09:00."""
    series = weekly(hour=10, count=3)
    clock.freeze(at(0, 9, 30))
    cancelled = ops.cancel_series(series[0], actor=resident)
    assert [b.late_cancel for b in cancelled] == [True, False, False]


def test_all_or_nothing_when_the_date_has_started(db, weekly, resident):
    series = weekly(hour=10)
    clock.freeze(at(0, 10, 5))
    with pytest.raises(BookingRuleViolation) as refused:
        ops.cancel_series(series[0], actor=resident)
    assert refused.value.code == "cancel_too_late"
    db.session.rollback()
    assert statuses(db, series) == [CONFIRMED] * 4


def test_nobody_else_cancels_a_residents_series(db, weekly, resident, create_user, community_admin, other_admin):
    series = weekly()
    with pytest.raises(PermissionDenied):
        ops.cancel_series(series[0], actor=create_user("neighbour@example.test"))
    with pytest.raises(PermissionDenied):
        ops.cancel_series(series[0], actor=other_admin, from_this=False)
    with pytest.raises(BookingRuleViolation) as no_reason:
        ops.cancel_series(series[0], actor=community_admin, from_this=False)
    assert no_reason.value.code == "reason_required"
    db.session.rollback()
    assert statuses(db, series) == [CONFIRMED] * 4
    cancelled = ops.cancel_series(series[0], actor=community_admin, from_this=False, reason="Pipe burst")
    db.session.commit()
    assert [b.decision_reason for b in cancelled] == ["Pipe burst"] * 4


def test_nothing_left_to_cancel_is_refused(db, weekly, resident):
    series = weekly(count=2)
    ops.cancel_series(series[0], actor=resident, from_this=False)
    db.session.commit()
    with pytest.raises(BookingRuleViolation) as refused:
        ops.cancel_series(series[0], actor=resident, from_this=False)
    assert refused.value.code == "not_cancellable"
    with pytest.raises(BookingRuleViolation) as again:
        ops.cancel_series(series[1], actor=resident)
    assert again.value.code == "not_cancellable"


def test_each_cancelled_date_is_audited_and_signalled(db, weekly, resident):
    series = weekly(count=3)
    received = []

    def listener(booking, **kwargs):
        received.append((booking.id, kwargs["by_office"]))

    signals.booking_cancelled.connect(listener)
    try:
        ops.cancel_series(series[0], actor=resident)
        db.session.commit()
    finally:
        signals.booking_cancelled.disconnect(listener)
    assert received == [(b.id, False) for b in series]
    entries = db.session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "amenity.cancelled")).all()
    assert sorted(entries) == sorted(b.id for b in series)


def test_a_booking_without_a_series_is_cancelled_alone(db, room, resident, book):
    single = book(resident, room, at(1, 10))
    assert [b.id for b in ops.cancel_series(single, actor=resident, from_this=False)] == [single.id]
    assert ops.cancel_in_scope(book(resident, room, at(1, 12)), "series", actor=resident)[0].status == CANCELLED
    with pytest.raises(ValueError):
        ops.cancel_in_scope(single, "everything", actor=resident)
