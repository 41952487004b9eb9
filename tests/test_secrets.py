"""Secrets (auth token, API key, webhook secret) never reach pages, logs or exception messages."""

import base64
import io
import logging
import os

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib import admin

from caller import services, twilio_client
from caller.audio import recording_archive
from caller.models import Recording
from caller.twilio_client import TwilioError
from djtranscribe.lib.redaction import RedactSecrets
from tests.factories import make_call, make_delivery, make_recording, make_transcript
from tests.fakes import AAI, ACCOUNT, CALLS_URL
from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError

pytestmark = pytest.mark.django_db

MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}"
CALL_SID = "CA" + "1" * 32


def secrets() -> list[str]:
    """The fixed fake credentials of tests/settings.py (a test may blank the live settings)."""
    token = os.environ["TWILIO_AUTH_TOKEN"]
    return [
        token,
        base64.b64encode(f"{ACCOUNT}:{token}".encode()).decode(),
        os.environ["ASSEMBLYAI_KEY"],
        os.environ["ASSEMBLYAI_WEBHOOK_SECRET"],
    ]


def assert_no_secret(*texts):
    for text in texts:
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        for secret in secrets():
            assert secret not in text


@pytest.fixture
def all_logs(caplog):
    """Capture every logger at DEBUG, including ones that do not propagate to the root."""
    names = ["", "django", "django.request", "twilio", "twilio.http_client", "urllib3", "requests"]
    previous = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    yield caplog
    django_logger.removeHandler(caplog.handler)
    for name, level in previous.items():
        logging.getLogger(name).setLevel(level)


def logged(caplog) -> str:
    return "\n".join(caplog.handler.format(record) for record in caplog.records)


def test_the_secrets_under_test_are_the_configured_ones():
    assert all(len(secret) > 10 for secret in secrets())


def test_a_twilio_401_when_dialing_shows_no_token(staff_client, all_logs, mocked_http):
    mocked_http.post(
        CALLS_URL,
        json={"code": 20003, "message": "Authenticate", "status": 401, "more_info": "x"},
        status=401,
    )
    response = staff_client.post("/dial/14155551234/")
    assert response.status_code == 400
    assert b"TWILIO_AUTH_TOKEN" in response.content  # names the setting, not its value
    assert "Authenticate" in logged(all_logs)
    assert_no_secret(response.content, logged(all_logs))


def test_a_twilio_error_that_echoes_the_token_is_redacted(all_logs, mocked_http):
    token = django_settings.TWILIO_AUTH_TOKEN
    mocked_http.post(
        CALLS_URL, json={"code": 20003, "message": f"Bad password {token}", "status": 401}, status=401
    )
    with pytest.raises(TwilioError) as caught:
        services.call_place(number="+14155551234")
    assert "Bad password [redacted]" in str(caught.value)
    assert_no_secret(str(caught.value), repr(caught.value), logged(all_logs))


def test_twilio_connection_failures_show_no_token(staff_client, all_logs, mocked_http):
    mocked_http.post(CALLS_URL, body=requests.ConnectionError("connection refused"))
    response = staff_client.post("/dial/14155551234/")
    assert response.status_code == 502
    assert_no_secret(response.content, logged(all_logs))


def test_a_twilio_error_listing_recordings_shows_no_token(staff_client, all_logs, mocked_http):
    mocked_http.get(
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings.json",
        json={"code": 20003, "message": "Authenticate", "status": 401},
        status=401,
    )
    response = staff_client.get(f"/get-recording-url/{CALL_SID}/")
    # twilio-python reports a failed page as 'Unable to fetch page' without the status.
    assert response.status_code in (404, 502)
    assert_no_secret(response.content, logged(all_logs))


@pytest.mark.parametrize("status, words", [(401, "TWILIO_AUTH_TOKEN"), (404, "deleted"), (500, "500")])
def test_media_download_errors_show_no_token(all_logs, mocked_http, status, words):
    mocked_http.get(MEDIA_URL, status=status)
    recording = Recording.objects.create(sid="RE" + "1" * 32, call_sid=CALL_SID, account_sid=ACCOUNT)
    with pytest.raises(TwilioError) as caught:
        recording_archive(recording)
    assert words in str(caught.value)
    assert_no_secret(str(caught.value), repr(caught.value), logged(all_logs))


