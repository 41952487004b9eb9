"""A two-party transcript in a real Chromium: named turns, renaming people, seeking across turns."""

import pytest
from django.utils import timezone

from caller.audio import recording_asset
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import RECORDING_SID, mock_media, tone_wav
from transcription.models import Participant

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "6" * 32
# Channel 1 (the user) asks, channel 2 (the dialed party) answers over the end of it.
WORDS = [
    {"text": "Hello,", "start": 100, "end": 500, "confidence": 0.97, "channel": "1"},
    {"text": "is", "start": 550, "end": 700, "confidence": 0.95, "channel": "1"},
    {"text": "that", "start": 750, "end": 900, "confidence": 0.93, "channel": "1"},
    {"text": "Maya?", "start": 950, "end": 1500, "confidence": 0.93, "channel": "1"},
    {"text": "Yes,", "start": 1400, "end": 1800, "confidence": 0.9, "channel": "2"},
    {"text": "speaking.", "start": 2500, "end": 3100, "confidence": 0.96, "channel": "2"},
    {"text": "Great.", "start": 3300, "end": 3800, "confidence": 0.4, "channel": "1"},
]


@pytest.fixture
def conversation(mocked_http, staff_user):
    call = make_call(sid=CALL_SID, status="completed", duration=4, owner=staff_user)
    recording = make_recording(call, sid=RECORDING_SID, duration=4, channels=2, source="DialVerb")
    mock_media(mocked_http, tone_wav(4.0), url=recording.media_url, redirect_to=None)
    transcript = make_transcript(
        audio=recording_asset(recording),
        owner=staff_user,
        job_id="c2e1d0b3-browser",
        status="completed",
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        text=" ".join(w["text"] for w in WORDS),
        words=WORDS,
        audio_duration=4.0,
        completed_at=timezone.now(),
    )
    Participant.objects.create(transcript=transcript, key="1", name="Ada Lovelace")
    return transcript


def check_conversation(page, transcript, screenshot, name):
    page.goto(f"/transcription/{transcript.pk}/")
    assert page.locator("#transcript .who").all_inner_texts() == ["Ada Lovelace", "Channel 2", "Ada Lovelace"]
    assert page.locator("#transcript .overlap").count() == 2
    page.get_by_label("Channel 2").fill("Maya Chen")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_url(f"**/transcription/{transcript.pk}/#participants")
    assert page.locator("#transcript .who").all_inner_texts() == ["Ada Lovelace", "Maya Chen", "Ada Lovelace"]
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    second_turn = page.locator("#transcript .turn").nth(1)
    second_turn.locator(".w", has_text="speaking.").click()
    time = page.evaluate("document.getElementById('player').currentTime")
    assert 2.5 <= time < 3.2
    assert page.locator("#transcript .w.now").inner_text() == "speaking."
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(name)


def test_a_two_party_transcript_at_desktop_width(logged_in, conversation, screenshot):
    logged_in.set_viewport_size({"width": 1280, "height": 900})
    check_conversation(logged_in, conversation, screenshot, "conversation")


def test_a_two_party_transcript_at_phone_width(logged_in, conversation, screenshot):
    logged_in.set_viewport_size({"width": 390, "height": 844})
    check_conversation(logged_in, conversation, screenshot, "conversation-phone")


def test_doubtful_words_are_stepped_through_across_turns(logged_in, conversation):
    page = logged_in
    page.goto(f"/transcription/{conversation.pk}/")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.get_by_role("button", name="Next doubtful word (1)").click()
    assert page.locator("#transcript .w.flash").inner_text() == "Great."
    assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(2.3, abs=0.05)
