"""A sample call in a real Chromium: loaded from the empty home page, it plays, and the highlight
follows the voice."""

import json

import pytest

import samples
from transcription.models import Transcript

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AT_MS = 10_000
LAG_MS = 80  # MP3 decoders that ignore LAME's gapless tag start about 50 ms late


def words_spoken_around(ms: int) -> set[tuple[int, str]]:
    """The tutorial's words timed anywhere within LAG_MS of `ms` (as the page's highlight rule reads)."""
    words = json.loads(samples.TUTORIAL.transcript.read_text())["words"]
    return {
        (w["start"], w["text"]) for w in words if w["start"] <= ms + LAG_MS and ms - LAG_MS <= w["end"] + 300
    }


def test_a_sample_call_loads_from_the_empty_home_page_and_plays_in_step(logged_in, screenshot):
    page = logged_in
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot("home-empty-1280")
    page.click("button:has-text('Load a sample call')")
    page.wait_for_url("**/transcription/*/")
    assert page.locator(".sample-badge").inner_text() == "Sample"
    assert Transcript.objects.filter(is_sample=True).count() == 2
    # A click is the user gesture that lets the audio play; then it must really advance.
    page.locator("#transcript .ts").first.click()
    page.wait_for_function("() => document.getElementById('player').currentTime > 0.3")
    page.evaluate(
        f"() => {{ const a = document.getElementById('player'); a.pause(); a.currentTime = {AT_MS / 1000}; }}"
    )
    page.wait_for_function(
        "() => { const a = document.getElementById('player'); return !a.seeking && a.readyState >= 2; }"
    )
    page.wait_for_function("() => document.querySelector('#transcript .w.now') !== null")
    now = page.locator("#transcript .w.now")
    assert (int(now.get_attribute("data-s")), now.inner_text()) in words_spoken_around(AT_MS)
    screenshot("sample-transcript-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("sample-transcript-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_sample_is_deleted_in_one_click(logged_in, screenshot):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("home-empty-390")
    page.click("button:has-text('Load a sample call')")
    page.wait_for_url("**/transcription/*/")
    page.click("button:has-text('Delete this sample')")
    page.wait_for_url("**/transcription/")
    assert Transcript.objects.filter(is_sample=True).count() == 1
    assert page.locator(".sample-badge").count() == 1  # the conversation stays listed


def test_a_transcript_whose_audio_cannot_play_stops_offering_to_play_words(logged_in, staff_user, screenshot):
    from transcription.sample_calls import sample_load

    transcript = sample_load(owner=staff_user, sample=samples.TUTORIAL)
    transcript.audio.file.storage.delete(transcript.audio.file.name)  # the archive lost its file
    page = logged_in
    page.goto(transcript.get_absolute_url())
    page.wait_for_selector(".player-error")
    assert "cannot be played" in page.locator("#play-hint").inner_text()
    assert "Click a word" not in page.content()
    page.locator("#transcript .w").first.click()
    assert page.evaluate("document.getElementById('player').paused")
    assert page.locator("#transcript .w.now").count() == 0
