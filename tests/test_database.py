"""The suite runs on the database DATABASE_URL names; backend behaviour is tested where it is real."""

import os
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from caller.models import Call
from tests.factories import make_call

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (make test-postgres)"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


def test_the_suite_runs_on_the_database_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@on_sqlite
def test_sqlite_takes_the_write_lock_at_begin_and_waits_for_it():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_skip_locked_passes_over_a_row_another_connection_holds():
    call = make_call(sid="CA" + "5" * 32)
    locked, release, seen = threading.Event(), threading.Event(), []

    def hold_the_lock():
        with transaction.atomic():
            Call.objects.select_for_update().get(pk=call.pk)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            seen = list(Call.objects.select_for_update(skip_locked=True).filter(pk=call.pk))
    finally:
        release.set()
        holder.join(10)
    assert seen == []
    with transaction.atomic():
        assert list(Call.objects.select_for_update(skip_locked=True).filter(pk=call.pk)) == [call]
