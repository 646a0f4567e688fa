"""Demo payments on the demo community's paid room (KTV 活动室, 30 yuan an hour): resident1 paid
online (applied as Stripe's webhook would be: the demo has no Stripe keys), resident3 paid by
card terminal at the office and got 10 yuan back, resident4 paid cash; resident2's booking from
the amenities demo still waits for payment, so there is something to pay (at the office).

Idempotent: a resident who already has a booking of the room gets nothing new."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from community.accounts.demo import demo_community, demo_user
from community.core.clock import local_today
from community.core.demo import demo_loader
from community.core.errors import DomainError
from community.extensions import db

ROOM = "KTV 活动室"
KIND = "amenity_booking"


def _book(user, room, days_ahead, hour, echo):
    from community.amenities import operations as amenity_ops
    from community.amenities.models import Booking

    if db.session.scalar(sa.select(Booking.id).where(Booking.user_id == user.id, Booking.resource_id == room.id)
                         .limit(1)) is not None:
        return None
    day = local_today(room.community.timezone) + timedelta(days=days_ahead)
    start = datetime.combine(day, time(hour), tzinfo=room.tz)
    try:
        return amenity_ops.book(user, room, start, start + timedelta(minutes=room.slot_minutes))
    except DomainError as error:
        echo(f"  skipped a paid booking for {user.email}: {error.message}")
        return None


def _paid_online(booking, echo):
    """A Checkout Session as Stripe would have opened it, completed by its webhook event."""
    from community.payments.models import OPEN, STRIPE, Payment
    from community.payments.operations import apply_event

    from community.amenities.payables import describe

    due_title = describe(booking).title
    payment = Payment(payable_kind=KIND, payable_id=booking.id, community_id=booking.community_id,
                      payer_id=booking.user_id, title=due_title, amount_fen=booking.fee_fen,
                      currency=booking.currency, method=STRIPE, status=OPEN,
                      stripe_session_id=f"cs_demo_{booking.id}", checkout_url="https://checkout.stripe.com/demo")
    db.session.add(payment)
    db.session.flush()
    apply_event({"id": f"evt_demo_{booking.id}", "type": "checkout.session.completed", "data": {"object": {
        "id": payment.stripe_session_id, "object": "checkout.session", "payment_status": "paid",
        "amount_total": booking.fee_fen, "currency": booking.currency.lower(), "payment_intent": f"pi_demo_{booking.id}",
        "payment_method_types": ["alipay"], "metadata": {"payment_id": str(payment.id)}}}})
    echo(f"  {booking.user.email} paid {ROOM} online (demo webhook)")


@demo_loader(30, "payments")
def load_payments(echo):
    from community.amenities.models import Resource
    from community.payments import operations as ops

    community = demo_community()
    admin = demo_user("admin@demo.test")
    room = db.session.scalar(sa.select(Resource).where(Resource.community_id == community.id, Resource.name == ROOM))
    if room is None or admin is None:
        return
    plan = [(1, 3, 19, "online"), (3, 4, 20, "refunded"), (4, 5, 18, "cash")]
    for number, days_ahead, hour, how in plan:
        user = demo_user(f"resident{number}@demo.test")
        booking = _book(user, room, days_ahead, hour, echo) if user else None
        if booking is None:
            continue
        if how == "online":
            _paid_online(booking, echo)
            continue
        payment = ops.record_offline_payment(KIND, booking.id, actor=admin, method="pos" if how == "refunded" else "cash",
                                             reference=f"DEMO-{booking.id:04d}")
        echo(f"  {user.email} paid {ROOM} at the office ({payment.method})")
        if how == "refunded":
            ops.refund_payment(payment, actor=admin, amount_fen=1000, reason="音响故障，退还部分费用")
            echo("  the office refunded 10 yuan of it")
    db.session.flush()
