"""A fake AssemblyAI: its ids, its transcript JSON, its upload endpoint, its webhook's headers."""

import json

from django.conf import settings

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
