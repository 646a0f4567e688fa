"""Under the Content-Security-Policy, in Chromium: Swagger UI still renders the API, the pages'
scripts (nonce) and data-attribute behaviour (confirm, copy) still work, and the browser reports
no blocked script or style."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.amenities.models import CalendarFeed
from tests.helpers import frozen_at
from tests.e2e.browser import log_in, csp_reports as console_csp_reports

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
frozen_clock = frozen_at(datetime(2026, 12, 1, 9, 30, tzinfo=SH))


@pytest.fixture
def csp_reports(page):
    return console_csp_reports(page)



def test_swagger_ui_renders_under_its_policy(page, csp_reports, screenshot):
    response = page.goto("/api/v1/docs")
    assert "nonce-" in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 10  # every operation of the API
    assert "Talent Community API" in page.locator(".info .title").inner_text()
    page.locator(".opblock-summary").first.click()  # expanding an operation runs more of its code
    page.locator(".opblock-body").first.wait_for()
    screenshot("api-docs-under-csp")
    assert csp_reports == []


def test_page_scripts_and_data_attributes_work_under_the_policy(page, db, create_user, csp_reports, screenshot):
    resident = create_user("feed@example.test")
    log_in(page, resident)
    page.goto("/amenities/bookings")
    page.click("form[action$='/bookings/feed'] button[type=submit]")
    page.locator("#feed-url").wait_for()
    first_link = page.input_value("#feed-url")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.locator("[data-copy='#feed-url']")
    copy.click()
    page.wait_for_function("document.querySelector(\"[data-copy='#feed-url']\").textContent === '已复制'")
    assert page.evaluate("navigator.clipboard.readText()") == first_link

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("form[data-confirm] button[type=submit]")  # "New link": asked first, and said no
    assert questions and "日历" in questions[0]
    assert page.input_value("#feed-url") == first_link

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_function(f"document.querySelector('#feed-url').value !== {first_link!r}")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) >= 1
    screenshot("bookings-under-csp")

    page.goto("/amenities/day")  # an inline script with the nonce
    assert csp_reports == []
