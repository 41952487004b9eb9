"""PII redaction's archive steps on both storages (a folder, and moto's S3 server on loopback).

tests/test_redaction.py covers redaction itself on a folder; here the same swap runs on a bucket
too: the redacted copy goes into storage, and the unredacted original leaves it.
"""

import pytest
from django.test import override_settings

from audio.models import AudioAsset, OriginKind, Redaction
from audio.services import asset_archive, asset_open
from tests.factories import make_transcript
from tests.fakes import JOB_ID, REDACTED_AUDIO, REDACTED_TEXT, mock_redacted_audio, tone_wav
from transcription.models import RedactedAudio
from transcription.pipeline.redaction import redacted_audio_attempt

pytestmark = pytest.mark.django_db

ORIGINAL = tone_wav(1.0)


def transcript_waiting_for_its_redacted_audio():
    original = asset_archive(
        asset=AudioAsset.objects.create(origin_kind=OriginKind.UPLOAD, redaction=Redaction.WAITING),
        chunks=[ORIGINAL],
        name="uploads/original.wav",
    )
    return make_transcript(
        completed=True,
        job_id=JOB_ID,
        text=REDACTED_TEXT,
        redact_pii=True,
        redact_pii_policies=["person_name"],
        redact_pii_sub="entity_name",
        redacted_audio=RedactedAudio.WAITING,
        audio=original,
    )


def test_the_redacted_copy_is_archived_and_the_original_leaves_the_storage(
    recordings_storage, mocked_http, django_capture_on_commit_callbacks
):
    transcript = transcript_waiting_for_its_redacted_audio()
    original_name = transcript.audio.file.name
    mock_redacted_audio(mocked_http)
    with django_capture_on_commit_callbacks(execute=True):
        assert redacted_audio_attempt(transcript_id=transcript.pk) == "archived"
    transcript.refresh_from_db()
    with asset_open(transcript.audio) as stored:
        assert stored.read() == REDACTED_AUDIO
    assert not recordings_storage.exists(original_name)


@override_settings(KEEP_UNREDACTED_AUDIO=True)
def test_with_keep_unredacted_audio_both_copies_stay_in_the_storage(recordings_storage, mocked_http):
    transcript = transcript_waiting_for_its_redacted_audio()
    mock_redacted_audio(mocked_http)
    assert redacted_audio_attempt(transcript_id=transcript.pk) == "archived"
    transcript.refresh_from_db()
    with asset_open(transcript.unredacted_audio) as kept, asset_open(transcript.audio) as redacted:
        assert (kept.read(), redacted.read()) == (ORIGINAL, REDACTED_AUDIO)
