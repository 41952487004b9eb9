"""Sign-in throttling (django-axes) on /login/ and /admin/login/: per account, per address, cool-off."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.utils import timezone

from djtranscribe.signin import client_ip

pytestmark = pytest.mark.django_db
LOGIN_PAGES = ["/login/", "/admin/login/"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "a@example.com", "right-password-1", is_staff=True)


@pytest.fixture
def clock():
    """A frozen clock, moved by hand: every `now` axes and Django use reads it."""
    current = [timezone.now()]

    def now():
        return current[0]

    with (
        mock.patch("django.utils.timezone.now", now),
        mock.patch("axes.attempts.now", now),
        mock.patch("axes.handlers.proxy.now", now),
    ):
        yield current


def sign_in(client, page, username, password, address="198.51.100.7"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, page, times, *, username="alice", addresses=None):
    for i in range(times):
        address = addresses[i] if addresses else "198.51.100.7"
        response = sign_in(client, page, username, f"wrong-{i}", address)
        # The form again with its error; the failure that reaches the limit gets the lockout page.
        assert response.status_code == (429 if i + 1 >= settings.AXES_FAILURE_LIMIT else 200)


def signed_in(response) -> bool:
    return response.status_code == 302


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_nine_failures_do_not_lock_the_account(client, alice, page):
    fail(client, page, 9)
    assert signed_in(sign_in(client, page, "alice", "right-password-1"))


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_ten_failures_lock_the_account_even_for_the_right_password(client, alice, page):
    fail(client, page, 10, addresses=[f"203.0.113.{i}" for i in range(10)])
    response = sign_in(client, page, "alice", "right-password-1", "192.0.2.55")  # a fresh address
    assert response.status_code == 429
    assert "Too many failed sign-ins: try again in 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_ten_failures_from_one_address_lock_that_address_for_every_account(
    client, alice, django_user_model, page
):
    django_user_model.objects.create_user("bob", "b@example.com", "bobs-password-1", is_staff=True)
    for i in range(10):
        sign_in(client, page, f"guess-{i}", "wrong", "198.51.100.7")
    assert sign_in(client, page, "bob", "bobs-password-1", "198.51.100.7").status_code == 429
    assert signed_in(sign_in(client, page, "bob", "bobs-password-1", "198.51.100.8"))


def test_the_lockout_ends_after_the_cool_off(client, alice, clock):
    fail(client, "/login/", 10)
    clock[0] += timedelta(minutes=14)
    response = sign_in(client, "/login/", "alice", "right-password-1")
    assert response.status_code == 429
    assert "try again in 1 minute." in response.content.decode()
    clock[0] += timedelta(minutes=1, seconds=1)
    assert signed_in(sign_in(client, "/login/", "alice", "right-password-1"))


def test_failing_while_locked_out_does_not_extend_the_cool_off(client, alice, clock):
    fail(client, "/login/", 10)
    clock[0] += timedelta(minutes=10)
    assert sign_in(client, "/login/", "alice", "wrong-again").status_code == 429
    clock[0] += timedelta(minutes=5, seconds=1)
    assert signed_in(sign_in(client, "/login/", "alice", "right-password-1"))


def test_failures_older_than_the_cool_off_are_forgotten(client, alice, clock):
    fail(client, "/login/", 9)
    clock[0] += timedelta(minutes=16)
    fail(client, "/login/", 1)
    assert signed_in(sign_in(client, "/login/", "alice", "right-password-1"))


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_failure_limit_is_a_setting(client, alice):
    fail(client, "/login/", 3)
    assert sign_in(client, "/login/", "alice", "right-password-1").status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.1"


@override_settings(TRUSTED_PROXY=True)
def test_behind_a_trusted_proxy_the_proxys_own_forwarded_entry_is_the_address():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )  # the client sent 1.2.3.4 itself; the proxy appended what it saw
    assert client_ip(request) == "203.0.113.9"


@override_settings(TRUSTED_PROXY=True)
def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(client, alice, django_user_model):
    for i in range(10):
        client.post(
            "/login/",
            {"username": f"guess-{i}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    locked = client.post(
        "/login/",
        {"username": "alice", "password": "right-password-1"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert locked.status_code == 429
    other = client.post(
        "/login/",
        {"username": "alice", "password": "right-password-1"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert signed_in(other)


def test_the_readme_documents_axes_reset():
    assert "manage.py axes_reset" in (ROOT / "README.md").read_text()
