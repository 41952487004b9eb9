"""The media proxy: a recording streamed from Twilio to the browser, seekable, credentials kept back."""

import pytest
import requests

from tests.factories import make_recording, make_transcript
from tests.fakes import MEDIA_URL, RECORDING_SID, mock_media, tone_wav

pytestmark = pytest.mark.django_db

PROXY = f"/recordings/{RECORDING_SID}/media/"
AUDIO = tone_wav(1.0)


@pytest.fixture
def recording():
    return make_recording(sid=RECORDING_SID, call_sid="CA" + "1" * 32)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_streams_the_recording_with_basic_auth_at_twilio(staff_client, mocked_http, recording):
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY)
    assert response.status_code == 200
    assert response.streaming
    assert body_of(response) == AUDIO
    assert response["Content-Type"] == "audio/x-wav"
    assert response["Content-Length"] == str(len(AUDIO))
    assert response["Accept-Ranges"] == "bytes"
    assert mocked_http.calls[0].request.headers["Authorization"].startswith("Basic ")


def test_it_passes_a_range_through_and_answers_206(staff_client, mocked_http, recording):
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert body_of(response) == AUDIO[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(AUDIO)}"
    assert response["Content-Length"] == "100"
    assert mocked_http.calls[0].request.headers["Range"] == "bytes=100-199"


def test_it_passes_back_416_for_a_range_past_the_end(staff_client, mocked_http, recording):
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY, HTTP_RANGE=f"bytes={len(AUDIO) + 10}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(AUDIO)}"


def test_it_drops_a_malformed_range_instead_of_forwarding_it(staff_client, mocked_http, recording):
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY, HTTP_RANGE="lines=1-2\r\nX-Evil: 1")
    assert response.status_code == 200
    assert "Range" not in mocked_http.calls[0].request.headers


def test_it_follows_twilios_redirect_without_sending_credentials_to_storage(
    staff_client, mocked_http, recording
):
    storage = "https://media.twiliocdn.example/rec.wav"
    mocked_http.get(MEDIA_URL, status=302, headers={"Location": storage})
    mock_media(mocked_http, AUDIO, url=storage, redirect_to=None)
    response = staff_client.get(PROXY, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert body_of(response) == AUDIO[:10]
    assert "Authorization" not in mocked_http.calls[1].request.headers
    assert mocked_http.calls[1].request.headers["Range"] == "bytes=0-9"


def test_it_never_shows_the_media_url_or_credentials_to_the_browser(staff_client, mocked_http, recording):
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY)
    headers = str(response.headers)
    assert "api.twilio.com" not in headers
    assert "Authorization" not in headers
    assert "test-twilio-auth-token" not in headers


def test_it_requires_login(client, mocked_http, recording):
    response = client.get(PROXY)
    assert response.status_code == 302
    assert len(mocked_http.calls) == 0


def test_it_refuses_a_malformed_sid_without_asking_twilio(staff_client, mocked_http):
    response = staff_client.get("/recordings/RE123/media/")
    assert response.status_code == 404
    assert b"not a recording SID" in response.content
    assert len(mocked_http.calls) == 0


def test_it_refuses_a_recording_this_app_does_not_know(staff_client, mocked_http):
    response = staff_client.get(PROXY)
    assert response.status_code == 404
    assert b"No recording" in response.content
    assert len(mocked_http.calls) == 0


def test_it_plays_a_recording_named_only_by_a_transcript(staff_client, mocked_http):
    make_transcript(recording_sid=RECORDING_SID)
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY)
    assert response.status_code == 200
    assert mocked_http.calls[0].request.url == MEDIA_URL


def test_it_answers_404_with_twilios_reason_when_the_recording_is_gone(staff_client, mocked_http, recording):
    mocked_http.get(MEDIA_URL, status=404)
    response = staff_client.get(PROXY)
    assert response.status_code == 404
    assert b"deleted or never existed" in response.content


def test_it_answers_502_when_twilio_fails(staff_client, mocked_http, recording):
    mocked_http.get(MEDIA_URL, status=500)
    response = staff_client.get(PROXY)
    assert response.status_code == 502
    assert b"Twilio answered 500" in response.content


def test_it_names_missing_credentials_with_503(staff_client, mocked_http, recording, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    response = staff_client.get(PROXY)
    assert response.status_code == 503
    assert b"TWILIO_AUTH_TOKEN" in response.content


def test_it_closes_the_twilio_response_when_the_download_ends(
    staff_client, mocked_http, recording, monkeypatch
):
    closed = []
    real_close = requests.Response.close
    monkeypatch.setattr(requests.Response, "close", lambda self: closed.append(self.url) or real_close(self))
    mock_media(mocked_http, AUDIO, redirect_to=None)
    response = staff_client.get(PROXY)
    body_of(response)
    response.close()
    assert closed == [MEDIA_URL]
