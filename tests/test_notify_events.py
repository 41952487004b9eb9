"""Which changes become outbound events, and who hears of them (only what an endpoint's owner may see)."""

import json

import pytest
from django.db import transaction

from caller.services import call_status_received, recording_received
from djtranscribe import access
from notify.models import Delivery, Endpoint, Event, EventType
from tests.factories import make_call, make_endpoint, make_transcript, make_user
from tests.fakes import CALL_SID, RECORDING_SID
from transcription.pipeline.apply import transcript_apply, transcript_fail
from transcription.signals import transcript_revised

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def endpoint(alice):
    return make_endpoint(alice)


def events_of(endpoint):
    return [
        d.event.type
        for d in Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("pk")
    ]


def body(event: Event) -> dict:
    return json.loads(event.body)


def test_a_completed_transcript_becomes_one_event_with_its_text(task_queue, endpoint, alice):
    transcript = make_transcript(submitted=True, owner=alice)
    with task_queue.capture(execute=True):
        transcript_apply(transcript=transcript, data={"status": "completed", "text": "Hello there."})
    event = Event.objects.get()
    assert event.type == EventType.TRANSCRIPT_COMPLETED
    assert body(event)["data"]["text"] == "Hello there."
    assert body(event)["data"]["link"] == f"https://djt.example.com/transcription/{transcript.pk}/"
    assert [r.task.name for r in task_queue.pending] == ["deliver_event"]


def test_an_error_from_assemblyai_and_the_apps_own_verdict_become_transcript_failed(
    task_queue, endpoint, alice
):
    first = make_transcript(submitted=True, owner=alice)
    second = make_transcript(owner=alice)
    with task_queue.capture(execute=True):
        transcript_apply(transcript=first, data={"status": "error", "error": "Download error"})
        transcript_fail(second, "Gave up after 8 attempts.")
    errors = [body(e)["data"]["error"] for e in Event.objects.order_by("pk")]
    assert errors == ["Download error", "Gave up after 8 attempts."]
    assert events_of(endpoint) == ["transcript.failed", "transcript.failed"]


def test_a_revision_signal_becomes_transcript_revised(task_queue, endpoint, alice):
    transcript = make_transcript(completed=True, owner=alice, text="Corrected text.")
    with task_queue.capture(execute=True), transaction.atomic():
        transcript_revised.send(sender=type(transcript), transcript=transcript)
    assert events_of(endpoint) == ["transcript.revised"]
    assert body(Event.objects.get())["data"]["text"] == "Corrected text."


def test_a_call_reaching_completed_becomes_call_completed_once(task_queue, endpoint, alice):
    make_call(status="in-progress", owner=alice)
    with task_queue.capture(execute=True):
        call_status_received(call_sid=CALL_SID, status="completed", duration="42")
        call_status_received(call_sid=CALL_SID, status="completed", duration="42")  # Twilio repeats itself
    assert events_of(endpoint) == ["call.completed"]
    data = body(Event.objects.get())["data"]
    assert (data["call_sid"], data["duration"]) == (CALL_SID, 42)
    assert data["link"] == f"https://djt.example.com/calls/{CALL_SID}/"


