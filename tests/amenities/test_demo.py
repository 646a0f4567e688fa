"""The amenities demo loader: the promised resources and bookings, and a second run changes nothing."""
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from community.amenities.models import Booking, Resource
from community.core import clock
from community.core.demo import load_all
from community.notifications.models import Notice, OutboxEmail


def snapshot(db):
    resources = db.session.execute(sa.select(Resource.name, Resource.kind, Resource.capacity, Resource.slot_minutes,
                                             Resource.fee_fen, Resource.requires_approval)).all()
    bookings = db.session.execute(sa.select(Booking.user_id, Booking.resource_id, Booking.start_at, Booking.status)).all()
    return sorted(resources), sorted(bookings)


def test_demo_amenities_are_created_once(db):
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    load_all(echo=lambda *_: None)
    resources, bookings = snapshot(db)
    by_name = {r.name: r for r in resources}
    assert len(resources) == 7 and sorted({r.kind for r in resources}) == [
        "activity_room", "coffee_bar", "gym", "laundry", "meeting_room"]
    assert (by_name["会议室 A"].capacity, by_name["健身房"].capacity, by_name["咖啡书吧"].capacity) == (1, 20, 8)
    assert by_name["洗衣机 1号"].slot_minutes == 45 and by_name["KTV 活动室"].fee_fen == 3000
    assert by_name["多功能活动室"].requires_approval
    assert {b.status for b in bookings} == {"confirmed", "pending_approval", "pending_payment", "cancelled"}
    assert len(bookings) == 7 + 3  # and the three paid ones of the payments demo (community/payments/demo.py)
    cancelled = db.session.scalar(sa.select(Booking).where(Booking.status == "cancelled"))
    assert cancelled.user.email == "resident4@demo.test" and "维修" in cancelled.decision_reason
    about_it = (Notice.user_id == cancelled.user_id, Notice.object_id == cancelled.id)
    told = db.session.scalars(sa.select(Notice.kind).where(*about_it)).all()
    assert told == ["amenities.booking_confirmed", "amenities.booking_cancelled_by_office"]
    mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.recipient == "resident4@demo.test"))
    assert "维修" in mail.body  # waiting in the outbox for the platform admin's page
    clock.freeze(datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # days later
    load_all(echo=lambda *_: None)
    assert snapshot(db) == (resources, bookings)
    assert db.session.scalar(sa.select(sa.func.count(Notice.id)).where(*about_it)) == 2
