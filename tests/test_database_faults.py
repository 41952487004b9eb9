"""A database that is briefly locked (SQLite) or restarted (PostgreSQL) while a webhook arrives.

The endpoint answers 503 instead of pretending success, leaves nothing half-written, and
sync_transcripts recovers the job anyway: AssemblyAI's by its overdue poll, Twilio's (which is
never retried) by listing the call's recordings.
"""

import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import InterfaceError, OperationalError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from caller.callbacks import recording_callback_fields, recording_callback_store
from caller.models import Call, Recording
from caller.services import recordings_reconcile
from djtranscribe.lib.tasks import INBOX_ATTEMPTS
from tests.factories import make_call
from tests.fakes import (
    AAI,
    CALL_SID,
    JOB_ID,
    RECORDING_SID,
    RECORDINGS_URL,
    mock_media,
    mock_upload,
    recording_callback,
    run_inbox,
    transcript_json,
    twilio_recordings,
    webhook_headers,
)
from tests.fakes.tasks import DATABASE_TASKS
from transcription.models import Transcript, WebhookDelivery
from transcription.pipeline.inbound import webhook_delivery_store
from transcription.pipeline.sync import transcripts_sync

pytestmark = pytest.mark.django_db

TASK_TABLE = DBTaskResult._meta.db_table

FAULTS = {
    "sqlite-locked": lambda: OperationalError("database is locked"),
    "postgres-restarted": lambda: OperationalError(
        "terminating connection due to administrator command\nSSL connection has been closed unexpectedly"
    ),
    "postgres-connection-gone": lambda: InterfaceError("connection already closed"),
}