def test_a_completed_recording_becomes_recording_completed_once(task_queue, endpoint, alice):
    make_call(status="completed", owner=alice)
    with task_queue.capture(execute=True):
        recording_received(sid=RECORDING_SID, call_sid=CALL_SID, status="in-progress")
        recording_received(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
        recording_received(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    assert events_of(endpoint) == ["recording.completed"]


def test_an_endpoint_gets_only_the_events_it_subscribed_to(task_queue, alice):
    only_failures = make_endpoint(alice, events=["transcript.failed"])
    with task_queue.capture(execute=True):
        transcript_apply(
            transcript=make_transcript(submitted=True, owner=alice), data={"status": "completed"}
        )
    assert events_of(only_failures) == []


def test_nothing_is_stored_when_no_endpoint_listens(task_queue, alice):
    with task_queue.capture(execute=True):
        transcript_apply(
            transcript=make_transcript(submitted=True, owner=alice), data={"status": "completed"}
        )
    assert not Event.objects.exists() and not task_queue.pending


def test_another_users_endpoint_never_hears_of_alices_transcript_but_a_leads_does(
    task_queue, endpoint, alice
):
    bob = make_endpoint(make_user("bob"))
    lead_user = make_user("lena", perms=[access.VIEW_ALL_CALLS_CODENAME])
    lead = make_endpoint(lead_user)
    with task_queue.capture(execute=True):
        transcript_apply(
            transcript=make_transcript(submitted=True, owner=alice), data={"status": "completed"}
        )
    assert events_of(endpoint) == ["transcript.completed"]
    assert events_of(bob) == []
    assert events_of(lead) == ["transcript.completed"]


def test_a_deactivated_users_endpoint_hears_nothing(task_queue, endpoint, alice):
    alice.is_active = False
    alice.save()
    with task_queue.capture(execute=True):
        transcript_apply(
            transcript=make_transcript(submitted=True, owner=alice), data={"status": "completed"}
        )
    assert events_of(endpoint) == []


def test_a_disabled_endpoint_hears_nothing(task_queue, alice):
    off = make_endpoint(alice, active=False)
    with task_queue.capture(execute=True):
        transcript_apply(
            transcript=make_transcript(submitted=True, owner=alice), data={"status": "completed"}
        )
    assert events_of(off) == []


def test_the_environments_endpoint_hears_of_every_object(task_queue, settings):
    settings.OUTBOUND_WEBHOOK_URL = "https://ops.example.com/hook"
    settings.OUTBOUND_WEBHOOK_SECRET = "whsec_" + "A" * 43 + "="
    with task_queue.capture(execute=True):
        transcript_apply(transcript=make_transcript(submitted=True), data={"status": "completed"})
    endpoint = Endpoint.objects.get(from_environment=True)
    assert (endpoint.url, endpoint.owner, endpoint.secret) == ("https://ops.example.com/hook", None, "")
    assert endpoint.signing_secret() == settings.OUTBOUND_WEBHOOK_SECRET
    assert events_of(endpoint) == ["transcript.completed"]


def test_the_environments_endpoint_follows_the_setting(task_queue, settings):
    settings.OUTBOUND_WEBHOOK_URL = "https://ops.example.com/hook"
    settings.OUTBOUND_WEBHOOK_SECRET = "whsec_" + "A" * 43 + "="
    transcripts = [make_transcript(submitted=True, job_id=f"job-{n}") for n in range(3)]
    with task_queue.capture(execute=True):
        transcript_apply(transcript=transcripts[0], data={"status": "completed"})
        settings.OUTBOUND_WEBHOOK_URL = "https://new.example.com/hook"
        transcript_apply(transcript=transcripts[1], data={"status": "completed"})
        settings.OUTBOUND_WEBHOOK_URL = ""
        transcript_apply(transcript=transcripts[2], data={"status": "completed"})
    endpoint = Endpoint.objects.get(from_environment=True)
    assert endpoint.url == "https://new.example.com/hook" and not endpoint.active
    assert Delivery.objects.count() == 2


def test_a_broken_receiver_never_undoes_the_change_it_reports(task_queue, endpoint, alice, monkeypatch):
    from notify import payloads

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in notify")

    monkeypatch.setattr(payloads, "event_body", broken)
    transcript = make_transcript(submitted=True, owner=alice)
    with task_queue.capture(execute=True):
        transcript_apply(transcript=transcript, data={"status": "completed", "text": "kept"})
    transcript.refresh_from_db()
    assert (transcript.status, transcript.text) == ("completed", "kept")
    assert not Event.objects.exists()


def test_sample_transcripts_send_nothing(task_queue, endpoint, alice):
    with task_queue.capture(execute=True):
        transcript_apply(
            transcript=make_transcript(submitted=True, owner=alice, is_sample=True),
            data={"status": "completed"},
        )
    assert events_of(endpoint) == []


def test_a_correction_saved_in_the_editor_becomes_transcript_revised_with_the_new_text(
    task_queue, endpoint, alice
):
    from transcription.revising.services import transcript_correct

    transcript = make_transcript(completed=True, owner=alice)  # "Ahoy, this"
    with task_queue.capture(execute=True):
        saved = transcript_correct(transcript_pk=transcript.pk, user=alice, start=1, end=2, text="that")
    assert events_of(endpoint) == ["transcript.revised"]
    data = body(Event.objects.get())["data"]
    assert (data["text"], data["revision_id"]) == ("Ahoy, that", saved.revision.pk)


def test_many_endpoints_of_one_owner_cost_the_queries_of_one(task_queue, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notify.events import event_record

    transcript = make_transcript(completed=True, owner=alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            event_record(
                event_type="transcript.completed", obj_kind="transcript", obj_id=transcript.pk, data={}
            )
        return len(captured.captured_queries)

    make_endpoint(alice)
    one = queries()
    for n in range(9):
        make_endpoint(alice, url=f"https://hooks{n}.example.com/")
    assert queries() == one
    assert Delivery.objects.count() == 1 + 10


def test_with_no_endpoint_a_recording_callback_reads_the_endpoints_once_and_builds_no_payload(
    task_queue, alice, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notify import payloads

    built = []
    monkeypatch.setattr(payloads, "recording_data", lambda recording: built.append(recording) or {})
    make_call(status="completed", owner=alice)
    with CaptureQueriesContext(connection) as captured:
        recording_received(sid=RECORDING_SID, call_sid=CALL_SID, status="completed")
    endpoint_reads = [q["sql"] for q in captured.captured_queries if "notify_endpoint" in q["sql"]]
    assert len(endpoint_reads) == 1 and "JOIN" not in endpoint_reads[0]
    assert built == [] and not Event.objects.exists()


def test_a_disabled_environment_endpoint_stays_disabled_while_its_url_stays(task_queue, settings):
    settings.OUTBOUND_WEBHOOK_URL = "https://ops.example.com/hook"
    settings.OUTBOUND_WEBHOOK_SECRET = "whsec_" + "A" * 43 + "="
    first, second = (make_transcript(submitted=True, job_id=f"job-{n}") for n in range(2))
    with task_queue.capture(execute=True):
        transcript_apply(transcript=first, data={"status": "completed"})
        Endpoint.objects.filter(from_environment=True).update(active=False)  # auto-disabled
        transcript_apply(transcript=second, data={"status": "completed"})
    assert not Endpoint.objects.get(from_environment=True).active
    assert Delivery.objects.count() == 1
