"""Revisions through the REST API: the history, and a correction through the editor's own service
(aligned words, a new revision, an audit row), refused when stale or not allowed."""

import pytest

from audit.models import AuditAction, AuditEvent
from tests.api_helpers import api_client
from tests.factories import make_transcript, make_user
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

WORDS = [
    {"text": "Ahoy", "start": 0, "end": 300, "confidence": 0.9},
    {"text": "zebra", "start": 350, "end": 700, "confidence": 0.4},
    {"text": "finch.", "start": 720, "end": 1000, "confidence": 0.5},
]


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def transcript(alice):
    return make_transcript(completed=True, owner=alice, words=WORDS, text="Ahoy zebra finch.")


def correct(client, transcript, **body):
    return client.post(
        f"/api/v1/transcripts/{transcript.pk}/revisions/", body, content_type="application/json"
    )


def test_a_correction_makes_a_revision_and_keeps_the_other_words_times(alice, transcript):
    client = api_client(alice)
    assert client.get(f"/api/v1/transcripts/{transcript.pk}/").json()["revision"] == 0
    response = correct(client, transcript, start=1, end=3, text="zebrafinch.", revision=0)
    assert response.status_code == 201
    body = response.json()
    assert body["revision"] == 1 and [w["text"] for w in body["words"]] == ["zebrafinch."]
    assert body["words"][0]["start"] == 350 and body["words"][0]["end"] == 1000
    transcript.refresh_from_db()
    assert transcript.text == "Ahoy zebrafinch."
    detail = client.get(f"/api/v1/transcripts/{transcript.pk}/").json()
    assert detail["revision"] == 1 and [w["text"] for w in detail["words"]] == ["Ahoy", "zebrafinch."]
    event = AuditEvent.objects.get(action=AuditAction.EDITED)
    assert event.username == "alice" and "revision 1" in event.detail


def test_the_history_lists_revisions_newest_first(alice, transcript):
    client = api_client(alice)
    correct(client, transcript, start=0, end=1, text="Hello")
    history = client.get(f"/api/v1/transcripts/{transcript.pk}/revisions/").json()
    assert history["latest"] == 1
    assert [(r["number"], r["kind"], r["author"]) for r in history["revisions"]] == [
        (1, "edit", "alice"),
        (0, "original", None),  # the engine wrote it
    ]


def test_a_correction_made_from_an_older_revision_is_a_409(alice, transcript):
    client = api_client(alice)
    correct(client, transcript, start=0, end=1, text="Hello", revision=0)
    response = correct(client, transcript, start=0, end=1, text="Hi", revision=0)
    assert response.status_code == 409 and "revision 1" in response.json()["detail"]
    assert response["Content-Type"] == "application/problem+json"


def test_a_span_outside_the_words_is_a_400_saying_so(alice, transcript):
    response = correct(api_client(alice), transcript, start=2, end=9, text="x")
    assert response.status_code == 400 and "outside this transcript" in response.json()["detail"]


def test_a_reader_who_may_not_correct_gets_403_and_nothing_changes(transcript):
    reader = make_user("lena", perms=["view_all_calls"])
    response = correct(api_client(reader), transcript, start=0, end=1, text="Hello")
    assert response.status_code == 403
    assert Transcript.objects.get(pk=transcript.pk).text == "Ahoy zebra finch."


def test_another_users_token_gets_404_for_the_history_and_the_correction(transcript):
    client = api_client(make_user("bob"))
    assert client.get(f"/api/v1/transcripts/{transcript.pk}/revisions/").status_code == 404
    assert correct(client, transcript, start=0, end=1, text="Hello").status_code == 404
