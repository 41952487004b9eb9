"""'Transcribe a file or a link': an upload or an https link, handed to AssemblyAI (mocked strictly)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import samples
from audio.models import AudioAsset, OriginKind
from tests.factories import make_user
from tests.fakes.assemblyai import SUBMIT_URL, UPLOAD_URL, mock_upload, transcript_json
from transcription.models import AudioSource, Transcript
from transcription.uploads import Refused, link_check, sniff

pytestmark = pytest.mark.django_db

PAGE = "/transcription/new/"
MP3 = samples.TUTORIAL.audio.read_bytes()


@pytest.fixture
def alice(client):
    user = make_user("alice", password="pw-alice-123")
    client.force_login(user)
    return user


def mp3(name="talk.mp3", data=MP3):
    return SimpleUploadedFile(name, data, content_type="audio/mpeg")


def test_the_page_offers_a_file_and_a_link(client, alice):
    html = client.get(PAGE).content.decode()
    assert 'type="file" name="file"' in html and 'name="url"' in html
    assert 'enctype="multipart/form-data"' in html


def test_an_upload_is_archived_streamed_to_assemblyai_and_opens_its_transcript(client, alice, mocked_http):
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    response = client.post(PAGE, {"file": mp3()})
    transcript = Transcript.objects.get()
    assert response.status_code == 302 and response["Location"] == transcript.get_absolute_url()
    assert received == [MP3]
    assert json.loads(mocked_http.calls[-1].request.body)["audio_url"] == UPLOAD_URL
    assert transcript.owner == alice and transcript.audio_source == AudioSource.UPLOAD
    asset = transcript.audio
    assert asset.origin_kind == OriginKind.UPLOAD and asset.is_archived and asset.label == "talk.mp3"


def test_the_uploaded_audio_plays_beside_its_transcript(client, alice, mocked_http):
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    client.post(PAGE, {"file": mp3()})
    transcript = Transcript.objects.get()
    response = client.get(f"/transcription/{transcript.pk}/audio/")
    assert b"".join(response.streaming_content) == MP3


def test_a_link_is_handed_to_assemblyai(client, alice, mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    response = client.post(PAGE, {"url": " https://media.example.org/talk.mp3 "})
    transcript = Transcript.objects.get()
    assert response.status_code == 302
    assert json.loads(mocked_http.calls[0].request.body)["audio_url"] == "https://media.example.org/talk.mp3"
    assert transcript.owner == alice and transcript.audio_url == "https://media.example.org/talk.mp3"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://media.example.org/a.mp3", "starts with https://"),
        ("https://127.0.0.1/a.mp3", "loopback"),
        ("https://10.0.0.7/a.mp3", "private"),
        ("https://localhost/a.mp3", "this computer"),
        ("https://intranet/a.mp3", "not a public host name"),
        ("https://u:p@media.example.org/a.mp3", "without a user name"),
        ("ftp://media.example.org/a.mp3", "starts with https://"),
    ],
)
def test_a_link_assemblyai_cannot_fetch_is_refused_with_a_reason(url, says):
    with pytest.raises(Refused, match=says):
        link_check(url)


def test_a_refused_link_is_shown_on_the_form_and_nothing_is_stored(client, alice):
    response = client.post(PAGE, {"url": "http://media.example.org/a.mp3"})
    assert response.status_code == 400
    assert "starts with https://" in response.content.decode()
    assert not Transcript.objects.exists()


def test_a_file_that_is_no_audio_is_refused_by_its_content_not_its_name(client, alice):
    response = client.post(PAGE, {"file": mp3("notes.mp3", b"%PDF-1.7 not audio at all")})
    assert response.status_code == 400
    assert "does not look like audio or video" in response.content.decode()
    assert not AudioAsset.objects.exists()


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"\x1a\x45\xdf\xa3\x9f", "video/webm"),
        (b"\xff\xfb\x90\x64", "audio/mpeg"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"RIFF\x00\x00\x00\x00XLS ", None),
        (b"<html>", None),
    ],
)
def test_it_knows_common_audio_and_video_by_their_first_bytes(head, kind):
    assert sniff(head) == kind


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, alice, settings):
    settings.UPLOAD_MAX_MB = 1
    response = client.post(PAGE, {"file": mp3(data=b"ID3" + b"\0" * (1024 * 1024 + 70 * 1024))})
    assert response.status_code == 413
    assert "files up to 1 MB are accepted" in response.content.decode()
    assert not AudioAsset.objects.exists()


def test_a_file_just_over_the_limit_is_refused_after_reading(client, alice, settings):
    settings.UPLOAD_MAX_MB = 1
    response = client.post(PAGE, {"file": mp3(data=b"ID3" + b"\0" * (1024 * 1024 + 10))})
    assert response.status_code == 400
    assert "files up to 1 MB are accepted" in response.content.decode()
    assert not AudioAsset.objects.exists()


def test_assemblyai_refusing_the_upload_leaves_nothing_behind(client, alice, mocked_http):
    mock_upload(mocked_http, [], status=401)
    response = client.post(PAGE, {"file": mp3()})
    assert response.status_code == 502
    assert "AssemblyAI did not take it" in response.content.decode()
    assert not Transcript.objects.exists() and not AudioAsset.objects.exists()


def test_neither_a_file_nor_a_link_asks_for_one(client, alice):
    response = client.post(PAGE, {})
    assert response.status_code == 400
    assert "Choose a file or give a link" in response.content.decode()


def test_without_an_assemblyai_key_the_page_says_so_once_and_submits_nothing(client, alice, settings):
    settings.ASSEMBLYAI_KEY = ""
    html = client.get(PAGE).content.decode()
    assert html.count("AssemblyAI is not configured") == 1
    assert '<fieldset class="plain" disabled>' in html
    response = client.post(PAGE, {"url": "https://media.example.org/a.mp3"})
    assert response.status_code == 503 and not Transcript.objects.exists()


def test_the_page_needs_signing_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_posting_without_the_csrf_token_is_refused(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(PAGE, {"url": "https://media.example.org/a.mp3"}).status_code == 403
