"""Transcripts through the REST API: list and search, detail (words, turns, participants, talk
statistics), create from a link or a file, delete here and at AssemblyAI, exports, throttling."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

import samples
from api.models import ApiRequestCount
from audit.models import AuditAction, AuditEvent
from tests.api_helpers import api_client, token_for
from tests.factories import make_transcript, make_user
from tests.fakes.assemblyai import AAI, SUBMIT_URL, UPLOAD_URL, mock_upload, transcript_json
from transcription.models import AudioSource, Participant, Transcript, TranscriptStatus

pytestmark = pytest.mark.django_db

CONVERSATION = [
    {"text": "Hello,", "start": 0, "end": 400, "confidence": 0.9, "channel": "1"},
    {"text": "zebrafinch.", "start": 450, "end": 900, "confidence": 0.8, "channel": "1"},
    {"text": "Hi!", "start": 1200, "end": 1500, "confidence": 0.95, "channel": "2"},
]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # what the API keeps in the cache (the throttle counts in the database)
    yield
    cache.clear()


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def conversation(alice):
    transcript = make_transcript(
        completed=True,
        owner=alice,
        words=CONVERSATION,
        text="Hello, zebrafinch. Hi!",
        audio_duration=2.0,
        job_id="job-conversation",
    )
    Participant.objects.create(transcript=transcript, key="1", name="Alice")
    return transcript


def test_the_list_searches_with_the_apps_syntax(alice, conversation):
    make_transcript(completed=True, owner=alice, text="nothing to see", words=[])
    client = api_client(alice)
    assert [t["id"] for t in client.get("/api/v1/transcripts/", {"q": "zebrafinch"}).json()["results"]] == [
        conversation.pk
    ]
    assert client.get("/api/v1/transcripts/", {"q": "-zebrafinch"}).json()["count"] == 1
    assert client.get("/api/v1/transcripts/", {"q": '"hello zebrafinch"'}).json()["count"] == 1


def test_the_list_filters_by_status_and_refuses_an_unknown_one(alice, conversation):
    make_transcript(owner=alice)
    client = api_client(alice)
    assert client.get("/api/v1/transcripts/", {"status": "pending"}).json()["count"] == 1
    response = client.get("/api/v1/transcripts/", {"status": "done"})
    assert response.status_code == 400 and "There is no status 'done'" in response.json()["detail"]


def test_the_list_takes_the_transcript_lists_filters(alice, conversation):
    make_transcript(completed=True, owner=alice, text="other", words=[])
    client = api_client(alice)
    assert [t["id"] for t in client.get("/api/v1/transcripts/", {"who": "alice"}).json()["results"]] == [
        conversation.pk
    ]
    response = client.get("/api/v1/transcripts/", {"since": "2026-12-31", "until": "2026-01-01"})
    assert response.status_code == 400 and "swap them" in response.json()["detail"]


def test_another_users_token_never_finds_the_transcript(conversation):
    client = api_client(make_user("bob"))
    assert client.get("/api/v1/transcripts/", {"q": "zebrafinch"}).json()["count"] == 0
    for url in (
        f"/api/v1/transcripts/{conversation.pk}/",
        f"/api/v1/transcripts/{conversation.pk}/exports/txt/",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "zebrafinch" not in response.content.decode()
    assert client.delete(f"/api/v1/transcripts/{conversation.pk}/").status_code == 404
    assert Transcript.objects.filter(pk=conversation.pk).exists()


def test_the_detail_has_words_turns_participants_and_talk_statistics(alice, conversation):
    body = api_client(alice).get(f"/api/v1/transcripts/{conversation.pk}/").json()
    assert body["participants"] == [{"key": "1", "name": "Alice"}, {"key": "2", "name": "Channel 2"}]
    assert [(t["name"], t["text"]) for t in body["turns"]] == [
        ("Alice", "Hello, zebrafinch."),
        ("Channel 2", "Hi!"),
    ]
    assert body["words"][0] == {
        "text": "Hello,",
        "start": 0,
        "end": 400,
        "confidence": 0.9,
        "participant": "1",
        "participant_name": "Alice",
    }
    assert [p["name"] for p in body["talk_stats"]["participants"]] == ["Alice", "Channel 2"]
    assert set(body["exports"]) == {"txt", "json", "srt", "vtt"}
    assert AuditEvent.objects.filter(action=AuditAction.VIEWED, obj_kind="transcript").count() == 1


def test_the_detail_etag_changes_when_a_participant_is_renamed(alice, conversation):
    client = api_client(alice)
    etag = client.get(f"/api/v1/transcripts/{conversation.pk}/")["ETag"]
    url = f"/api/v1/transcripts/{conversation.pk}/"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    Participant.objects.filter(transcript=conversation).update(name="Ada")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_an_id_that_is_not_a_number_is_a_404_problem(alice):
    response = api_client(alice).get("/api/v1/transcripts/abc/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("kind", "content_type", "start"),
    [
        ("txt", "text/plain", "Alice"),
        ("json", "application/json", "{"),
        ("srt", "application/x-subrip", "1\n"),
        ("vtt", "text/vtt", "WEBVTT"),
    ],
)
def test_exports_are_the_same_files_as_the_pages_and_audited(alice, conversation, kind, content_type, start):
    response = api_client(alice).get(f"/api/v1/transcripts/{conversation.pk}/exports/{kind}/")
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    assert b"".join(response.streaming_content).decode().startswith(start)
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert (event.detail, event.username) == (f"{kind} via api", "alice")


def test_an_export_of_an_unfinished_transcript_is_a_409_problem(alice):
    transcript = make_transcript(owner=alice)
    response = api_client(alice).get(f"/api/v1/transcripts/{transcript.pk}/exports/txt/")
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert "exports are ready once it is completed" in response.json()["detail"]


def test_an_unknown_export_kind_is_a_404(alice, conversation):
    assert api_client(alice).get(f"/api/v1/transcripts/{conversation.pk}/exports/docx/").status_code == 404


# -- creating ------------------------------------------------------------------------------------


def test_a_link_is_handed_to_assemblyai_and_audited(alice, mocked_http):
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    response = api_client(alice).post(
        "/api/v1/transcripts/",
        {"audio_url": "https://media.example.com/talk.mp3"},
        content_type="application/json",
    )
    assert response.status_code == 201
    transcript = Transcript.objects.get()
    assert response.json()["id"] == transcript.pk and response.json()["status"] == "queued"
    assert json.loads(mocked_http.calls[0].request.body)["audio_url"] == "https://media.example.com/talk.mp3"
    assert transcript.owner == alice
    event = AuditEvent.objects.get(action=AuditAction.CREATED, obj_kind="transcript")
    assert (event.obj_id, event.detail) == (str(transcript.pk), "via api, link")


def test_a_file_is_archived_and_streamed_to_assemblyai(alice, mocked_http):
    audio = samples.TUTORIAL.audio.read_bytes()
    received = []
    mock_upload(mocked_http, received)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    response = api_client(alice).post(
        "/api/v1/transcripts/", {"file": SimpleUploadedFile("talk.mp3", audio, content_type="audio/mpeg")}
    )
    assert response.status_code == 201
    transcript = Transcript.objects.get()
    assert received == [audio] and transcript.audio_source == AudioSource.UPLOAD
    assert json.loads(mocked_http.calls[-1].request.body)["audio_url"] == UPLOAD_URL


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"audio_url": "http://media.example.com/a.mp3"}, "audio_url", "https://"),
        ({"audio_url": "https://127.0.0.1/a.mp3"}, "audio_url", "public link"),
        ({}, "audio_url", "required"),
        ({"audio_url": 0}, "audio_url", "https://"),  # Schemathesis found this one a 500
    ],
)
def test_a_link_that_cannot_be_transcribed_is_a_400_naming_the_field(alice, mocked_http, body, field, words):
    response = api_client(alice).post("/api/v1/transcripts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field and words in response.json()["detail"]
    assert not mocked_http.calls and not Transcript.objects.exists()


def test_a_file_that_is_not_audio_is_refused(alice, mocked_http):
    upload = SimpleUploadedFile("notes.txt", b"just some text, not audio", content_type="text/plain")
    response = api_client(alice).post("/api/v1/transcripts/", {"file": upload})
    assert response.status_code == 400 and "does not look like audio" in response.json()["detail"]
    assert not Transcript.objects.exists()


def test_assemblyai_failing_is_a_502_and_leaves_nothing(alice, mocked_http):
    mocked_http.post(SUBMIT_URL, json={"error": "boom"}, status=500)
    response = api_client(alice).post(
        "/api/v1/transcripts/",
        {"audio_url": "https://media.example.com/a.mp3"},
        content_type="application/json",
    )
    assert response.status_code == 502 and "Nothing was kept" in response.json()["detail"]
    assert not Transcript.objects.exists()


def test_missing_assemblyai_settings_are_named_with_503(alice, settings, mocked_http):
    settings.ASSEMBLYAI_KEY = ""
    response = api_client(alice).post(
        "/api/v1/transcripts/",
        {"audio_url": "https://media.example.com/a.mp3"},
        content_type="application/json",
    )
    assert response.status_code == 503 and "ASSEMBLYAI_KEY" in response.json()["detail"]


# -- deleting ------------------------------------------------------------------------------------


def test_deleting_needs_the_delete_permission(alice, conversation, mocked_http):
    response = api_client(alice).delete(f"/api/v1/transcripts/{conversation.pk}/")
    assert response.status_code == 403
    assert Transcript.objects.filter(pk=conversation.pk).exists() and not mocked_http.calls


def test_deleting_reaches_assemblyai_first_and_is_audited(conversation, mocked_http):
    alice = conversation.owner
    alice.user_permissions.add(Permission.objects.get(codename="delete_transcript"))
    mocked_http.delete(f"{AAI}/v2/transcript/job-conversation", json={"id": "job-conversation"})
    response = api_client(alice).delete(f"/api/v1/transcripts/{conversation.pk}/")
    assert response.status_code == 204
    assert not Transcript.objects.filter(pk=conversation.pk).exists()
    assert [c.request.method for c in mocked_http.calls] == ["DELETE"]
    event = AuditEvent.objects.get(action=AuditAction.DELETED)
    assert (event.obj_id, event.detail) == (str(conversation.pk), "via api")


def test_a_deletion_assemblyai_cannot_confirm_keeps_the_row(conversation, mocked_http):
    alice = make_user("ada", perms=["delete_transcript", "view_all_calls"])
    mocked_http.delete(f"{AAI}/v2/transcript/job-conversation", json={"error": "down"}, status=503)
    response = api_client(alice).delete(f"/api/v1/transcripts/{conversation.pk}/")
    assert response.status_code == 502 and "Kept transcript" in response.json()["detail"]
    assert Transcript.objects.filter(pk=conversation.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DELETED).exists()


# -- throttling ----------------------------------------------------------------------------------


def test_each_token_is_throttled_on_its_own(alice, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    first, second = token_for(alice, "one"), token_for(alice, "two")
    client = api_client(token=first)
    assert [client.get("/api/v1/transcripts/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/transcripts/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"
    assert api_client(token=second).get("/api/v1/transcripts/").status_code == 200


def test_the_count_is_in_the_database_for_every_server_process(alice, settings):
    """No process keeps a count of its own: the row is the count, whoever serves the request."""
    settings.API_THROTTLE_RATE = "2/minute"
    client = api_client(token=token_for(alice, "one"))
    assert [client.get("/api/v1/transcripts/").status_code for _ in range(2)] == [200, 200]
    assert ApiRequestCount.objects.get().count == 2
    ApiRequestCount.objects.update(count=0)  # what the database says is what counts
    assert client.get("/api/v1/transcripts/").status_code == 200


def test_throttling_can_be_turned_off(alice, settings):
    settings.API_THROTTLE_RATE = "off"
    client = api_client(alice)
    assert {client.get("/api/v1/transcripts/").status_code for _ in range(5)} == {200}


def test_an_unfinished_transcript_offers_no_exports(alice):
    transcript = make_transcript(owner=alice, status=TranscriptStatus.PENDING)
    assert api_client(alice).get(f"/api/v1/transcripts/{transcript.pk}/").json()["exports"] == {}
