"""The Content-Security-Policy in a real Chromium: the shared `page` fixture fails a test on any
violation; these tests show that it notices one, and that the admin's pages cause none."""

import pytest

from tests.factories import make_transcript

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fixture_notices_an_inline_script(page):
    page.goto("/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_timeout(200)  # the violation event is queued, not synchronous
    assert page.evaluate("() => window.ran") is None
    assert any("script-src" in v or "Content Security Policy" in v for v in page.csp_violations)
    page.csp_violations.clear()  # seen: the fixture's own check must not fail this test


def test_the_fixture_notices_an_inline_style(page):
    page.goto("/login/")
    page.evaluate("() => { document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>'); }")
    page.wait_for_timeout(200)
    assert page.csp_violations
    page.csp_violations.clear()


def test_the_admin_pages_cause_no_violation(page, admin_user):
    transcript = make_transcript(completed=True, job_id="job-csp")
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in [
        "/admin/",
        "/admin/transcription/transcript/",
        f"/admin/transcription/transcript/{transcript.pk}/change/",
        "/admin/auth/user/add/",
    ]:
        page.goto(path)
        page.wait_for_load_state("load")
    # The `page` fixture asserts that none of these pages caused a violation.
