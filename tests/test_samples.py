"""The sample calls: loaded from the home page or load_sample, labelled, playable, deleted in one click."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

import samples
from audio.models import AudioAsset, OriginKind
from tests.factories import make_call, make_transcript, make_user
from transcription.models import Transcript, TranscriptStatus
from transcription.sample_calls import sample_delete, sample_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = make_user("alice", password="pw-alice-123")
    client.force_login(user)
    return user


def test_it_stores_the_tutorial_as_a_completed_sample_owned_by_whoever_loaded_it(alice):
    transcript = sample_load(owner=alice, sample=samples.TUTORIAL)
    expected = json.loads(samples.TUTORIAL.transcript.read_text())
    assert transcript.status == TranscriptStatus.COMPLETED
    assert transcript.is_sample and transcript.owner == alice
    assert transcript.text == expected["text"]
    assert len(transcript.words) == len(expected["words"])


def test_it_leaves_the_tutorials_job_id_behind_so_a_second_load_works(alice):
    first = sample_load(owner=alice, sample=samples.TUTORIAL)
    second = sample_load(owner=alice, sample=samples.TUTORIAL)
    assert first.job_id is None and second.job_id is None
    assert first.audio_id != second.audio_id


def test_it_copies_the_audio_into_the_recordings_storage_verified(alice):
    asset = sample_load(owner=alice, sample=samples.CONVERSATION).audio
    assert asset.origin_kind == OriginKind.SAMPLE and asset.is_archived
    assert asset.channels == 2
    with asset.file.open("rb") as stored:
        assert stored.read() == samples.CONVERSATION.audio.read_bytes()


def test_it_keeps_the_conversations_two_channels_of_utterances(alice):
    transcript = sample_load(owner=alice, sample=samples.CONVERSATION)
    assert {u.get("channel") for u in transcript.utterances} >= {"1", "2"} or len(transcript.utterances) > 1


def test_the_empty_home_page_offers_to_load_a_sample(client, alice):
    html = client.get("/").content.decode()
    assert "Load a sample call" in html
    assert 'action="/transcription/samples/load/"' in html


def test_the_home_page_with_calls_does_not_offer_samples(client, alice):
    make_call(owner=alice, dialed_by=alice, status="completed")
    assert "Load a sample call" not in client.get("/").content.decode()


def test_loading_from_the_page_opens_the_tutorial_labelled_sample(client, alice):
    response = client.post("/transcription/samples/load/", follow=True)
    tutorial, conversation = Transcript.objects.filter(owner=alice).order_by("pk")
    assert response.redirect_chain[0][0] == tutorial.get_absolute_url()
    html = response.content.decode()
    assert 'class="status sample-badge">Sample<' in html
    assert f'src="/transcription/{tutorial.pk}/audio/"' in html
    assert conversation.is_sample


def test_loading_twice_opens_the_samples_already_there_instead_of_copying_them(client, alice):
    client.post("/transcription/samples/load/")
    first = Transcript.objects.filter(owner=alice).order_by("pk").first()
    response = client.post("/transcription/samples/load/", follow=True)
    assert Transcript.objects.filter(owner=alice).count() == 2
    assert response.redirect_chain[0][0] == first.get_absolute_url()
    assert "Your sample calls are already loaded" in response.content.decode()


def test_loading_again_brings_back_only_the_sample_that_was_deleted(client, alice):
    client.post("/transcription/samples/load/")
    tutorial, conversation = Transcript.objects.filter(owner=alice).order_by("pk")
    sample_delete(transcript=conversation)
    response = client.post("/transcription/samples/load/", follow=True)
    labels = sorted(t.audio.label for t in Transcript.objects.filter(owner=alice))
    assert labels == ["Sample: a two-party conversation", "Sample: the tutorial"]
    assert "Loaded 1 sample call:" in response.content.decode()


def test_the_home_page_links_to_loaded_samples_instead_of_offering_them_again(client, alice):
    client.post("/transcription/samples/load/")
    tutorial = Transcript.objects.filter(owner=alice).order_by("pk").first()
    html = client.get("/").content.decode()
    assert "Load a sample call" not in html
    assert f'<a href="{tutorial.get_absolute_url()}">Sample: the tutorial</a>' in html


def test_loading_takes_only_post(client, alice):
    assert client.get("/transcription/samples/load/").status_code == 405
    assert not Transcript.objects.exists()


def test_the_list_labels_samples(client, alice):
    sample_load(owner=alice, sample=samples.TUTORIAL)
    assert 'class="status sample-badge">Sample<' in client.get("/transcription/").content.decode()


def test_the_audio_plays_from_the_archive_with_byte_ranges(client, alice):
    transcript = sample_load(owner=alice, sample=samples.TUTORIAL)
    response = client.get(f"/transcription/{transcript.pk}/audio/", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == samples.TUTORIAL.audio.read_bytes()[:10]


def test_someone_else_gets_404_for_a_samples_audio_and_its_deletion(client, alice):
    transcript = sample_load(owner=make_user("bob"), sample=samples.TUTORIAL)
    assert client.get(f"/transcription/{transcript.pk}/audio/").status_code == 404
    assert client.post(f"/transcription/samples/{transcript.pk}/delete/").status_code == 404
    assert Transcript.objects.filter(pk=transcript.pk).exists()


def test_a_transcript_without_archived_audio_has_no_audio_url(client, alice):
    transcript = make_transcript(completed=True, owner=alice)
    assert client.get(f"/transcription/{transcript.pk}/audio/").status_code == 404


def test_deleting_a_sample_removes_it_its_asset_and_its_file(client, alice):
    transcript = sample_load(owner=alice, sample=samples.TUTORIAL)
    asset = transcript.audio
    storage, name = asset.file.storage, asset.file.name
    response = client.post(f"/transcription/samples/{transcript.pk}/delete/")
    assert response.status_code == 302
    assert not Transcript.objects.filter(pk=transcript.pk).exists()
    assert not AudioAsset.objects.filter(pk=asset.pk).exists()
    assert not storage.exists(name)


def test_the_delete_button_refuses_a_transcript_that_is_no_sample(client, alice):
    transcript = make_transcript(completed=True, owner=alice)
    assert client.post(f"/transcription/samples/{transcript.pk}/delete/").status_code == 404
    with pytest.raises(ValueError, match="not a sample"):
        sample_delete(transcript=transcript)
    assert Transcript.objects.filter(pk=transcript.pk).exists()


def test_the_command_loads_both_samples_for_the_named_user():
    user = make_user("carol")
    out = StringIO()
    call_command("load_sample", "--user", "carol", stdout=out)
    assert Transcript.objects.filter(owner=user, is_sample=True).count() == 2
    assert "Loaded 2 sample call(s) for carol." in out.getvalue()


def test_the_command_names_a_missing_user():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("load_sample", "--user", "nobody")


def test_the_command_defaults_to_the_first_superuser():
    admin = make_user("root", superuser=True)
    call_command("load_sample", "--only", "tutorial", stdout=StringIO())
    assert list(Transcript.objects.values_list("owner", flat=True)) == [admin.pk]


def test_playing_a_samples_audio_is_audited_once_per_playback(client, alice):
    from audit.models import AuditAction, AuditEvent

    transcript = sample_load(owner=alice, sample=samples.TUTORIAL)
    client.get(f"/transcription/{transcript.pk}/audio/", HTTP_RANGE="bytes=0-")
    client.get(f"/transcription/{transcript.pk}/audio/", HTTP_RANGE="bytes=5000-")
    played = AuditEvent.objects.filter(action=AuditAction.PLAYED, obj_kind="transcript")
    assert list(played.values_list("obj_id", flat=True)) == [str(transcript.pk)]
