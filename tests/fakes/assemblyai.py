"""A fake AssemblyAI: its ids, its transcript JSON, its upload endpoint, its webhook's headers."""

import json

from django.conf import settings

from tests.fakes.tasks import run_inbox

AAI = "https://api.assemblyai.com"
SUBMIT_URL = f"{AAI}/v2/transcript"
UPLOAD_URL = "https://cdn.assemblyai.com/upload/0f5c-test"
JOB_ID = "5551722-f677-48a7-9a2c-test"


def transcript_json(status="queued", job_id=JOB_ID, **extra):
    """AssemblyAI's answer about one job in `status` (a completed one carries text and words)."""
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
    """The JSON bodies POSTed to /v2/transcript, in order."""
    return [json.loads(c.request.body) for c in rsps.calls if c.request.url == SUBMIT_URL]


def webhook_headers():
    return {"HTTP_X_WEBHOOK_SECRET": settings.ASSEMBLYAI_WEBHOOK_SECRET}


def url_for(transcript) -> str:
    """The AssemblyAI webhook URL path of one transcript."""
    return f"/transcription/webhook/{transcript.webhook_token}/"


def deliver_webhook(client, task_queue, path, body, *, content_type="application/json", **headers):
    """POST one AssemblyAI webhook, then store it as the worker would first: its inbox task runs
    (tests.fakes.tasks.run_inbox), the tasks it queues on commit join `task_queue` and wait there.

    `path` is a URL path or a transcript; `body` bytes or text as sent, or a JSON value. The right
    secret header unless `headers` say otherwise. Answers the view's response.
    """
    if not isinstance(path, str):
        path = url_for(path)
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    response = client.generic(
        "POST", path, data=data, content_type=content_type, **(headers or webhook_headers())
    )
    with task_queue.capture(execute=True):
        run_inbox()
    return response


# PII redaction: AssemblyAI's redacted text, and its beeped copy of the audio behind a pre-signed URL.
REDACTED_TEXT = "Hello, my name is [PERSON_NAME] and my card is [CREDIT_CARD_NUMBER]."
REDACTED_WORDS = [
    {"text": "Hello,", "start": 100, "end": 400, "confidence": 0.97, "speaker": None},
    {"text": "my", "start": 420, "end": 500, "confidence": 0.95, "speaker": None},
    {"text": "name", "start": 520, "end": 700, "confidence": 0.96, "speaker": None},
    {"text": "is", "start": 720, "end": 800, "confidence": 0.99, "speaker": None},
    {"text": "[PERSON_NAME]", "start": 820, "end": 1300, "confidence": 0.9, "speaker": None},
    {"text": "and", "start": 1320, "end": 1400, "confidence": 0.98, "speaker": None},
    {"text": "my", "start": 1420, "end": 1500, "confidence": 0.97, "speaker": None},
    {"text": "card", "start": 1520, "end": 1700, "confidence": 0.96, "speaker": None},
    {"text": "is", "start": 1720, "end": 1800, "confidence": 0.99, "speaker": None},
    {"text": "[CREDIT_CARD_NUMBER].", "start": 1820, "end": 3000, "confidence": 0.9, "speaker": None},
]
REDACTED_AUDIO = b"ID3-redacted-beeped-audio" * 400
REDACTED_AUDIO_URL = "https://aai-redacted.s3.amazonaws.com/redacted/5551722.mp3?X-Amz-Signature=abc123"
REDACTED_AUDIO_API = f"{AAI}/v2/transcript/{JOB_ID}/redacted-audio"


def redacted_transcript_json(status="completed", job_id=JOB_ID):
    """A completed job that was asked for redact_pii: only redacted words in its text fields."""
    return transcript_json(status, job_id, text=REDACTED_TEXT, words=REDACTED_WORDS)


def mock_redacted_audio(rsps, *, ready=True, body=REDACTED_AUDIO, download_status=200):
    """GET /v2/transcript/{id}/redacted-audio, and (when ready) the pre-signed download it points to."""
    if not ready:
        rsps.get(REDACTED_AUDIO_API, status=400, json={"error": "Redacted audio is not ready yet."})
        return
    rsps.get(
        REDACTED_AUDIO_API, json={"status": "redacted_audio_ready", "redacted_audio_url": REDACTED_AUDIO_URL}
    )
    rsps.get(REDACTED_AUDIO_URL, body=body, status=download_status, content_type="audio/mpeg")
