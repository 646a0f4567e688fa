"""A closure committed while a booking waits for the resource lock still refuses that booking.

book() reads closures before the lock (to refuse at once, without waiting), so a closure another
request commits between that read and the lock was missed: the booking landed inside the closure.
The reads after the lock (one query with the holding bookings) now see it. The other request is
played here by a second connection that commits a closure just before the lock is taken."""
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.errors import BookingRuleViolation, RecurrenceConflict
from community.amenities.models import Booking, Closure
from community.amenities.operations import booking as booking_ops
from tests.factories.amenities import local
from tests.helpers import frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)


@pytest.fixture
def closure_committed_before_the_lock(db, monkeypatch, community_admin):
    """Make the next lock_resource first commit a closure of [starts_at, ends_at) from another connection."""
    def arm(resource, starts_at, ends_at):
        real_lock = booking_ops.lock_resource

        def lock_after_someone_closed_it(locked, **kwargs):
            with db.engine.begin() as other:
                other.execute(sa.insert(Closure).values(
                    resource_id=resource.id, starts_at=starts_at, ends_at=ends_at, reason="Burst pipe",
                    created_by_id=community_admin.id, created_at=NOW))
            monkeypatch.setattr(booking_ops, "lock_resource", real_lock)
            return real_lock(locked, **kwargs)

        monkeypatch.setattr(booking_ops, "lock_resource", lock_after_someone_closed_it)
    return arm


def bookings_of(db, resource):
    db.session.expire_all()
    return db.session.scalars(sa.select(Booking).where(Booking.resource_id == resource.id)).all()


def test_a_booking_waiting_for_the_lock_sees_the_closure_committed_meanwhile(
        db, room, resident, closure_committed_before_the_lock):
    closure_committed_before_the_lock(room, at(1, 8), at(1, 12))
    with pytest.raises(BookingRuleViolation) as excinfo:
        ops.book(resident, room, at(1, 10), at(1, 11))
    assert excinfo.value.code == "closed" and "Burst pipe" in str(excinfo.value.message)
    db.session.rollback()
    assert bookings_of(db, room) == []


def test_a_series_waiting_for_the_lock_lists_the_dates_closed_meanwhile(
        db, room, resident, closure_committed_before_the_lock):
    closure_committed_before_the_lock(room, at(2, 8), at(2, 12))  # the second of three days
    with pytest.raises(RecurrenceConflict) as excinfo:
        ops.book_recurring(resident, room, at(1, 10), at(1, 11), "FREQ=DAILY;COUNT=3")
    [conflict] = excinfo.value.extra["conflicts"]
    assert conflict["code"] == "closed" and conflict["start"].startswith(at(2, 10).date().isoformat())
    db.session.rollback()
    assert bookings_of(db, room) == []


def test_a_closure_elsewhere_in_time_changes_nothing(db, room, resident, closure_committed_before_the_lock):
    closure_committed_before_the_lock(room, at(3, 8), at(3, 12))
    booking = ops.book(resident, room, at(1, 10), at(1, 11))
    db.session.commit()
    assert [b.id for b in bookings_of(db, room)] == [booking.id]
