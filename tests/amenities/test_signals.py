"""The amenity operations send the domain signals of core/signals.py after their flush, with the
documented sender and kwargs, and send nothing when they refuse.

The clock is frozen on Monday 2026-03-02 09:00 in Shanghai."""
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from community.amenities import operations as ops
from community.amenities.errors import AlreadyCheckedIn, BookingRuleViolation, RecurrenceConflict, SlotFull
from community.amenities.models import (
    CANCELLED, CHECKED_IN, CONFIRMED, NO_SHOW, PENDING_APPROVAL, PENDING_PAYMENT, REJECTED, BookingSeries,
)
from community.core import clock, signals
from community.core.errors import PermissionDenied
from tests.factories.amenities import local
from tests.helpers import frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
frozen_clock = frozen_at(NOW)
at = partial(local, base=NOW)


@contextmanager
def listening(signal):
    """The calls a listener receives as (sender, kwargs), with the sender's id as it was then."""
    calls = []

    def listener(sender, **kwargs):
        calls.append((sender, getattr(sender, "id", None), kwargs))

    signal.connect(listener)
    try:
        yield calls
    finally:
        signal.disconnect(listener)


def test_book_sends_booking_created_after_the_flush(db, room, resident):
    with listening(signals.booking_created) as created, listening(signals.booking_series_created) as series:
        booking = ops.book(resident, room, at(1, 10), at(1, 11))
    assert created == [(booking, booking.id, {"series": None})] and booking.id is not None
    assert series == []


def test_a_refused_booking_sends_nothing(db, room, resident, create_user, book, stranger):
    book(create_user(), room, at(1, 10))
    with listening(signals.booking_created) as created:
        with pytest.raises(SlotFull):
            ops.book(resident, room, at(1, 10), at(1, 11))
        with pytest.raises(BookingRuleViolation):
            ops.book(resident, room, at(0, 8), at(0, 9))  # in the past
        with pytest.raises(PermissionDenied):
            ops.book(stranger, room, at(1, 12), at(1, 13))
    assert created == []


def test_a_series_sends_one_booking_created_each_then_the_series(db, make_resource, resident):
    room = make_resource(booking_window_days=60)
    with listening(signals.booking_created) as created, listening(signals.booking_series_created) as series:
        bookings = ops.book_recurring(resident, room, at(1, 19), at(1, 20), "FREQ=WEEKLY;COUNT=3")
    made = bookings[0].series
    assert isinstance(made, BookingSeries)
    assert [(sender, kwargs) for sender, _, kwargs in created] == [(b, {"series": made}) for b in bookings]
    assert series == [(made, made.id, {"bookings": bookings})]


def test_a_refused_series_sends_nothing(db, make_resource, resident, create_user, book):
    room = make_resource(booking_window_days=60)
    book(create_user(), room, at(15, 19))
    with listening(signals.booking_created) as created, listening(signals.booking_series_created) as series:
        with pytest.raises(RecurrenceConflict):
            ops.book_recurring(resident, room, at(1, 19), at(1, 20), "FREQ=WEEKLY;COUNT=3")
    assert created == [] and series == []


def test_cancel_by_the_owner_and_by_the_office(db, room, resident, community_admin, book):
    mine, theirs = book(resident, room, at(0, 10)), book(resident, room, at(2, 10))
    clock.freeze(at(0, 9, 1))  # inside the 60-minute cut-off of the first: a late cancellation
    with listening(signals.booking_cancelled) as cancelled:
        ops.cancel_booking(mine, actor=resident)
        ops.cancel_booking(theirs, actor=community_admin, reason="Water damage")
    assert cancelled == [
        (mine, mine.id, {"actor": resident, "by_office": False, "late": True}),
        (theirs, theirs.id, {"actor": community_admin, "by_office": True, "late": False}),
    ]
    assert mine.status == theirs.status == CANCELLED


