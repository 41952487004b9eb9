"""Owners: who a call, recording and transcript belongs to, and who may see every one of them."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from caller import selectors as caller_selectors
from caller import services
from caller.models import Call, Recording
from djtranscribe import access
from transcription import selectors
from transcription.models import Transcript, WebhookDelivery

pytestmark = pytest.mark.django_db

owners_migration = importlib.import_module("caller.migrations.0003_owners_from_dialed_by_and_leads")

CALL_SID = "CA" + "b1" * 16
OTHER_CALL_SID = "CA" + "b2" * 16
RECORDING_SID = "RE" + "b3" * 16


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="pw-bob-123")


def fresh(user):
    """The user as the next request loads it (permissions are cached on the instance)."""
    return type(user).objects.get(pk=user.pk)


# -- the permission and the Leads group ------------------------------------------------------


def test_the_view_all_permission_is_named_once_and_exists(alice):
    permission = Permission.objects.get(codename=access.VIEW_ALL_CALLS_CODENAME)
    assert f"{permission.content_type.app_label}.{permission.codename}" == access.VIEW_ALL_CALLS
    assert permission.name == "Can view every call, recording and transcript"


def test_a_user_sees_only_their_own_transcripts(alice, bob):
    mine = Transcript.objects.create(owner=alice)
    Transcript.objects.create(owner=bob)
    Transcript.objects.create()  # nobody's
    assert list(selectors.transcripts_visible_to(alice)) == [mine]


def test_the_view_all_permission_opens_every_transcript(alice, bob):
    Transcript.objects.create(owner=alice)
    Transcript.objects.create()
    bob.user_permissions.add(Permission.objects.get(codename="view_all_calls"))
    assert selectors.transcripts_visible_to(fresh(bob)).count() == 2


def test_superusers_see_everything_without_the_permission(django_user_model, alice):
    root = django_user_model.objects.create_superuser("root", password="pw-root-123")
    Call.objects.create(sid=CALL_SID, to="+14155550101", owner=alice)
    assert caller_selectors.calls_visible_to(root).count() == 1


def test_an_inactive_lead_sees_nothing_but_their_own(alice, bob):
    Transcript.objects.create(owner=alice)
    bob.groups.add(Group.objects.get(name=access.LEADS_GROUP))
    bob.is_active = False
    bob.save()
    assert selectors.transcripts_visible_to(fresh(bob)).count() == 0


def test_anonymous_users_see_nothing(alice):
    from django.contrib.auth.models import AnonymousUser

    Transcript.objects.create(owner=alice)
    Transcript.objects.create()
    assert selectors.transcripts_visible_to(AnonymousUser()).count() == 0


def test_the_leads_group_exists_empty_and_grants_view_all(bob):
    leads = Group.objects.get(name=access.LEADS_GROUP)
    assert leads.user_set.count() == 0
    assert list(leads.permissions.values_list("codename", flat=True)) == ["view_all_calls"]
    assert not access.sees_all(bob)
    bob.groups.add(leads)
    assert access.sees_all(fresh(bob))


def test_making_the_leads_group_again_changes_nothing():
    owners_migration.create_leads_group(apps, None)
    assert Group.objects.filter(name=access.LEADS_GROUP).count() == 1
    assert Group.objects.get(name=access.LEADS_GROUP).permissions.count() == 1


def test_get_transcript_for_answers_404_for_someone_elses(alice, bob):
    from django.http import Http404

    theirs = Transcript.objects.create(owner=alice)
    with pytest.raises(Http404):
        selectors.get_transcript_for(bob, pk=theirs.pk)
    assert selectors.get_transcript_for(alice, pk=theirs.pk) == theirs


def test_webhook_deliveries_follow_their_transcripts_owner(alice, bob):
    mine = WebhookDelivery.objects.create(transcript=Transcript.objects.create(owner=alice), job_id="j1")
    WebhookDelivery.objects.create(job_id="unmatched")
    assert list(selectors.deliveries_visible_to(alice)) == [mine]
    assert selectors.deliveries_visible_to(bob).count() == 0


# -- owners set where rows are made ----------------------------------------------------------


def test_a_recording_belongs_to_its_calls_owner(alice):
    Call.objects.create(sid=CALL_SID, to="+14155550101", owner=alice)
    recording, _ = services.recording_store(sid=RECORDING_SID, call_sid=CALL_SID, status="in-progress")
    assert recording.owner == alice


def test_a_recording_of_an_unknown_call_belongs_to_nobody():
    recording, _ = services.recording_store(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    assert recording.owner is None


def test_a_recordings_transcript_belongs_to_the_recordings_owner(alice, task_queue):
    Call.objects.create(sid=CALL_SID, to="+14155550101", owner=alice)
    services.recording_received(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    assert Transcript.objects.get(recording_sid=RECORDING_SID).owner == alice


def test_transcribe_gives_the_transcript_to_the_named_owner(alice, mocked_http):
    mocked_http.post("https://api.assemblyai.com/v2/transcript", json={"id": "job-owned", "status": "queued"})
    call_command("transcribe", "https://example.com/a.mp3", "--owner", "alice")
    assert Transcript.objects.get(job_id="job-owned").owner == alice


def test_transcribe_refuses_an_unknown_owner_before_sending_anything(mocked_http):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("transcribe", "https://example.com/a.mp3", "--owner", "nobody")
    assert not mocked_http.calls
    assert not Transcript.objects.exists()


# -- the data migration ----------------------------------------------------------------------


def test_the_migration_gives_existing_rows_their_dialers_as_owners(alice, bob):
    Call.objects.create(sid=CALL_SID, to="+14155550101", dialed_by=alice)
    Call.objects.create(sid=OTHER_CALL_SID, to="+14155550102")  # dialer unknown
    Recording.objects.create(sid=RECORDING_SID, call_sid=CALL_SID)
    by_recording = Transcript.objects.create(recording_sid=RECORDING_SID)
    by_call = Transcript.objects.create(call_sid=CALL_SID)
    unknown = Transcript.objects.create(call_sid=OTHER_CALL_SID)
    from_url = Transcript.objects.create(audio_url="https://example.com/a.mp3")
    kept = Transcript.objects.create(call_sid=CALL_SID, owner=bob)

    owners_migration.assign_owners(apps, None)

    assert Call.objects.get(sid=CALL_SID).owner == alice
    assert Call.objects.get(sid=OTHER_CALL_SID).owner is None
    assert Recording.objects.get(sid=RECORDING_SID).owner == alice
    for transcript, owner in [
        (by_recording, alice),
        (by_call, alice),
        (unknown, None),
        (from_url, None),
        (kept, bob),
    ]:
        transcript.refresh_from_db()
        assert transcript.owner == owner
