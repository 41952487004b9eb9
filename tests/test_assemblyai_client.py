"""The AssemblyAI client: what it sends, and how it reads AssemblyAI's errors."""

import io
import json
from collections.abc import Iterator

import pytest
import requests
import responses

from tests.fakes import AAI
from transcription.assemblyai_client import UPLOAD_CHUNK_SIZE, AssemblyAIClient, AssemblyAIError

KEY = "test-assemblyai-key-0123456789"
JOB = "5551722-f677-48a2-b3ae-a6a4b2b5b6c1"


def queued(**extra):
    return {"id": JOB, "status": "queued", "audio_url": "https://example.com/a.mp3", **extra}


def sent_json(mocked_http, index=0):
    return json.loads(mocked_http.calls[index].request.body)


def test_it_sends_the_raw_key_as_authorization(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=queued())
    AssemblyAIClient().submit("https://example.com/a.mp3")
    assert mocked_http.calls[0].request.headers["Authorization"] == KEY


def test_submit_always_sends_speech_models_from_settings(mocked_http, settings):
    settings.TRANSCRIPTION_SPEECH_MODELS = ["universal-3-pro", "universal-2"]
    mocked_http.post(f"{AAI}/v2/transcript", json=queued())
    data = AssemblyAIClient().submit("https://example.com/a.mp3")
    assert data["id"] == JOB
    assert sent_json(mocked_http) == {
        "audio_url": "https://example.com/a.mp3",
        "speech_models": ["universal-3-pro", "universal-2"],
    }


def test_submit_sends_the_speech_models_it_is_given(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=queued())
    AssemblyAIClient().submit("https://example.com/a.mp3", speech_models=["universal-2"])
    assert sent_json(mocked_http)["speech_models"] == ["universal-2"]


def test_submit_sends_keyterms_as_keyterms_prompt(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=queued())
    AssemblyAIClient().submit("https://example.com/a.mp3", keyterms=["Django", "PostgreSQL"])
    body = sent_json(mocked_http)
    assert body["keyterms_prompt"] == ["Django", "PostgreSQL"]
    assert "word_boost" not in body


def test_submit_sends_the_webhook_url_and_its_auth_header(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=queued())
    AssemblyAIClient().submit(
        "https://example.com/a.mp3",
        webhook_url="https://djt.example.com/transcription/webhook/?t=abc",
        webhook_auth_header_name="X-Webhook-Secret",
        webhook_auth_header_value="s3cret",
    )
    body = sent_json(mocked_http)
    assert body["webhook_url"] == "https://djt.example.com/transcription/webhook/?t=abc"
    assert body["webhook_auth_header_name"] == "X-Webhook-Secret"
    assert body["webhook_auth_header_value"] == "s3cret"


def test_submit_sends_no_webhook_fields_without_a_webhook_url(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=queued())
    AssemblyAIClient().submit(
        "https://example.com/a.mp3",
        webhook_auth_header_name="X-Webhook-Secret",
        webhook_auth_header_value="s",
    )
    assert not any(key.startswith("webhook") for key in sent_json(mocked_http))


def test_it_uses_the_base_url_from_settings(mocked_http, settings):
    settings.ASSEMBLYAI_BASE_URL = "https://api.eu.assemblyai.com"
    mocked_http.get(f"https://api.eu.assemblyai.com/v2/transcript/{JOB}", json=queued())
    assert AssemblyAIClient().get(JOB)["id"] == JOB


def test_it_sets_a_connect_and_read_timeout_on_every_request(mocked_http, settings):
    settings.ASSEMBLYAI_TIMEOUT = 42.0
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json=queued())
    AssemblyAIClient().get(JOB)
    assert mocked_http.calls[0].request.req_kwargs["timeout"] == (10.0, 42.0)


def test_it_refuses_to_start_without_a_key(settings):
    settings.ASSEMBLYAI_KEY = ""
    with pytest.raises(AssemblyAIError, match="ASSEMBLYAI_KEY is not set"):
        AssemblyAIClient()


def test_its_repr_does_not_show_the_key():
    assert KEY not in repr(AssemblyAIClient())


