"""Share links in a real Chromium: made on the transcript page, opened signed out, revoked."""

import pytest
from django.utils import timezone

from caller.audio import recording_asset
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import RECORDING_SID, mock_media, tone_wav

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "6" * 32
WORDS = [
    {"text": "Strictly", "start": 100, "end": 600, "confidence": 0.97},
    {"text": "between", "start": 700, "end": 1200, "confidence": 0.95},
    {"text": "us.", "start": 1300, "end": 1900, "confidence": 0.93},
]


@pytest.fixture
def transcript(mocked_http, staff_user):
    call = make_call(sid=CALL_SID, status="completed", duration=2, dialed_by=staff_user, owner=staff_user)
    recording = make_recording(call, sid=RECORDING_SID, duration=2, owner=staff_user)
    mock_media(mocked_http, tone_wav(2.0), redirect_to=None)
    return make_transcript(
        owner=staff_user,
        audio=recording_asset(recording),
        status="completed",
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        text="Strictly between us.",
        words=WORDS,
        audio_duration=2.0,
        completed_at=timezone.now(),
    )


def test_a_link_made_on_the_page_opens_signed_out_with_audio_until_revoked(
    logged_in, browser, live_server, transcript, screenshot
):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    page.select_option("#id_lifetime", "1d")
    page.check("#id_include_audio")
    page.click('button:has-text("Create a share link")')
    url = page.input_value("#share-url")
    assert url.startswith("https://djt.example.com/s/")
    screenshot("share-created")
    path = url.removeprefix("https://djt.example.com")

    stranger = browser.new_context(base_url=live_server.url).new_page()
    stranger.goto(path)
    assert "Strictly between us." in stranger.locator("#transcript").inner_text()
    stranger.wait_for_function("document.getElementById('player').readyState >= 1")
    assert stranger.evaluate("document.getElementById('player').duration") == pytest.approx(2.0, abs=0.05)
    assert stranger.locator("header a").count() == 0  # no way into the rest of the app

    page.goto(f"/transcription/{transcript.pk}/")
    page.click('#share-links button:has-text("Revoke")')
    page.wait_for_url(f"**/transcription/{transcript.pk}/")
    assert page.locator("#share-links").inner_text().count("Revoke") == 0
    assert stranger.goto(path).status == 404
    stranger.context.close()
