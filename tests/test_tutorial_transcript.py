"""The real completed transcript printed in tutorial.md, stored the way the app stores any result."""

import json
from pathlib import Path

import pytest

from tests.factories import make_transcript
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.apply import transcript_apply
from transcription.pipeline.fetch import transcript_for_job

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "tutorial_transcript.json"
JOB = "zibe9vwmx-82ce-476c-85a7-e82c09c67daf"


@pytest.fixture
def tutorial_json():
    return json.loads(FIXTURE.read_text())


@pytest.fixture
def stored(tutorial_json):
    transcript = make_transcript(job_id=JOB, status=TranscriptStatus.QUEUED)
    assert transcript_apply(transcript=transcript, data=tutorial_json) is True
    transcript.refresh_from_db()
    return transcript


def test_it_stores_the_tutorials_text(stored):
    assert stored.status == TranscriptStatus.COMPLETED
    assert stored.text.startswith("An object relational mapper is a code library")
    assert stored.text.endswith("instead of writing sequel statements or short procedures.")
    assert stored.completed_at is not None


def test_it_stores_every_word_with_its_timing_and_confidence(stored):
    assert len(stored.words) == 89
    assert stored.words[0] == {"text": "An", "start": 0, "end": 90, "confidence": 1.0}
    assert stored.words[-1] == {"text": "procedures.", "start": 34760, "end": 35270, "confidence": 0.98}
    low = [w for w in stored.words if w["confidence"] < 0.6]
    assert low == [{"text": "the", "start": 14690, "end": 14870, "confidence": 0.56}]


def test_it_stores_the_overall_confidence_and_duration(stored):
    assert stored.confidence == pytest.approx(0.931797752808989)
    assert stored.audio_duration == pytest.approx(36.288)


def test_the_tutorials_retired_fields_do_not_break_parsing(tutorial_json, stored):
    # 2021's answer has acoustic_model, word_boost, dual_channel... and no speech_model_used.
    assert "acoustic_model" in tutorial_json and "speech_model_used" not in tutorial_json
    assert stored.speech_model_used == ""
    assert stored.utterances == []


def test_a_job_fetched_by_id_is_stored_even_when_this_app_did_not_submit_it(mocked_http, tutorial_json):
    mocked_http.get(f"https://api.assemblyai.com/v2/transcript/{JOB}", json=tutorial_json)
    transcript, data = transcript_for_job(JOB)
    assert data == tutorial_json
    assert transcript.audio_url == tutorial_json["audio_url"]
    assert Transcript.objects.get(job_id=JOB).status == TranscriptStatus.COMPLETED
