"""enqueue_now: the row it writes for a webhook's delivery is the row django-tasks-db writes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from caller.tasks import store_recording
from djtranscribe.lib.tasks import INBOX_PRIORITY, INBOX_QUEUE, enqueue_now
from transcription.tasks import store_webhook_delivery

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def rows_written(enqueue) -> list[dict]:
    """Every column of the rows `enqueue` wrote, as the database holds them (but the new id and time)."""
    DBTaskResult.objects.all().delete()
    enqueue()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DBTaskResult._meta.db_table}")  # noqa: S608 (the model's table)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        assert row.pop("id") and row.pop("enqueued_at")
    return rows


@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.parametrize(
    ("task", "args", "kwargs"),
    [
        (store_recording, ({"sid": "RE" + "3" * 32, "duration": 7, "started_at": None},), {"attempt": 0}),
        (store_webhook_delivery, (), {"token": "t0k", "body": {"status": "completed", "n": [1, 2.5]}}),
    ],
    ids=["recording callback", "AssemblyAI webhook"],
)
def test_it_writes_the_row_task_enqueue_writes(task, args, kwargs):
    ours = rows_written(lambda: enqueue_now(task, *args, **kwargs))
    theirs = rows_written(lambda: task.enqueue(*args, **kwargs))
    assert ours == theirs
    assert (ours[0]["queue_name"], ours[0]["priority"], ours[0]["status"]) == (
        INBOX_QUEUE,
        INBOX_PRIORITY,
        "READY",
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_a_deferred_task_keeps_its_time():
    later = timezone.now() + timedelta(seconds=40)
    task = store_recording.using(run_after=later)
    ours = rows_written(lambda: enqueue_now(task, {"sid": "x"}, attempt=1))
    theirs = rows_written(lambda: task.enqueue({"sid": "x"}, attempt=1))
    assert ours == theirs
    assert DBTaskResult.objects.values_list("run_after", flat=True).get() == later


@override_settings(TASKS=DATABASE_TASKS)
def test_the_row_is_the_workers_to_run():
    enqueue_now(store_recording, {"sid": "x"}, attempt=3)
    row = DBTaskResult.objects.ready().get()
    assert (row.task.name, row.task_result.args, row.task_result.kwargs) == (
        "store_recording",
        [{"sid": "x"}],
        {"attempt": 3},
    )
