"""Shared fixtures: strict HTTP mocking, users, and signed Twilio requests."""

from urllib.parse import urlencode

import pytest
import responses
from django.conf import settings
from twilio.request_validator import RequestValidator

from tests.pipeline_helpers import submitted, task_queue  # noqa: F401  (the pipeline's fixtures)


@pytest.fixture(autouse=True)
def mocked_http():
    """Every test runs with HTTP mocked; an unexpected request fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def staff_user(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("staff", "staff@example.com", "pw-staff-123", is_staff=True)
    # A lead: these tests are about what pages show, not whose rows they show (test_access.py is).
    user.user_permissions.add(*Permission.objects.filter(codename__in=["place_call", "view_all_calls"]))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client_logged(client, admin_user):
    client.force_login(admin_user)
    return client


def twilio_signature(path: str, params: dict, *, base_url: str | None = None) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of `params` to BASE_URL + path."""
    url = (base_url or settings.BASE_URL) + path
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


@pytest.fixture
def twilio_post(client):
    """POST form data to `path` the way Twilio does, signed for real."""

    def post(path: str, params: dict, *, signature: str | None = None, base_url: str | None = None):
        sig = signature if signature is not None else twilio_signature(path, params, base_url=base_url)
        return client.post(
            path,
            data=urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=sig,
        )

    return post