def test_a_refused_cancellation_sends_nothing(db, room, resident, create_user, community_admin, book):
    booking = book(resident, room, at(1, 10))
    with listening(signals.booking_cancelled) as cancelled:
        with pytest.raises(PermissionDenied):
            ops.cancel_booking(booking, actor=create_user())
        with pytest.raises(BookingRuleViolation):
            ops.cancel_booking(booking, actor=community_admin)  # the office must give a reason
    assert cancelled == []


def test_approve_reject_and_pay_send_status_changed(db, make_resource, resident, community_admin, book):
    hall = make_resource(name="Hall", requires_approval=True, fee_fen=1000)
    approved, rejected = book(resident, hall, at(1, 10)), book(resident, hall, at(1, 12))
    with listening(signals.booking_status_changed) as changed:
        ops.approve_booking(approved, actor=community_admin)
        ops.reject_booking(rejected, actor=community_admin, reason="Reserved for a meeting")
        ops.mark_paid(approved, actor=None)
        ops.mark_paid(approved, actor=None)  # paying twice changes nothing: no second signal
        with pytest.raises(BookingRuleViolation):
            ops.approve_booking(rejected, actor=community_admin)
    assert changed == [
        (approved, approved.id, {"previous": PENDING_APPROVAL, "actor": community_admin}),
        (rejected, rejected.id, {"previous": PENDING_APPROVAL, "actor": community_admin}),
        (approved, approved.id, {"previous": PENDING_PAYMENT, "actor": None}),
    ]
    assert (approved.status, rejected.status) == (CONFIRMED, REJECTED)


def test_check_in_and_no_show_send_status_changed(db, room, resident, create_user, book):
    early = book(resident, room, at(0, 10))
    other = create_user()
    missed = book(other, room, at(0, 11))
    clock.freeze(at(0, 9, 50))
    with listening(signals.booking_status_changed) as changed:
        ops.check_in(early, actor=resident)
        with pytest.raises(AlreadyCheckedIn):
            ops.check_in(early, actor=resident)  # again: nothing changes, nothing is sent
        with pytest.raises(BookingRuleViolation):
            ops.check_in(missed, actor=other)  # its window has not opened
        released = ops.release_no_shows(at(0, 11, 16))
    assert released == 1
    assert changed == [(early, early.id, {"previous": CONFIRMED, "actor": resident}),
                       (missed, missed.id, {"previous": CONFIRMED, "actor": None})]
    assert (early.status, missed.status) == (CHECKED_IN, NO_SHOW)


def test_expiry_sends_status_changed_with_the_status_it_had(db, make_resource, resident, book):
    hall = make_resource(name="Hall", requires_approval=True)
    ktv = make_resource(name="KTV", fee_fen=3000)
    waiting, unpaid = book(resident, hall, at(0, 10)), book(resident, ktv, at(0, 10))
    with listening(signals.booking_status_changed) as changed:
        assert ops.expire_unconfirmed(at(0, 10) + timedelta(seconds=1)) == 2
    assert sorted((sender.id, kwargs["previous"], kwargs["actor"]) for sender, _, kwargs in changed) == \
        sorted([(waiting.id, PENDING_APPROVAL, None), (unpaid.id, PENDING_PAYMENT, None)])
    assert all(sender.status == CANCELLED for sender, _, _ in changed)


def test_a_listener_runs_inside_the_unit_of_work(client, db, login, resident, room):
    """What a listener writes commits with the request; a listener that raises fails it, and the
    booking it was told about is rolled back with it."""
    from community.amenities.models import Booking
    import sqlalchemy as sa

    def refuse(sender, **kwargs):
        raise RuntimeError("listener failed")

    login(resident)
    signals.booking_created.connect(refuse)
    try:
        response = client.post(f"/amenities/{room.id}/book", data={"start": at(1, 10).isoformat(), "slots": 1,
                                                                    "repeat": "none"})
    finally:
        signals.booking_created.disconnect(refuse)
    assert response.status_code == 500
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0
