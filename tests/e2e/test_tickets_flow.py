"""On a phone (390x844): a resident files a request with a photo and gets its reference; the
specialist replies; the resident sees the answer, confirms the resolution and rates the service.
No Content-Security-Policy complaint on the way."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.tickets.models import Ticket
from tests.core.sample_files import tiny_png
from tests.e2e.browser import csp_reports, log_in, log_out
from tests.factories.tickets import make_desk
from tests.helpers import frozen_at

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture(autouse=True)
def upload_root(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))


def test_resident_files_with_a_photo_specialist_replies_resident_confirms_and_rates(
        page, db, create_user, community, community_admin, tmp_path, screenshot):
    specialist = create_user("zhuanyuan@example.test", roles=("specialist",), display_name="王专员")
    make_desk(db, community, community_admin, [specialist], name="报修")
    resident = create_user("xiaoli@example.test", display_name="小李")
    reports = csp_reports(page)
    photo = tmp_path / "tap.png"
    photo.write_bytes(tiny_png())

    log_in(page, resident)
    page.goto("/tickets/new")
    page.fill("#title", "厨房水龙头漏水")
    page.fill("#description", "关不紧，一直滴水。")
    page.fill("#location_detail", "1203 室")
    page.set_input_files("#photos", str(photo))
    screenshot("tickets-new")
    page.click("[data-action=file]")
    page.wait_for_url("**/tickets/*")
    assert page.locator("[data-reference]").inner_text() == "TC-2026-000001"
    assert page.locator("[data-photos] img").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    log_out(page)

    log_in(page, specialist)
    page.click("[data-link=queue]")
    page.wait_for_url("**/tickets/queue*")
    page.locator("[data-ticket] a").first.click()
    page.wait_for_url("**/tickets/staff/*")
    page.fill("#reply-body", "您好，师傅今天下午上门维修。")
    page.click("[data-action=staff-reply]")
    page.wait_for_url("**/tickets/staff/*")
    page.select_option("#status", "resolved")
    page.click("[data-action=staff-status]")
    page.wait_for_url("**/tickets/staff/*")
    screenshot("tickets-staff")
    log_out(page)

    log_in(page, resident)
    ticket = db.session.scalar(sa.select(Ticket))
    page.goto(f"/tickets/{ticket.id}")
    assert "师傅今天下午上门维修" in page.locator("[data-timeline]").inner_text()
    page.click("[data-action=confirm]")
    page.wait_for_url(f"**/tickets/{ticket.id}")
    page.click("label[for=score-5]")
    page.fill("#comment", "很快，谢谢！")
    page.click("[data-action=rate]")
    page.wait_for_url(f"**/tickets/{ticket.id}")
    assert page.locator("[data-rating]").is_visible()
    screenshot("tickets-rated")
    db.session.expire_all()
    ticket = db.session.scalar(sa.select(Ticket))
    assert (ticket.status, ticket.rating, ticket.rating_comment) == ("closed", 5, "很快，谢谢！")
    assert reports == []
