"""End-to-end fixtures: the test app served on a loopback port in a thread, driven by Debian's
headless Chromium through Playwright. Skipped (with the reason) when Chromium is not installed;
.ci/run installs it."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = os.path.join(os.path.dirname(__file__), "screenshots")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def live_server_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server_url):
    """A fresh phone-sized browser context for each test (no cookies carried over)."""
    context = browser.new_context(viewport=PHONE, base_url=live_server_url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot(name) saves tests/e2e/screenshots/<name>.png for a person to look at."""
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)

    def _shot(name):
        path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return _shot
