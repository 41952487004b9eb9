"""The Webhooks pages, and internal addresses refused when an endpoint is saved and when it is sent to."""

import pytest

from audit.models import AuditEvent
from djtranscribe import access
from djtranscribe.lib import http
from notify.models import Attempt, Delivery, DeliveryStatus, Endpoint
from notify.services import endpoint_disable
from tests.factories import make_endpoint, make_transcript, make_user

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


@pytest.fixture
def resolver(monkeypatch):
    """Names resolve through this table only (the resolver djtranscribe.lib.http uses): no real DNS."""
    table = {"hooks.example.com": [PUBLIC], "hooks.slack.com": [PUBLIC]}

    def resolve(host, port):
        if host not in table:
            import socket

            raise socket.gaierror(f"unknown name {host}")
        return table[host]

    monkeypatch.setattr(http, "resolve", resolve)
    return table


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def form(url="https://hooks.example.com/djt", **fields):
    return {"url": url, "kind": "standard", "events": ["transcript.completed"], "active": "on", **fields}


# -- saving: the form refuses internal addresses -------------------------------------------------


def test_an_endpoint_is_created_and_its_page_shows_the_secret(alice_client, alice, resolver):
    response = alice_client.post("/webhooks/new/", form(description="CRM"))
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{endpoint.pk}/"
    assert (endpoint.owner, endpoint.events, endpoint.description) == (alice, ["transcript.completed"], "CRM")
    page = alice_client.get(response["Location"]).content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    assert AuditEvent.objects.filter(obj_kind="webhook endpoint", detail__startswith="created").exists()


def test_a_name_that_resolves_to_loopback_is_refused_with_a_clear_message(alice_client, resolver):
    resolver["innocent.example"] = ["127.0.0.1"]
    response = alice_client.post("/webhooks/new/", form("https://innocent.example/hook"))
    assert response.status_code == 400
    assert "innocent.example resolves to 127.0.0.1, a loopback address" in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://127.0.0.1:8000/", "a loopback address"),
        ("http://10.0.0.7/hook", "a private address"),
        ("http://192.168.1.20/hook", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[::1]/hook", "a loopback address"),
        ("http://[fe80::1]/hook", "a link-local address"),
    ],
)
def test_internal_addresses_are_refused_when_saved(alice_client, resolver, url, reason):
    response = alice_client.post("/webhooks/new/", form(url))
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_a_name_that_does_not_resolve_is_refused(alice_client, resolver):
    response = alice_client.post("/webhooks/new/", form("https://nowhere.invalid/hook"))
    assert response.status_code == 400
    assert "nowhere.invalid could not be found" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.com/x", "https://user:pw@hooks.example.com/x", "not a url"]
)
def test_urls_that_are_not_plain_http_are_refused(alice_client, resolver, url):
    assert alice_client.post("/webhooks/new/", form(url)).status_code == 400
    assert not Endpoint.objects.exists()


def test_allowing_private_urls_lets_a_private_target_be_saved_but_never_metadata(
    alice_client, resolver, settings
):
    settings.HTTP_ALLOW_PRIVATE_URLS = True
    assert alice_client.post("/webhooks/new/", form("http://10.0.0.7/hook")).status_code == 302
    assert alice_client.post("/webhooks/new/", form("http://169.254.169.254/")).status_code == 400


def test_an_endpoint_needs_at_least_one_event(alice_client, resolver):
    response = alice_client.post("/webhooks/new/", form(events=[]))
    assert response.status_code == 400
    assert "Choose at least one event" in response.content.decode()


# -- sending: the address actually connected to is checked again ---------------------------------


def test_a_name_that_resolves_to_loopback_when_sent_is_refused_and_not_retried(
    task_queue, mocked_http, alice, resolver
):
    from notify.events import event_record

    endpoint = make_endpoint(alice, url="http://rebinding.example/hook")
    resolver["rebinding.example"] = ["127.0.0.1"]  # public when saved, loopback now
    mocked_http.add_passthru("http://rebinding.example")  # the real transport, and its connect-time check
    transcript = make_transcript(completed=True, owner=alice)
    with task_queue.capture(execute=True):
        event_record(event_type="transcript.completed", obj_kind="transcript", obj_id=transcript.pk, data={})
    task_queue.run_all()
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert "rebinding.example resolves to 127.0.0.1, a loopback address" in attempt.error
    assert Delivery.objects.get(endpoint=endpoint).status == DeliveryStatus.FAILED


# -- the pages -----------------------------------------------------------------------------------


def test_the_list_shows_only_the_users_own_endpoints(alice_client, alice):
    make_endpoint(alice, description="mine")
    make_endpoint(make_user("bob"), description="bobs")
    page = alice_client.get("/webhooks/").content.decode()
    assert "mine" in page and "bobs" not in page


