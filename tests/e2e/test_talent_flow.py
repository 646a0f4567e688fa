"""On a phone: a resident applies with evidence, the community admin and a talent reviewer
approve, the public notice passes (the clock moves on and the notice-end job runs), the resident
shows the talent card and a merchant verifies it."""
from datetime import timedelta

import pytest

from community.core import clock
from community.talent import operations as ops
from tests.e2e.browser import csp_reports, log_in, log_out
from tests.factories.talent import PDF, WEDNESDAY
from tests.helpers import frozen_at

pytestmark = pytest.mark.e2e
frozen_clock = frozen_at(WEDNESDAY)


def decide(page, user, application_id):
    log_in(page, user)
    page.click("[data-panel=talent-reviews] a[href*='/talent/applications/']")
    page.wait_for_url(f"**/talent/applications/{application_id}")
    page.select_option("select[name=decision]", "approve")
    page.click("[data-action=decide]")
    page.wait_for_url(f"**/talent/applications/{application_id}")
    assert page.locator(".alert-success").is_visible()
    log_out(page)


def test_apply_review_notice_card_and_verify(page, db, create_user, community_admin, reviewer, talent_types,
                                              screenshot):
    reports = csp_reports(page)
    resident = create_user("xiaoming@example.test", display_name="张小明")
    merchant = create_user("shop@example.test", roles=("merchant_staff",))

    log_in(page, resident)
    page.goto("/talent/")
    page.click("[data-action=apply]")
    page.wait_for_url("**/talent/apply")
    page.select_option("select[name=talent_type]", "academic")
    page.select_option("select[name=claimed_tier]", "senior")
    page.fill("input[name=employer]", "张江实验室")
    page.fill("input[name=position_title]", "研究员")
    page.fill("input[name=years_in_field]", "9")
    page.fill("textarea[name=statement]", "主持省级科研项目两项，取得发明专利。")
    page.set_input_files("input[name=evidence]", files=[
        {"name": "专利证书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    screenshot("talent-apply")
    page.click("[data-action=submit]")
    page.wait_for_url("**/talent/applications/*")
    assert "专利证书.pdf" in page.locator("[data-evidence]").inner_text()
    assert page.locator("[data-status=in_review]").is_visible()
    application_id = int(page.url.rsplit("/", 1)[1])
    log_out(page)

    decide(page, community_admin, application_id)
    decide(page, reviewer, application_id)

    log_in(page, resident)
    page.goto(f"/talent/applications/{application_id}")
    assert page.locator("[data-status=notice]").is_visible()
    assert page.locator("[data-event=published]").count() == 1
    log_out(page)

    clock.freeze(WEDNESDAY + timedelta(days=8))  # the notice (five working days) is over
    assert ops.enter_after_notice() == 1
    db.session.commit()

    log_in(page, resident)
    page.goto("/talent/")
    page.click("[data-action=show-card]")
    page.wait_for_url("**/talent/card")
    page.locator("[data-qr] svg").wait_for()
    assert "高级" in page.locator("[data-tier]").inner_text()
    screenshot("talent-card")
    page.click("summary")
    token = page.locator("[data-token]").inner_text().strip()
    log_out(page)

    log_in(page, merchant)
    page.goto("/talent/verify")
    page.fill("textarea[name=token]", token)
    page.click("[data-action=verify]")
    page.locator("[data-verdict=ok]").wait_for()
    assert "张*明" in page.locator("[data-name-masked]").inner_text()
    screenshot("talent-verify")
    assert reports == []