def test_media_credentials_are_not_sent_where_twilio_redirects(mocked_http):
    storage = "https://storage.example.net/recording.wav"
    mocked_http.get(MEDIA_URL, status=302, headers={"Location": storage})
    mocked_http.get(storage, body=b"RIFF")
    assert b"".join(twilio_client.iter_media(MEDIA_URL)) == b"RIFF"
    assert "Authorization" in mocked_http.calls[0].request.headers
    assert "Authorization" not in mocked_http.calls[1].request.headers


@pytest.mark.parametrize("status", [401, 403, 500, 503])
def test_assemblyai_errors_show_no_key(all_logs, mocked_http, status):
    mocked_http.get(f"{AAI}/v2/transcript/abc", json={"error": "Authentication error"}, status=status)
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().get("abc")
    assert str(status) in str(caught.value)
    assert_no_secret(str(caught.value), repr(caught.value), logged(all_logs))


def test_an_assemblyai_error_that_echoes_the_key_or_webhook_secret_is_redacted(mocked_http):
    key, secret = django_settings.ASSEMBLYAI_KEY, django_settings.ASSEMBLYAI_WEBHOOK_SECRET
    mocked_http.post(f"{AAI}/v2/transcript", json={"error": f"bad key {key} / header {secret}"}, status=400)
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().submit("https://example.com/a.wav")
    assert "bad key [redacted] / header [redacted]" in str(caught.value)
    assert_no_secret(str(caught.value))


@pytest.mark.parametrize("failure", [requests.ConnectionError("refused"), requests.Timeout("slow")])
def test_assemblyai_network_failures_show_no_key(all_logs, mocked_http, failure):
    mocked_http.get(f"{AAI}/v2/transcript/abc", body=failure)
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient().get("abc")
    assert_no_secret(str(caught.value), repr(caught.value), logged(all_logs))


def test_a_rejected_twilio_signature_shows_and_logs_no_token(client, all_logs):
    response = client.post("/twilio/call-status/", {"CallSid": CALL_SID}, HTTP_X_TWILIO_SIGNATURE="forged")
    assert response.status_code == 403
    assert "X-Twilio-Signature" in logged(all_logs)
    assert_no_secret(response.content, logged(all_logs))


def test_missing_settings_pages_name_settings_but_show_no_values(staff_client, settings, mocked_http):
    settings.TWILIO_PHONE_NUMBER = ""
    settings.ASSEMBLYAI_KEY = ""
    dial = staff_client.post("/dial/14155551234/")
    home = staff_client.get("/")
    assert dial.status_code == 503
    assert b"TWILIO_PHONE_NUMBER" in dial.content
    assert_no_secret(dial.content, home.content)


def test_client_reprs_show_no_secrets():
    auth = twilio_client._TwilioOnlyAuth(ACCOUNT, django_settings.TWILIO_AUTH_TOKEN)
    assert_no_secret(repr(twilio_client.get_client()), repr(AssemblyAIClient()), repr(auth))


def test_the_debug_off_500_page_and_its_log_show_no_secret(staff_client, monkeypatch, mocked_http):
    token = django_settings.TWILIO_AUTH_TOKEN

    def explode(**kwargs):
        raise RuntimeError(f"a library put the token in its message: {token}")

    monkeypatch.setattr(twilio_client, "place_call", explode)
    console = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = console.setStream(stream)
    staff_client.raise_request_exception = False
    try:
        response = staff_client.post("/dial/14155551234/")
    finally:
        console.setStream(previous)
    assert response.status_code == 500
    log = stream.getvalue()
    assert "Internal Server Error: /dial/14155551234/" in log
    assert "a library put the token in its message: [redacted]" in log
    assert_no_secret(response.content, log)


def test_the_redaction_filter_blanks_secrets_in_messages_and_tracebacks():
    token = django_settings.TWILIO_AUTH_TOKEN
    try:
        raise ValueError(f"token={token}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "sent %s", (token,), exc_info=True)
        import sys

        record.exc_info = sys.exc_info()
    RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert "sent [redacted]" in text
    assert "token=[redacted]" in text
    assert_no_secret(text)


def test_admin_pages_show_no_secrets(admin_client_logged):

    call = make_call(sid=CALL_SID)
    make_recording(call, sid="RE" + "2" * 32)
    transcript = make_transcript(job_id="job-1", status="error", last_error="AssemblyAI answered 401")
    make_delivery(transcript=transcript, job_id="job-1", body={"status": "error"})
    pages = ["/admin/"]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages += [base, f"{base}add/"]
        first = model._default_manager.first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
    assert len(pages) > 3
    for page in pages:
        response = admin_client_logged.get(page)
        assert response.status_code in (200, 403), page
        assert_no_secret(response.content)
