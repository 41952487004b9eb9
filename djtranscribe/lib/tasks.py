"""Queueing background tasks (Django's Tasks API) so that they never see uncommitted rows."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    router,
    transaction,
)
from django.db.models import Count, Min, Q
from django.utils import timezone

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args: Any, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits; run_after defers it where the backend can."""
    transaction.on_commit(partial(_enqueue, task, run_after, *args, **kwargs))


def _enqueue(task, run_after: datetime | None, *args: Any, **kwargs: Any) -> None:
    # Backends that run at once (ImmediateBackend) refuse run_after; the row's
    # next_attempt_at still holds the time, and the reconcile commands honour it.
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        # The row keeps the truth; a reconcile command picks it up when the queue is broken.
        logger.exception("Could not queue %s for %s", task.name, args[0] if args else "-")


# Tasks that carry a webhook's delivery: @task(queue_name=INBOX_QUEUE, priority=INBOX_PRIORITY).
# They run before everything else queued (the default priority is 0), so what a sender said is
# stored first, and sit in a queue of their own that a worker can be given alone
# (`db_worker --queue-name inbox`; `make run`'s worker takes every queue).
INBOX_QUEUE = "inbox"
INBOX_PRIORITY = 50
# A delivery still queued after this long means no worker is taking the inbox.
INBOX_LATE = timedelta(seconds=60)


def enqueue_now(task, *args: Any, **kwargs: Any) -> None:
    """Queue `task` at once, outside any transaction, and let a failure raise.

    For webhooks that answer as soon as their delivery is durable (an "inbox"): the task row
    carrying the delivery is committed before the sender hears 2xx, and a database that cannot
    take it raises, so the view answers 503 and the sender tries again. Nothing is swallowed
    here: a swallowed failure would be a lost delivery. The arguments must be JSON already.
    """
    from django_tasks_db.backend import DatabaseBackend

    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend):
        _insert_task_row(task, backend.alias, {"args": list(args), "kwargs": kwargs})
    else:
        task.enqueue(*args, **kwargs)


