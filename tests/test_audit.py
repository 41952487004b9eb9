"""The audit trail: a row for each sensitive action, a read-only admin, and purge_audit."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record, on_user_locked_out
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import AAI, ACCOUNT, MEDIA_URL, RECORDING_SID, mock_media, tone_wav
from transcription.models import Transcript, TranscriptStatus

pytestmark = pytest.mark.django_db

CALLS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
CALL_SID = "CA" + "7" * 32


def completed(**fields) -> Transcript:
    return make_transcript(**{"completed": True, "job_id": "job-audit", **fields})


def rows(action=None):
    events = AuditEvent.objects.all() if action is None else AuditEvent.objects.filter(action=action)
    return list(events.values_list("action", "obj_kind", "obj_id", "username", "detail"))


def call_json():
    return {
        "sid": CALL_SID,
        "to": "+14155551234",
        "from": "+15005550006",
        "status": "queued",
        "account_sid": ACCOUNT,
        "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL_SID}.json",
    }


# -- the service -----------------------------------------------------------------------------


def test_it_records_who_from_which_address_and_when(staff_user):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = staff_user
    event = audit_record(request=request, action=AuditAction.VIEWED, obj_kind="transcript", obj_id=7)
    assert (event.user, event.username, event.address, event.obj_id) == (
        staff_user,
        "staff",
        "203.0.113.9",
        "7",
    )
    assert timezone.now() - event.at < timedelta(minutes=1)


def test_behind_a_trusted_proxy_it_records_the_proxys_forwarded_address(staff_user, settings):
    settings.TRUSTED_PROXY = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    request.user = staff_user
    event = audit_record(request=request, action=AuditAction.VIEWED, obj_kind="transcript", obj_id=7)
    assert event.address == "203.0.113.9"


def test_it_keeps_the_username_after_the_user_is_deleted(staff_user):
    audit_record(user=staff_user, action=AuditAction.VIEWED, obj_kind="transcript", obj_id=1)
    staff_user.delete()
    event = AuditEvent.objects.get()
    assert (event.user, event.username) == (None, "staff")


def test_it_records_an_anonymous_visitor_without_a_user():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    event = audit_record(request=request, action=AuditAction.SHARE_OPENED, obj_kind="transcript", obj_id=1)
    assert (event.user, event.username, event.address) == (None, "", None)


def test_it_refuses_an_action_that_is_not_in_the_list():
    with pytest.raises(ValueError):
        audit_record(action="teleported", obj_kind="transcript", obj_id=1)


def test_it_clips_long_labels_instead_of_failing():
    event = audit_record(action=AuditAction.EDITED, obj_kind="transcript", obj_id=1, label="x" * 500)
    assert len(event.label) == 200


# -- the views -------------------------------------------------------------------------------


def test_opening_a_transcript_page_records_a_view(staff_client):
    transcript = completed()
    assert staff_client.get(transcript.get_absolute_url()).status_code == 200
    assert rows() == [("viewed", "transcript", str(transcript.pk), "staff", "")]
    assert AuditEvent.objects.get().address == "127.0.0.1"


def test_opening_a_call_page_records_a_view_of_the_call_and_its_recordings(staff_client):
    make_call(CALL_SID)
    assert staff_client.get(f"/calls/{CALL_SID}/").status_code == 200
    assert rows() == [("viewed", "call", CALL_SID, "staff", "")]


@pytest.mark.parametrize("kind", ["txt", "json", "srt", "vtt"])
def test_each_export_records_its_format(staff_client, kind):
    transcript = completed()
    assert staff_client.get(f"/transcription/{transcript.pk}/export.{kind}").status_code == 200
    assert rows() == [("exported", "transcript", str(transcript.pk), "staff", kind)]


def test_an_export_that_was_refused_records_nothing(staff_client):
    transcript = make_transcript(status=TranscriptStatus.PROCESSING)
    assert staff_client.get(f"/transcription/{transcript.pk}/export.txt").status_code == 409
    assert rows() == []


@pytest.fixture
def recording():
    return make_recording(call_sid=CALL_SID)


@pytest.mark.parametrize("headers", [{}, {"HTTP_RANGE": "bytes=0-"}])
def test_starting_a_playback_records_one_play(staff_client, mocked_http, recording, headers):
    mock_media(mocked_http, tone_wav(0.2), redirect_to=None)
    response = staff_client.get(f"/recordings/{RECORDING_SID}/media/", **headers)
    assert response.status_code in (200, 206)
    assert rows() == [("played", "recording", RECORDING_SID, "staff", "")]


def test_seeking_within_a_playback_records_no_new_play(staff_client, mocked_http, recording):
    mock_media(mocked_http, tone_wav(0.2), redirect_to=None)
    response = staff_client.get(f"/recordings/{RECORDING_SID}/media/", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert rows() == []


def test_a_playback_twilio_refused_records_nothing(staff_client, mocked_http, recording):

    mocked_http.get(MEDIA_URL, status=404, json={"message": "gone"})
    assert staff_client.get(f"/recordings/{RECORDING_SID}/media/").status_code == 404
    assert rows() == []


def test_placing_a_call_from_the_dial_page_records_it(staff_client, mocked_http):
    mocked_http.post(CALLS_URL, json=call_json(), status=201)
    assert staff_client.post("/dial/14155551234/").status_code == 200
    assert rows() == [("call_placed", "call", CALL_SID, "staff", "")]
    assert AuditEvent.objects.get().label == "+14155551234"


def test_placing_a_call_from_the_home_form_records_it(staff_client, mocked_http):
    mocked_http.post(CALLS_URL, json=call_json(), status=201)
    assert staff_client.post("/", {"number": "+1 415 555 1234"}).status_code == 302
    assert rows() == [("call_placed", "call", CALL_SID, "staff", "")]


def test_a_call_twilio_refused_records_nothing(staff_client, mocked_http):
    mocked_http.post(CALLS_URL, json={"code": 21211, "message": "Invalid 'To'"}, status=400)
    assert staff_client.post("/dial/14155551234/").status_code == 400
    assert rows() == []


# -- the admin and the commands --------------------------------------------------------------

CHANGELIST = "/admin/transcription/transcript/"


def test_deleting_a_transcript_in_the_admin_records_it(admin_client_logged, mocked_http):
    transcript = completed()
    mocked_http.delete(f"{AAI}/v2/transcript/job-audit", json={"id": "job-audit"})
    admin_client_logged.post(f"{CHANGELIST}{transcript.pk}/delete/", {"post": "yes"})
    assert rows() == [("deleted", "transcript", str(transcript.pk), "admin", "admin")]


def test_a_deletion_assemblyai_refused_leaves_no_audit_row(admin_client_logged, mocked_http):
    transcript = completed()
    mocked_http.delete(f"{AAI}/v2/transcript/job-audit", json={"error": "unavailable"}, status=503)
    admin_client_logged.post(f"{CHANGELIST}{transcript.pk}/delete/", {"post": "yes"})
    assert Transcript.objects.filter(pk=transcript.pk).exists()
    assert rows() == []


def test_a_bulk_delete_records_each_deleted_transcript(admin_client_logged, mocked_http):
    first, second = completed(job_id=None), completed(job_id=None, recording_sid="")
    admin_client_logged.post(
        CHANGELIST, {"action": "delete_selected", "post": "yes", "_selected_action": [first.pk, second.pk]}
    )
    assert sorted(obj_id for _, _, obj_id, _, _ in rows("deleted")) == sorted([str(first.pk), str(second.pk)])


def test_editing_a_transcript_in_the_admin_records_it(admin_client_logged):
    transcript = completed(audio_url="https://example.com/a.mp3")
    response = admin_client_logged.post(
        f"{CHANGELIST}{transcript.pk}/change/",
        {
            "audio_url": "https://example.com/b.mp3",
            "recording_sid": "",
            "call_sid": "",
            "speech_models": "[]",
            # The participants inline's management form (no participants).
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert rows() == [("edited", "transcript", str(transcript.pk), "admin", "")]


def test_deleting_a_recording_in_the_admin_records_it(admin_client_logged, recording):
    response = admin_client_logged.post(f"/admin/caller/recording/{recording.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert rows("deleted") == [("deleted", "recording", RECORDING_SID, "admin", "admin")]


def test_purge_transcripts_records_each_deletion():
    transcript = completed(job_id=None, created_ago=timedelta(days=40))
    call_command("purge_transcripts", "--older-than", "30", stdout=StringIO(), stderr=StringIO())
    assert rows() == [("deleted", "transcript", str(transcript.pk), "", "purge_transcripts")]


def old_event(days: int) -> AuditEvent:
    event = audit_record(action=AuditAction.VIEWED, obj_kind="transcript", obj_id=days)
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=days))
    return event


def test_purge_audit_deletes_only_rows_older_than_the_given_days():
    old_event(100)
    young = old_event(10)
    out = StringIO()
    call_command("purge_audit", "--older-than", "90", stdout=out)
    assert out.getvalue() == "Deleted 1 audit rows older than 90 days.\n"
    assert list(AuditEvent.objects.all()) == [young]


def test_purge_audit_dry_run_only_counts():
    old_event(100)
    out = StringIO()
    call_command("purge_audit", "--older-than", "90", "--dry-run", stdout=out)
    assert out.getvalue() == "Would delete 1 audit rows older than 90 days (dry run).\n"
    assert AuditEvent.objects.count() == 1


def test_purge_audit_refuses_a_negative_age():
    with pytest.raises(CommandError, match="0 days or more"):
        call_command("purge_audit", "--older-than", "-1")


# -- the admin list --------------------------------------------------------------------------

AUDIT_ADMIN = "/admin/audit/auditevent/"


def test_the_admin_lists_the_trail_and_finds_rows_by_object_id(admin_client_logged):
    audit_record(action=AuditAction.VIEWED, obj_kind="transcript", obj_id="4242")
    audit_record(action=AuditAction.VIEWED, obj_kind="transcript", obj_id="77")
    response = admin_client_logged.get(AUDIT_ADMIN, {"q": "4242"})
    assert response.status_code == 200
    assert b"4242" in response.content and b">77<" not in response.content
    assert admin_client_logged.get(AUDIT_ADMIN, {"action__exact": "viewed"}).status_code == 200


def test_the_admin_offers_no_add_change_or_delete(admin_client_logged):
    event = audit_record(action=AuditAction.VIEWED, obj_kind="transcript", obj_id="1")
    assert admin_client_logged.get(f"{AUDIT_ADMIN}add/").status_code == 403
    assert admin_client_logged.get(f"{AUDIT_ADMIN}{event.pk}/delete/").status_code == 403
    response = admin_client_logged.post(f"{AUDIT_ADMIN}{event.pk}/change/", {"obj_id": "2"})
    assert response.status_code == 403
    assert AuditEvent.objects.get().obj_id == "1"


def test_staff_without_the_view_permission_cannot_read_the_trail(staff_client, staff_user):
    assert staff_client.get(AUDIT_ADMIN).status_code == 403
    staff_user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    assert staff_client.get(AUDIT_ADMIN).status_code == 200


# -- sign-in lock-outs -----------------------------------------------------------------------


def test_a_lock_out_is_recorded_with_the_account_and_address():
    request = RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.4")
    on_user_locked_out(sender=None, request=request, username="mallory", ip_address="198.51.100.4")
    event = AuditEvent.objects.get()
    assert (event.action, event.obj_kind, event.obj_id, event.address) == (
        "locked_out",
        "account",
        "mallory",
        "198.51.100.4",
    )


def test_axes_lock_out_signal_reaches_the_trail():
    signals = pytest.importorskip("axes.signals", reason="django-axes is not installed on this branch yet")
    from django.apps import apps

    if not apps.is_installed("axes"):
        pytest.skip("django-axes is importable but not in INSTALLED_APPS")
    request = RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.4")
    signals.user_locked_out.send("axes", request=request, username="mallory", ip_address="198.51.100.4")
    assert rows("locked_out") == [("locked_out", "account", "mallory", "", "")]
