"""On a phone-sized browser: a resident reads that they are eligible for an open round, applies
with ranked preferences, and after the office allocates the round accepts the offer."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.apartments import operations as ops
from community.apartments.models import Offer
from community.core import clock
from tests.e2e.browser import csp_reports, log_in
from tests.helpers import frozen_at

pytestmark = pytest.mark.e2e

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)  # the live server runs in this process, so it sees the same clock


def test_resident_checks_eligibility_applies_and_accepts(page, db, create_user, make_units, make_round, household,
                                                         screenshot):
    reports = csp_reports(page)
    page.on("dialog", lambda dialog: dialog.accept())
    units = make_units(["1b1l", "2b1l"], building="1号楼")
    round_ = make_round(units, title="2026 冬季人才公寓招租", min_tier="intermediate", district="浦东新区")
    resident = create_user("flat@example.test", tier="senior", display_name="陈一")
    household(resident, members=1, district="浦东新区")

    log_in(page, resident)
    page.goto("/apartments/")
    page.click(f"[data-round='{round_.id}']")
    assert page.locator("[data-eligible='yes']").is_visible()
    page.select_option("select[name=first]", "layout:2b1l")
    page.select_option("select[name=second]", "layout:1b1l")
    screenshot("apartments-apply-phone")
    page.click("[data-action=apply]")
    page.wait_for_selector("[data-applied]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    clock.freeze(round_.closes_at + timedelta(minutes=5))
    ops.commit_allocation(round_, actor=None)
    db.session.commit()

    page.goto(f"/apartments/rounds/{round_.id}")
    assert page.locator("[data-my-result]").is_visible()
    assert page.locator("[data-result-notice]").inner_text().count("陈*") == 1
    page.goto("/apartments/")
    offer = db.session.scalar(sa.select(Offer).where(Offer.user_id == resident.id))
    card = page.locator(f"[data-offer='{offer.id}']")
    card.locator("[data-action=accept]").click()
    page.wait_for_selector("[data-lease-draft]")
    screenshot("apartments-accepted-phone")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == "accepted"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert reports == []
