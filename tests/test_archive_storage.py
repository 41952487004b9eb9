"""The archive on both storages it supports: a local folder and an S3 bucket (moto's server on loopback).

Each test taking `recordings_storage` runs twice, once per storage, through the same code production
runs: the worker streams the recording from Twilio into storage and verifies it, the media endpoint
serves it with byte ranges, and it stays playable once Twilio's copy is deleted.
"""

import hashlib
from pathlib import Path

import pytest
import requests
from django.test import override_settings

from audio.models import AudioAsset
from audio.services import AudioUnavailable, asset_archive, asset_open
from caller.audio import recording_archive_attempt, recording_asset
from caller.models import Recording
from tests.factories import make_recording
from tests.fakes import (
    AAI,
    ACCOUNT,
    JOB_ID,
    RECORDING_SID,
    SUBMIT_URL,
    deliver_webhook,
    mock_media,
    mock_upload,
    recording_callback,
    tone_wav,
    transcript_json,
)
from tests.fakes.s3 import S3_SECRET, s3_requests
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

PROXY = f"/recordings/{RECORDING_SID}/media/"
AUDIO = tone_wav(2.0)  # 32 KB
TWILIO_RECORDING = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}.json"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def a_recording():
    return make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)


def stored_bytes(storage, name: str) -> bytes:
    with storage.open(name, "rb") as stored:
        return stored.read()


def test_the_worker_streams_a_recording_from_twilio_into_the_archive_and_verifies_it(
    recordings_storage, mocked_http
):
    mock_media(mocked_http, AUDIO)
    a_recording()
    assert recording_archive_attempt(recording_sid=RECORDING_SID) == "archived"
    asset = AudioAsset.objects.get()
    assert asset.is_archived and asset.archive_error == ""
    assert (asset.size, asset.sha256) == (len(AUDIO), hashlib.sha256(AUDIO).hexdigest())
    assert stored_bytes(recordings_storage, asset.file.name) == AUDIO


def test_a_recording_larger_than_one_part_goes_up_to_the_bucket_in_parts(bucket_storage, mocked_http):
    big = bytes(range(256)) * (9 * 4096)  # 9 MiB: two parts of at most 8 MiB
    mock_media(mocked_http, big)
    seen = s3_requests(bucket_storage)
    a_recording()
    assert recording_archive_attempt(recording_sid=RECORDING_SID) == "archived"
    writes = {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}
    uploads = [request["operation"] for request in seen if request["operation"] in writes]
    assert uploads == ["CreateMultipartUpload", "UploadPart", "UploadPart", "CompleteMultipartUpload"]
    assert AudioAsset.objects.get().sha256 == hashlib.sha256(big).hexdigest()


def test_reading_the_archive_streams_ranges_instead_of_fetching_the_whole_object(bucket_storage):
    asset = asset_archive(asset=recording_asset(a_recording()), chunks=[AUDIO], name="t.wav")
    seen = s3_requests(bucket_storage)
    with asset_open(asset) as stored:
        stored.seek(1000)
        assert stored.read(10) == AUDIO[1000:1010]
    assert [(r["operation"], r["range"]) for r in seen] == [
        ("HeadObject", None),
        ("GetObject", f"bytes=1000-{len(AUDIO) - 1}"),
    ]


def test_the_media_endpoint_plays_the_archive_with_byte_ranges(recordings_storage, staff_client, mocked_http):
    asset_archive(asset=recording_asset(a_recording()), chunks=[AUDIO[:5000], AUDIO[5000:]], name="t.wav")
    whole = staff_client.get(PROXY)
    assert (whole.status_code, body_of(whole), whole["Content-Length"]) == (200, AUDIO, str(len(AUDIO)))
    part = staff_client.get(PROXY, HTTP_RANGE="bytes=100-199")
    assert (part.status_code, body_of(part)) == (206, AUDIO[100:200])
    assert part["Content-Range"] == f"bytes 100-199/{len(AUDIO)}"
    tail = staff_client.get(PROXY, HTTP_RANGE="bytes=-5")
    assert (tail.status_code, body_of(tail)) == (206, AUDIO[-5:])
    beyond = staff_client.get(PROXY, HTTP_RANGE=f"bytes={len(AUDIO) + 1}-")
    assert (beyond.status_code, beyond["Content-Range"]) == (416, f"bytes */{len(AUDIO)}")
    assert len(mocked_http.calls) == 0  # Twilio is not asked once the archive exists


