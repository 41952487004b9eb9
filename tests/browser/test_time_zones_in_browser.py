"""Times in the user's zone in a real Chromium: the browser's zone by default, the profile's when set."""

from datetime import UTC, datetime

import pytest

from caller.models import Call
from tests.factories import make_call

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "6" * 32
PLACED = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)  # 08:30 on the 6th in Tokyo, 00:30 in Paris


@pytest.fixture
def in_tokyo(page, staff_user):
    """A Chromium whose own zone is Asia/Tokyo, signed in through the login form, with one call."""
    make_call(CALL_SID, status="completed", duration=61, owner=staff_user, dialed_by=staff_user)
    Call.objects.filter(sid=CALL_SID).update(created_at=PLACED)
    page.context.new_cdp_session(page).send("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    page.goto("/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "pw-staff-123")
    page.click('button[type=submit]:has-text("Log in")')
    page.wait_for_url("**/")
    return page


def test_the_first_page_after_signing_in_shows_times_in_the_browsers_zone(in_tokyo, screenshot):
    page = in_tokyo
    page.goto("/calls/")
    assert page.locator("#shown-zone").inner_text() == "Asia/Tokyo"
    assert page.locator("#call-log td").first.inner_text() == "2026-12-06 08:30"
    for name, (width, height) in {"desktop": (1280, 800), "phone": (390, 844)}.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"calls-in-browser-zone-{name}")


def test_a_zone_chosen_on_the_profile_wins_over_the_browsers(in_tokyo, screenshot):
    page = in_tokyo
    page.goto("/profile/")
    assert page.locator("#id_time_zone option:checked").inner_text() == "My browser's time zone (Asia/Tokyo)"
    page.select_option("#id_time_zone", "Europe/Paris")
    page.click("#id_time_zone ~ button")
    page.wait_for_selector("text=Times are shown in Europe/Paris.")
    for name, (width, height) in {"desktop": (1280, 800), "phone": (390, 844)}.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"profile-time-zone-{name}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.goto("/calls/")
    assert page.locator("#call-log td").first.inner_text() == "2026-12-06 00:30"
