"""A new person registers, is logged in, sees that the community office will verify them, logs out
and back in."""
import pytest

pytestmark = pytest.mark.e2e


def test_register_login_and_dashboard(page, community, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.goto("/register")
    page.fill("input[name=login]", "newbie@example.test")
    page.fill("input[name=display_name]", "小王")
    page.select_option("select[name=community_id]", label=community.name)
    page.fill("input[name=password]", "goodpass123")
    page.fill("input[name=confirm]", "goodpass123")
    screenshot("register")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/dashboard")
    assert page.locator("[data-panel=applicant]").is_visible()
    screenshot("dashboard-applicant")

    page.locator("form[action$='/logout'] button").first.evaluate("b => b.form.submit()")
    page.wait_for_url("**/")
    page.goto("/login")
    page.fill("input[name=login]", "newbie@example.test")
    page.fill("input[name=password]", "goodpass123")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/dashboard")
    assert "小王" in page.content()
