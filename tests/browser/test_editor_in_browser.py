"""Correcting a transcript in a real Chromium, by keyboard alone: the correction keeps its timing."""

import pytest
from django.utils import timezone

from caller.audio import recording_asset
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import RECORDING_SID, mock_media, tone_wav
from transcription.revising.services import transcript_correct

from .chromium import require_chromium
from .test_accessibility import violations

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "8" * 32
WORDS = [
    {"text": "Thanks", "start": 0, "end": 400, "confidence": 0.97, "speaker": "A"},
    {"text": "for", "start": 400, "end": 600, "confidence": 0.95, "speaker": "A"},
    {"text": "calling", "start": 600, "end": 1000, "confidence": 0.96, "speaker": "A"},
    {"text": "jango.", "start": 1000, "end": 1600, "confidence": 0.31, "speaker": "A"},
    {"text": "Hi", "start": 2000, "end": 2200, "confidence": 0.9, "speaker": "B"},
    {"text": "there.", "start": 2200, "end": 2600, "confidence": 0.45, "speaker": "B"},
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def transcript(mocked_http, staff_user):
    call = make_call(sid=CALL_SID, status="completed", duration=4, owner=staff_user)
    recording = make_recording(call, sid=RECORDING_SID, duration=4, source="DialVerb")
    mock_media(mocked_http, tone_wav(4.0), url=recording.media_url, redirect_to=None)
    return make_transcript(
        audio=recording_asset(recording),
        owner=staff_user,
        job_id="c2e1d0b3-editor",
        status="completed",
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        text=" ".join(w["text"] for w in WORDS),
        words=WORDS,
        audio_duration=4.0,
        completed_at=timezone.now(),
    )


def tab_to_a_word(page):
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('w')"):
            return
    pytest.fail("Tab never reached a word of the transcript")


def focused_text(page):
    return page.evaluate("() => document.activeElement.textContent")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_word_is_corrected_by_keyboard_alone_and_keeps_its_timing(logged_in, transcript, screenshot, width):
    page = logged_in
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"/transcription/{transcript.pk}/")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    tab_to_a_word(page)
    assert focused_text(page) == "Thanks"
    page.keyboard.press("Tab")  # the next doubtful word
    assert focused_text(page) == "jango."
    assert "31% sure" in page.locator("#word-info").inner_text()  # seen without hovering
    page.keyboard.type("Django.")
    page.keyboard.press("Enter")
    corrected = page.locator("#transcript .w.ed", has_text="Django.")
    corrected.wait_for()
    assert (corrected.get_attribute("data-s"), corrected.get_attribute("data-e")) == ("1000", "1600")
    assert "Saved “jango.” → “Django.” (revision 1)" in page.locator("#word-info").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(f"editor-corrected-{width}")

    page.reload()
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    corrected = page.locator("#transcript .w.ed", has_text="Django.")
    assert (corrected.get_attribute("data-s"), corrected.get_attribute("data-e")) == ("1000", "1600")
    assert page.locator("#transcript .w", has_text="jango.").count() == 1  # "Django." only
    corrected.click()
    assert 1.0 <= page.evaluate("document.getElementById('player').currentTime") < 1.6
    srt = page.request.get(f"/transcription/{transcript.pk}/export.srt").text()
    assert "Django." in srt and " jango." not in srt
    assert violations(page) == []


