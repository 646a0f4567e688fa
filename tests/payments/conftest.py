"""Shared by the payments tests: the clock, a resident's unpaid booking of a paid room."""
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from tests.factories.amenities import local

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
at = partial(local, base=NOW)


@pytest.fixture(autouse=True)
def frozen_clock():
    from community.core import clock

    clock.freeze(NOW)
    yield
    clock.freeze(None)


@pytest.fixture
def unpaid(paid_room, resident, book):
    """The resident's booking of the paid room tomorrow 19:00, waiting for its 30 yuan."""
    return book(resident, paid_room, at(1, 19))


@pytest.fixture
def pay_online(client, login, stripe_on, deliver):
    """pay_online(user, booking) -> the Payment: opens the checkout as ``user`` and delivers the
    completed webhook; the client stays logged in as ``user``."""
    from community.extensions import db
    from community.payments.models import Payment

    def _pay(user, booking):
        client.post("/logout")
        login(user)
        response = client.post(f"/payments/pay/amenity_booking/{booking.id}")
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        session_id = response.headers["Location"].rsplit("/", 1)[1]
        assert deliver(stripe_on.complete(session_id)).status_code == 200
        return db.session.scalars(Payment.__table__.select().where(Payment.stripe_session_id == session_id)
                                  .with_only_columns(Payment.id)).one()

    return _pay
