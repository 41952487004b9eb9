"""AssemblyAI's webhook as an inbox: the view answers once the delivery is one task row; the worker stores it.

The view cleans the body (what no database column takes, the pre-signed URL) before it is queued,
so the task row is as safe to write as the WebhookDelivery the worker makes of it.
"""

import json
from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from djtranscribe.lib.tasks import INBOX_PRIORITY, INBOX_QUEUE
from tests.fakes import JOB_ID, run_inbox, url_for, webhook_headers
from tests.fakes.tasks import DATABASE_TASKS
from transcription.models import WebhookDelivery

pytestmark = pytest.mark.django_db

COMPLETED = json.dumps({"transcript_id": JOB_ID, "status": "completed"})


def post(client, path, body=COMPLETED):
    return client.generic("POST", path, data=body, content_type="application/json", **webhook_headers())


def test_the_answer_leaves_one_inbox_task_and_no_delivery_row_yet(client, submitted, task_queue):
    before = timezone.now()
    response = post(client, url_for(submitted))
    assert response.status_code == 200
    [queued] = task_queue.pending
    received_at = datetime.fromisoformat(queued.kwargs.pop("received_at"))
    assert before <= received_at <= timezone.now()
    assert (queued.task.name, queued.task.queue_name, queued.task.priority) == (
        "store_webhook_delivery",
        INBOX_QUEUE,
        INBOX_PRIORITY,
    )
    assert queued.kwargs == {
        "token": submitted.webhook_token,
        "body": {"transcript_id": JOB_ID, "status": "completed"},
        "attempt": 0,
    }
    assert not WebhookDelivery.objects.exists()
    submitted.refresh_from_db()
    assert submitted.webhook_received_at is None


def test_running_the_inbox_task_stores_the_delivery_and_queues_the_fetch(client, submitted, task_queue):
    post(client, url_for(submitted))
    with task_queue.capture(execute=True):
        assert run_inbox() == ["processed"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.transcript, delivery.job_id, delivery.status) == (submitted, JOB_ID, "completed")
    assert delivery.processed_at is not None
    assert [(r.task.name, r.args) for r in task_queue.pending] == [("fetch_transcript", [submitted.pk])]


def test_a_delivery_stored_late_keeps_the_time_the_request_came(client, submitted, task_queue, monkeypatch):
    before = timezone.now()
    post(client, url_for(submitted))
    after = timezone.now()
    an_hour_later = after + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: an_hour_later)  # the worker was behind
    with task_queue.capture(execute=True):
        assert run_inbox() == ["processed"]
    delivery = WebhookDelivery.objects.get()
    submitted.refresh_from_db()
    assert before <= delivery.received_at <= after
    assert submitted.webhook_received_at == delivery.received_at
    assert delivery.processed_at == an_hour_later  # what the worker did, and when


@pytest.mark.parametrize("received_at", [None, "", "yesterday", "2026-12-06T10:00:00"], ids=repr)
def test_a_task_without_a_readable_aware_time_stores_the_delivery_now(submitted, task_queue, received_at):
    from transcription.tasks import store_webhook_delivery

    kwargs = {} if received_at is None else {"received_at": received_at}  # None: queued before it was carried
    before = timezone.now()
    body = {"transcript_id": JOB_ID, "status": "completed"}
    with task_queue.capture(execute=True):
        assert store_webhook_delivery.call(token=submitted.webhook_token, body=body, **kwargs) == "processed"
    assert WebhookDelivery.objects.get().received_at >= before


def test_a_repeated_delivery_processed_twice_queues_one_fetch(client, submitted, task_queue):
    post(client, url_for(submitted))
    post(client, url_for(submitted))
    with task_queue.capture(execute=True):
        assert run_inbox() == ["processed", "stored"]
    assert WebhookDelivery.objects.count() == 2
    assert [r.task.name for r in task_queue.pending] == ["fetch_transcript"]


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        (b'{"transcript_id": "a\\u0000b", "status": "x"}', {"transcript_id": "a\ufffdb", "status": "x"}),
        (b'{"status": "\\ud800"}', {"status": "?"}),
        (b'{"confidence": NaN, "n": -Infinity}', {"confidence": "nan", "n": "-inf"}),
        (b"\xffnot json", {"unparsed": "\ufffdnot json"}),
    ],
    ids=["nul", "surrogate", "nan", "not-json"],
)
def test_a_body_no_database_takes_is_cleaned_before_it_is_queued(client, submitted, task_queue, raw, cleaned):
    assert post(client, url_for(submitted), raw).status_code == 200
    [queued] = task_queue.pending
    assert queued.kwargs["body"] == cleaned
    json.dumps(queued.kwargs, allow_nan=False).encode("utf-8")  # what the task row's JSON column takes
    run_inbox()
    assert WebhookDelivery.objects.get().body == cleaned


def test_a_token_no_transcript_could_have_is_queued_blank_and_stored_for_no_transcript(client, task_queue):
    response = post(client, "/transcription/webhook/%F0%9F%92%A5%25/")
    assert response.status_code == 200
    [queued] = task_queue.pending
    assert queued.kwargs["token"] == ""
    run_inbox()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.transcript, delivery.job_id) == (None, JOB_ID)
    assert task_queue.pending == []


def test_the_admin_of_queued_tasks_withholds_the_token_and_the_delivery(admin_client_logged, submitted):
    from django_tasks_db.models import DBTaskResult

    from djtranscribe.task_admin import WITHHELD

    with override_settings(TASKS=DATABASE_TASKS):
        assert post(admin_client_logged, url_for(submitted)).status_code == 200
        [row] = DBTaskResult.objects.all()
        page = admin_client_logged.get(f"/admin/django_tasks_database/dbtaskresult/{row.pk}/change/")
    assert page.status_code == 200
    assert WITHHELD in page.content.decode()
    assert submitted.webhook_token.encode() not in page.content
    assert JOB_ID.encode() not in page.content


def test_the_admin_of_queued_tasks_still_shows_the_ids_other_tasks_take(admin_client_logged, submitted):
    from django_tasks_db.models import DBTaskResult

    from transcription.tasks import fetch_transcript

    with override_settings(TASKS=DATABASE_TASKS):
        fetch_transcript.enqueue(submitted.pk)
        [row] = DBTaskResult.objects.all()
        page = admin_client_logged.get(f"/admin/django_tasks_database/dbtaskresult/{row.pk}/change/")
    assert page.status_code == 200
    assert f"[{submitted.pk}]".encode() in page.content
