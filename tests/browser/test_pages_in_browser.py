"""The pages in a real Chromium: log in, dial, review a transcript against its audio, download."""

import re
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from caller.audio import recording_asset
from caller.models import Call
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import CALLS_URL, MEDIA_URL, RECORDING_SID, mock_media, tone_wav
from transcription.models import Transcript

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "5" * 32
# Words across the 4-second tone; "maybe" is doubtful.
WORDS = [
    {"text": "Thanks", "start": 100, "end": 500, "confidence": 0.97, "speaker": "A"},
    {"text": "for", "start": 550, "end": 700, "confidence": 0.95, "speaker": "A"},
    {"text": "calling.", "start": 750, "end": 1300, "confidence": 0.93, "speaker": "A"},
    {"text": "We", "start": 2000, "end": 2200, "confidence": 0.9, "speaker": "B"},
    {"text": "maybe", "start": 2500, "end": 2900, "confidence": 0.32, "speaker": "B"},
    {"text": "ship", "start": 3000, "end": 3300, "confidence": 0.71, "speaker": "B"},
    {"text": "Tuesday.", "start": 3350, "end": 3900, "confidence": 0.96, "speaker": "B"},
]


@pytest.fixture
def transcript(mocked_http):
    call = make_call(sid=CALL_SID, status="completed", duration=4)
    recording = make_recording(call, sid=RECORDING_SID, duration=4)
    mock_media(mocked_http, tone_wav(4.0), redirect_to=None)
    return make_transcript(
        audio=recording_asset(recording),
        job_id="b1f0c9a2-browser",
        status="completed",
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        text=" ".join(w["text"] for w in WORDS),
        words=WORDS,
        audio_duration=4.0,
        confidence=0.85,
        speech_model_used="universal-3-pro",
        language_code="en_us",
        completed_at=timezone.now(),
    )


def test_logging_in_through_the_login_form_lands_on_home(page, staff_user, screenshot):
    page.goto("/")
    assert "/login/" in page.url
    screenshot("login")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "pw-staff-123")
    page.click('button[type=submit]:has-text("Log in")')
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("header.site").inner_text().count("staff") == 1
    assert page.get_by_label("Number to call").is_visible()


def test_the_dial_form_shows_a_bad_number_next_to_the_field(logged_in, mocked_http, screenshot):
    page = logged_in
    page.get_by_label("Number to call").fill("12345")
    page.get_by_role("button", name="Call", exact=True).click()
    error = page.locator("#number-error")
    assert "not a valid phone number" in error.inner_text()
    assert page.get_by_label("Number to call").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Number to call").input_value() == "12345"
    assert len(mocked_http.calls) == 0
    screenshot("home-dial-error")


def test_the_dial_form_places_a_call_for_a_good_number(logged_in, mocked_http, screenshot):
    mocked_http.post(CALLS_URL, json={"sid": CALL_SID, "status": "queued"}, status=201)
    page = logged_in
    page.get_by_label("Number to call").fill("+1 415 555 1234")
    page.get_by_role("button", name="Call", exact=True).click()
    assert f"Call SID: {CALL_SID}" in page.locator("p.ok").inner_text()
    row = page.locator(f'tr[data-call-sid="{CALL_SID}"]')
    assert "(415) 555-1234" in row.inner_text()  # national: the home country is TWILIO_PHONE_NUMBER's
    assert parse_qs(mocked_http.calls[0].request.body)["To"] == ["+14155551234"]
    screenshot("home-dialed")


def test_home_follows_a_call_and_its_transcript_without_a_reload(logged_in, mocked_http):
    page = logged_in
    make_call(sid=CALL_SID, status="ringing")
    page.reload()
    row = page.locator(f'tr[data-call-sid="{CALL_SID}"]')
    assert row.locator("[data-call-status]").inner_text() == "Ringing"
    Call.objects.filter(sid=CALL_SID).update(status="completed", duration=65)
    transcript = make_transcript(call_sid=CALL_SID, status="processing")
    page.wait_for_function(
        "() => "
        f"document.querySelector('tr[data-call-sid=\"{CALL_SID}\"] [data-transcripts] a')?.textContent"
        " === 'Processing'"
    )
    assert row.locator("[data-call-status]").inner_text() == "Completed"
    assert row.locator("[data-call-duration]").inner_text() == "1:05"
    assert row.locator("[data-transcripts] a").get_attribute("href") == f"/transcription/{transcript.pk}/"


def test_the_call_page_plays_the_recording_through_the_proxy(logged_in, transcript, screenshot):
    page = logged_in
    page.goto(f"/calls/{CALL_SID}/")
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(4.0, abs=0.05)
    assert "Thanks for calling." in page.locator(".recording").inner_text()
    assert page.locator(".player-error").count() == 0
    screenshot("call")


