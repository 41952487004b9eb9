"""axe-core over every page, at desktop and phone widths: no serious or critical violation.

axe-core comes inside the pinned axe-playwright-python package (its axe.min.js); it is evaluated
through Playwright, which the pages' Content-Security-Policy does not govern.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.base import AXE_SCRIPT

import samples
from api.tokens import token_create
from caller.audio import recording_asset
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import RECORDING_SID, mock_media, tone_wav
from transcription.models import TranscriptStatus
from transcription.revising.review import transcript_review
from transcription.revising.services import transcript_correct
from transcription.sample_calls import sample_load

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
BLOCKING = ("serious", "critical")
CALL_SID = "CA" + "7" * 32


def violations(page) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at " + ", ".join(n["target"][0] for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def pages(staff_user, mocked_http):
    """Every page, with something on it: calls, a transcript of a call, a sample, an errored one."""
    call = make_call(
        CALL_SID,
        status="completed",
        duration=4,
        owner=staff_user,
        dialed_by=staff_user,
        created_ago=timedelta(minutes=5),
        notes="Wants a quote by Friday.\nCall back after lunch.",
    )
    recording = make_recording(call, sid=RECORDING_SID, duration=4, owner=staff_user)
    mock_media(mocked_http, tone_wav(4.0), redirect_to=None)
    of_call = make_transcript(
        completed=True,
        owner=staff_user,
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        audio=recording_asset(recording),
    )
    sample = sample_load(owner=staff_user, sample=samples.CONVERSATION)
    token_create(user=staff_user, name="nightly export")  # the API tokens page lists one
    failed = make_transcript(
        owner=staff_user,
        status=TranscriptStatus.ERROR,
        job_id="job-failed-1",
        error="Transcoding failed. File does not appear to contain audio.",
    )
    # A corrected, reviewed transcript: its revisions page and the Accuracy page have something to show.
    transcript_correct(transcript_pk=sample.pk, user=staff_user, start=1, end=2, text="corrected")
    transcript_review(transcript=sample, user=staff_user, reviewed=True)
    return {
        "home": "/",
        "calls": "/calls/",
        "call": call.get_absolute_url(),
        "dial": "/dial/14155551234/",
        "transcripts": "/transcription/",
        "a search found in call notes": "/transcription/?q=quote",
        "transcript-of-call": of_call.get_absolute_url(),
        "sample": sample.get_absolute_url(),
        "errored": failed.get_absolute_url(),
        "transcribe": "/transcription/new/",
        "profile": "/profile/",
        "revisions": f"/transcription/{sample.pk}/revisions/",
        "accuracy": "/transcription/accuracy/",
        "key terms": "/transcription/keyterms/",
        "api-tokens": "/api-tokens/",
    }


def test_no_page_has_a_serious_or_critical_accessibility_violation(logged_in, pages):
    page = logged_in
    found = {}
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto(url)
            problems = violations(page)
            if problems:
                found[f"{name} ({width_name}) {url}"] = problems
    assert not found, "\n".join(f"{where}:\n  " + "\n  ".join(p) for where, p in found.items())


def test_the_login_page_passes_axe_too(page, staff_user):
    for width, height in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/login/")
        assert violations(page) == []


def test_the_empty_home_page_with_its_sample_button_passes_axe(logged_in):
    for width, height in WIDTHS.values():
        logged_in.set_viewport_size({"width": width, "height": height})
        logged_in.goto("/")
        assert "Load a sample call" in logged_in.content()
        assert violations(logged_in) == []
