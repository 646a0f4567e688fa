"""On a phone-sized browser: a resident books a gym slot, sees it in My bookings, checks in with
"I'm here", books and cancels another; an admin configures a resource and approves a booking."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking, Resource
from community.core import clock
from tests.factories.amenities import hours_every_day
from tests.helpers import frozen_at
from tests.e2e.browser import log_in, log_out

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)  # a Tuesday morning
frozen_clock = frozen_at(NOW)  # the live server runs in this process, so it sees the same clock
EVERY_DAY = hours_every_day("06:00-22:00")



def statuses(db, user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Booking.status).where(Booking.user_id == user.id)
                              .order_by(Booking.start_at)).all()


def test_resident_books_checks_in_and_cancels(page, db, create_user, community, screenshot):
    operator = create_user("root@example.test", roles=("platform_admin",))
    gym = ops.create_resource(community, actor=operator, kind="gym", name="健身房", location="3号楼 负一层",
                              capacity=20, slot_minutes=60, opening_hours=EVERY_DAY)
    db.session.commit()
    resident = create_user("xiaoli@example.test", display_name="小李")
    log_in(page, resident)
    assert page.locator("[data-panel=next-bookings]").is_visible()

    page.goto("/amenities/")
    page.click(f"a[data-resource='{gym.id}']")
    page.wait_for_url(f"**/amenities/{gym.id}")
    assert page.locator("#day-2026-12-01 [data-state=past]").count() == 4  # 06:00 to 09:00
    screenshot("amenities-week")
    page.locator("#day-2026-12-01 .slot-grid > a:not([data-state])").first.click()  # 10:00
    page.wait_for_url("**/book?*")
    assert "10:00" in page.locator("main .card").first.inner_text()
    page.click("[data-booking-form] button[type=submit]")
    page.wait_for_url("**/amenities/bookings")
    assert page.locator(".alert-success").is_visible()
    assert page.locator("[data-booking] [data-status=confirmed]").count() == 1
    page.click("[data-action=show-qr]")
    page.locator(".collapse.show [data-qr] svg").wait_for()
    screenshot("amenities-my-bookings")

    clock.freeze(NOW + timedelta(minutes=20))  # 09:50: check-in is open from 09:45
    page.reload()
    page.click("[data-action=checkin]")
    page.wait_for_url("**/amenities/bookings")
    assert statuses(db, resident) == ["checked_in"]

    # A second booking tomorrow evening, then cancelled from My bookings.
    page.goto(f"/amenities/{gym.id}?day=2026-12-02")
    page.locator("#day-2026-12-02 .slot-grid > a:not([data-state])").last.click()  # 21:00
    page.click("[data-booking-form] button[type=submit]")
    page.wait_for_url("**/amenities/bookings")
    card = page.locator("[data-booking]").filter(has=page.locator("[data-status=confirmed]"))
    card.locator("[data-action=cancel]").click()
    card.locator("[data-action=confirm-cancel]").click()
    page.wait_for_url("**/amenities/bookings")
    assert statuses(db, resident) == ["checked_in", "cancelled"]
    page.click("text=已结束和已取消")
    assert page.locator("[data-status=cancelled]").is_visible()
    screenshot("amenities-my-bookings-past")


def test_admin_configures_a_resource_and_approves_a_booking(page, db, create_user, community, community_admin,
                                                           screenshot):
    resident = create_user("xiaowang@example.test", display_name="小王")
    hall = ops.create_resource(community, actor=community_admin, kind="activity_room", name="多功能活动室",
                               capacity=1, slot_minutes=60, opening_hours=EVERY_DAY, requires_approval=True)
    pending = ops.book(resident, hall, NOW + timedelta(days=1, minutes=30), NOW + timedelta(days=1, minutes=90))
    db.session.commit()

    log_in(page, community_admin)
    assert page.locator("[data-panel=pending-approvals]").is_visible()
    page.goto("/admin/amenities/new")
    page.select_option("select[name=kind]", "meeting_room")
    page.fill("input[name=name]", "会议室 B")
    page.fill("input[name=location]", "1号楼 2层 203")
    page.fill("input[name=capacity]", "1")
    page.fill("input[name=hours_6]", "")
    page.fill("input[name=fee]", "oops")
    page.click("[data-resource-form] button[type=submit]")
    assert page.locator(".invalid-feedback").first.is_visible()  # the bad fee, everything else kept
    assert page.input_value("input[name=name]") == "会议室 B"
    page.fill("input[name=fee]", "30.00")
    screenshot("amenities-admin-form")
    page.click("[data-resource-form] button[type=submit]")
    page.wait_for_url("**/admin/amenities/")
    room = db.session.scalar(sa.select(Resource).where(Resource.name == "会议室 B"))
    assert room.fee_fen == 3000 and room.opening_hours["6"] == []

    page.goto("/admin/amenities/approvals")
    screenshot("amenities-admin-approvals")
    page.locator(f"[data-booking='{pending.id}'] [data-action=approve]").click()
    page.wait_for_url("**/admin/amenities/approvals")
    db.session.expire_all()
    assert db.session.get(Booking, pending.id).status == "confirmed"