def test_the_transcript_shades_doubtful_words_and_seeks_the_audio_on_click(logged_in, transcript, screenshot):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    doubtful = page.locator("#transcript .w.lo")
    assert doubtful.all_inner_texts() == ["maybe"]
    plain = page.locator("#transcript .w", has_text="Thanks")
    shade = "getComputedStyle(document.querySelector('{}')).backgroundColor"
    assert page.evaluate(shade.format("#transcript .w.lo")) != page.evaluate(shade.format("#transcript .w"))
    assert plain.get_attribute("class") == "w"
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').currentTime") == 0
    doubtful.click()
    time = page.evaluate("document.getElementById('player').currentTime")
    assert 2.5 <= time < 3.5
    assert page.locator("#transcript .w.now").inner_text() == "maybe"
    screenshot("transcript")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("transcript-phone")


def test_the_spoken_word_is_highlighted_during_playback(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.locator("#transcript .w", has_text="We").click()
    # Playing on from 2.0 s, the highlight moves to the words that follow.
    page.wait_for_function(
        "() => ['maybe', 'ship', 'Tuesday.']"
        ".includes(document.querySelector('#transcript .w.now')?.textContent)"
    )
    assert page.evaluate("document.getElementById('player').currentTime") > 2.4


def test_searching_highlights_and_counts_matches(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    page.get_by_label("Search the transcript").fill("ship tues")
    page.wait_for_function("() => document.getElementById('search-count').textContent === '1 of 1 match'")
    assert page.locator("#transcript .w.hit").all_inner_texts() == ["ship", "Tuesday."]
    page.get_by_label("Search the transcript").fill("zebra")
    page.wait_for_function("() => document.getElementById('search-count').textContent === 'No match'")
    assert page.locator("#transcript .w.hit").count() == 0


def test_the_srt_export_downloads_with_its_captions(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    with page.expect_download() as info:
        page.get_by_text("Download SRT subtitles").click()
    download = info.value
    date = transcript.completed_at.strftime("%Y-%m-%d")
    assert download.suggested_filename == f"transcript-{date}-14155551234.srt"
    with open(download.path(), encoding="utf-8") as srt:
        content = srt.read()
    assert content.startswith("1\n00:00:00,100 --> 00:00:01,300\nSpeaker A: Thanks for calling.\n")
    assert "00:00:02,000 --> 00:00:03,900\nSpeaker B: We maybe ship Tuesday.\n" in content


def test_a_transcript_page_shows_the_result_once_assemblyai_is_done(logged_in, transcript, screenshot):
    page = logged_in
    Transcript.objects.filter(pk=transcript.pk).update(status="processing", words=[], text="")
    page.goto(f"/transcription/{transcript.pk}/")
    assert page.locator("#transcript-status").inner_text() == "Processing"
    screenshot("transcript-processing")
    Transcript.objects.filter(pk=transcript.pk).update(status="completed", words=WORDS)
    page.locator("#transcript .w", has_text="Tuesday.").wait_for()
    assert page.locator("#transcript-status").inner_text() == "Completed"


def test_a_pending_transcript_page_shows_the_job_once_assemblyai_accepts_it(logged_in, transcript):
    page = logged_in
    Transcript.objects.filter(pk=transcript.pk).update(
        status="pending", job_id=None, words=[], text="", last_error="AssemblyAI answered 503", attempts=1
    )
    page.goto(f"/transcription/{transcript.pk}/")
    assert "Not yet accepted by AssemblyAI" in page.locator("#waiting").inner_text()
    Transcript.objects.filter(pk=transcript.pk).update(status="queued", job_id="accepted-job", last_error="")
    page.locator("code", has_text="accepted-job").wait_for()
    assert "AssemblyAI is working on it" in page.locator("#waiting").inner_text()
    assert "AssemblyAI answered 503" not in page.content()


def test_a_recording_that_cannot_be_streamed_says_why_under_the_player(logged_in, mocked_http):
    page = logged_in
    call = make_call(sid=CALL_SID, status="completed")
    make_recording(call, sid=RECORDING_SID)
    mocked_http.get(MEDIA_URL, status=404)
    page.goto(f"/calls/{CALL_SID}/")
    note = page.locator(".player-error")
    note.wait_for()
    assert "The recording cannot be played" in note.inner_text()
    assert "the recording was deleted or never existed" in note.inner_text()


def test_the_recent_calls_fit_a_phone_screen(logged_in):
    page = logged_in
    for i in range(3):
        make_call(sid=f"CA{i:032x}", to="+442071838750", status="no-answer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.locator("#calls tbody tr").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_call_page_fits_a_phone_screen(logged_in, transcript):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/calls/{CALL_SID}/")
    assert CALL_SID in page.locator("dl.meta").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