@contextmanager
def database_fails_on(table: str, fault, statement: str = "INSERT"):
    """Every `statement` (INSERT, UPDATE...) on `table` fails as the database would, at the driver level."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(statement) and f'"{table}"' in sql:
            raise fault()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@contextmanager
def webhook_inbox_fails(fault):
    """The task row that carries a webhook delivery (the production backend's) cannot be written.

    The savepoint stands in for production's autocommit, where a failed INSERT spoils nothing
    after it; inside the test's own transaction it would spoil every later query.
    """
    with override_settings(TASKS=DATABASE_TASKS), database_fails_on(TASK_TABLE, fault):
        with transaction.atomic():
            yield


def post_webhook(client, transcript):
    return client.post(
        f"/transcription/webhook/{transcript.webhook_token}/",
        data=json.dumps({"transcript_id": JOB_ID, "status": "completed"}),
        content_type="application/json",
        **webhook_headers(),
    )


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_webhook_the_database_cannot_take_gets_503_so_assemblyai_retries(
    client, submitted, task_queue, fault
):
    with webhook_inbox_fails(fault):
        response = post_webhook(client, submitted)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert (WebhookDelivery.objects.count(), DBTaskResult.objects.count()) == (0, 0)
    submitted.refresh_from_db()
    assert submitted.webhook_received_at is None
    assert task_queue.pending == []


def test_assemblyais_retry_of_that_webhook_is_taken(client, submitted, task_queue, mocked_http):
    with webhook_inbox_fails(FAULTS["sqlite-locked"]):
        assert post_webhook(client, submitted).status_code == 503
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    assert post_webhook(client, submitted).status_code == 200
    task_queue.run_all()
    submitted.refresh_from_db()
    assert submitted.status == "completed"


def test_sync_completes_a_job_whose_webhook_was_lost_to_the_database(client, submitted, mocked_http):
    with webhook_inbox_fails(FAULTS["postgres-restarted"]):
        post_webhook(client, submitted)
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    # All of AssemblyAI's retries failed too: the overdue poll finds the result.
    report = transcripts_sync(now=timezone.now() + timedelta(minutes=11))
    assert report.polled == [f"#{submitted.pk} {JOB_ID}: completed"]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.text) == ("completed", "Ahoy, this is a test call.")


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_worker_that_cannot_store_a_delivery_writes_nothing_half_and_tries_again_later(
    client, submitted, task_queue, mocked_http, fault
):
    # The transcript's UPDATE goes first, the delivery's INSERT fails: both roll back, and the same
    # delivery is queued again 10 s later.
    assert post_webhook(client, submitted).status_code == 200
    with database_fails_on("transcription_webhookdelivery", fault), task_queue.capture(execute=True):
        [outcome] = run_inbox()
    assert outcome.startswith("database unavailable")
    submitted.refresh_from_db()
    assert (submitted.webhook_received_at, WebhookDelivery.objects.count()) == (None, 0)
    [retry] = task_queue.pending
    assert (retry.task.name, retry.kwargs["token"], retry.kwargs["attempt"]) == (
        "store_webhook_delivery",
        submitted.webhook_token,
        1,
    )
    assert 9 <= (retry.task.run_after - timezone.now()).total_seconds() <= 10
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=transcript_json("completed"))
    task_queue.run_all()  # the database is back: stored, then fetched
    assert WebhookDelivery.objects.get().processed_at is not None
    submitted.refresh_from_db()
    assert submitted.status == "completed"


def test_a_worker_gives_up_on_a_delivery_after_its_last_try_with_the_databases_message(submitted, task_queue):
    body = {"transcript_id": JOB_ID, "status": "completed"}
    with database_fails_on("transcription_webhookdelivery", FAULTS["sqlite-locked"]):
        with pytest.raises(OperationalError, match="database is locked"):
            webhook_delivery_store(token=submitted.webhook_token, body=body, attempt=INBOX_ATTEMPTS - 1)
    assert task_queue.pending == []
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_recording_callback_whose_task_row_the_database_cannot_take_gets_503_and_stores_nothing(
    twilio_post, fault
):
    # The request writes one row, the task carrying the callback (caller.callbacks): when that
    # INSERT fails, Twilio must not hear 204.
    # (atomic: in production the request is in autocommit; here, inside the test's transaction.)
    with override_settings(TASKS=DATABASE_TASKS), database_fails_on(TASK_TABLE, fault):
        with transaction.atomic():
            response = twilio_post("/twilio/recording-status/", recording_callback())
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert DBTaskResult.objects.count() == 0
    assert (Recording.objects.count(), Transcript.objects.count()) == (0, 0)


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_worker_that_meets_an_unavailable_database_writes_nothing_half_and_tries_again_later(
    twilio_post, task_queue, fault
):
    # The Recording row is written first; the transcript's insert fails: both roll back, and the
    # same fields are queued again 10 s later.
    with database_fails_on("transcription_transcript", fault), task_queue.capture(execute=True):
        assert twilio_post("/twilio/recording-status/", recording_callback()).status_code == 204
    assert (Recording.objects.count(), Transcript.objects.count()) == (0, 0)
    [retry] = task_queue.pending
    assert (retry.task.name, retry.args[0]["sid"], retry.kwargs) == (
        "store_recording",
        RECORDING_SID,
        {"attempt": 1},
    )
    assert 9 <= (retry.task.run_after - timezone.now()).total_seconds() <= 10
    task_queue.run_all()  # the database is back
    assert Recording.objects.get().status == "completed"
    assert Transcript.objects.get().recording_sid == RECORDING_SID


def test_a_worker_gives_up_after_its_last_try_with_the_databases_message(task_queue):
    fields = recording_callback_fields(recording_callback())
    with database_fails_on("caller_recording", FAULTS["sqlite-locked"]):
        with pytest.raises(OperationalError, match="database is locked"):
            recording_callback_store(fields, attempt=INBOX_ATTEMPTS - 1)
    assert task_queue.pending == []
    assert Recording.objects.count() == 0


@override_settings(TRANSCRIPTION_AUDIO_SOURCE="url")
def test_sync_finds_the_recording_whose_callback_was_lost_to_the_database(
    twilio_post, task_queue, mocked_http
):
    make_call(sid=CALL_SID, status="completed")
    with override_settings(TASKS=DATABASE_TASKS), database_fails_on(TASK_TABLE, FAULTS["sqlite-locked"]):
        with transaction.atomic():
            assert twilio_post("/twilio/recording-status/", recording_callback()).status_code == 503
    # Twilio does not retry a recording callback: the reconcile lists the call's recordings.
    mocked_http.get(
        re.compile(re.escape(RECORDINGS_URL) + r"\?CallSid=" + CALL_SID), json=twilio_recordings()
    )
    mock_media(mocked_http)
    mock_upload(mocked_http, [])
    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    with task_queue.capture(execute=True):
        report = transcripts_sync(
            now=timezone.now() + timedelta(minutes=10), reconcilers=[recordings_reconcile]
        )
    assert report.recovered == [f"{CALL_SID}: recording {RECORDING_SID} queued"]
    task_queue.run_all()
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    assert (transcript.status, transcript.job_id) == ("queued", JOB_ID)
    assert Recording.objects.get().status == "completed"


def test_a_call_status_callback_the_database_cannot_take_gets_503_and_changes_nothing(twilio_post):
    make_call(sid=CALL_SID, status="ringing")
    with database_fails_on("caller_call", FAULTS["postgres-connection-gone"], statement="UPDATE"):
        response = twilio_post("/twilio/call-status/", {"CallSid": CALL_SID, "CallStatus": "completed"})
    assert response.status_code == 503
    assert Call.objects.get().status == "ringing"