def test_it_parses_the_error_message_of_a_400(mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/nope", json={"error": "Transcript lookup error"}, status=400)
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().get("nope")
    assert caught.value.status == 400
    assert caught.value.retryable is False
    assert "Transcript lookup error" in str(caught.value)


def test_a_401_is_not_retryable_says_to_check_the_key_and_does_not_show_it(mocked_http):
    mocked_http.post(
        f"{AAI}/v2/transcript", json={"error": "Authentication error, API token missing/invalid"}, status=401
    )
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().submit("https://example.com/a.mp3")
    assert (caught.value.status, caught.value.retryable) == (401, False)
    assert "Check ASSEMBLYAI_KEY" in str(caught.value)
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_rate_limits_and_server_errors_are_retryable(mocked_http, status):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", json={"error": "busy"}, status=status)
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().get(JOB)
    assert (caught.value.status, caught.value.retryable) == (status, True)


def test_a_429_carries_retry_after(mocked_http):
    mocked_http.get(
        f"{AAI}/v2/transcript/{JOB}",
        json={"error": "Too many requests"},
        status=429,
        headers={"Retry-After": "7"},
    )
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().get(JOB)
    assert caught.value.retry_after == 7.0


def test_an_error_without_json_still_says_what_happened(mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", body="<html>Bad Gateway</html>", status=502)
    with pytest.raises(AssemblyAIError, match="AssemblyAI answered 502 to GET"):
        AssemblyAIClient().get(JOB)


def test_a_timeout_is_retryable(mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", body=requests.ReadTimeout("slow"))
    with pytest.raises(AssemblyAIError, match="did not answer") as caught:
        AssemblyAIClient().get(JOB)
    assert caught.value.retryable is True
    assert caught.value.status is None


def test_a_connection_error_is_retryable(mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", body=requests.ConnectionError("refused"))
    with pytest.raises(AssemblyAIError, match="Could not connect") as caught:
        AssemblyAIClient().get(JOB)
    assert caught.value.retryable is True


def test_a_success_that_is_not_json_is_a_retryable_error(mocked_http):
    mocked_http.get(f"{AAI}/v2/transcript/{JOB}", body="oops", status=200)
    with pytest.raises(AssemblyAIError, match="not JSON") as caught:
        AssemblyAIClient().get(JOB)
    assert caught.value.retryable is True


def record_upload(mocked_http, seen):
    """Mock /v2/upload, keeping what the request body was and the bytes it carried."""

    def callback(request):
        seen["body"] = request.body
        seen["bytes"] = b"".join(request.body)
        seen["content_type"] = request.headers["Content-Type"]
        return 200, {}, json.dumps({"upload_url": "https://cdn.assemblyai.com/upload/u1"})

    mocked_http.add_callback(responses.POST, f"{AAI}/v2/upload", callback=callback)


def test_upload_streams_a_file_as_chunks_and_every_byte_arrives(mocked_http):
    audio = bytes(range(256)) * (UPLOAD_CHUNK_SIZE // 256 * 2 + 3)  # over two chunks
    seen = {}
    record_upload(mocked_http, seen)
    upload_url = AssemblyAIClient().upload(io.BytesIO(audio))
    assert upload_url == "https://cdn.assemblyai.com/upload/u1"
    assert isinstance(seen["body"], Iterator)
    assert seen["bytes"] == audio
    assert seen["content_type"] == "application/octet-stream"


def test_upload_streams_an_iterator_of_chunks_and_skips_empty_ones(mocked_http):
    seen = {}
    record_upload(mocked_http, seen)
    AssemblyAIClient().upload(iter([b"RIFF", b"", b"....WAVE"]))
    assert isinstance(seen["body"], Iterator)
    assert seen["bytes"] == b"RIFF....WAVE"


def test_upload_without_an_upload_url_in_the_answer_is_an_error(mocked_http):
    mocked_http.post(f"{AAI}/v2/upload", json={})
    with pytest.raises(AssemblyAIError, match="no upload_url"):
        AssemblyAIClient().upload(iter([b"x"]))


def test_an_error_answered_as_a_json_list_is_still_an_assemblyai_error(mocked_http):
    mocked_http.post(f"{AAI}/v2/transcript", json=["upstream", "gone"], status=502)
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().submit("https://example.com/a.mp3")
    assert caught.value.status == 502
    assert caught.value.retryable
    assert "AssemblyAI answered 502 to POST /v2/transcript" in str(caught.value)
