"""Paid bookings as payables (core.payables): what payments may ask of a booking, and the moments
amenities tells it about (owed, no longer owed, owed back). Amenities never talks to Stripe, and
payments never imports amenities."""
from flask_babel import lazy_gettext as _l

from community.amenities import rules
from community.amenities.models import CANCELLED, PENDING_PAYMENT, Booking
from community.amenities.presentation import amenity_span
from community.core import signals
from community.core.money import Money
from community.core.payables import (
    Due, kind_for_class, payable_opened, payable_voided, register_payable, refund_requested,
)
from community.extensions import db

KIND = "amenity_booking"


def load(booking_id: int):
    return db.session.get(Booking, booking_id)


def describe(booking: Booking) -> Due:
    resource = booking.resource
    return Due(amount=Money(booking.fee_fen, booking.currency), payer_id=booking.user_id,
               community_id=booking.community_id,
               title=f"{resource.name} {amenity_span(booking.start_at, booking.end_at, resource.tz)}",
               is_open=booking.status == PENDING_PAYMENT, is_paid=booking.paid_at is not None,
               link=("amenities.my_bookings", {}))


def mark_paid(booking: Booking, *, actor=None, payment=None):
    from community.amenities import operations as ops

    return ops.mark_paid(booking, actor=actor)


def mark_unpaid(booking: Booking, *, actor, payment=None):
    from community.amenities import operations as ops

    return ops.mark_unpaid(booking, actor=actor)


def may_pay(user, booking: Booking) -> bool:
    return booking.user_id == getattr(user, "id", None)


register_payable(KIND, label=_l("Amenity booking"), load=load, describe=describe, mark_paid=mark_paid,
                 may_pay=may_pay, mark_unpaid=mark_unpaid)
kind_for_class(KIND, Booking)


# -- telling payments -------------------------------------------------------------------------------

def _created(booking, **_):
    if booking.status == PENDING_PAYMENT and booking.fee_fen > 0:
        payable_opened(KIND, booking)


def _status_changed(booking, *, previous=None, actor=None, **_):
    if booking.status == PENDING_PAYMENT and previous != PENDING_PAYMENT and booking.fee_fen > 0:
        payable_opened(KIND, booking)  # approved, now waiting for its fee
    elif previous == PENDING_PAYMENT and booking.status == CANCELLED and booking.paid_at is None:
        payable_voided(KIND, booking, actor=actor)  # still unpaid at its start


def _cancelled(booking, *, actor=None, by_office=False, late=False, **_):
    if booking.paid_at is None:
        if booking.fee_fen > 0:
            payable_voided(KIND, booking, actor=actor)
    elif rules.refund_owed(booking, by_office=by_office, late=late):
        refund_requested(KIND, booking, actor=actor, reason=str(_l("Booking cancelled")))


signals.booking_created.connect(_created)
signals.booking_status_changed.connect(_status_changed)
signals.booking_cancelled.connect(_cancelled)
