"""On a phone (390x844): a specialist answers a request with a file (the resident sees it on their
page and opens it) and records their own leave from the queue, after which a new request waits in
the community queue instead of going to them. No Content-Security-Policy complaint on the way."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.core.attachments import Attachment
from community.tickets.models import SpecialistLeave, Ticket
from tests.core.sample_files import tiny_pdf
from tests.e2e.browser import csp_reports, log_in, log_out
from tests.factories.tickets import file, make_desk
from tests.helpers import frozen_at

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)


@pytest.fixture(autouse=True)
def upload_root(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))


def test_specialist_replies_with_a_file_and_marks_their_own_leave(page, db, create_user, community, community_admin,
                                                                  tmp_path, screenshot):
    specialist = create_user("zhuanyuan@example.test", roles=("specialist",), display_name="王专员")
    desk = make_desk(db, community, community_admin, [specialist], name="报修")
    resident = create_user("xiaoli@example.test", display_name="小李")
    ticket = file(db, resident, desk, title="孩子入学材料", description="需要哪些证明？")
    assert ticket.assignee_id == specialist.id
    reports = csp_reports(page)
    form = tmp_path / "入学材料清单.pdf"
    form.write_bytes(tiny_pdf())

    log_in(page, specialist)
    page.click("[data-link=queue]")
    page.wait_for_url("**/tickets/queue*")
    assert page.locator("[data-ticket]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("[data-ticket] a").first.click()
    page.wait_for_url("**/tickets/staff/*")
    page.fill("#reply-body", "您好，材料清单见附件。")
    page.set_input_files("#reply-files", str(form))
    page.click("[data-action=staff-reply]")
    page.wait_for_url("**/tickets/staff/*")
    assert page.locator("[data-reply-files] a").inner_text() == "入学材料清单.pdf"
    screenshot("tickets-staff-reply-file")

    # Their own leave, from the queue: today and tomorrow.
    page.goto("/tickets/queue")
    page.click("[data-link=my-leave]")
    page.wait_for_url("**/tickets/leave")
    page.fill("#starts_on", "2026-12-01")
    page.fill("#ends_on", "2026-12-02")
    page.fill("#note", "年假")
    page.click("[data-action=add-leave]")
    page.wait_for_url("**/tickets/leave")
    assert "2026-12-01 – 2026-12-02" in page.locator("[data-section=my-leave]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("tickets-my-leave")
    log_out(page)

    db.session.expire_all()
    [leave] = db.session.scalars(sa.select(SpecialistLeave)).all()
    assert (leave.user_id, leave.community_id, leave.note) == (specialist.id, community.id, "年假")
    # While on leave, a new request is not assigned to them: it waits in the community queue.
    assert file(db, resident, desk, title="楼道灯不亮", description="三楼").assignee_id is None

    log_in(page, resident)
    page.goto(f"/tickets/{ticket.id}")
    link = page.locator("[data-reply-files] a")
    assert link.inner_text() == "入学材料清单.pdf"
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.owner_type == "tickets.TicketReply"))
    answer = page.request.get(link.get_attribute("href"))
    assert answer.status == 200 and answer.body() == tiny_pdf()
    assert f"/attachments/{attachment.id}/" in link.get_attribute("href")
    assert db.session.get(Ticket, ticket.id).first_response_at is not None
    assert reports == []
