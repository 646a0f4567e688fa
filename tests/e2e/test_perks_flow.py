"""On a phone-sized browser: a resident claims a free-coffee voucher; the café's counter staff
redeem it by typing its code (lower case, no dashes); the resident sees it used."""
import pytest
import sqlalchemy as sa

from community.perks.models import Voucher
from tests.e2e.browser import csp_reports, log_in, log_out

pytestmark = pytest.mark.e2e


def test_claim_redeem_by_typed_code_and_see_it_used(page, db, create_user, make_merchant, make_campaign, staff_of,
                                                    screenshot):
    cafe = make_merchant(name="拾光咖啡")
    campaign = make_campaign(cafe, title="免费咖啡体验券", benefit="任选一杯中杯咖啡", total=5)
    barista = staff_of(cafe, "barista@example.test")
    resident = create_user("xiaoli@example.test", display_name="小李")
    reports = csp_reports(page)

    log_in(page, resident)
    page.goto("/perks/")
    page.click(f"[data-campaign='{campaign.id}'] a")
    page.click("[data-action=claim]")
    page.wait_for_url("**/perks/vouchers/*")
    code = page.locator("[data-code]").inner_text().strip()
    assert page.locator("img.perks-qr").is_visible()
    screenshot("perks-voucher")
    log_out(page)

    log_in(page, barista)
    page.goto(f"/merchant/{cafe.id}/counter")
    page.fill("[data-voucher-code]", code.replace("-", "").lower())
    page.click("[data-action=lookup]")
    page.locator("[data-voucher-found]").wait_for()
    assert "免费咖啡体验券" in page.locator("[data-voucher-found]").inner_text()
    assert "小*" in page.locator("[data-voucher-found]").inner_text()
    screenshot("perks-counter")
    page.click("[data-action=redeem]")
    page.wait_for_url(f"**/merchant/{cafe.id}/counter")
    assert page.locator(".alert-success").is_visible()
    log_out(page)

    log_in(page, resident)
    page.goto("/perks/vouchers?tab=used")
    page.locator(f"[data-voucher] [data-status=redeemed]").wait_for()
    page.click("[data-voucher] a")
    assert page.locator("[data-used]").is_visible()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Voucher.status)) == "redeemed"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert reports == []
