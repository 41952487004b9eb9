"""A call's notes in a real Chromium: written and saved by keyboard alone on a phone, no script."""

import pytest

from caller.models import Call
from tests.factories import make_call, make_transcript

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SID = "CA" + "e" * 32


def test_notes_are_saved_by_keyboard_at_phone_width_and_found_by_search(logged_in, screenshot, staff_user):
    make_call(SID, status="completed", duration=90, owner=staff_user, dialed_by=staff_user)
    make_transcript(completed=True, owner=staff_user, call_sid=SID, text="Hello, thanks for calling.")
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/calls/{SID}/")
    notes = page.get_by_label("What the call was about")
    notes.focus()
    page.keyboard.type("Wants the Müller quote by Friday.")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Save notes"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/calls/{SID}/#notes")
    assert "Notes saved" in page.locator("main").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot("call-notes-390")
    assert Call.objects.get(sid=SID).notes == "Wants the Müller quote by Friday."
    page.goto("/transcription/?q=MÜLLER")
    assert "Notes:" in page.locator("#transcripts").inner_text()
    assert page.locator("#transcripts mark").first.inner_text() == "Müller"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot("call-notes-search-390")


def test_a_hit_in_the_notes_alone_opens_a_transcript_that_says_where_it_was_found(logged_in, staff_user):
    make_call(SID, status="completed", owner=staff_user, dialed_by=staff_user, notes="Kumquat order")
    transcript = make_transcript(completed=True, owner=staff_user, call_sid=SID, text="Ahoy, this")
    page = logged_in
    page.goto("/transcription/?q=kumquat")
    page.locator(f'#transcripts a[href^="/transcription/{transcript.pk}/"]').first.click()
    count = page.locator("#search-count")
    count.wait_for()
    page.wait_for_function("() => document.getElementById('search-count').textContent !== ''")
    assert count.inner_text() == "Not said; found in the call's notes"
    page.fill("#search", "pineapple")
    page.wait_for_function("() => document.getElementById('search-count').textContent === 'No match'")
