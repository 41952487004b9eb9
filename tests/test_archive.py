"""Recordings archived in the app's own storage: streamed, verified, played back with Range requests."""

import hashlib

import pytest
from django.test import override_settings

from audio.models import AudioAsset
from audio.services import AudioUnavailable, asset_archive, asset_open
from caller.audio import recording_archive, recording_asset
from tests.factories import make_recording
from tests.fakes import (
    AAI,
    MEDIA_URL,
    RECORDING_SID,
    SUBMIT_URL,
    mock_media,
    recording_callback,
    request_recording_transcript,
    tone_wav,
    transcript_json,
)
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

PROXY = f"/recordings/{RECORDING_SID}/media/"
AUDIO = tone_wav(1.0)


@pytest.fixture
def archived():
    """A recording already archived (Twilio is not asked again: no media mock)."""
    recording = make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)
    return asset_archive(asset=recording_asset(recording), chunks=[AUDIO[:1000], AUDIO[1000:]], name="t.wav")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_keeps_the_size_and_sha256_of_what_it_stored(archived):
    assert (archived.size, archived.sha256) == (len(AUDIO), hashlib.sha256(AUDIO).hexdigest())
    assert archived.is_archived
    with asset_open(archived) as stored:
        assert stored.read() == AUDIO


def test_a_copy_that_does_not_read_back_the_same_is_not_marked_archived(monkeypatch):
    from audio import services

    recording = make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)
    monkeypatch.setattr(services, "_file_digest", lambda asset: (asset.size, "0" * 64))
    asset = asset_archive(asset=recording_asset(recording), chunks=[AUDIO], name="t.wav")
    assert asset.archived_at is None
    assert "does not match" in asset.archive_error
    with pytest.raises(AudioUnavailable):
        asset_open(asset)


def test_a_recording_is_archived_from_twilio_with_basic_auth(mocked_http):
    mock_media(mocked_http, AUDIO)
    recording = make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)
    asset = recording_archive(recording)
    assert asset.is_archived and asset.size == len(AUDIO)
    assert mocked_http.calls[0].request.url == MEDIA_URL
    assert mocked_http.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_archiving_twice_asks_twilio_once(mocked_http):
    mock_media(mocked_http, AUDIO)
    recording = make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)
    recording_archive(recording)
    recording_archive(recording)
    assert [c.request.url for c in mocked_http.calls].count(MEDIA_URL) == 1
    assert AudioAsset.objects.count() == 1


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_in_url_mode_assemblyai_gets_twilios_url_and_the_recording_is_archived_all_the_same(
    task_queue, mocked_http
):
    mock_media(mocked_http, AUDIO)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    assert sorted(task_queue.outcomes) == ["archived", "submitted"]
    submitted = next(c.request for c in mocked_http.calls if c.request.url == f"{AAI}/v2/transcript")
    assert MEDIA_URL.encode() in submitted.body
    transcript.refresh_from_db()
    assert transcript.audio.is_archived


def test_the_proxy_serves_the_archive_without_asking_twilio(staff_client, mocked_http, archived):
    response = staff_client.get(PROXY)
    assert response.status_code == 200
    assert body_of(response) == AUDIO
    assert response["Content-Length"] == str(len(AUDIO))
    assert response["Accept-Ranges"] == "bytes"
    assert len(mocked_http.calls) == 0


def test_the_proxy_answers_a_range_from_the_archive_with_206(staff_client, archived):
    response = staff_client.get(PROXY, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert body_of(response) == AUDIO[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(AUDIO)}"
    assert response["Content-Length"] == "100"


def test_the_proxy_answers_an_open_and_a_suffix_range_from_the_archive(staff_client, archived):
    tail = staff_client.get(PROXY, HTTP_RANGE=f"bytes={len(AUDIO) - 10}-")
    assert (tail.status_code, body_of(tail)) == (206, AUDIO[-10:])
    last = staff_client.get(PROXY, HTTP_RANGE="bytes=-5")
    assert (last.status_code, body_of(last)) == (206, AUDIO[-5:])
    assert last["Content-Range"] == f"bytes {len(AUDIO) - 5}-{len(AUDIO) - 1}/{len(AUDIO)}"


def test_the_proxy_answers_416_for_a_range_past_the_end_of_the_archive(staff_client, archived):
    response = staff_client.get(PROXY, HTTP_RANGE=f"bytes={len(AUDIO) + 10}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(AUDIO)}"


def test_the_proxy_sends_the_whole_archive_for_several_ranges(staff_client, archived):
    response = staff_client.get(PROXY, HTTP_RANGE="bytes=0-9, 20-29")
    assert (response.status_code, body_of(response)) == (200, AUDIO)


def test_a_recording_twilio_refuses_for_good_ends_its_transcript_in_error(
    twilio_post, task_queue, mocked_http
):
    mocked_http.get(MEDIA_URL, status=404, json={"code": 20404, "message": "not found"})
    with task_queue.capture(execute=True):
        twilio_post("/twilio/recording-status/", recording_callback())
    task_queue.run_all()
    assert task_queue.outcomes == ["error"]
    transcript = Transcript.objects.get()
    assert transcript.status == "error" and "deleted or never existed" in transcript.error
    assert "deleted or never existed" in transcript.audio.archive_error


def test_sync_queues_an_archive_whose_task_was_lost_again(task_queue, mocked_http):
    from datetime import timedelta

    from django.utils import timezone

    from caller.services import recordings_reconcile

    request_recording_transcript(task_queue)
    task_queue.backend.clear()  # the archive task is lost
    later = timezone.now() + timedelta(minutes=10)
    with task_queue.capture(execute=True):
        found = recordings_reconcile(since=later - timedelta(hours=24), now=later)
    assert found == [f"recording {RECORDING_SID}: archive queued again"]
    assert [r.task.name for r in task_queue.pending] == ["archive_recording"]


def test_sync_leaves_an_upload_waiting_for_its_archive_to_the_archive(task_queue, mocked_http):
    from datetime import timedelta

    from django.utils import timezone

    from transcription.pipeline.sync import transcripts_sync

    transcript = request_recording_transcript(task_queue)
    report = transcripts_sync(now=timezone.now() + timedelta(minutes=30))
    assert report.submitted == []  # no attempt, no backoff: the archive queues the submission itself
    transcript.refresh_from_db()
    assert (transcript.status, transcript.attempts) == ("pending", 0)
