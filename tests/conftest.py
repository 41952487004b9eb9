"""Shared fixtures: strict HTTP mocking, users, and signed Twilio requests."""

from urllib.parse import urlencode

import pytest
import responses

from tests.factories import make_transcript, make_user
from tests.fakes import run_inbox, task_queue, twilio_signature  # noqa: F401  (task_queue: the fake worker's fixture)
from tests.fakes.s3 import bucket_storage, recordings_storage, s3_endpoint  # noqa: F401  (the archive's storages)


@pytest.fixture(autouse=True)
def mocked_http():
    """Every test runs with HTTP mocked; an unexpected request fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def staff_user(db):
    # A lead: these tests are about what pages show, not whose rows they show (test_access.py is).
    return make_user(
        "staff",
        email="staff@example.com",
        password="pw-staff-123",
        staff=True,
        perms=["place_call", "view_all_calls"],
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client_logged(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def submitted(db):
    """A transcript AssemblyAI has accepted (queued), waiting for its webhook."""
    return make_transcript(submitted=True)


@pytest.fixture
def twilio_post(client):
    """POST form data to `path` the way Twilio does, signed for real; then the worker runs what the
    request queued for it first (a recording callback's fields: see caller.callbacks), unless
    `worker=False` leaves it queued."""

    def post(
        path: str,
        params: dict,
        *,
        signature: str | None = None,
        base_url: str | None = None,
        worker: bool = True,
    ):
        sig = signature if signature is not None else twilio_signature(path, params, base_url=base_url)
        response = client.post(
            path,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=sig,
        )
        if worker:
            run_inbox()
        return response

    return post
