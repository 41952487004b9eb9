"""Ten dial requests at once on PostgreSQL: the per-user lock lets DIAL_RATE_LIMIT=2/hour place two.

Runs only on PostgreSQL (make test-postgres): SQLite serialises writers (IMMEDIATE transactions),
so nothing there runs concurrently enough to prove anything. Each request runs in a thread with
its own database connection and its own logged-in test client.
"""

import json
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client, override_settings

from caller.models import Call
from tests.fakes import ACCOUNT, CALLS_URL

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (make test-postgres)"),
    pytest.mark.django_db(transaction=True),
]
REQUESTS = 10


class CountingTwilio:
    """Twilio's Calls endpoint that takes a moment per call and counts them, thread-safely."""

    def __init__(self, rsps):
        self.lock = threading.Lock()
        self.placed = 0
        rsps.add_callback("POST", CALLS_URL, callback=self.create)

    def create(self, request):
        time.sleep(0.05)  # a slow Twilio widens any window between counting and storing
        with self.lock:
            self.placed += 1
            n = self.placed
        body = {"sid": f"CA{n:032x}", "to": "+14155551234", "from": "+15005550006", "status": "queued"}
        return 201, {}, json.dumps({**body, "account_sid": ACCOUNT})


@override_settings(DIAL_RATE_LIMIT="2/hour")
def test_ten_concurrent_dials_place_at_most_two_calls(staff_user, mocked_http):
    twilio = CountingTwilio(mocked_http)
    start = threading.Barrier(REQUESTS)
    statuses, errors = [], []

    def dial():
        try:
            client = Client()
            client.force_login(staff_user)
            start.wait(timeout=10)
            statuses.append(client.post("/dial/14155551234/").status_code)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dial) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == [] and not any(t.is_alive() for t in threads)
    assert twilio.placed == 2
    assert sorted(statuses) == [200, 200] + [429] * (REQUESTS - 2)
    assert Call.objects.filter(dialed_by=staff_user).count() == 2