def test_a_byte_range_is_fetched_from_the_bucket_as_that_range_only(bucket_storage, staff_client):
    asset_archive(asset=recording_asset(a_recording()), chunks=[AUDIO], name="t.wav")
    seen = s3_requests(bucket_storage)
    response = staff_client.get(PROXY, HTTP_RANGE="bytes=100-199")
    assert body_of(response) == AUDIO[100:200]
    assert [r["range"] for r in seen if r["operation"] == "GetObject"] == ["bytes=100-199"]


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_recording_stays_playable_from_the_archive_after_twilio_deletes_its_copy(
    recordings_storage, client, staff_client, twilio_post, task_queue, mocked_http
):
    mock_media(mocked_http, AUDIO)
    uploaded: list[bytes] = []
    mock_upload(mocked_http, uploaded)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    mocked_http.delete(TWILIO_RECORDING, status=204)
    with task_queue.capture(execute=True):
        twilio_post("/twilio/recording-status/", recording_callback())
    task_queue.run_all()
    transcript = Transcript.objects.get()
    deliver_webhook(client, task_queue, transcript, {"transcript_id": JOB_ID, "status": "completed"})
    task_queue.run_all()
    assert task_queue.outcomes == ["archived", "submitted", "completed", "deleted"]
    assert uploaded == [AUDIO]  # AssemblyAI got the archived copy
    assert Recording.objects.get().status == "deleted"
    calls_before = len(mocked_http.calls)
    response = staff_client.get(PROXY, HTTP_RANGE="bytes=0-3")
    assert (response.status_code, body_of(response)) == (206, AUDIO[:4])
    assert len(mocked_http.calls) == calls_before


def tamper_after_saving(monkeypatch, storage):
    """The storage keeps something else than it was given (a bad disk, a broken gateway)."""
    save = storage._save

    def saved_then_tampered(name, content):
        stored = save(name, content)
        if hasattr(storage, "bucket_name"):
            key = storage._normalize_name(stored)
            storage.connection.meta.client.put_object(Bucket=storage.bucket_name, Key=key, Body=b"tampered")
        else:
            Path(storage.path(stored)).write_bytes(b"tampered")
        return stored

    monkeypatch.setattr(storage, "_save", saved_then_tampered)


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_copy_that_fails_its_checksum_is_not_used_and_twilios_copy_is_kept(
    recordings_storage, monkeypatch, staff_client, task_queue, mocked_http
):
    mock_media(mocked_http, AUDIO)
    tamper_after_saving(monkeypatch, recordings_storage)
    a_recording()
    with task_queue.capture(execute=True):
        assert recording_archive_attempt(recording_sid=RECORDING_SID) == "retrying"
    asset = AudioAsset.objects.get()
    assert asset.archived_at is None and "does not match" in asset.archive_error
    with pytest.raises(AudioUnavailable):
        asset_open(asset)
    assert [r.task.name for r in task_queue.pending] == ["archive_recording"]  # tried again later
    response = staff_client.get(PROXY)  # played from Twilio, not from the bad copy
    assert body_of(response) == AUDIO
    assert not [c for c in mocked_http.calls if c.request.method == "DELETE"]


def test_the_next_attempt_replaces_a_copy_that_failed_its_checksum(
    recordings_storage, monkeypatch, mocked_http
):
    mock_media(mocked_http, AUDIO)
    a_recording()
    with monkeypatch.context() as patch:
        tamper_after_saving(patch, recordings_storage)
        recording_archive_attempt(recording_sid=RECORDING_SID)
    assert recording_archive_attempt(recording_sid=RECORDING_SID, attempt=1) == "archived"
    asset = AudioAsset.objects.get()
    assert stored_bytes(recordings_storage, asset.file.name) == AUDIO


