"""Helpers for the pipeline tests: real-shaped vendor payloads, HTTP mocks and a task runner."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks import task_backends

_real_now = timezone.now

ACCOUNT = "AC" + "a" * 32
CALL_SID = "CA" + "2" * 32
RECORDING_SID = "RE" + "3" * 32
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}"
STORAGE_URL = "https://media.twiliocdn.example.net/recordings/abc.wav"
RECORDINGS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings.json"
AAI = "https://api.assemblyai.com"
UPLOAD_URL = "https://cdn.assemblyai.com/upload/0f5c-test"
JOB_ID = "5551722-f677-48a7-9a2c-test"
AUDIO = b"RIFF" + bytes(range(256)) * 40  # a little fake WAV


def recording_callback(*, status="completed", sid=RECORDING_SID, error_code="0", call_sid=CALL_SID):
    """The form Twilio posts to recordingStatusCallback (a real capture's fields, all strings)."""
    return {
        "AccountSid": ACCOUNT,
        "CallSid": call_sid,
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}",
        "RecordingStatus": status,
        "RecordingDuration": "7" if status == "completed" else "0",
        "RecordingChannels": "1",
        "RecordingStartTime": "Tue, 24 Nov 2026 03:00:00 +0000",
        "RecordingSource": "RecordVerb",
        "ErrorCode": error_code,
    }


def transcript_json(status="queued", job_id=JOB_ID, **extra):
    data = {
        "id": job_id,
        "status": status,
        "audio_url": UPLOAD_URL,
        "speech_models": ["universal-3-pro", "universal-2"],
        "webhook_status_code": None,
        "language_code": "en_us",
    }
    if status == "completed":
        data.update(
            text="Ahoy, this is a test call.",
            words=[
                {"text": "Ahoy,", "start": 120, "end": 480, "confidence": 0.98, "speaker": None},
                {"text": "this", "start": 500, "end": 640, "confidence": 0.91, "speaker": None},
            ],
            confidence=0.95,
            audio_duration=7.0,
            speech_model_used="universal-3-pro",
        )
    data.update(extra)
    return data


def mock_media(rsps, *, body=AUDIO, status=200):
    """Twilio answers a media GET with a redirect to its storage, which serves the file."""
    rsps.get(MEDIA_URL, status=302, headers={"Location": STORAGE_URL})
    rsps.get(STORAGE_URL, body=body, status=status, content_type="audio/x-wav")


def mock_upload(rsps, received: list, *, status=200, upload_url=UPLOAD_URL):
    """POST /v2/upload that reads the streamed body chunk by chunk, as a server would."""

    def callback(request):
        body = request.body
        chunks = [body] if isinstance(body, bytes | str) else list(body)
        received.append(b"".join(c.encode() if isinstance(c, str) else c for c in chunks))
        if status != 200:
            return status, {}, json.dumps({"error": "upload refused"})
        return 200, {}, json.dumps({"upload_url": upload_url})

    rsps.add_callback("POST", f"{AAI}/v2/upload", callback=callback)


def submitted_bodies(rsps):
    return [json.loads(c.request.body) for c in rsps.calls if c.request.url == f"{AAI}/v2/transcript"]


def webhook_headers():
    return {"HTTP_X_WEBHOOK_SECRET": settings.ASSEMBLYAI_WEBHOOK_SECRET}


@dataclass
class Ran:
    name: str
    args: list
    kwargs: dict
    run_after: datetime | None
    ran_at: datetime
    outcome: str


class TaskQueue:
    """Runs what the DummyBackend collected, in order, with on-commit callbacks executed.

    A task queued with run_after runs when the clock says so: the clock (django.utils.timezone.now)
    jumps forward to it, as if the worker had waited.
    """

    def __init__(self, backend, capture):
        self.backend = backend
        self.capture = capture
        self.ran: list[Ran] = []
        self.offset = timedelta(0)

    @property
    def pending(self):
        return self.backend.results[len(self.ran) :]

    @property
    def outcomes(self):
        return [r.outcome for r in self.ran]

    def now(self):
        return _real_now() + self.offset

    def run_all(self, limit=50):
        """Run queued tasks until none is left; answers what ran."""
        with mock.patch.object(timezone, "now", self.now):
            for _ in range(limit):
                if not self.pending:
                    return self.ran
                result = self.pending[0]
                run_after = result.task.run_after
                if run_after is not None and run_after > self.now():
                    self.offset += run_after - self.now()
                ran_at = self.now()
                with self.capture(execute=True):
                    outcome = result.task.call(*result.args, **result.kwargs)
                self.ran.append(Ran(result.task.name, result.args, result.kwargs, run_after, ran_at, outcome))
        raise AssertionError(f"still tasks queued after {limit}: a task re-queues itself forever")

    def delays(self):
        """Seconds between each task's run and the run_after of the task it queued next."""
        return [
            round((later.run_after - earlier.ran_at).total_seconds())
            for earlier, later in zip(self.ran, self.ran[1:], strict=False)
            if later.run_after is not None
        ]


def twilio_recordings(status="completed"):
    """Twilio's answer to listing the recordings of CALL_SID: one recording."""
    return {
        "recordings": [
            {
                "sid": RECORDING_SID,
                "call_sid": CALL_SID,
                "account_sid": ACCOUNT,
                "status": status,
                "duration": "7",
                "channels": 1,
                "source": "RecordVerb",
                "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}.json",
            }
        ],
        "next_page_uri": None,
        "page": 0,
        "page_size": 50,
    }


def url_for(transcript) -> str:
    """The AssemblyAI webhook URL path of one transcript."""
    return f"/transcription/webhook/{transcript.webhook_token}/"


@pytest.fixture
def submitted(db):
    """A transcript AssemblyAI has accepted (queued), waiting for its webhook."""
    from transcription.models import Transcript, TranscriptStatus

    return Transcript.objects.create(
        job_id=JOB_ID,
        status=TranscriptStatus.QUEUED,
        audio_url="https://x.example/a.wav",
        submitted_at=timezone.now(),
    )


@pytest.fixture
def task_queue(django_capture_on_commit_callbacks):
    backend = task_backends["default"]
    backend.clear()
    yield TaskQueue(backend, django_capture_on_commit_callbacks)
    backend.clear()
