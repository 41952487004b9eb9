"""lib.tasks.inbox_store, what the inbox's worker does around storing a delivery.

It gives way to a burst: while deliveries arrive it rests after each store (the figures are
bench part 1's, "inbox worker running"). And a delivery it could not store is queued again,
waiting for the database if it refuses that row too: never a task left RUNNING by a dead worker.
"""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from caller.tasks import store_recording
from djtranscribe.lib import tasks as lib_tasks
from djtranscribe.lib.tasks import (
    INBOX_ARRIVING,
    INBOX_ATTEMPTS,
    INBOX_PRIORITY,
    INBOX_QUEUE,
    INBOX_REQUEUE_WAITS,
    INBOX_REST_LONGEST,
)
from tests.fakes.tasks import DATABASE_TASKS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]


@pytest.fixture
def database_tasks():
    with override_settings(TASKS=DATABASE_TASKS):
        yield


@pytest.fixture
def rests(monkeypatch):
    taken: list[float] = []
    monkeypatch.setattr(lib_tasks, "_rest", taken.append)
    return taken


def a_delivery_arrives() -> None:
    """What a webhook's request does: one inbox row, now."""
    lib_tasks.enqueue_now(store_recording, {"sid": "RE" + "1" * 32}, attempt=0)


def storing_for(seconds: float):
    def store() -> str:
        time.sleep(seconds)
        return "stored"

    return store


def never_again(attempt, run_after):
    raise AssertionError("not a retry")


def test_while_deliveries_arrive_the_worker_rests_as_long_as_storing_took(rests):
    a_delivery_arrives()
    assert lib_tasks.inbox_store(storing_for(0.01), attempt=0, again=never_again) == "stored"
    assert len(rests) == 1
    assert 0.01 <= rests[0] <= INBOX_REST_LONGEST


def test_a_long_store_rests_at_most_the_longest_rest(rests):
    def store() -> str:
        time.sleep(INBOX_REST_LONGEST + 0.01)
        a_delivery_arrives()  # meanwhile
        return "stored"

    lib_tasks.inbox_store(store, attempt=0, again=never_again)
    assert rests == [INBOX_REST_LONGEST]


def test_with_nothing_arriving_the_worker_does_not_rest(rests):
    assert lib_tasks.inbox_store(storing_for(0.005), attempt=0, again=never_again) == "stored"
    assert rests == []


def test_a_database_gone_after_the_store_does_not_fail_the_stored_delivery(rests, monkeypatch):
    def gone() -> bool:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(lib_tasks, "_deliveries_arriving", gone)
    assert lib_tasks.inbox_store(storing_for(0.001), attempt=0, again=never_again) == "stored"
    assert rests == []


def test_a_delivery_queued_before_the_window_is_not_an_arrival(rests):
    a_delivery_arrives()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - INBOX_ARRIVING - timedelta(seconds=1))
    lib_tasks.inbox_store(storing_for(0.005), attempt=0, again=never_again)
    assert rests == []


def test_a_store_the_database_refused_is_queued_again_without_resting(rests):
    a_delivery_arrives()
    retries = []

    def locked() -> str:
        raise OperationalError("database is locked")

    outcome = lib_tasks.inbox_store(locked, attempt=0, again=lambda n, when: retries.append(n))
    assert retries == [1] and "database unavailable" in outcome
    assert rests == []


ROWS = {
    "a delivery just queued": {},
    "one already run": {"status": "SUCCESSFUL"},
    "one queued a second ago": {"enqueued_at": -1},
    "a retry (run_after set)": {"run_after": 40},
    "another queue's task": {"queue_name": "default"},
    "another priority": {"priority": 0},
}


@pytest.mark.parametrize("change", ROWS.values(), ids=ROWS.keys())
def test_the_arrival_check_is_the_orm_filter_it_stands_for(change):
    """_deliveries_arriving's one statement answers what the ORM's filter answers."""
    a_delivery_arrives()
    now = timezone.now()
    update = dict(change)
    if "enqueued_at" in update:
        update["enqueued_at"] = now + timedelta(seconds=update["enqueued_at"])
    if "run_after" in update:
        update["run_after"] = now + timedelta(seconds=update["run_after"])
    DBTaskResult.objects.update(**update)
    orm = DBTaskResult.objects.filter(
        status="READY",
        priority=INBOX_PRIORITY,
        run_after=get_date_max(),
        enqueued_at__gte=timezone.now() - INBOX_ARRIVING,
        queue_name=INBOX_QUEUE,
    ).exists()
    assert lib_tasks._deliveries_arriving() is orm
    assert orm is (not change)


@pytest.fixture
def waits(monkeypatch):
    taken: list[float] = []
    monkeypatch.setattr(lib_tasks, "_wait", taken.append)
    return taken


def refused() -> str:
    raise OperationalError("server closed the connection unexpectedly")


def refusing(times: int):
    """An `again` the database refuses `times` times, then takes: the tries it saw."""
    tries: list[int] = []

    def again(attempt, run_after):
        tries.append(attempt)
        if len(tries) <= times:
            raise OperationalError("connection refused")

    return again, tries


def test_a_database_that_refuses_the_retry_too_is_waited_for(waits):
    again, tries = refusing(2)
    outcome = lib_tasks.inbox_store(refused, attempt=0, again=again)
    assert tries == [1, 1, 1]  # the same retry, queued on the third try
    assert waits == list(INBOX_REQUEUE_WAITS[:2])
    assert outcome.startswith("database unavailable (OperationalError): try 2 in 10 s")


def test_after_the_last_wait_the_databases_error_ends_the_task(waits):
    again, tries = refusing(len(INBOX_REQUEUE_WAITS) + 1)
    with pytest.raises(OperationalError, match="connection refused"):
        lib_tasks.inbox_store(refused, attempt=0, again=again)
    assert waits == list(INBOX_REQUEUE_WAITS)
    assert len(tries) == len(INBOX_REQUEUE_WAITS) + 1


def test_the_last_try_fails_with_the_databases_message_and_queues_nothing(waits):
    again, tries = refusing(0)
    with pytest.raises(OperationalError, match="server closed"):
        lib_tasks.inbox_store(refused, attempt=INBOX_ATTEMPTS - 1, again=again)
    assert tries == [] and waits == []