def test_a_bucket_that_refuses_is_retried_and_says_what_the_bucket_said(
    bucket_storage, task_queue, mocked_http
):
    mock_media(mocked_http, AUDIO)
    bucket_storage.connection.meta.client.delete_bucket(Bucket=bucket_storage.bucket_name)
    a_recording()
    with task_queue.capture(execute=True):
        assert recording_archive_attempt(recording_sid=RECORDING_SID) == "retrying"
    asset = AudioAsset.objects.get()
    assert "NoSuchBucket" in asset.archive_error and asset.archived_at is None
    assert S3_SECRET not in asset.archive_error


def test_a_missing_archived_file_answers_502_not_a_crash(recordings_storage, staff_client):
    asset = asset_archive(asset=recording_asset(a_recording()), chunks=[AUDIO], name="t.wav")
    recordings_storage.delete(asset.file.name)
    response = staff_client.get(PROXY)
    assert response.status_code == 502
    assert "cannot be read" in response.content.decode()


class _StopsHalfWay:
    """Twilio's answer whose connection drops after the first chunk."""

    headers = {"Content-Type": "audio/x-wav"}

    def iter_content(self, chunk_size):
        yield AUDIO[:1000]
        raise requests.ConnectionError("connection reset by peer")

    def close(self):
        pass


def test_a_twilio_download_that_stops_half_way_leaves_no_archive(recordings_storage, monkeypatch, task_queue):
    from caller import twilio_client

    monkeypatch.setattr(twilio_client, "open_media", lambda url, **kwargs: _StopsHalfWay())
    a_recording()
    with task_queue.capture(execute=True):
        assert recording_archive_attempt(recording_sid=RECORDING_SID) == "retrying"
    asset = AudioAsset.objects.get()
    assert not asset.is_archived and "stopped" in asset.archive_error
    assert not recordings_storage.exists(f"twilio/{RECORDING_SID}.wav")  # no half file left behind


def test_the_attempt_after_an_interrupted_one_stores_the_recording_under_its_own_name(
    recordings_storage, monkeypatch, mocked_http
):
    from caller import twilio_client

    a_recording()
    with monkeypatch.context() as patch:
        patch.setattr(twilio_client, "open_media", lambda url, **kwargs: _StopsHalfWay())
        recording_archive_attempt(recording_sid=RECORDING_SID)
    mock_media(mocked_http, AUDIO)
    assert recording_archive_attempt(recording_sid=RECORDING_SID, attempt=1) == "archived"
    assert AudioAsset.objects.get().file.name == f"twilio/{RECORDING_SID}.wav"


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_a_recording_archived_after_its_transcript_completed_is_then_deleted_at_twilio(
    recordings_storage, task_queue, mocked_http
):
    from tests.factories import make_transcript

    # url mode: AssemblyAI fetched Twilio's copy itself, and finished before the archive did.
    mock_media(mocked_http, AUDIO)
    mocked_http.delete(TWILIO_RECORDING, status=204)
    a_recording()
    make_transcript(completed=True, recording_sid=RECORDING_SID, call_sid="CA" + "1" * 32)
    with task_queue.capture(execute=True):
        assert recording_archive_attempt(recording_sid=RECORDING_SID) == "archived"
    task_queue.run_all()
    assert task_queue.outcomes == ["deleted"]
    assert Recording.objects.get().status == "deleted"


def test_an_archive_never_overwrites_a_file_another_asset_keeps_under_the_same_name(recordings_storage):
    first = asset_archive(asset=AudioAsset.objects.create(origin_kind="upload"), chunks=[AUDIO], name="x.wav")
    second = asset_archive(
        asset=AudioAsset.objects.create(origin_kind="upload"), chunks=[b"other audio"], name="x.wav"
    )
    assert first.file.name != second.file.name and second.is_archived
    assert stored_bytes(recordings_storage, first.file.name) == AUDIO
