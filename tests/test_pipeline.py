"""Submitting to AssemblyAI in the background: the payload, retries, permanent errors, polling."""

import json
import tracemalloc
from datetime import timedelta

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_transcript
from tests.fakes import (
    AAI,
    AUDIO,
    JOB_ID,
    MEDIA_URL,
    RECORDING_SID,
    STORAGE_URL,
    SUBMIT_URL,
    UPLOAD_URL,
    deliver_webhook,
    mock_media,
    mock_upload,
    recording_callback,
    request_recording_transcript,
    request_transcript,
    submitted_bodies,
    transcript_json,
)
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.create import transcript_create, transcript_request
from transcription.pipeline.submit import _claim_for_submission, transcript_submit_now, webhooks_enabled
from transcription.queue import queue_fetch, queue_submit

pytestmark = pytest.mark.django_db

GET_URL = f"{AAI}/v2/transcript/{JOB_ID}"


def test_it_streams_the_twilio_media_into_the_upload_and_transcribes_the_upload_url(task_queue, mocked_http):
    mock_media(mocked_http)
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    assert received == [AUDIO]
    media_get, storage_get = mocked_http.calls[0].request, mocked_http.calls[1].request
    assert media_get.headers["Authorization"].startswith("Basic ")
    assert "Authorization" not in storage_get.headers  # credentials only to api.twilio.com
    assert storage_get.url == STORAGE_URL
    [body] = submitted_bodies(mocked_http)
    assert body["audio_url"] == UPLOAD_URL
    transcript.refresh_from_db()
    assert (transcript.job_id, transcript.status, transcript.upload_url) == (JOB_ID, "queued", UPLOAD_URL)
    assert (transcript.attempts, transcript.last_error, transcript.next_attempt_at) == (1, "", None)


def test_the_upload_is_sent_as_a_stream_not_a_whole_body(task_queue, mocked_http):
    mock_media(mocked_http)
    bodies = []

    def callback(request):
        bodies.append(request.body)
        list(request.body)
        return 200, {}, json.dumps({"upload_url": UPLOAD_URL})

    mocked_http.add_callback("POST", f"{AAI}/v2/upload", callback=callback)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    request_recording_transcript(task_queue)
    task_queue.run_all()
    assert not isinstance(bodies[0], bytes | str)
    upload = next(c.request for c in mocked_http.calls if c.request.url.endswith("/v2/upload"))
    assert upload.headers["Transfer-Encoding"] == "chunked"


