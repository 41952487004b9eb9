"""Deleting a transcript deletes the audio this app archived for it, unless another transcript uses it."""

import pytest
from django.core.management import call_command

from audio.models import AudioAsset
from audio.services import asset_archive
from caller.audio import recording_archive_attempt, recording_asset
from tests.factories import make_recording, make_transcript
from tests.fakes import RECORDING_SID, tone_wav
from transcription.retention import transcript_delete

pytestmark = pytest.mark.django_db

AUDIO = tone_wav(0.2)


def archived_transcript(**fields):
    """A transcript (no AssemblyAI job) whose recording is archived in the recordings storage."""
    recording = make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)
    asset = asset_archive(asset=recording_asset(recording), chunks=[AUDIO], name="t.wav")
    transcript = make_transcript(recording_sid=RECORDING_SID, audio=asset, **fields)
    return transcript, asset


def test_it_deletes_the_archived_file_and_its_asset_with_the_last_transcript(
    django_capture_on_commit_callbacks,
):
    transcript, asset = archived_transcript()
    storage, name = asset.file.storage, asset.file.name
    with django_capture_on_commit_callbacks(execute=True):
        transcript_delete(transcript)
    assert not storage.exists(name)
    assert not AudioAsset.objects.filter(pk=asset.pk).exists()


def test_it_keeps_the_archive_while_another_transcript_uses_it(django_capture_on_commit_callbacks):
    transcript, asset = archived_transcript()
    make_transcript(audio=asset)
    with django_capture_on_commit_callbacks(execute=True):
        transcript_delete(transcript)
    assert asset.file.storage.exists(asset.file.name)
    assert AudioAsset.objects.filter(pk=asset.pk).exists()


def test_purge_transcripts_deletes_the_archived_audio_too(django_capture_on_commit_callbacks):
    from datetime import timedelta

    transcript, asset = archived_transcript(created_ago=timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_transcripts", "--older-than", "30", "--local-only")
    assert not asset.file.storage.exists(asset.file.name)


def test_the_admins_bulk_delete_deletes_the_archived_audio_too(
    admin_client_logged, django_capture_on_commit_callbacks
):
    transcript, asset = archived_transcript()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_logged.post(
            "/admin/transcription/transcript/",
            {"action": "delete_selected", "_selected_action": [transcript.pk], "post": "yes"},
        )
    assert not asset.file.storage.exists(asset.file.name)


def test_an_archive_task_that_runs_after_the_deletion_does_not_download_the_voice_again(
    django_capture_on_commit_callbacks,
):
    transcript, _ = archived_transcript()
    with django_capture_on_commit_callbacks(execute=True):
        transcript_delete(transcript)
    # No media mock: a download would be an unexpected request and fail the test.
    assert recording_archive_attempt(recording_sid=RECORDING_SID) == "skipped"
    assert not AudioAsset.objects.exists()