def test_someone_elses_endpoint_is_404_even_for_a_lead(client, alice):
    endpoint = make_endpoint(alice)
    lead = make_user("lena", perms=[access.VIEW_ALL_CALLS_CODENAME])
    client.force_login(lead)
    for url in (
        f"/webhooks/{endpoint.pk}/",
        f"/webhooks/{endpoint.pk}/edit/",
        f"/webhooks/{endpoint.pk}/delete/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/webhooks/{endpoint.pk}/test/").status_code == 404


def test_editing_changes_the_endpoint_and_keeps_its_secret(alice_client, alice, resolver):
    endpoint = make_endpoint(alice)
    response = alice_client.post(f"/webhooks/{endpoint.pk}/edit/", form(events=["call.completed"]))
    assert response.status_code == 302
    saved = Endpoint.objects.get()
    assert saved.events == ["call.completed"] and saved.secret == endpoint.secret


def test_deleting_asks_first_then_deletes(alice_client, alice):
    endpoint = make_endpoint(alice)
    assert "Delete endpoint" in alice_client.get(f"/webhooks/{endpoint.pk}/delete/").content.decode()
    assert alice_client.post(f"/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not Endpoint.objects.exists()


def test_send_test_event_queues_a_delivery_shown_on_the_page(alice_client, alice, task_queue):
    endpoint = make_endpoint(alice)
    with task_queue.capture(execute=True):
        response = alice_client.post(f"/webhooks/{endpoint.pk}/test/", follow=True)
    assert "Test event queued" in response.content.decode()
    assert "webhook.test" in response.content.decode()
    assert [r.task.name for r in task_queue.pending] == ["deliver_event"]


def test_the_page_shows_each_attempt_and_replays_a_delivery(alice_client, alice, task_queue, mocked_http):
    endpoint = make_endpoint(alice)
    mocked_http.post(endpoint.url, status=404, body="no such hook")
    with task_queue.capture(execute=True):
        alice_client.post(f"/webhooks/{endpoint.pk}/test/")
    task_queue.run_all()
    delivery = Delivery.objects.get()
    page = alice_client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "HTTP 404" in page and "no such hook" in page and "Answered 404." in page
    mocked_http.replace("POST", endpoint.url, status=200)
    with task_queue.capture(execute=True):
        response = alice_client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302
    task_queue.run_all()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_delivery_of_another_endpoint_is_not_replayed_through_this_one(alice_client, alice):
    mine = make_endpoint(alice)
    theirs = make_endpoint(make_user("bob"))
    from notify.events import endpoint_test_event

    delivery = endpoint_test_event(endpoint=theirs)
    assert alice_client.post(f"/webhooks/{mine.pk}/deliveries/{delivery.pk}/replay/").status_code == 404


def test_an_automatic_switch_off_is_shown_on_the_page_and_cleared_by_enabling_it(
    alice_client, alice, resolver
):
    endpoint = make_endpoint(alice)
    endpoint_disable(
        endpoint=endpoint, reason="Switched off automatically: every delivery since then failed."
    )
    page = alice_client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Switched off automatically" in page
    alice_client.post(f"/webhooks/{endpoint.pk}/edit/", form())
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_reason == ""


def test_the_secret_is_never_in_the_admin(admin_client_logged, alice):
    endpoint = make_endpoint(alice)
    for url in ("/admin/notify/endpoint/", f"/admin/notify/endpoint/{endpoint.pk}/change/"):
        response = admin_client_logged.get(url)
        assert response.status_code == 200
        assert endpoint.secret not in response.content.decode()


def test_the_admin_replays_deliveries(admin_client_logged, alice, task_queue, mocked_http):
    endpoint = make_endpoint(alice)
    mocked_http.post(endpoint.url, status=500)
    from notify.events import endpoint_test_event

    with task_queue.capture(execute=True):
        endpoint_test_event(endpoint=endpoint)
    Delivery.objects.update(status=DeliveryStatus.FAILED)
    task_queue.backend.clear()
    with task_queue.capture(execute=True):
        response = admin_client_logged.post(
            "/admin/notify/delivery/",
            {"action": "replay", "_selected_action": [Delivery.objects.get().pk]},
        )
    assert response.status_code == 302
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert [r.task.name for r in task_queue.pending] == ["deliver_event"]


def test_the_new_endpoint_form_starts_with_every_event_ticked(alice_client):
    page = alice_client.get("/webhooks/new/").content.decode()
    assert page.count("checked") == 5 + 2  # five events, the Standard kind and Active
