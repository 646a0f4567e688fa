"""On a phone-sized browser: an admin closes the gym for a morning that has bookings, reads the
confirm page (who, when, paid), cancels them with the closure's reason; then types bad numbers into
the resource form and reads one clear message under each field."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities import operations as ops
from community.amenities.models import Booking, Closure
from tests.factories.amenities import hours_every_day
from tests.helpers import frozen_at
from tests.e2e.browser import log_in

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)  # a Tuesday morning
frozen_clock = frozen_at(NOW)



def test_a_closure_over_bookings_is_confirmed_on_a_phone(page, db, create_user, community, community_admin,
                                                        screenshot):
    gym = ops.create_resource(community, actor=community_admin, kind="gym", name="健身房", capacity=20,
                              slot_minutes=60, opening_hours=hours_every_day("06:00-22:00"), fee_fen=1500)
    tomorrow = NOW + timedelta(days=1, minutes=30)  # 10:00
    people = [create_user(f"r{n}@example.test", display_name=name) for n, name in enumerate(("小李", "王大明"))]
    paid = ops.mark_paid(ops.book(people[0], gym, tomorrow, tomorrow + timedelta(hours=1)), actor=community_admin)
    unpaid = ops.book(people[1], gym, tomorrow + timedelta(hours=1), tomorrow + timedelta(hours=2))
    db.session.commit()

    log_in(page, community_admin)
    page.goto(f"/admin/amenities/{gym.id}/closures")
    page.fill("input[name=starts_at]", "2026-12-02T08:00")
    page.fill("input[name=ends_at]", "2026-12-02T12:00")
    page.fill("input[name=reason]", "地板维修")
    page.click("main form.form-narrow [type=submit]")
    page.wait_for_selector("[data-affected-list]")
    assert page.locator("[data-affected]").count() == 2
    assert page.locator(f"[data-affected='{paid.id}'] [data-paid]").is_visible()
    screenshot("amenities-admin-closure-confirm")
    page.click("[data-action=cancel-affected]")
    page.wait_for_url(f"**/admin/amenities/{gym.id}/closures")
    screenshot("amenities-admin-closure-done")
    db.session.expire_all()
    assert [db.session.get(Booking, b.id).status for b in (paid, unpaid)] == ["cancelled", "cancelled"]
    assert db.session.scalar(sa.select(sa.func.count(Closure.id))) == 1

    page.fill("input[name=starts_at]", "2026-11-30T08:00")
    page.fill("input[name=ends_at]", "2026-11-30T12:00")
    page.fill("input[name=reason]", "补录")
    page.click("main form.form-narrow [type=submit]")
    page.wait_for_selector(".alert-danger")
    screenshot("amenities-admin-closure-past")


def test_resource_form_errors_on_a_phone(page, db, community, community_admin, screenshot):
    log_in(page, community_admin)
    page.goto("/admin/amenities/new")
    page.fill("input[name=name]", "会议室 C")
    page.fill("input[name=capacity]", "0")
    page.fill("input[name=slot_minutes]", "7")
    page.fill("input[name=booking_window_days]", "0")
    page.fill("input[name=hours_5]", "09:00-21:00")
    page.click("[data-resource-form] button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    feedback = page.locator(".invalid-feedback").all_inner_texts()
    assert not any("必填" in text for text in feedback), feedback
    assert len(feedback) == 3, feedback
    path = screenshot("amenities-admin-form-errors")
    page.locator("fieldset").first.screenshot(path=path.replace(".png", "-first-card.png"))


def test_lowering_the_capacity_and_archiving_ask_on_a_phone(page, db, create_user, community, community_admin,
                                                           screenshot):
    gym = ops.create_resource(community, actor=community_admin, kind="gym", name="健身房", capacity=2,
                              slot_minutes=60, opening_hours=hours_every_day("06:00-22:00"))
    tomorrow = NOW + timedelta(days=1, minutes=30)  # 10:00
    first, second = (ops.book(create_user(f"g{n}@example.test", display_name=f"住户{n}"), gym, tomorrow,
                              tomorrow + timedelta(hours=1)) for n in (1, 2))
    db.session.commit()
    log_in(page, community_admin)
    page.goto(f"/admin/amenities/{gym.id}/edit")
    page.fill("input[name=capacity]", "1")
    page.click("[data-resource-form] button[type=submit]")
    page.wait_for_selector("[data-affected-list]")
    assert page.locator(f"[data-affected='{second.id}']").is_visible()
    page.click("[data-action=cancel-affected]")  # no reason yet
    page.wait_for_selector("#cancel_reason.is-invalid")
    screenshot("amenities-admin-capacity-confirm-no-reason")
    page.fill("#cancel_reason", "一半器械维修中")
    page.click("[data-action=cancel-affected]")
    page.wait_for_url("**/admin/amenities/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"[data-resource='{gym.id}'] button[value=archive]")
    page.wait_for_selector("[data-affected-list]")
    screenshot("amenities-admin-archive-confirm")
    page.click("[data-action=go-back]")
    page.wait_for_url("**/admin/amenities/")
    db.session.expire_all()
    assert [db.session.get(Booking, b.id).status for b in (first, second)] == ["confirmed", "cancelled"]