def test_enter_accepts_a_doubtful_word_and_moves_to_the_next(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    tab_to_a_word(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#transcript .w.ed", has_text="jango.").wait_for()
    page.wait_for_function("() => document.activeElement.textContent === 'there.'")
    assert page.locator("#transcript .w.lo").count() == 1


def test_escape_cancels_a_correction(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    tab_to_a_word(page)
    page.keyboard.type("Tanks")
    page.keyboard.press("Escape")
    assert page.locator("#transcript .w").first.inner_text() == "Thanks"
    assert focused_text(page) == "Thanks"
    assert transcript.revisions.count() == 0


def test_space_plays_and_typing_pauses(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    tab_to_a_word(page)
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.type("T")
    assert page.evaluate("document.getElementById('player').paused")
    page.keyboard.press("Escape")  # cancels the correction
    page.keyboard.press("Escape")  # then plays again
    page.wait_for_function("() => !document.getElementById('player').paused")


def test_the_speed_goes_from_075_to_2(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    tab_to_a_word(page)
    for _ in range(6):
        page.keyboard.press(">")
    assert page.evaluate("document.getElementById('player').playbackRate") == 2
    for _ in range(6):
        page.keyboard.press("<")
    assert page.evaluate("document.getElementById('player').playbackRate") == 0.75


@pytest.mark.parametrize("width", WIDTHS)
def test_question_mark_shows_the_shortcut_sheet(logged_in, transcript, screenshot, width):
    page = logged_in
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"/transcription/{transcript.pk}/")
    page.keyboard.press("?")
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    sheet.wait_for()
    assert "Next or previous doubtful word" in sheet.inner_text()
    assert violations(page) == []
    screenshot(f"editor-shortcuts-{width}")
    page.keyboard.press("Escape")
    assert not sheet.is_visible()


def test_a_correction_is_reverted_from_the_revisions_page(logged_in, transcript, screenshot):
    transcript_correct(transcript_pk=transcript.pk, user=None, start=3, end=4, text="Django.")
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/revisions/")
    assert page.locator("#diff del").inner_text() == "jango."
    assert page.locator("#diff ins").inner_text() == "Django."
    assert violations(page) == []
    screenshot("editor-revisions")
    page.get_by_role("button", name="Revert to revision 0").click()
    page.wait_for_url(f"**/transcription/{transcript.pk}/revisions/")
    assert "Reverted to revision 0" in page.content()
    page.goto(f"/transcription/{transcript.pk}/")
    word = page.locator("#transcript .w", has_text="jango.")
    assert (word.get_attribute("data-s"), word.get_attribute("class")) == ("1000", "w lo")


def test_a_speaker_is_renamed_and_merged_for_the_whole_transcript(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    page.get_by_label("Speaker B").fill("Maya Chen")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_url(f"**/transcription/{transcript.pk}/#participants")
    assert page.locator("#transcript .who").all_inner_texts() == ["Speaker A", "Maya Chen"]
    page.select_option("#merge-source", "A")
    page.select_option("#merge-into", "B")
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_url(f"**/transcription/{transcript.pk}/#participants")
    assert page.locator("#transcript .who").all_inner_texts() == ["Maya Chen"]


def test_a_whole_turn_is_corrected_and_keeps_its_start_and_end(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    page.locator("#transcript .w", has_text="calling").click()
    page.get_by_role("button", name="Correct the focused word's whole turn").click()
    turn = page.get_by_label("Correct this turn: Enter saves, Escape cancels")
    assert turn.input_value() == "Thanks for calling jango."
    turn.fill("Thank you for calling Django.")
    page.keyboard.press("Enter")
    page.locator("#transcript .w.ed", has_text="Django.").wait_for()
    first_turn = page.locator("#transcript .turn").first.locator(".w")
    assert first_turn.all_inner_texts() == ["Thank", "you", "for", "calling", "Django."]
    assert first_turn.first.get_attribute("data-s") == "0"
    assert first_turn.last.get_attribute("data-e") == "1600"


def test_playback_resumes_two_seconds_before_where_typing_paused_it(logged_in, transcript, screenshot):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/transcription/{transcript.pk}/")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.locator("#transcript .w", has_text="there.").click()  # seeks to 2.2 s and plays
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.type("th")
    paused_at = page.evaluate("document.getElementById('player').currentTime")
    assert page.evaluate("document.getElementById('player').paused") and paused_at >= 2.2
    assert page.get_by_label("Correct “there.”: Enter saves, Escape cancels").input_value() == "th"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("editor-typing-phone")
    page.keyboard.press("Escape")  # cancels the correction
    page.keyboard.press(" ")  # plays again, from a little earlier
    page.wait_for_function("() => !document.getElementById('player').paused")
    assert page.evaluate("document.getElementById('player').currentTime") < paused_at - 1.5