def _insert_task_row(task, backend_alias: str, args_kwargs: dict) -> None:
    """The row django-tasks-db's backend writes for `task` (`DatabaseBackend._task_to_db_task`),
    in one INSERT statement: the worker takes it like any other.

    Why not `Task.enqueue`: around its INSERT it checks the task again, normalises the arguments,
    builds its result object twice and the ORM prepares fifteen fields; together that is 2-3x
    the INSERT itself, and it was half a webhook's CPU under a burst (bench part 1:
    docs/architecture.md, "Webhooks are an inbox"). tests/test_inbox_enqueue.py compares this row
    with the one `Task.enqueue` writes, on SQLite and PostgreSQL, so a change of the library's
    table shows up there.
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    connection = connections[router.db_for_write(DBTaskResult)]
    ops = connection.ops
    pk = DBTaskResult._meta.pk
    values = {
        "id": pk.get_db_prep_value(uuid.uuid4(), connection),
        "status": "READY",
        "enqueued_at": ops.adapt_datetimefield_value(timezone.now()),
        "args_kwargs": json.dumps(args_kwargs),
        "priority": task.priority,
        "task_path": task.module_path,
        "worker_ids": "[]",
        "queue_name": task.queue_name,
        "backend_name": backend_alias,
        "run_after": ops.adapt_datetimefield_value(task.run_after or get_date_max()),
        "return_value": None,  # SQL NULL, as the library writes it
        "exception_class_path": "",
        "traceback": "",
    }
    sql = _insert_sql(connection, DBTaskResult._meta.db_table, tuple(values))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            _execute_polling_sqlites_lock(connection, cursor, sql, list(values.values()))
    else:
        _execute_once_or_on_a_new_connection(
            connection,
            sql,
            list(values.values()),
            written=lambda: DBTaskResult.objects.using(connection.alias).filter(pk=values["id"]).exists(),
        )


_INSERT_SQL: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _insert_sql(connection, table: str, columns: tuple[str, ...]) -> str:
    """The INSERT's text, built once per database vendor, table and columns: names from the model,
    quoted; every value a parameter."""
    key = (connection.vendor, table, columns)
    if key not in _INSERT_SQL:
        quote = connection.ops.quote_name
        names = ", ".join(quote(column) for column in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        _INSERT_SQL[key] = f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    return _INSERT_SQL[key]


def _execute_once_or_on_a_new_connection(
    connection, sql: str, params: list, *, written: Callable[[], bool]
) -> None:
    """Run `sql` without Django's health check first, and again on a new connection if the kept
    one turns out dead.

    With a kept connection (DB_CONN_MAX_AGE > 0) and CONN_HEALTH_CHECKS, Django sends `SELECT 1`
    before a request's first query: for a webhook whose only query is this INSERT, a second round
    trip to PostgreSQL every time. Here the INSERT goes at once, in just the case where Django
    would have checked. If it fails and the connection is no longer usable (the server restarted,
    or closed an idle connection), the connection is reopened and the INSERT sent once more, as
    the check would have done; any other error, or a failure inside a transaction (where
    reconnecting would lose it), is raised. If the server took the first INSERT and died before
    answering, the second meets the row by its id (IntegrityError): when `written()` finds it,
    it is stored, once.
    """
    retry = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if retry:
        connection.health_check_done = True  # what Django records after its own check
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    except (OperationalError, InterfaceError):
        if not retry or (connection.connection is not None and connection.is_usable()):
            raise
        logger.warning("The database connection was closed; sending the task row on a new connection")
        try:
            connection.close()
        except DatabaseError:
            pass  # it is gone either way; the cursor below connects anew
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        except IntegrityError:
            if not written():
                raise
            # The first INSERT was committed before the connection died: the row is there.


# How often a webhook's INSERT asks SQLite for its write lock again while a worker holds it.
_POLL_FIRST, _POLL_LONGEST = 0.0001, 0.001


def _execute_polling_sqlites_lock(connection, cursor, sql: str, params: list) -> None:
    """Run `sql` on SQLite, asking for the write lock every 0.1-1 ms until it is free, instead of
    SQLite's busy handler, which sleeps 1, 2, 5, 10 ... 100 ms however soon the lock is freed.

    Under a burst the inbox's worker writes almost all the time (it claims a task, stores it,
    queues the archive, marks the task done), and requests waiting in the busy handler starve:
    95 callbacks a second and a p99 of 1.4 s against 1,000 and 70 ms with the worker idle
    (bench part 1, "inbox worker running"). The wait is still bounded by SQLITE_TIMEOUT; other
    errors are raised at once.
    """
    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
    deadline = time.monotonic() + timeout
    delay = _POLL_FIRST
    cursor.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                cursor.execute(sql, params)
                return
            except OperationalError as exc:
                busy = getattr(exc.__cause__, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _POLL_LONGEST)
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


# Tries of a worker that finds the database unavailable while storing a delivery (10 s, 20 s,
# 40 s, 80 s apart).
INBOX_ATTEMPTS = 5
INBOX_RETRY_DELAY = timedelta(seconds=10)


# While deliveries are arriving (one queued within this window), the worker rests after storing
# each one, as long as storing it took, up to INBOX_REST_LONGEST: see inbox_store.
INBOX_ARRIVING = timedelta(milliseconds=50)
INBOX_REST_LONGEST = 0.05
_rest = time.sleep  # tests watch it


def inbox_store(store: Callable[[], str], *, attempt: int, again: Callable[[int, datetime], None]) -> str:
    """An inbox task's run: `store()`, and when the database is locked or restarting, the same
    delivery queued again (`again(next_attempt, run_after)`) with backoff, up to INBOX_ATTEMPTS
    tries; then the error is raised and the task fails with the database's message.

    The worker gives way to a burst: while deliveries keep arriving it rests after each store as
    long as the store took, so a webhook's INSERT finds SQLite's write lock (and the CPU) free at
    least half the time instead of waiting for a gap between the worker's transactions. It stores
    at half speed during the burst at worst and catches up after; with nothing arriving it does
    not rest (bench part 1, "inbox worker running": bench/RESULTS.md).
    """
    started = time.monotonic()
    try:
        stored = store()
    except (OperationalError, InterfaceError) as exc:
        if attempt + 1 >= INBOX_ATTEMPTS:
            raise
        delay = INBOX_RETRY_DELAY * 2**attempt
        _queue_again_when_the_database_answers(lambda: again(attempt + 1, timezone.now() + delay))
        return f"database unavailable ({type(exc).__name__}): try {attempt + 2} in {delay.seconds} s"
    try:
        arriving = _deliveries_arriving()
    except DatabaseError:
        # Only advice: the delivery is stored, and a database gone just now must not fail its task.
        arriving = False
    if arriving:
        _rest(min(time.monotonic() - started, INBOX_REST_LONGEST))
    return stored


# How long a worker waits, between tries, for a database that refused the retry's row too.
INBOX_REQUEUE_WAITS = (1, 2, 4, 8, 15, 30, 60)
_wait = time.sleep  # tests watch it


def _queue_again_when_the_database_answers(queue: Callable[[], None]) -> None:
    """Queue the retry, waiting for the database when it refuses that row as well (a restart).

    The delivery exists only in the task the worker is running: if queueing its retry raised, the
    worker could not record the failure either, would exit, and leave the task RUNNING, never run
    again. So the worker waits (about two minutes in all: nothing else can run meanwhile), with
    a fresh connection for each try; only then does the error end the task.
    """
    from django_tasks_db.models import DBTaskResult

    connection = connections[router.db_for_write(DBTaskResult)]
    for seconds in (*INBOX_REQUEUE_WAITS, None):
        try:
            queue()
            return
        except (OperationalError, InterfaceError):
            if seconds is None:
                raise
            logger.warning("The database refused a delivery's retry; trying again in %s s", seconds)
            if not connection.in_atomic_block:  # never under a caller's transaction
                connection.close_if_unusable_or_obsolete()
            _wait(seconds)


def _deliveries_arriving() -> bool:
    """Whether a webhook queued a delivery within INBOX_ARRIVING: an index lookup on the rows
    enqueue_now writes (ready, the inbox's priority, no run_after), newest first."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(task_backends["default"], DatabaseBackend):
        return False
    # One statement rather than the ORM's (a third of the cost, on every inbox task): the same
    # filter as DBTaskResult.objects.filter(status=..., ...).exists(), which a test compares.
    connection = connections[router.db_for_read(DBTaskResult)]
    ops = connection.ops
    table = ops.quote_name(DBTaskResult._meta.db_table)
    sql = (
        f"SELECT 1 FROM {table} WHERE status = %s AND priority = %s AND run_after = %s"  # noqa: S608
        " AND enqueued_at >= %s AND queue_name = %s LIMIT 1"
    )
    since = timezone.now() - INBOX_ARRIVING
    params = [
        "READY",
        INBOX_PRIORITY,
        ops.adapt_datetimefield_value(get_date_max()),
        ops.adapt_datetimefield_value(since),
        INBOX_QUEUE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def inbox_backlog(*, older_than: timedelta = INBOX_LATE) -> tuple[int, datetime | None]:
    """Deliveries due over `older_than` ago and still waiting for a worker: (how many, the oldest).

    A free worker takes inbox tasks first, so any is a sign that no worker is running, or that
    the only one is busy with a long task (a page says so). Due: when queued, or for a retry when
    its time came. (0, None) with a backend that keeps no rows (tests' DummyBackend).
    """
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(task_backends["default"], DatabaseBackend):
        return 0, None
    cut = timezone.now() - older_than
    waiting = (
        DBTaskResult.objects.ready()
        .filter(queue_name=INBOX_QUEUE)
        .filter(Q(run_after=get_date_max(), enqueued_at__lte=cut) | Q(run_after__lte=cut))
    )
    found = waiting.aggregate(count=Count("id"), oldest=Min("enqueued_at"))
    return found["count"], found["oldest"]
