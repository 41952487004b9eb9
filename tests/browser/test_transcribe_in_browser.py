"""'Transcribe a file or a link' in a real Chromium: a file goes in, its transcript's page comes out."""

import pytest

import samples
from tests.fakes.assemblyai import SUBMIT_URL, mock_upload, transcript_json
from transcription.models import Transcript

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_file_chosen_in_the_browser_opens_its_transcripts_progress_page(logged_in, screenshot, mocked_http):
    page = logged_in
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Transcribe", exact=True).click()
    page.wait_for_url("**/transcription/new/")
    screenshot("transcribe-new-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("transcribe-new-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_input_files("#id_file", str(samples.TUTORIAL.audio))
    page.click("button:has-text('Transcribe')")
    page.wait_for_url("**/transcription/*/")
    transcript = Transcript.objects.get()
    assert page.url.endswith(transcript.get_absolute_url())
    assert page.locator("#transcript-status").inner_text() == "Queued"
    assert received == [samples.TUTORIAL.audio.read_bytes()]
