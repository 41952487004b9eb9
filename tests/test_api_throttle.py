"""The API's throttle counts each token's requests per window in the database, one atomic
statement per request (api/throttling.py), so the limit holds across server processes."""

import threading

import pytest
from django.db import connection, connections

from api.models import ApiRequestCount
from api.throttling import request_counted


@pytest.mark.django_db
def test_each_request_counts_one_and_a_new_window_starts_from_one():
    assert [request_counted("k" * 32, 600) for _ in range(3)] == [1, 2, 3]
    assert request_counted("other" * 6, 600) == 1  # another token, its own count
    assert request_counted("k" * 32, 660) == 1  # the next window
    # The token's finished windows are cleared when its next one starts; the other token's stay.
    assert sorted(ApiRequestCount.objects.values_list("token_key", "window_start", "count")) == [
        ("k" * 32, 660, 1),
        ("other" * 6, 600, 1),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL's rows")
@pytest.mark.django_db(transaction=True)
def test_requests_at_the_same_moment_are_each_counted_once():
    """Eight threads (eight connections) count 25 requests each in one window: no count is lost
    and each number is handed out once, as a read-then-write would not guarantee."""
    seen: list[int] = []
    lock = threading.Lock()

    def requests():
        try:
            for _ in range(25):
                counted = request_counted("busy" * 8, 1200)
                with lock:
                    seen.append(counted)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=requests) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 201))
    assert ApiRequestCount.objects.get(token_key="busy" * 8).count == 200


@pytest.mark.django_db
def test_a_database_that_cannot_return_from_an_insert_counts_the_same(monkeypatch):
    """SQLite before 3.35 has no RETURNING (Django 5.2 runs on 3.31): the count is read back."""
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    assert [request_counted("k" * 32, 600) for _ in range(3)] == [1, 2, 3]
    assert ApiRequestCount.objects.get().count == 3
