"""In Chromium: a hostile display name on the operators' pages (users list, a user's page, the audit
log) is shown as text and runs nothing; and if escaping ever failed, the Content-Security-Policy
would still stop it (the same pages, served with the payload put back raw, fire no dialog)."""
import pytest
from markupsafe import escape
from tests.e2e.browser import csp_reports, log_in

pytestmark = pytest.mark.e2e

PAYLOAD = """<script>alert("x")</script><img src=x onerror=alert(1)>"'&"""
PAGES = ("/admin/users", "/admin/users/{id}", "/admin/audit")


@pytest.fixture
def hostile_admin(db, create_user, community):
    """A community admin and a resident of their community, both named with the payload; the
    resident's registration and grant are in the audit log."""
    admin = create_user("office@example.test", display_name=PAYLOAD, roles=("community_admin",))
    resident = create_user("hostile@example.test", display_name=PAYLOAD)
    return admin, resident


@pytest.fixture
def dialogs(page):
    """Every alert/confirm/prompt the pages open, dismissed at once so the test cannot hang."""
    opened = []

    def record(dialog):
        opened.append(f"{page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", record)
    return opened





def test_a_hostile_display_name_is_text_on_the_operators_pages(page, dialogs, hostile_admin, screenshot):
    admin, resident = hostile_admin
    log_in(page, admin)  # the "Welcome back" flash names them too
    assert PAYLOAD in page.locator(".alert").first.inner_text()
    for path in PAGES:
        page.goto(path.format(id=resident.id))
        page.wait_for_load_state("load")
        assert page.locator("script:not([src]):not([nonce])").count() == 0, path
        assert page.locator("img[src=x], [onerror]").count() == 0, path
        assert PAYLOAD in page.locator("main").inner_text(), path  # shown, as the person typed it
        if path == "/admin/users/{id}":
            assert page.locator("h1").inner_text().startswith(PAYLOAD)
            screenshot("hostile-name-user-page")
    assert dialogs == []


def test_the_policy_stops_markup_that_escaped_escaping(page, dialogs, hostile_admin):
    """Serve the real pages, with their real headers, but with the payload put back unescaped, as a
    template bug would: the browser must refuse the inline script and the onerror handler."""
    admin, resident = hostile_admin
    reports = csp_reports(page)
    log_in(page, admin)

    def unescape(route):
        response = route.fetch()
        body = response.text().replace(str(escape(PAYLOAD)), PAYLOAD)
        route.fulfill(response=response, body=body)

    page.route("**/admin/**", unescape)
    for path in PAGES:
        page.goto(path.format(id=resident.id))
        page.wait_for_load_state("load")
        assert page.locator("img[src=x][onerror]").count() >= 1, path  # the markup really is there
    page.wait_for_timeout(200)  # an onerror would have fired by now (the image 404s at once)
    assert dialogs == []
    assert any("script-src" in report for report in reports), reports
