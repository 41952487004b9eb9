"""Share links: made by a transcript's owner (or a lead), opened by anyone holding one, nothing more."""

import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

import samples
from audit.models import AuditEvent
from caller.audio import recording_asset
from djtranscribe.lib.redaction import RedactSecrets, mask_tokens
from sharing.models import ShareLink
from sharing.services import token_hash
from tests.factories import make_call, make_recording, make_transcript, make_user
from tests.fakes import RECORDING_SID, mock_media, tone_wav
from transcription.models import Transcript, TranscriptStatus
from transcription.sample_calls import sample_load

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "5" * 32
WORDS = [{"text": "Confidential.", "start": 0, "end": 400, "confidence": 0.9}]
LINK_RE = re.compile(rb"https://djt\.example\.com/s/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def owner():
    return make_user("owner")


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def other_client():
    client = Client()
    client.force_login(make_user("mallory"))
    return client


@pytest.fixture
def transcript(owner):
    call = make_call(CALL_SID, dialed_by=owner, owner=owner)
    recording = make_recording(call, owner=owner)
    return make_transcript(
        owner=owner,
        audio=recording_asset(recording),
        completed=True,
        job_id="job-share",
        text="Confidential.",
        words=WORDS,
        recording_sid=RECORDING_SID,
        call_sid=CALL_SID,
    )


def share(client, transcript, lifetime="1d", audio=False) -> str:
    data = {"lifetime": lifetime, **({"include_audio": "on"} if audio else {})}
    response = client.post(f"/transcription/{transcript.pk}/share/", data)
    assert response.status_code == 201, response.content
    return LINK_RE.search(response.content).group(1).decode()


def actions():
    return list(AuditEvent.objects.values_list("action", "detail"))


# -- making links ----------------------------------------------------------------------------


def test_the_owner_gets_a_link_shown_once_and_only_its_hash_is_stored(owner_client, transcript):
    token = share(owner_client, transcript)
    link = ShareLink.objects.get()
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    page = owner_client.get(transcript.get_absolute_url())
    assert token.encode() not in page.content
    assert b'id="share-links"' in page.content and b"Revoke" in page.content
    assert re.search(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{32,}"', page.content)


def test_the_creation_page_is_never_cached(owner_client, transcript):
    response = owner_client.post(f"/transcription/{transcript.pk}/share/", {"lifetime": "1h"})
    assert response["Cache-Control"] == "no-store"


def test_each_link_is_new_and_unguessable(owner_client, transcript):
    assert share(owner_client, transcript) != share(owner_client, transcript)


def test_the_chosen_lifetime_sets_the_expiry(owner_client, transcript):
    share(owner_client, transcript, lifetime="7d")
    link = ShareLink.objects.get()
    assert abs(link.expires_at - link.created_at - timedelta(days=7)) < timedelta(seconds=5)


def test_an_unknown_lifetime_is_refused_with_400(owner_client, transcript):
    response = owner_client.post(f"/transcription/{transcript.pk}/share/", {"lifetime": "forever"})
    assert response.status_code == 400 and ShareLink.objects.count() == 0


def test_an_unfinished_transcript_cannot_be_shared(owner_client, transcript):
    Transcript.objects.filter(pk=transcript.pk).update(status=TranscriptStatus.PROCESSING)
    response = owner_client.post(f"/transcription/{transcript.pk}/share/", {"lifetime": "1h"})
    assert response.status_code == 400 and ShareLink.objects.count() == 0


def test_another_users_transcript_cannot_be_shared(other_client, transcript):
    response = other_client.post(f"/transcription/{transcript.pk}/share/", {"lifetime": "1h"})
    assert response.status_code == 404 and ShareLink.objects.count() == 0


def test_a_lead_may_share_any_transcript(staff_client, transcript):
    share(staff_client, transcript)
    assert ShareLink.objects.get().created_by.username == "staff"


def test_a_superuser_may_share_any_transcript(admin_client_logged, transcript):
    share(admin_client_logged, transcript)
    assert ShareLink.objects.count() == 1


def test_sharing_requires_login_and_a_post(client, owner_client, transcript):
    assert client.post(f"/transcription/{transcript.pk}/share/", {"lifetime": "1h"}).status_code == 302
    assert owner_client.get(f"/transcription/{transcript.pk}/share/").status_code == 405


def test_creating_a_link_is_audited(owner_client, transcript):
    share(owner_client, transcript, audio=True)
    link = ShareLink.objects.get()
    assert actions() == [("share_created", f"share {link.pk}, 1 day, with audio")]


# -- opening links ---------------------------------------------------------------------------


def test_anyone_with_the_link_sees_the_transcript_and_the_open_is_audited(client, owner_client, transcript):
    token = share(owner_client, transcript)
    response = client.get(f"/s/{token}/")
    assert response.status_code == 200 and b"Confidential." in response.content
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    event = AuditEvent.objects.get(action="share_opened")
    assert (event.user, event.obj_id) == (None, str(transcript.pk))


@pytest.mark.parametrize("kind", ["txt", "json", "srt", "vtt"])
def test_anyone_with_the_link_downloads_the_exports(client, owner_client, transcript, kind):
    token = share(owner_client, transcript)
    response = client.get(f"/s/{token}/export.{kind}")
    assert response.status_code == 200 and b"Confidential" in response.getvalue()
    assert AuditEvent.objects.filter(action="exported", detail__startswith=f"{kind} via share").exists()


def test_the_shared_page_links_to_nothing_else_of_the_app(client, owner_client, transcript):
    token = share(owner_client, transcript)
    content = client.get(f"/s/{token}/").content.decode()
    links = set(re.findall(r'(?:href|src|action)="([^"]+)"', content))
    # "#main" is the skip link: a jump within the page itself.
    assert all(url.startswith((f"/s/{token}/", "/static/", "data:", "#")) for url in links), links
    assert "/login/" not in content and CALL_SID not in content


def test_the_link_opens_nothing_else(client, owner_client, transcript):
    token = share(owner_client, transcript)
    client.get(f"/s/{token}/")
    for url in (
        transcript.get_absolute_url(),
        f"/transcription/{transcript.pk}/export.txt",
        f"/calls/{CALL_SID}/",
        f"/recordings/{RECORDING_SID}/media/",
        "/transcription/",
    ):
        assert client.get(url).status_code == 302, url
    assert client.get("/admin/").status_code == 302


def test_an_expired_link_answers_404_like_one_that_never_existed(client, owner_client, transcript):
    token = share(owner_client, transcript, lifetime="1h")
    later = timezone.now() + timedelta(hours=1, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        expired = client.get(f"/s/{token}/")
        unknown = client.get(f"/s/{'x' * 43}/")
    assert expired.status_code == unknown.status_code == 404
    assert expired.content == unknown.content
    assert client.get(f"/s/{token}/export.txt").status_code == 200  # still good before then


def test_a_malformed_token_answers_404(client):
    assert client.get("/s/short/").status_code == 404


# -- revoking --------------------------------------------------------------------------------


def test_a_revoked_link_answers_404_and_the_revocation_is_audited(client, owner_client, transcript):
    token = share(owner_client, transcript)
    link = ShareLink.objects.get()
    response = owner_client.post(f"/shares/{link.pk}/revoke/")
    assert response.status_code == 302 and response.url == transcript.get_absolute_url()
    assert client.get(f"/s/{token}/").status_code == 404
    assert client.get(f"/s/{token}/export.txt").status_code == 404
    assert ("share_revoked", f"share {link.pk}") in actions()
    assert b"Revoke" not in owner_client.get(transcript.get_absolute_url()).content


def test_revoking_twice_is_recorded_once(owner_client, transcript):
    share(owner_client, transcript)
    link = ShareLink.objects.get()
    owner_client.post(f"/shares/{link.pk}/revoke/")
    owner_client.post(f"/shares/{link.pk}/revoke/")
    assert [a for a, _ in actions()].count("share_revoked") == 1


def test_another_user_cannot_revoke_a_link(other_client, owner_client, client, transcript):
    token = share(owner_client, transcript)
    link = ShareLink.objects.get()
    assert other_client.post(f"/shares/{link.pk}/revoke/").status_code == 404
    assert other_client.get(f"/shares/{link.pk}/revoke/").status_code == 405
    assert client.get(f"/s/{token}/").status_code == 200


# -- audio -----------------------------------------------------------------------------------


def test_without_audio_the_page_has_no_player_and_the_audio_url_answers_404(
    client, owner_client, transcript, mocked_http
):
    token = share(owner_client, transcript)
    assert b"<audio" not in client.get(f"/s/{token}/").content
    assert client.get(f"/s/{token}/audio/").status_code == 404
    assert len(mocked_http.calls) == 0


def test_with_audio_the_player_streams_through_the_share_and_the_play_is_audited(
    client, owner_client, transcript, mocked_http
):
    token = share(owner_client, transcript, audio=True)
    assert f'src="/s/{token}/audio/"'.encode() in client.get(f"/s/{token}/").content
    body = tone_wav(0.2)
    mock_media(mocked_http, body)
    response = client.get(f"/s/{token}/audio/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == body
    link = ShareLink.objects.get()
    assert ("played", f"share {link.pk}") in actions()


def test_with_audio_a_public_audio_url_is_where_the_player_goes(client, owner_client, owner):
    transcript = make_transcript(
        owner=owner, completed=True, words=WORDS, audio_url="https://media.example.com/a.mp3"
    )
    token = share(owner_client, transcript, audio=True)
    response = client.get(f"/s/{token}/audio/")
    assert response.status_code == 302 and response.url == "https://media.example.com/a.mp3"


def test_with_audio_a_samples_archived_audio_plays_without_signing_in(client, owner_client, owner):
    transcript = sample_load(owner=owner, sample=samples.TUTORIAL)
    token = share(owner_client, transcript, audio=True)
    response = client.get(f"/s/{token}/audio/", HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and len(b"".join(response.streaming_content)) == 100
    link = ShareLink.objects.get()
    assert ("played", f"share {link.pk}") in actions()


# -- secrecy ---------------------------------------------------------------------------------


def test_share_tokens_are_masked_in_log_lines(owner_client, transcript):
    token = share(owner_client, transcript)
    assert token not in mask_tokens(f"Not Found: /s/{token}/export.txt")
    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"GET /s/%s/ HTTP/1.1" 200', (token,), None
    )
    RedactSecrets().filter(record)
    assert record.getMessage() == '"GET /s/[token]/ HTTP/1.1" 200'


def test_the_shared_page_offers_subtitles_only_when_there_are_word_timings(client, owner_client, transcript):
    Transcript.objects.filter(pk=transcript.pk).update(words=[])
    token = share(owner_client, transcript)
    content = client.get(f"/s/{token}/").content
    assert f"/s/{token}/export.txt".encode() in content
    assert b"export.srt" not in content and b"export.vtt" not in content


@pytest.mark.parametrize("path", ["", "export.json", "export.txt"])
def test_a_shared_transcript_never_shows_its_calls_notes(client, owner_client, transcript, path):
    from caller.models import Call

    Call.objects.filter(sid=CALL_SID).update(notes="Internal: pricing floor 40%")
    token = share(owner_client, transcript)
    response = client.get(f"/s/{token}/{path}")
    body = response.getvalue() if response.streaming else response.content
    assert response.status_code == 200 and b"pricing floor" not in body
