"""The transcripts list in a real Chromium: search across transcripts, open the hit, see the words."""

import re

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
    {"text": "Your", "start": 100, "end": 300, "confidence": 0.97},
    {"text": "refund", "start": 350, "end": 800, "confidence": 0.95},
    {"text": "was", "start": 850, "end": 1000, "confidence": 0.93},
    {"text": "approved.", "start": 1050, "end": 1600, "confidence": 0.9},
    {"text": "It", "start": 2000, "end": 2100, "confidence": 0.92},
    {"text": "arrives", "start": 2150, "end": 2600, "confidence": 0.88},
    {"text": "Tuesday.", "start": 2650, "end": 3200, "confidence": 0.96},
]


def completed(text, words, **fields):
    return make_transcript(status="completed", text=text, words=words, completed_at=timezone.now(), **fields)


@pytest.fixture
def transcripts(mocked_http):
    call = make_call(sid=CALL_SID, to="+14155550199", status="completed", duration=4)
    recording = make_recording(call, sid=RECORDING_SID, duration=4)
    mock_media(mocked_http, tone_wav(4.0), redirect_to=None)
    hit = completed(
        " ".join(w["text"] for w in WORDS),
        WORDS,
        audio=recording_asset(recording),
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        audio_duration=4.0,
        confidence=0.93,
    )
    completed(
        "No refund this week, <b>sorry</b>.",
        [],
        audio_url="https://cdn.example.com/notes/support-call.mp3",
        audio_duration=61,
        confidence=0.8,
    )
    completed("Field notes from the harbour.", [], audio_source="upload", audio_duration=300)
    make_transcript(status="processing")
    return hit


def test_searching_the_list_opens_the_transcript_with_the_words_highlighted(
    logged_in, transcripts, screenshot
):
    page = logged_in
    page.locator("header.site").get_by_role("link", name="Transcripts").click()
    page.wait_for_url(re.compile(r"/transcription/$"))
    assert page.locator("#transcripts > li").count() == 4
    screenshot("transcripts")

    page.get_by_label("Search the transcripts").fill("REFUND tuesday")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"\?q=REFUND\+tuesday&"))  # then the empty filters
    results = page.locator("#transcripts > li")
    assert results.count() == 1
    assert results.locator("mark").all_inner_texts() == ["refund", "Tuesday"]
    assert "2 hits" in results.inner_text()
    # The search is shown as understood: case folded.
    assert page.locator("#found").inner_text() == "1 transcript contains “refund tuesday”."
    screenshot("transcripts-search")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("transcripts-search-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    results.get_by_role("link", name="Call to (415) 555-0199").click()  # the |phone filter
    # The link carries the moment "refund" is said (350 ms) for the page to seek to (not yet).
    page.wait_for_url(re.compile(rf"/transcription/{transcripts.pk}/\?q=refund%20tuesday#t=0\.3$"))
    assert page.get_by_label("Search the transcript").input_value() == "refund tuesday"
    # The words are not side by side, so each is found on its own.
    page.wait_for_function("() => document.getElementById('search-count').textContent === '1 of 2 matches'")
    assert page.locator("#transcript .w.hit").all_inner_texts() == ["refund", "Tuesday."]
    assert page.locator("#transcript .w.hit-current").inner_text() == "refund"
    screenshot("transcript-from-search")
