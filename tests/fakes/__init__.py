"""Fakes of what the app talks to (Twilio, AssemblyAI, the task worker): tests never touch the network.

HTTP fakes are `responses` registrations on the strict `mocked_http` mock; import from here.
"""

from tests.fakes.assemblyai import (
    AAI,
    JOB_ID,
    SUBMIT_URL,
    UPLOAD_URL,
    mock_upload,
    submitted_bodies,
    transcript_json,
    url_for,
    webhook_headers,
)
from tests.fakes.tasks import (
    TaskQueue,
    WorkerKilled,
    request_recording_transcript,
    request_transcript,
    task_queue,
)
from tests.fakes.twilio import (
    ACCOUNT,
    AUDIO,
    CALL_SID,
    CALLS_URL,
    MEDIA_URL,
    RECORDING_SID,
    RECORDINGS_URL,
    STORAGE_URL,
    mock_media,
    range_server,
    recording_callback,
    tone_wav,
    twilio_recordings,
    twilio_signature,
)

__all__ = [
    "AAI",
    "ACCOUNT",
    "AUDIO",
    "CALLS_URL",
    "CALL_SID",
    "JOB_ID",
    "MEDIA_URL",
    "RECORDINGS_URL",
    "RECORDING_SID",
    "STORAGE_URL",
    "SUBMIT_URL",
    "TaskQueue",
    "UPLOAD_URL",
    "WorkerKilled",
    "mock_media",
    "mock_upload",
    "range_server",
    "recording_callback",
    "request_recording_transcript",
    "request_transcript",
    "submitted_bodies",
    "task_queue",
    "tone_wav",
    "transcript_json",
    "twilio_recordings",
    "twilio_signature",
    "url_for",
    "webhook_headers",
]
