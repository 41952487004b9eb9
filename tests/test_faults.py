"""Faults at the vendors: AssemblyAI down for a while, Twilio refusing the media.

AssemblyAI refusing connections, timing out and answering 500/503/429 for several minutes
while five recordings wait: every transcript completes once it is back, each submitted once.
"""

import itertools
import json
import re
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.test import override_settings

from tests.fakes import (
    AAI,
    MEDIA_URL,
    deliver_webhook,
    mock_upload,
    request_recording_transcript,
    submitted_bodies,
    transcript_json,
)
from transcription.models import Transcript
from transcription.pipeline.create import transcript_request

pytestmark = pytest.mark.django_db

OUTAGE = timedelta(minutes=5)


def failure(kind):
    """One answer of AssemblyAI while it is down, as `responses` callbacks give them."""
    if kind == "refused":
        raise requests.ConnectionError("[Errno 111] Connection refused")
    if kind == "timeout":
        raise requests.ReadTimeout("read timed out")
    if kind == 429:
        return 429, {"Retry-After": "30"}, json.dumps({"error": "Too many requests"})
    return kind, {}, json.dumps({"error": "Service unavailable"})


class FlakyAssemblyAI:
    """AssemblyAI that fails every request (cycling through the kinds) until the outage ends."""

    def __init__(self, rsps, task_queue):
        self.clock = task_queue.now
        self.back_at = self.clock() + OUTAGE
        self.kinds = itertools.cycle(["refused", "timeout", 500, 503, 429])
        self.failed = Counter()  # kind -> times AssemblyAI answered with it
        self.accepted = Counter()  # audio_url -> jobs created
        self.attempts = Counter()  # audio_url -> POST /v2/transcript calls
        rsps.add_callback("POST", f"{AAI}/v2/transcript", callback=self.submit)
        rsps.add_callback("GET", _any_job(), callback=self.get)

    def down(self):
        return self.clock() < self.back_at

    def fail(self):
        kind = next(self.kinds)
        self.failed[kind] += 1
        return failure(kind)

    def submit(self, request):
        audio_url = json.loads(request.body)["audio_url"]
        self.attempts[audio_url] += 1
        if self.down():
            return self.fail()
        self.accepted[audio_url] += 1
        return 200, {}, json.dumps(transcript_json(job_id=job_for(audio_url), audio_url=audio_url))

    def get(self, request):
        if self.down():
            return self.fail()
        job_id = request.url.rsplit("/", 1)[-1]
        return 200, {}, json.dumps(transcript_json("completed", job_id=job_id, text=f"text of {job_id}"))


def _any_job():
    return re.compile(re.escape(f"{AAI}/v2/transcript/") + r"[\w-]+$")


def job_for(audio_url):
    return "job-" + audio_url.rsplit("/", 1)[-1].removesuffix(".wav")


@override_settings(
    TRANSCRIPTION_AUDIO_SOURCE="url", TRANSCRIPTION_RETRY_DELAY=10.0, TRANSCRIPTION_MAX_ATTEMPTS=8
)
def test_five_transcripts_survive_an_outage_and_each_is_submitted_once(client, task_queue, mocked_http):
    assemblyai = FlakyAssemblyAI(mocked_http, task_queue)
    urls = [f"https://media.example/rec{n}.wav" for n in range(5)]
    with task_queue.capture(execute=True):
        for n, url in enumerate(urls):
            transcript_request(audio_url=url, recording_sid=f"RE{n:032x}")
    task_queue.run_all(limit=200)
    assert set(assemblyai.failed) == {"refused", "timeout", 500, 503, 429}  # every fault was met
    assert assemblyai.accepted == Counter({url: 1 for url in urls})
    assert all(assemblyai.attempts[url] > 1 for url in urls)
    transcripts = list(Transcript.objects.order_by("pk"))
    assert [(t.status, t.job_id) for t in transcripts] == [("queued", job_for(u)) for u in urls]
    assert all(1 < t.attempts < 8 and t.last_error == "" for t in transcripts)

    # AssemblyAI's webhooks arrive (its GET is down again for a moment: the fetches retry).
    assemblyai.back_at = task_queue.now() + timedelta(seconds=30)
    for t in transcripts:
        response = deliver_webhook(client, task_queue, t, {"transcript_id": t.job_id, "status": "completed"})
        assert response.status_code == 200
    task_queue.run_all(limit=200)
    for t in transcripts:
        t.refresh_from_db()
        assert (t.status, t.text) == ("completed", f"text of {t.job_id}")
    assert assemblyai.accepted == Counter({url: 1 for url in urls})  # still one job each
    assert len(submitted_bodies(mocked_http)) == sum(assemblyai.attempts.values())


def test_media_refused_with_401_ends_in_error_saying_to_check_the_credentials(task_queue, mocked_http):
    mocked_http.get(MEDIA_URL, status=401, json={"code": 20003, "message": "Authenticate"})
    mock_upload(mocked_http, received := [])
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    assert task_queue.outcomes == ["error"]  # not retried: the credentials will not fix themselves
    transcript.refresh_from_db()
    assert transcript.status == "error"
    assert "401" in transcript.error
    assert "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in transcript.error
    assert "HTTP auth" in transcript.error
    assert "test-twilio-auth-token" not in transcript.error
    assert received == [] and submitted_bodies(mocked_http) == []


def test_media_gone_from_twilios_storage_ends_in_error_saying_it_was_deleted(task_queue, mocked_http):
    storage = "https://media.twiliocdn.example.net/recordings/gone.wav"
    mocked_http.get(MEDIA_URL, status=302, headers={"Location": storage})
    mocked_http.get(storage, status=404)
    mock_upload(mocked_http, received := [])
    transcript = request_recording_transcript(task_queue)
    task_queue.run_all()
    transcript.refresh_from_db()
    assert transcript.status == "error"
    assert "404" in transcript.error and "recording was deleted or never existed" in transcript.error
    assert received == [] and submitted_bodies(mocked_http) == []
