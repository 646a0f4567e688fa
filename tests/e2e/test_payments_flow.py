"""On a phone-sized browser: a resident books the paid room, pays on the (fake) Stripe Checkout,
comes back to the result page, sees the booking paid and a notification in the header."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking
from community.payments import ledger
from tests.factories.amenities import hours_every_day
from tests.helpers import frozen_at
from tests.e2e.browser import log_in

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)


def test_resident_pays_a_paid_booking_on_checkout_and_sees_it_paid(page, app, db, create_user, community,
                                                                  live_server_url, stripe_on, monkeypatch,
                                                                  screenshot):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server_url)
    stripe_on.webhook_url = f"{live_server_url}/payments/stripe/webhook"
    operator = create_user("root@example.test", roles=("platform_admin",))
    ktv = ops.create_resource(community, actor=operator, kind="activity_room", name="KTV 活动室", capacity=1,
                              slot_minutes=60, opening_hours=hours_every_day("10:00-22:00"), fee_fen=3000)
    db.session.commit()
    resident = create_user("xiaoli@example.test", display_name="小李")
    log_in(page, resident)

    page.goto(f"/amenities/{ktv.id}?day=2026-12-02")
    page.locator("#day-2026-12-02 .slot-grid > a:not([data-state])").first.click()
    page.click("[data-booking-form] button[type=submit]")
    page.wait_for_url("**/amenities/bookings")
    assert page.locator("[data-booking] [data-status=pending_payment]").count() == 1
    assert page.locator("[data-unread]").get_attribute("data-unread") == "0"
    screenshot("payments-to-pay")

    page.click("[data-action=pay]")
    page.wait_for_url(f"{stripe_on.url}/pay/**")
    assert "CNY 30.00" in page.locator("[data-amount]").inner_text()
    page.click("[data-action=fake-pay]")
    page.wait_for_url("**/payments/*/")
    page.locator("[data-result=paid]").wait_for()
    # told twice, once each: the booking is confirmed, the payment received
    assert page.locator("[data-unread]").get_attribute("data-unread") == "2"
    screenshot("payments-result-paid")
    page.click("[data-unread]")
    page.wait_for_url("**/notifications")
    assert "已收到付款：¥30.00" in page.locator("main").inner_text()

    page.goto("/amenities/bookings")
    assert page.locator("[data-booking] [data-status=confirmed]").count() == 1
    page.goto("/payments/")
    assert page.locator("[data-payment] [data-status=paid]").count() == 1
    screenshot("payments-history")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Booking.status)).all() == ["confirmed"]
    assert ledger.check().ok
