"""The week and day views and My bookings on a phone (390 px) and a desktop, in headless Chromium:
the resident's own bookings are marked, days past the booking window say when booking opens, a
desktop shows the week as a grid, a weekly series is cancelled as a whole, and the calendar link's
message is on a phone's screen."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking
from tests.factories.amenities import hours_every_day
from tests.helpers import frozen_at
from tests.e2e.browser import log_in

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)  # a Tuesday morning
frozen_clock = frozen_at(NOW)
DESKTOP = {"width": 1280, "height": 900}



@pytest.fixture
def amenities(db, create_user, community):
    """A 20-place gym and a one-person yoga room with a 10-day window (until Thursday 12/10);
    tomorrow 18:00 the gym has one place left and the resident holds one of the others; the
    resident also books the yoga room every Wednesday at 19:00, twice."""
    operator = create_user("root@example.test", roles=("platform_admin",))
    gym = ops.create_resource(community, actor=operator, kind="gym", name="健身房", location="3号楼 负一层",
                              capacity=20, slot_minutes=60, opening_hours=hours_every_day("06:00-22:00"),
                              booking_window_days=10)
    yoga = ops.create_resource(community, actor=operator, kind="gym", name="瑜伽室", capacity=1, slot_minutes=60,
                               opening_hours=hours_every_day("08:00-21:00"), booking_window_days=10)
    resident = create_user("xiaoli@example.test", display_name="小李")
    evening = NOW.replace(hour=18, minute=0) + timedelta(days=1)
    for number in range(18):
        ops.book(create_user(f"n{number}@example.test"), gym, evening, evening + timedelta(hours=1))
    ops.book(resident, gym, evening, evening + timedelta(hours=1))
    ops.book_recurring(resident, yoga, evening.replace(hour=19), evening.replace(hour=20), "FREQ=WEEKLY;COUNT=2")
    db.session.commit()
    return gym, yoga, resident


def test_week_views_mark_own_bookings_and_stop_at_the_window(page, amenities, screenshot):
    gym, yoga, resident = amenities
    log_in(page, resident)
    page.goto(f"/amenities/{gym.id}?day=2026-12-02")
    wednesday = page.locator("#day-2026-12-02")
    assert wednesday.locator("[data-mine]").inner_text().split() == ["18:00", "您已预约"]
    assert "剩 20 个名额" in wednesday.locator(".slot-grid > a").first.inner_text()
    assert page.locator("#tab-2026-12-02.has-mine").count() == 1
    assert page.locator("[data-legend]").is_visible()
    screenshot("amenities-week-phone")

    page.click("a[rel=next]")
    page.wait_for_url("**start=2026-12-08")
    assert page.locator("a[rel=next]").count() == 0 and page.locator("[data-window-end]").is_visible()
    page.click("#tab-2026-12-11")
    opens = page.locator("#day-2026-12-11.show [data-opens]")
    opens.wait_for()
    page.wait_for_timeout(300)  # the pane's fade
    assert opens.inner_text() == "可于 12月2日 起预约。"
    screenshot("amenities-week-phone-past-window")

    page.goto(f"/amenities/{gym.id}?start=2099-01-01")
    page.wait_for_url("**start=2026-12-08")

    page.set_viewport_size(DESKTOP)
    page.goto(f"/amenities/{gym.id}")
    assert not page.locator(".day-strip").is_visible()
    columns = page.locator(".week-grid > .tab-pane")
    assert all(columns.nth(i).is_visible() for i in range(7))
    tops = {round(columns.nth(i).locator(".slot-grid > *").nth(5).bounding_box()["y"]) for i in range(7)}
    assert len(tops) == 1  # 11:00 on one row across the week
    screenshot("amenities-week-desktop")
    page.goto(f"/amenities/{gym.id}?start=2026-12-08")
    assert page.locator("#day-2026-12-14 [data-opens]").is_visible()
    screenshot("amenities-week-desktop-past-window")


def test_day_view_on_a_phone_and_a_desktop(page, amenities, screenshot):
    gym, yoga, resident = amenities
    log_in(page, resident)
    page.goto("/amenities/day?kind=gym&date=2026-12-02")
    assert page.locator(f"[data-resource='{gym.id}'] [data-mine]").count() == 1
    assert page.locator(f"[data-resource='{yoga.id}'] [data-mine]").count() == 1
    screenshot("amenities-day-phone")
    page.set_viewport_size(DESKTOP)
    page.goto("/amenities/day?kind=gym&date=2026-12-10")
    assert page.locator("a[rel=next]").count() == 0
    screenshot("amenities-day-desktop")


def test_a_series_is_cancelled_as_a_whole(page, db, amenities, screenshot):
    gym, yoga, resident = amenities
    log_in(page, resident)
    page.goto("/amenities/bookings")
    first = page.locator("[data-booking]").filter(has_text="瑜伽室").first
    first.locator("[data-action=cancel]").click()
    whole = first.locator(".collapse.show [data-action=cancel-series]")
    whole.wait_for()
    page.wait_for_timeout(400)  # the collapse's opening transition
    assert whole.inner_text() == "整个系列（2）"
    screenshot("amenities-my-bookings-series-phone")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    whole.click()
    page.wait_for_url("**/amenities/bookings")
    assert asked == ["取消该系列尚未开始的全部 2 次吗？"]
    assert "已取消该系列的 2 个日期" in page.locator(".alert").first.inner_text()
    db.session.expire_all()
    assert db.session.scalars(sa.select(Booking.status).where(Booking.resource_id == yoga.id)).all() == [
        "cancelled", "cancelled"]

    page.click("text=获取日历链接")  # on a phone: the message must be on screen after the scroll
    page.wait_for_url("**/amenities/bookings#calendar")
    flash = page.locator("#calendar [data-flash=calendar]")
    assert flash.is_visible()
    assert 0 <= flash.bounding_box()["y"] < 844  # bounding boxes are relative to the viewport
    screenshot("amenities-calendar-link-phone")
