"""Payments' share of the walking worlds: a paid room, the owner's booking paid at the office
(with a refund to hand back), another still waiting for payment, and a payment problem."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")
KIND = "amenity_booking"

OWNED_BY_RESIDENT = ("payment_id", "payable_id", "refund_id")


def _paid_room(community, admin, name):
    from community.amenities import operations as amenities
    from tests.factories.amenities import hours_every_day

    return amenities.create_resource(community, actor=admin, kind="activity_room", name=name, location=name,
                                     description=name, capacity=1,
                                     slot_minutes=60, opening_hours=hours_every_day("08:00-22:00"), fee_fen=3000)


def _objects(db, community, resident, admin, start, text):
    from community.amenities import operations as amenities
    from community.payments import operations as ops
    from community.payments.models import NOT_OPEN
    from community.payments.operations.refunds import open_refund

    room = _paid_room(community, admin, text or "KTV")
    paid = amenities.book(resident, room, start, start + timedelta(hours=1))
    waiting = amenities.book(resident, room, start + timedelta(hours=2), start + timedelta(hours=3))
    payment = ops.record_offline_payment(KIND, paid.id, actor=admin, method="cash", reference=text or "R-1")
    # pending, as when a cancellation owes it: listed for the office to hand back
    refund = open_refund(payment, amount_fen=500, actor=admin, reason=text or "partial")
    problem = ops.record_problem(NOT_OPEN, payment=payment, event_id="evt_world", note=text or "x")
    db.session.flush()
    return {"payment_id": payment.id, "payable_id": waiting.id, "kind": KIND, "refund_id": refund.id,
            "problem_id": problem.id}


def build_world(world, *, db, app, create_user):
    start = datetime(2026, 12, 3, 10, tzinfo=SH)
    with app.test_request_context():
        ids = _objects(db, world.home, world.owner, world.home_admin, start, "")
    db.session.commit()
    return ids


def url_variable(world, endpoint, name):
    if name == "kind" and endpoint.startswith("payments"):
        return KIND
    return None


def build_hostile(hostile, payload, *, db, create_user):
    from community.core import clock

    start = (clock.now().astimezone(SH) + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    return _objects(db, hostile["home"], hostile["resident"], hostile["admin"], start, payload)
