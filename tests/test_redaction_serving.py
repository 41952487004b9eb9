"""Once redacted, a call is served only redacted: the player, the media endpoint, exports, share links,
search; the original is gone from Twilio and the archive, or kept behind its own permission."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from audio.services import asset_open
from caller.models import Call
from sharing.models import ShareLink
from sharing.services import token_hash
from tests.factories import make_call, make_user
from tests.fakes import (
    AAI,
    ACCOUNT,
    JOB_ID,
    RECORDING_SID,
    REDACTED_AUDIO,
    SUBMIT_URL,
    mock_media,
    mock_redacted_audio,
    mock_upload,
    redacted_transcript_json,
    submitted_bodies,
    tone_wav,
    transcript_json,
)
from transcription.models import RedactedAudio, Transcript

pytestmark = pytest.mark.django_db

ORIGINAL = tone_wav(1.0)
TWILIO_RECORDING = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING_SID}.json"
PROXY = f"/recordings/{RECORDING_SID}/media/"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def transcribe_call(task_queue, mocked_http, *, sensitive=True):
    """A call marked sensitive, recorded, archived, transcribed (polling) and its redacted audio archived."""
    from caller.services import recording_received

    owner = make_user("owner", perms=["view_all_calls"])
    make_call(owner=owner, dialed_by=owner, sensitive=sensitive)
    mock_media(mocked_http, ORIGINAL)
    mock_upload(mocked_http, [])
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=redacted_transcript_json())
    mock_redacted_audio(mocked_http)
    mocked_http.delete(TWILIO_RECORDING, status=204)
    with task_queue.capture(execute=True):
        recording_received(sid=RECORDING_SID, call_sid=Call.objects.get().sid, status="completed")
    task_queue.run_all()
    return owner, Transcript.objects.get(recording_sid=RECORDING_SID)


@pytest.fixture
def redacted(task_queue, mocked_http, client):
    with override_settings(TRANSCRIPTION_WEBHOOKS="off", TWILIO_DELETE_RECORDINGS=True):
        owner, transcript = transcribe_call(task_queue, mocked_http)
    client.force_login(owner)
    return transcript


def test_a_call_marked_sensitive_is_submitted_for_redaction(redacted, mocked_http):
    body = submitted_bodies(mocked_http)[0]
    assert body["redact_pii"] is True and body["redact_pii_audio"] is True
    assert redacted.redacted_audio == RedactedAudio.ARCHIVED


def test_a_call_not_marked_is_not(task_queue, mocked_http):
    with override_settings(TRANSCRIPTION_WEBHOOKS="off"):
        _, transcript = transcribe_call(task_queue, mocked_http, sensitive=False)
    assert "redact_pii" not in submitted_bodies(mocked_http)[0]
    assert transcript.redacted_audio == RedactedAudio.NOT_ASKED


def test_the_player_and_the_media_endpoint_serve_the_redacted_audio(redacted, client):
    page = client.get(redacted.get_absolute_url()).content.decode()
    assert f'src="{PROXY}"' in page
    assert "[PERSON_NAME]" in page
    response = client.get(PROXY)
    assert response.status_code == 200 and body_of(response) == REDACTED_AUDIO
    ranged = client.get(PROXY, HTTP_RANGE="bytes=0-9")
    assert ranged.status_code == 206 and body_of(ranged) == REDACTED_AUDIO[:10]


def test_every_export_carries_only_the_redacted_words(redacted, client):
    for kind in ("txt", "json", "srt", "vtt"):
        text = body_of(client.get(f"/transcription/{redacted.pk}/export.{kind}")).decode()
        assert "[PERSON_NAME]" in text, kind
        assert "[CREDIT_CARD_NUMBER]" in text, kind


def test_a_share_link_serves_the_redacted_text_and_audio(redacted, client):
    token = "r" * 43
    ShareLink.objects.create(
        transcript=redacted,
        token_hash=token_hash(token),
        created_by=redacted.owner,
        expires_at=timezone.now() + timedelta(days=1),
        include_audio=True,
    )
    client.logout()
    assert "[PERSON_NAME]" in client.get(f"/s/{token}/").content.decode()
    audio = client.get(f"/s/{token}/audio/")
    assert audio.status_code == 200 and body_of(audio) == REDACTED_AUDIO


def test_search_finds_the_redacted_words(redacted, client):
    html = client.get("/transcription/", {"q": "card"}).content.decode()
    assert f"/transcription/{redacted.pk}/" in html
    assert "[PERSON_NAME]" in html


def test_the_original_is_gone_from_twilio_and_the_archive(redacted, mocked_http):
    deletes = [c.request.url for c in mocked_http.calls if c.request.method == "DELETE"]
    assert deletes == [TWILIO_RECORDING]
    assert redacted.unredacted_audio is None
    with asset_open(redacted.audio) as stored:
        assert stored.read() == REDACTED_AUDIO


@override_settings(TWILIO_DELETE_RECORDINGS=True)
def test_twilio_keeps_the_recording_while_the_redacted_copy_is_awaited(task_queue, mocked_http):
    from caller.services import recording_delete_attempt

    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}/redacted-audio", status=400, json={"error": "not ready"})
    with override_settings(TRANSCRIPTION_WEBHOOKS="off"):
        owner = make_user("owner")
        make_call(owner=owner, sensitive=True)
        mock_media(mocked_http, ORIGINAL)
        mock_upload(mocked_http, [])
        mocked_http.post(SUBMIT_URL, json=transcript_json())
        mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=redacted_transcript_json())
        from caller.services import recording_received

        with task_queue.capture(execute=True):
            recording_received(sid=RECORDING_SID, call_sid=Call.objects.get().sid, status="completed")
        task_queue.run_all(limit=80)  # the redacted copy is never ready: retried until it expires
    deletions = [r.outcome for r in task_queue.ran if r.name == "delete_recording"]
    assert deletions == ["skipped"]
    assert task_queue.outcomes[-1] == "expired"
    assert recording_delete_attempt(recording_sid=RECORDING_SID) == "skipped"
    assert not [c for c in mocked_http.calls if c.request.method == "DELETE"]


@override_settings(KEEP_UNREDACTED_AUDIO=True)
def test_a_kept_original_plays_only_for_holders_of_the_permission(task_queue, mocked_http, client):
    from django.contrib.auth.models import Permission

    with override_settings(TRANSCRIPTION_WEBHOOKS="off"):
        owner, transcript = transcribe_call(task_queue, mocked_http)
    client.force_login(owner)
    url = f"/transcription/{transcript.pk}/audio/unredacted/"
    assert "Play the unredacted original" not in client.get(transcript.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 404
    owner.user_permissions.add(Permission.objects.get(codename="play_unredacted"))
    client.force_login(owner)
    assert "Play the unredacted original" in client.get(transcript.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and body_of(response) == ORIGINAL
    assert body_of(client.get(PROXY)) == REDACTED_AUDIO  # the ordinary player stays redacted


def test_the_call_page_marks_a_call_sensitive_before_it_is_transcribed(client):
    owner = make_user("owner", perms=["place_call"])
    call = make_call(owner=owner, dialed_by=owner)
    client.force_login(owner)
    assert 'action="/calls/' in client.get(call.get_absolute_url()).content.decode()
    response = client.post(f"/calls/{call.sid}/sensitive/")
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.sensitive
    assert "Sensitive" in client.get(call.get_absolute_url()).content.decode()


def test_the_transcribe_page_sends_a_link_marked_sensitive_for_redaction(client, mocked_http):
    owner = make_user("owner")
    client.force_login(owner)
    mocked_http.post(SUBMIT_URL, json=transcript_json())
    response = client.post(
        "/transcription/new/", {"url": "https://cdn.example.org/interview.mp3", "sensitive": "1"}
    )
    assert response.status_code == 302
    body = submitted_bodies(mocked_http)[0]
    assert body["redact_pii"] is True and body["redact_pii_audio"] is True
    assert Transcript.objects.get().redact_pii
