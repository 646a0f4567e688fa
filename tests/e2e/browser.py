"""What the browser tests share besides the fixtures in conftest.py."""
DEFAULT_PASSWORD = "secret123"  # tests/conftest.py's


def log_in(page, user, password=DEFAULT_PASSWORD):
    """Log ``user`` in through the real form and wait for the dashboard."""
    page.goto("/login")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/dashboard")


def log_out(page):
    """Submit the header's logout form (it may sit in the collapsed phone menu) and wait for home."""
    page.locator("form[action$='/logout'] button").first.evaluate("b => b.form.submit()")
    page.wait_for_url("**/")


def csp_reports(page) -> list[str]:
    """The console's Content-Security-Policy complaints, collected while the test runs."""
    reports = []
    page.on("console", lambda message: "Content Security Policy" in message.text and reports.append(
        f"{page.url}: {message.text} {message.location}"))
    return reports
