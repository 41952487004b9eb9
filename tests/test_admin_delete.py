"""Deleting transcripts in the admin deletes them at AssemblyAI too; a failure keeps the row and says why."""

import pytest
import requests
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages

from tests.factories import make_delivery, make_transcript
from tests.fakes import AAI
from transcription.models import Transcript, TranscriptStatus, WebhookDelivery

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/transcription/transcript/"


def transcript(job_id="job-1", **fields):
    return make_transcript(job_id=job_id, status=TranscriptStatus.COMPLETED, text="hello", **fields)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def deletions():
    return list(LogEntry.objects.filter(action_flag=DELETION).values_list("object_id", flat=True))


def test_deleting_one_transcript_deletes_it_at_assemblyai_first(admin_client_logged, mocked_http):
    row = transcript()
    make_delivery(transcript=row, job_id="job-1", status="completed")
    mocked_http.delete(f"{AAI}/v2/transcript/job-1", json={"id": "job-1", "status": "completed"})
    response = admin_client_logged.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and response.url == CHANGELIST
    assert [c.request.method for c in mocked_http.calls] == ["DELETE"]
    assert Transcript.objects.count() == 0 and WebhookDelivery.objects.count() == 0
    assert deletions() == [str(row.pk)]


def test_a_transient_failure_keeps_the_row_and_the_admin_says_why(admin_client_logged, mocked_http):
    row = transcript()
    mocked_http.delete(f"{AAI}/v2/transcript/job-1", json={"error": "Service unavailable"}, status=503)
    response = admin_client_logged.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and response.url == f"{CHANGELIST}{row.pk}/change/"
    [message] = messages_of(response)
    assert message.startswith(f"Kept transcript {row.pk} (job-1): AssemblyAI did not delete it")
    assert "503" in message and message.endswith("Try again later.")
    assert Transcript.objects.get() == row
    assert deletions() == []  # the log does not claim a deletion that did not happen


def test_the_delete_confirmation_page_still_comes_first(admin_client_logged, mocked_http):
    row = transcript()
    page = admin_client_logged.get(f"{CHANGELIST}{row.pk}/delete/")
    assert page.status_code == 200 and b"Are you sure" in page.content
    response = admin_client_logged.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [row.pk]}
    )
    assert response.status_code == 200 and b"Are you sure" in response.content
    assert len(mocked_http.calls) == 0 and Transcript.objects.count() == 1


def test_bulk_delete_deletes_each_at_assemblyai_and_keeps_those_it_could_not(
    admin_client_logged, mocked_http
):
    gone, stuck, never_submitted = transcript("job-1"), transcript("job-2"), transcript(None)
    mocked_http.delete(f"{AAI}/v2/transcript/job-1", json={"id": "job-1"})
    mocked_http.delete(f"{AAI}/v2/transcript/job-2", body=requests.ConnectTimeout("timed out"))
    response = admin_client_logged.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [gone.pk, stuck.pk, never_submitted.pk],
        },
    )
    assert response.status_code == 302
    assert list(Transcript.objects.all()) == [stuck]
    assert sorted(c.request.url for c in mocked_http.calls) == [
        f"{AAI}/v2/transcript/job-1",
        f"{AAI}/v2/transcript/job-2",
    ]
    messages = messages_of(response)
    assert "Deleted 2 transcript(s) here and at AssemblyAI." in messages
    assert any(
        m.startswith(f"Kept transcript {stuck.pk} (job-2)") and "Try again later." in m for m in messages
    )
    assert sorted(deletions()) == sorted([str(gone.pk), str(never_submitted.pk)])


def test_the_changelist_offers_only_the_assemblyai_aware_bulk_delete(admin_client_logged):
    transcript()
    page = admin_client_logged.get(CHANGELIST)
    assert page.content.count(b'value="delete_selected"') == 1
    assert b"Delete selected transcripts (here and at AssemblyAI)" in page.content


def test_the_admins_queryset_delete_also_goes_through_assemblyai(admin_user, rf, mocked_http):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    kept = transcript("job-1")
    transcript("job-2")
    mocked_http.delete(f"{AAI}/v2/transcript/job-1", json={"error": "Internal error"}, status=500)
    mocked_http.delete(f"{AAI}/v2/transcript/job-2", json={"id": "job-2"})
    request = rf.post(CHANGELIST)
    request.user, request.session = admin_user, {}
    request._messages = FallbackStorage(request)
    admin.site._registry[Transcript].delete_queryset(request, Transcript.objects.all())
    assert list(Transcript.objects.all()) == [kept]
    [message] = [str(m) for m in request._messages]
    assert message.startswith(f"Kept transcript {kept.pk} (job-1)")
