"""On a phone-sized browser: a resident reads and signs the lease of an accepted offer; after the
office countersigns and the move-in inspection is signed by both, My apartment shows the first
bill with the talent subsidy applied."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.leases import operations as ops
from community.leases.models import Bill, Lease
from tests.e2e.browser import csp_reports, log_in
from tests.helpers import frozen_at

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 16, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)


def test_resident_signs_and_sees_the_first_bill_with_the_subsidy(page, db, create_user, community_admin, make_lease,
                                                                 screenshot):
    reports = csp_reports(page)
    page.on("dialog", lambda dialog: dialog.accept())
    resident = create_user("tenant@example.test", tier="intermediate", display_name="陈一")
    lease = make_lease(resident, date(2027, 1, 16), date(2028, 1, 15), rent_fen=310000)

    log_in(page, resident)
    page.goto("/apartment/")
    page.click("a[href$='/terms']")
    assert page.locator("[data-terms]").is_visible()
    page.go_back()
    page.click("[data-action=sign-lease]")
    page.wait_for_selector("[data-awaiting-countersign]")
    screenshot("leases-signed-phone")

    lease = db.session.get(Lease, lease.id)
    ops.countersign(lease, actor=community_admin)
    inspection = ops.open_inspection(lease, "move_in", actor=community_admin)
    ops.add_item(inspection, actor=community_admin, room="客厅", item="墙面", condition="good")
    ops.sign_inspection(inspection, actor=community_admin, party="office")
    db.session.commit()

    page.goto("/apartment/")
    page.click("[data-action=sign-inspection]")
    page.wait_for_selector("[data-lease-status=active]")
    bill = db.session.scalar(sa.select(Bill).where(Bill.lease_id == lease.id))
    card = page.locator(f"[data-bill='{bill.id}']")
    assert "800.00" in card.locator("[data-subsidy]").inner_text()
    assert "800.00" in card.locator("[data-amount-due]").inner_text()
    assert "50%" in card.locator("[data-subsidy-rule]").inner_text()
    screenshot("leases-first-bill-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert reports == []
