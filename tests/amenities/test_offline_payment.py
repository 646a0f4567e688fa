"""The office records a fee paid at the counter: a pending-payment booking becomes confirmed. The
recording is a payments operation (/admin/payments/payables/amenity_booking/<id>/offline), which
calls the booking's mark_paid; the amenities page links to it."""
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from community.amenities import operations as ops
from community.amenities.models import CONFIRMED, PENDING_PAYMENT
from community.core.errors import PermissionDenied
from tests.factories.amenities import local
from tests.helpers import frozen_at, text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
at = partial(local, base=NOW)
frozen_clock = frozen_at(NOW)
OFFLINE = "/admin/payments/payables/amenity_booking/{}/offline"


@pytest.fixture
def unpaid(make_resource, resident, book):
    ktv = make_resource(kind="activity_room", name="KTV", fee_fen=3000)
    booking = book(resident, ktv, at(1, 19))
    assert booking.status == PENDING_PAYMENT
    return booking


def test_the_office_records_a_payment(client, db, login, community_admin, unpaid):
    login(community_admin)
    page = client.get(f"/admin/amenities/{unpaid.resource_id}/bookings")
    assert 'data-action="record-payment"' in text(page)
    assert OFFLINE.format(unpaid.id) in text(page)
    response = client.post(OFFLINE.format(unpaid.id), data={"method": "cash", "reference": "R-1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert unpaid.status == CONFIRMED and unpaid.paid_at is not None
    again = client.post(OFFLINE.format(unpaid.id), data={"method": "cash"})
    assert again.status_code == 409  # paid once: the second recording is refused, nothing changes


def test_a_free_confirmed_booking_is_not_waiting_for_payment(client, db, login, community_admin, room,
                                                             resident, book):
    booking = book(resident, room, at(1, 10))
    login(community_admin)
    response = client.post(OFFLINE.format(booking.id), data={"method": "cash"})
    assert response.status_code == 422


def test_only_the_communitys_office_records_payments(client, db, login, resident, other_admin, unpaid):
    login(other_admin)
    assert client.post(OFFLINE.format(unpaid.id), data={"method": "cash"}).status_code == 404
    with pytest.raises(PermissionDenied):
        ops.mark_paid(unpaid, actor=other_admin)
    client.post("/logout")
    login(resident)
    assert client.post(OFFLINE.format(unpaid.id), data={"method": "cash"}).status_code == 403
    db.session.expire_all()
    assert unpaid.status == PENDING_PAYMENT


def test_an_unpaid_booking_expires_at_its_start_with_a_reason_in_the_readers_language(
        client, db, login, resident, unpaid):
    from community.core import clock

    clock.freeze(unpaid.start_at)
    assert ops.expire_unconfirmed(unpaid.start_at) == 1
    db.session.commit()
    login(resident)
    past = text(client.get("/amenities/bookings?tab=past"))
    assert "开始前未支付，已自动取消" in past
    client.get("/lang/en")
    assert "Not paid before the start" in text(client.get("/amenities/bookings?tab=past"))
