"""Demo amenities in the demo community, and a few bookings for resident1..3 in the coming days.

Idempotent: resources are found by name, and a demo resident who already has a booking of a
resource gets no new one, so a second run (even days later) changes nothing."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from community.accounts.demo import demo_community, demo_user
from community.amenities import operations as ops
from community.amenities.models import Booking, Resource
from community.amenities.schedule import OpeningHours
from community.core.clock import local_today
from community.core.demo import demo_loader
from community.core.errors import DomainError
from community.extensions import db


def _daily(text: str) -> dict:
    return OpeningHours.from_weekday_texts({weekday: text for weekday in range(7)}).to_dict()


DEMO_RESOURCES = [
    dict(name="会议室 A", kind="meeting_room", location="1号楼 2层 201", capacity=1, slot_minutes=60,
         opening_hours=_daily("08:00-22:00"), max_attendees=12, booking_window_days=30,
         max_bookings_per_day=2, description="投影仪、白板，可容纳 12 人。"),
    dict(name="多功能活动室", kind="activity_room", location="2号楼 1层", capacity=1, slot_minutes=60,
         opening_hours=_daily("09:00-21:00"), requires_approval=True, max_attendees=40, booking_window_days=30,
         description="社团活动、讲座；需管理员审批。"),
    dict(name="健身房", kind="gym", location="3号楼 负一层", capacity=20, slot_minutes=60,
         opening_hours=_daily("06:00-23:00"), max_minutes_per_day=120, checkin_grace_minutes=15),
    dict(name="洗衣机 1号", kind="laundry", location="1号楼 1层 洗衣房", capacity=1, slot_minutes=45,
         opening_hours=_daily("07:00-22:45"), max_bookings_per_day=2, cancel_cutoff_minutes=15),
    dict(name="洗衣机 2号", kind="laundry", location="1号楼 1层 洗衣房", capacity=1, slot_minutes=45,
         opening_hours=_daily("07:00-22:45"), max_bookings_per_day=2, cancel_cutoff_minutes=15),
    dict(name="咖啡书吧", kind="coffee_bar", location="2号楼 1层 大堂", capacity=8, slot_minutes=30,
         opening_hours=_daily("09:00-21:00"), fee_fen=0),
    dict(name="KTV 活动室", kind="activity_room", location="3号楼 2层", capacity=1, slot_minutes=60,
         opening_hours=_daily("10:00-22:00"), fee_fen=3000, max_attendees=10,
         description="每小时 30 元，支付后确认。"),
]

# (resident number, resource name, days from today, local start "HH:MM", slots)
DEMO_BOOKINGS = [
    (1, "会议室 A", 1, "10:00", 1),
    (1, "多功能活动室", 3, "14:00", 2),
    (2, "健身房", 1, "07:00", 1),
    (2, "KTV 活动室", 2, "20:00", 1),
    (3, "洗衣机 1号", 2, "19:00", 1),
    (3, "咖啡书吧", 1, "15:00", 2),
    (4, "洗衣机 2号", 1, "07:45", 1),
]
# Bookings the office then cancels, with the reason the resident reads in the notice and e-mail
# (the e-mail waits in the outbox as "not sent (no server)" unless MAIL_SERVER is set).
DEMO_OFFICE_CANCELLATIONS = {(4, "洗衣机 2号"): "洗衣机 2号维修，请改约 1号机。"}


def _demo_resources(community, admin, echo) -> dict[str, Resource]:
    existing = {r.name: r for r in db.session.scalars(
        sa.select(Resource).where(Resource.community_id == community.id))}
    for fields in DEMO_RESOURCES:
        if fields["name"] not in existing:
            existing[fields["name"]] = ops.create_resource(community, actor=admin, **fields)
            echo(f"  created amenity {fields['name']}")
    return existing


def _demo_booking(user, resource: Resource, days_ahead: int, start_text: str, slots: int, echo) -> Booking | None:
    """Book once (the new booking, or None when the resident already has one of this resource)."""
    has_one = db.session.scalar(sa.select(Booking.id).where(
        Booking.user_id == user.id, Booking.resource_id == resource.id).limit(1))
    if has_one is not None:
        return None
    day = local_today(resource.community.timezone) + timedelta(days=days_ahead)
    start = datetime.combine(day, time.fromisoformat(start_text), tzinfo=resource.tz)
    end = start + timedelta(minutes=resource.slot_minutes * slots)
    try:
        booking = ops.book(user, resource, start, end)
        echo(f"  booked {resource.name} for {user.email} ({booking.status})")
        return booking
    except DomainError as error:  # e.g. the slot was taken by hand in the demo meanwhile
        echo(f"  skipped {resource.name} for {user.email}: {error.message}")
        return None


@demo_loader(20, "amenities")
def load_amenities(echo):
    community = demo_community()
    admin = demo_user("admin@demo.test")
    resources = _demo_resources(community, admin, echo)
    for number, name, days_ahead, start_text, slots in DEMO_BOOKINGS:
        user = demo_user(f"resident{number}@demo.test")
        if user is None:
            continue
        booking = _demo_booking(user, resources[name], days_ahead, start_text, slots, echo)
        reason = DEMO_OFFICE_CANCELLATIONS.get((number, name))
        if booking is not None and reason:
            ops.cancel_booking(booking, actor=admin, reason=reason)
            echo(f"  the office cancelled it: {reason}")
    db.session.flush()
