"""enqueue_now: the row it writes for a webhook's delivery is the row django-tasks-db writes."""

import sqlite3
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from caller.tasks import store_recording
from djtranscribe.lib.tasks import INBOX_PRIORITY, INBOX_QUEUE, _execute_polling_sqlites_lock, enqueue_now
from tests.fakes.tasks import DATABASE_TASKS
from transcription.tasks import store_webhook_delivery

pytestmark = pytest.mark.django_db


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


def sqlite_file(tmp_path, timeout: float):
    """A Django connection to an SQLite file of its own (the tests' database is in memory)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {
        **connection.settings_dict,
        "NAME": str(tmp_path / "inbox.sqlite3"),
        "OPTIONS": {"timeout": timeout},
        "TEST": {},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="inbox-lock-test")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    return wrapper


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_on_sqlite_the_insert_waits_for_a_writer_to_finish_then_restores_the_busy_timeout(tmp_path):
    wrapper = sqlite_file(tmp_path, timeout=5)
    writer = sqlite3.connect(tmp_path / "inbox.sqlite3", check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    threading.Timer(0.05, writer.commit).start()  # a worker's transaction, ending while we wait
    with wrapper.cursor() as cursor:
        _execute_polling_sqlites_lock(wrapper, cursor, "INSERT INTO t VALUES (%s)", [2])
        assert cursor.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]
        assert cursor.execute("PRAGMA busy_timeout").fetchone() == (5000,)
    wrapper.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_on_sqlite_a_lock_held_past_the_timeout_is_the_databases_error(tmp_path):
    wrapper = sqlite_file(tmp_path, timeout=0.2)
    writer = sqlite3.connect(tmp_path / "inbox.sqlite3")
    writer.execute("BEGIN IMMEDIATE")
    with wrapper.cursor() as cursor:
        with pytest.raises(OperationalError, match="locked"):
            _execute_polling_sqlites_lock(wrapper, cursor, "INSERT INTO t VALUES (%s)", [2])
        writer.rollback()
        assert cursor.execute("SELECT count(*) FROM t").fetchone() == (0,)
        assert cursor.execute("PRAGMA busy_timeout").fetchone() == (200,)
    wrapper.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_on_sqlite_another_error_is_raised_at_once(tmp_path):
    wrapper = sqlite_file(tmp_path, timeout=5)
    with wrapper.cursor() as cursor:
        with pytest.raises(OperationalError, match="no such table"):
            _execute_polling_sqlites_lock(wrapper, cursor, "INSERT INTO nope VALUES (%s)", [2])
    wrapper.close()


# --- PostgreSQL: the INSERT is the request's one round trip; a dead kept connection is replaced ---
# (These run under `make test-postgres`, as CI does; the default `make test` on SQLite skips them.)

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's kept connections")
RECORDING_FIELDS = {"sid": "RE" + "4" * 32, "duration": 3, "started_at": None}


def as_a_new_request_leaves_it():
    """The kept connection as Django leaves it when a request starts: health checks on, not yet done."""
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.health_check_done = False


def statements_sent_when_each_fails_with(error: str) -> int:
    """Queue a task while every statement fails with OperationalError(error), which enqueue_now
    must raise; answers how many statements it sent."""
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError(error)
    ) as execute:
        with pytest.raises(OperationalError, match=error):
            enqueue_now(store_recording, RECORDING_FIELDS, attempt=0)
    return execute.call_count


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_on_postgresql_the_insert_goes_without_djangos_select_1_first():
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as is_usable:
        as_a_new_request_leaves_it()
        DBTaskResult.objects.count()  # any other first query of a request is checked first
        assert is_usable.call_count == 1
        as_a_new_request_leaves_it()
        enqueue_now(store_recording, RECORDING_FIELDS, attempt=0)
        assert is_usable.call_count == 1  # the INSERT went alone
    assert DBTaskResult.objects.filter(task_path__endswith="store_recording").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_on_postgresql_a_connection_the_server_closed_is_replaced_and_the_row_written(caplog):
    import psycopg

    pid = backend_pid()
    params = connection.get_connection_params()
    with psycopg.connect(**{key: value for key, value in params.items() if key != "cursor_factory"}) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(200):  # the backend exits a moment later
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            time.sleep(0.01)
    as_a_new_request_leaves_it()
    enqueue_now(store_recording, RECORDING_FIELDS, attempt=0)
    assert DBTaskResult.objects.filter(task_path__endswith="store_recording").count() == 1
    assert backend_pid() != pid
    assert "sending the task row on a new connection" in caplog.text


@on_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_on_postgresql_an_error_on_a_live_connection_is_raised_not_sent_again():
    as_a_new_request_leaves_it()
    pid = backend_pid()
    assert statements_sent_when_each_fails_with("lock timeout") == 1
    assert backend_pid() == pid  # the connection was kept
    assert not DBTaskResult.objects.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_on_postgresql_a_row_the_server_took_before_its_connection_died_is_stored_once(caplog):
    from django.db.backends.utils import CursorWrapper

    real_execute = CursorWrapper.execute
    sent = []

    def taken_then_the_connection_dies(self, sql, params=None):
        sent.append(sql)
        result = real_execute(self, sql, params)  # committed: autocommit
        if len(sent) == 1:
            connection.connection.close()
            raise OperationalError("server closed the connection unexpectedly")
        return result

    as_a_new_request_leaves_it()
    with mock.patch.object(CursorWrapper, "execute", taken_then_the_connection_dies):
        enqueue_now(store_recording, RECORDING_FIELDS, attempt=0)  # no error: the row is there
    # Sent again on a new connection, refused by its id, found there.
    assert [sql.split()[0] for sql in sent] == ["INSERT", "INSERT", "SELECT"]
    assert DBTaskResult.objects.filter(task_path__endswith="store_recording").count() == 1
    assert "sending the task row on a new connection" in caplog.text


@on_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_on_postgresql_a_new_connection_that_fails_is_not_tried_twice():
    connection.close()  # no kept connection: Django would not check one either
    assert statements_sent_when_each_fails_with("could not connect") == 1
