"""The call log in a real Chromium: a table on a desktop, a list of cards on a phone."""

from datetime import timedelta

import pytest

from caller.models import Call
from tests.factories import make_call

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_call_log_is_a_table_on_a_desktop_and_cards_on_a_phone(logged_in, screenshot, staff_user):
    for n, status in enumerate(["completed", "busy", "no-answer", "completed"], start=1):
        make_call(
            f"CA{n:032x}",
            to=f"+1415555010{n}",
            status=status,
            duration=60 * n,
            dialed_by=staff_user,
            owner=staff_user,
            created_ago=timedelta(hours=n),
        )
    page = logged_in
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Calls", exact=True).click()
    page.wait_for_url("**/calls/")
    assert page.locator("#call-log tbody tr").count() == Call.objects.count()
    assert page.locator("#call-log thead").is_visible()
    assert "(415) 555-0101" in page.locator("#call-log").inner_text()
    screenshot("calls-1280")
    page.select_option("#f-status", "busy")
    page.click("button:has-text('Show')")
    page.wait_for_url("**status=busy**")
    assert page.locator("#call-log tbody tr").count() == 1
    page.goto("/calls/")
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        not page.locator("#call-log thead").is_visible()
        or page.locator("#call-log thead").bounding_box()["height"] <= 1
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('#call-log td'), '::before').content"
    )
    assert label == '"When"'
    screenshot("calls-390")
