"""A search hit opens its transcript at the moment it is said: seeked, highlighted, in view."""

import re

import pytest
from django.utils import timezone

from caller.audio import recording_asset
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import RECORDING_SID, mock_media, tone_wav

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "7" * 32
FILLER = ["we", "talked", "about", "the", "weather", "and", "the", "traffic"]


def long_words():
    """1,400 words before "refund please" at 6.05 s: far below the first screen."""
    words = [{"text": FILLER[i % len(FILLER)], "start": i * 4, "end": i * 4 + 3} for i in range(1400)]
    words += [{"text": "refund", "start": 6050, "end": 6400}, {"text": "please.", "start": 6450, "end": 6800}]
    words += [{"text": "Goodbye.", "start": 7000, "end": 7400}]
    for word in words:
        word["confidence"] = 0.95
    return words


@pytest.fixture
def long_call(mocked_http):
    call = make_call(sid=CALL_SID, to="+14155550199", status="completed", duration=8)
    recording = make_recording(call, sid=RECORDING_SID, duration=8)
    mock_media(mocked_http, tone_wav(8.0), redirect_to=None)
    words = long_words()
    return make_transcript(
        status="completed",
        text=" ".join(w["text"] for w in words),
        words=words,
        completed_at=timezone.now(),
        audio=recording_asset(recording),
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        audio_duration=8.0,
    )


def test_a_hit_opens_the_transcript_at_its_moment_highlighted(logged_in, long_call, screenshot):
    page = logged_in
    page.goto("/transcription/")
    page.get_by_label("Search the transcripts").fill('"refund please"')
    page.get_by_role("button", name="Search").click()
    page.locator("#transcripts > li a.title").click()
    page.wait_for_url(re.compile(rf"/transcription/{long_call.pk}/\?q=refund%20please#t=6$"))

    moment = page.locator("#transcript .w.moment")
    assert moment.all_inner_texts() == ["refund", "please."]
    # Scrolled to it, though 1,400 words come before it.
    assert page.evaluate("() => window.scrollY") > 0
    box = moment.first.bounding_box()
    assert 0 <= box["y"] <= page.viewport_size["height"] - box["height"]
    # The player is at that moment (where playback starts).
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 6) < 0.01")
    screenshot("transcript-at-moment")


def test_a_new_moment_in_the_address_moves_the_highlight(logged_in, long_call):
    page = logged_in
    page.goto(f"/transcription/{long_call.pk}/#t=7")
    assert page.locator("#transcript .w.moment").all_inner_texts() == ["Goodbye."]
    page.evaluate("() => { window.location.hash = 't=6.05'; }")
    page.wait_for_function("() => document.querySelector('#transcript .w.moment').textContent === 'refund'")