def test_the_submission_sends_models_keyterms_webhook_url_and_secret_header(task_queue, mocked_http):
    mock_media(mocked_http)
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    with override_settings(TRANSCRIPTION_KEYTERMS=["Twilio", "AssemblyAI"]):
        transcript = request_transcript(task_queue)
        task_queue.run_all()
    [body] = submitted_bodies(mocked_http)
    assert body["speech_models"] == ["universal-3-pro", "universal-2"]
    assert body["keyterms_prompt"] == ["Twilio", "AssemblyAI"]
    assert body["webhook_url"] == f"https://djt.example.com/transcription/webhook/{transcript.webhook_token}/"
    assert len(transcript.webhook_token) >= 32
    assert body["webhook_auth_header_name"] == "X-Webhook-Secret"
    assert body["webhook_auth_header_value"] == "test-webhook-secret-0123456789"
    assert "word_boost" not in body and "speech_model" not in body


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_url_mode_hands_the_recording_url_over_without_downloading(task_queue, mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    request_transcript(task_queue)
    task_queue.run_all()
    assert [c.request.url for c in mocked_http.calls] == [SUBMIT_URL]
    assert submitted_bodies(mocked_http)[0]["audio_url"] == MEDIA_URL


def test_each_transcript_gets_its_own_unguessable_webhook_token(task_queue):
    one = request_transcript(task_queue)
    two = request_transcript(task_queue, audio_url="https://x.example/b.wav")
    with task_queue.capture(execute=True):
        two, _ = transcript_request(audio_url="https://x.example/b.wav", recording_sid="RE" + "9" * 32)
    assert one.webhook_token != two.webhook_token


def test_a_duplicate_submit_task_never_submits_twice(task_queue, mocked_http):
    mock_media(mocked_http)
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    transcript = request_transcript(task_queue)
    with task_queue.capture(execute=True):
        queue_submit(transcript.pk)
        queue_submit(transcript.pk)
    task_queue.run_all()
    assert task_queue.outcomes == ["submitted", "skipped", "skipped"]
    assert len(submitted_bodies(mocked_http)) == 1
    transcript.refresh_from_db()
    assert transcript.attempts == 1


def test_a_submission_in_flight_is_not_taken_by_a_second_attempt(task_queue):
    transcript = request_transcript(task_queue)
    now = timezone.now()
    assert _claim_for_submission(transcript.pk, now) is not None
    assert _claim_for_submission(transcript.pk, now + timedelta(minutes=1)) is None


@override_settings(TRANSCRIPTION_RETRY_DELAY=10.0, TRANSCRIPTION_AUDIO_SOURCE="url")
def test_500_503_429_and_a_timeout_are_retried_with_backoff_and_the_transcript_completes(
    client, task_queue, mocked_http
):
    mocked_http.post(SUBMIT_URL, json={"error": "Internal server error"}, status=500)
    mocked_http.post(SUBMIT_URL, json={"error": "Service unavailable"}, status=503)
    mocked_http.post(
        SUBMIT_URL, json={"error": "Too many requests"}, status=429, headers={"Retry-After": "120"}
    )
    mocked_http.post(SUBMIT_URL, body=requests.ReadTimeout("read timed out"))
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.get(GET_URL, body=requests.ReadTimeout("read timed out"))
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    transcript = request_transcript(task_queue)
    task_queue.run_all()
    assert task_queue.outcomes == ["retrying"] * 4 + ["submitted"]
    # 10 s, 20 s, then Retry-After's 120 s beats 40 s, then 80 s.
    assert task_queue.delays() == [10, 20, 120, 80]
    transcript.refresh_from_db()
    assert (transcript.status, transcript.job_id, transcript.attempts) == ("queued", JOB_ID, 5)

    deliver_webhook(client, task_queue, transcript, {"transcript_id": JOB_ID, "status": "completed"})
    task_queue.run_all()
    assert task_queue.outcomes[5:] == ["retrying", "completed"]  # the fetch timed out once too
    transcript.refresh_from_db()
    assert (transcript.status, transcript.text, transcript.attempts) == (
        "completed",
        "Ahoy, this is a test call.",
        5,
    )
    assert transcript.last_error == ""


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_the_row_shows_the_last_error_and_the_next_try_while_retrying(task_queue, mocked_http):
    mocked_http.post(SUBMIT_URL, json={"error": "Service unavailable"}, status=503)
    transcript = request_transcript(task_queue)
    before = timezone.now()
    task = task_queue.pending[0]
    with task_queue.capture(execute=True):
        assert task.task.call(*task.args) == "retrying"
    transcript.refresh_from_db()
    assert transcript.status == "pending" and transcript.attempts == 1
    assert transcript.last_error == "AssemblyAI answered 503 to POST /v2/transcript: Service unavailable."
    assert transcript.next_attempt_at > before
    assert task_queue.pending[-1].task.run_after == transcript.next_attempt_at


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url", TRANSCRIPTION_MAX_ATTEMPTS=3)
def test_it_gives_up_after_max_attempts_with_the_last_error(task_queue, mocked_http):
    for _ in range(3):
        mocked_http.post(SUBMIT_URL, json={"error": "Internal server error"}, status=500)
    transcript = request_transcript(task_queue)
    task_queue.run_all()
    transcript.refresh_from_db()
    assert (transcript.status, transcript.attempts) == ("error", 3)
    assert transcript.error.startswith("Gave up after 3 attempts. Last error: AssemblyAI answered 500")
    assert len(submitted_bodies(mocked_http)) == 3


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_a_401_ends_in_error_at_once_with_a_clear_message(task_queue, mocked_http):
    mocked_http.post(
        SUBMIT_URL, json={"error": "Authentication error, API token missing/invalid"}, status=401
    )
    transcript = request_transcript(task_queue)
    task_queue.run_all()
    assert task_queue.outcomes == ["error"]
    transcript.refresh_from_db()
    assert (transcript.status, transcript.attempts) == ("error", 1)
    assert "401" in transcript.error and "Check ASSEMBLYAI_KEY" in transcript.error
    assert "test-assemblyai-key" not in transcript.error


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_a_400_ends_in_error_at_once_with_the_vendors_message(task_queue, mocked_http):
    mocked_http.post(SUBMIT_URL, json={"error": "Invalid speech_models: nope"}, status=400)
    transcript = request_transcript(task_queue)
    task_queue.run_all()
    transcript.refresh_from_db()
    assert transcript.status == "error"
    assert "Invalid speech_models: nope" in transcript.error


def test_media_that_twilio_no_longer_has_ends_in_error_without_submitting(task_queue, mocked_http):
    mocked_http.get(MEDIA_URL, status=404, json={"code": 20404, "message": "not found"})
    mock_upload(mocked_http, [])
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    transcript.refresh_from_db()
    assert transcript.status == "error"
    assert "404" in transcript.error and "deleted or never existed" in transcript.error
    assert submitted_bodies(mocked_http) == []


def test_a_media_download_that_fails_transiently_is_retried(task_queue, mocked_http):
    mocked_http.get(MEDIA_URL, status=503)
    mock_media(mocked_http)
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    assert task_queue.outcomes == ["retrying", "archived", "submitted"]  # the archive retried, not the upload
    transcript.refresh_from_db()
    assert (transcript.job_id, transcript.attempts) == (JOB_ID, 1)


def test_a_retry_after_a_failed_submit_does_not_upload_again(task_queue, mocked_http):
    mock_media(mocked_http)
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(SUBMIT_URL, json={"error": "Bad gateway"}, status=502)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    request_recording_transcript(task_queue)
    task_queue.run_all()
    assert len(received) == 1
    assert [b["audio_url"] for b in submitted_bodies(mocked_http)] == [UPLOAD_URL, UPLOAD_URL]


@override_settings(
    TRANSCRIPTION_WEBHOOKS="off", TRANSCRIPTION_AUDIO_SOURCE="url", TRANSCRIPTION_POLL_INTERVAL=5.0
)
def test_with_webhooks_off_it_polls_with_backoff_until_the_job_is_final(task_queue, mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.get(GET_URL, json=transcript_json("queued"))
    mocked_http.get(GET_URL, json=transcript_json("processing"))
    mocked_http.get(GET_URL, json=transcript_json("processing"))
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    transcript = request_transcript(task_queue)
    task_queue.run_all()
    assert [(r.name, r.outcome) for r in task_queue.ran] == [
        ("submit_transcript", "submitted"),
        ("fetch_transcript", "queued"),
        ("fetch_transcript", "processing"),
        ("fetch_transcript", "processing"),
        ("fetch_transcript", "completed"),
    ]
    assert task_queue.delays() == [5, 5, 10, 20]
    assert "webhook_url" not in submitted_bodies(mocked_http)[0]
    transcript.refresh_from_db()
    assert (transcript.status, transcript.text) == ("completed", "Ahoy, this is a test call.")


@pytest.mark.parametrize(
    "mode, base_url, expected",
    [
        ("auto", "https://djt.example.com", True),
        ("auto", "http://127.0.0.1:8000", False),
        ("on", "http://127.0.0.1:8000", True),
        ("off", "https://djt.example.com", False),
    ],
)
def test_webhooks_auto_are_on_only_for_an_https_base_url(mode, base_url, expected):
    with override_settings(TRANSCRIPTION_WEBHOOKS=mode, BASE_URL=base_url):
        assert webhooks_enabled() is expected


def test_a_fetch_that_fails_transiently_is_retried(task_queue, mocked_http):
    transcript = make_transcript(job_id=JOB_ID, status=TranscriptStatus.QUEUED)
    mocked_http.get(GET_URL, body=requests.ConnectionError("connection reset"))
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    with task_queue.capture(execute=True):
        queue_fetch(transcript.pk)
    task_queue.run_all()
    assert task_queue.outcomes == ["retrying", "completed"]
    transcript.refresh_from_db()
    assert transcript.status == "completed"


def test_transcript_submit_now_keeps_working_for_the_transcribe_command(mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    transcript = transcript_create(audio_url="https://x.example/a.wav")
    transcript_submit_now(transcript=transcript, webhook_url="https://djt.example.com/hook/")
    transcript.refresh_from_db()
    assert (transcript.job_id, transcript.status, transcript.attempts) == (JOB_ID, "queued", 1)
    body = submitted_bodies(mocked_http)[0]
    assert body["webhook_url"] == "https://djt.example.com/hook/"
    assert body["webhook_auth_header_name"] == "X-Webhook-Secret"


def test_the_whole_chain_from_a_signed_callback_to_a_completed_transcript(
    client, twilio_post, task_queue, mocked_http
):
    mock_media(mocked_http)
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.get(GET_URL, json=transcript_json("completed"))

    with task_queue.capture(execute=True):
        assert twilio_post("/twilio/recording-status/", recording_callback()).status_code == 204
    task_queue.run_all()  # media download → upload → create
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    assert (transcript.status, transcript.job_id) == ("queued", JOB_ID)

    response = deliver_webhook(
        client,
        task_queue,
        submitted_bodies(mocked_http)[0]["webhook_url"].removeprefix("https://djt.example.com"),
        {"transcript_id": JOB_ID, "status": "completed"},
    )
    assert response.status_code == 200
    task_queue.run_all()  # fetch

    transcript.refresh_from_db()
    assert (transcript.status, transcript.text) == ("completed", "Ahoy, this is a test call.")
    assert received == [AUDIO]
    assert [(c.request.method, c.request.url) for c in mocked_http.calls] == [
        ("GET", MEDIA_URL),
        ("GET", STORAGE_URL),
        ("POST", f"{AAI}/v2/upload"),
        ("POST", SUBMIT_URL),
        ("GET", GET_URL),
    ]


def test_the_upload_memory_does_not_grow_with_the_recording(task_queue, mocked_http, tmp_path):
    size = 64 * 1024 * 1024
    media = tmp_path / "big.wav"
    with media.open("wb") as f:
        f.truncate(size)  # sparse: 64 MB on paper, nothing on disk
    mocked_http.get(MEDIA_URL, body=media.open("rb"), content_type="audio/x-wav")
    seen = {"bytes": 0, "chunks": 0}

    def upload(request):
        for chunk in request.body:  # read as a server would, never holding the whole body
            seen["bytes"] += len(chunk)
            seen["chunks"] += 1
        return 200, {}, json.dumps({"upload_url": UPLOAD_URL})

    mocked_http.add_callback("POST", f"{AAI}/v2/upload", callback=upload)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    request_recording_transcript(task_queue)
    tracemalloc.start()
    try:
        task_queue.run_all()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen["bytes"] == size and seen["chunks"] >= 64
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB recording"


def test_key_terms_added_in_the_app_go_with_later_submissions_and_are_recorded(task_queue, mocked_http):
    from transcription.models import KeyTerm

    KeyTerm.objects.create(text="Postgres")
    mock_media(mocked_http)
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    with override_settings(TRANSCRIPTION_KEYTERMS=["Twilio"]):
        transcript = request_transcript(task_queue)
        task_queue.run_all()
    [body] = submitted_bodies(mocked_http)
    assert body["keyterms_prompt"] == ["Twilio", "Postgres"]
    transcript.refresh_from_db()
    assert transcript.keyterms == ["Twilio", "Postgres"]
