"""Browser tests: Playwright driving Debian's Chromium (never `playwright install`) against live_server.

Without a Chromium they are skipped with one line saying how to get one; under CI=true they fail
instead (see chromium.py).
"""

import os
from pathlib import Path

import pytest

from .chromium import LAUNCH_ARGS, require_chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="package")
def browser():
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # beside it are still synchronous, so Django's guard is lifted for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Reports every Content-Security-Policy violation to the test, on every page the context opens.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} on ${event.documentURI}`
  );
});
"""


@pytest.fixture
def page(browser, live_server):
    """A browser page on the live server; any Content-Security-Policy violation fails the test.

    Give `page.wait_for_function` a function (`"() => ..."`): a bare expression is eval'd in the
    page, which the policy (no 'unsafe-eval') refuses.
    """
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(10_000)
    violations: list[str] = []
    context.expose_function("reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_violations = violations
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/screenshots/ (CI keeps that folder)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def logged_in(page, staff_user):
    """A page logged in as `staff` through the real login form."""
    page.goto("/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "pw-staff-123")
    page.click('button[type=submit]:has-text("Log in")')
    page.wait_for_url("**/")
    return page
