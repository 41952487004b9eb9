"""No dead ends, in a real Chromium at desktop and phone widths: a BASE_URL Twilio cannot reach is
said before a call is placed, a dial form without Twilio is disabled and says why once, and an
errored transcript offers "Try again" with AssemblyAI's message."""

import pytest

from tests.factories import make_transcript
from tests.fakes.assemblyai import JOB_ID
from transcription.models import Transcript, TranscriptStatus

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def at_each_width(page, screenshot, name: str) -> None:
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"{name}-{width_name}")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_the_home_and_dial_pages_say_twilio_cannot_reach_base_url(logged_in, settings, screenshot):
    settings.BASE_URL = "http://127.0.0.1:8011"
    page = logged_in
    for path, name in (("/", "home-base-url-warning"), ("/dial/14155551234/", "dial-base-url-warning")):
        page.goto(path)
        warning = page.locator("#base-url-warning")
        assert warning.is_visible()
        assert warning.inner_text().startswith(
            "Twilio cannot reach http://127.0.0.1:8011: start ngrok and set BASE_URL"
        )
        at_each_width(page, screenshot, name)


def test_without_twilio_the_dial_form_is_disabled_and_says_why_once(logged_in, settings, screenshot):
    settings.TWILIO_AUTH_TOKEN = ""
    page = logged_in
    page.goto("/")
    assert page.get_by_text("Twilio is not configured").count() == 1
    assert page.locator("input[name=number]").is_disabled()
    assert page.locator("button:has-text('Call')").first.is_disabled()
    at_each_width(page, screenshot, "home-without-twilio")


def test_an_errored_transcript_is_tried_again_from_its_page(logged_in, staff_user, mocked_http, screenshot):
    transcript = make_transcript(
        owner=staff_user,
        job_id=JOB_ID,
        status=TranscriptStatus.ERROR,
        error="Transcoding failed. File does not appear to contain audio.",
        audio_url="https://media.example.org/a.mp3",
    )
    page = logged_in
    page.goto(transcript.get_absolute_url())
    assert page.get_by_text("File does not appear to contain audio.").is_visible()
    assert "Check that the audio is speech" in page.locator("form.retry").inner_text()
    at_each_width(page, screenshot, "transcript-errored")
    page.click("button:has-text('Try again')")
    page.wait_for_selector("#transcript-status")
    assert page.locator("button:has-text('Try again')").count() == 0
    assert Transcript.objects.get(pk=transcript.pk).status != TranscriptStatus.ERROR
