"""Outbound webhook endpoints through the REST API: the token's user's own only, the pages' URL check
(internal addresses refused, no real DNS), the secret shown once, audit rows, deliveries and replays."""

import socket

import pytest

from audit.models import AuditAction, AuditEvent
from djtranscribe import access
from djtranscribe.lib import http
from notify.events import endpoint_test_event
from notify.models import Delivery, DeliveryStatus, Endpoint
from tests.api_helpers import api_client
from tests.factories import make_endpoint, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhook-endpoints/"
# Names resolve through this table only (djtranscribe.lib.http.resolve): no test reaches real DNS.
NAMES = {
    "hooks.example.com": ["93.184.216.34"],
    "innocent.example": ["127.0.0.1"],
    "office.example": ["10.0.0.7"],
}


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    def resolve(host, port):
        if host not in NAMES:
            raise socket.gaierror(f"no such name {host}")
        return NAMES[host]

    monkeypatch.setattr(http, "resolve", resolve)


@pytest.fixture
def alice():
    return make_user("alice")


def post(client, body):
    return client.post(BASE, body, content_type="application/json")


def test_a_token_adds_an_endpoint_and_reads_its_secret_in_that_answer_only(alice):
    client = api_client(alice)
    response = post(client, {"url": "https://hooks.example.com/djt", "events": ["transcript.completed"]})
    assert response.status_code == 201
    endpoint = Endpoint.objects.get()
    body = response.json()
    assert endpoint.owner == alice and body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["transcript.completed"] and body["kind"] == "standard" and body["active"]
    assert endpoint.secret not in client.get(f"{BASE}{endpoint.pk}/").content.decode()
    assert endpoint.secret not in client.get(BASE).content.decode()


def test_an_endpoint_subscribes_to_every_event_unless_told(alice):
    post(api_client(alice), {"url": "https://hooks.example.com/djt"})
    assert "transcript.revised" in Endpoint.objects.get().events
    assert "webhook.test" not in Endpoint.objects.get().events


def test_adding_an_endpoint_is_audited_with_its_host_only(alice):
    post(api_client(alice), {"url": "https://hooks.example.com/secret-path", "description": "crm"})
    event = AuditEvent.objects.get(action=AuditAction.EDITED)
    assert event.username == "alice" and "created" in event.detail and "hooks.example.com" in event.detail
    assert "secret-path" not in event.detail


def test_a_name_resolving_to_loopback_is_refused_with_the_reason_as_a_problem(alice):
    response = post(api_client(alice), {"url": "https://innocent.example/hook"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["field"] == "url" and "127.0.0.1" in error["detail"] and "loopback" in error["detail"]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url, words",
    [
        ("https://office.example/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::1]:8000/hook", "::1"),
        ("https://nowhere.example/hook", "could not be found"),
    ],
)
def test_internal_and_unknown_addresses_are_refused(alice, url, words):
    response = post(api_client(alice), {"url": url})
    assert response.status_code == 400 and words in response.json()["detail"]
    assert not Endpoint.objects.exists()


def test_a_change_to_an_internal_url_is_refused_and_the_endpoint_kept(alice):
    endpoint = make_endpoint(alice)
    response = api_client(alice).patch(
        f"{BASE}{endpoint.pk}/", {"url": "https://innocent.example/"}, content_type="application/json"
    )
    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/djt"


def test_an_unknown_event_is_refused_with_the_field_named(alice):
    response = post(api_client(alice), {"url": "https://hooks.example.com/djt", "events": ["call.started"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("events")


def test_a_token_lists_only_its_users_endpoints_and_a_leads_gets_404_for_them(alice):
    mine = make_endpoint(alice, description="mine")
    lead = make_user("lena", perms=[access.VIEW_ALL_CALLS_CODENAME])
    assert [e["id"] for e in api_client(alice).get(BASE).json()["results"]] == [mine.pk]
    lead_client = api_client(lead)
    assert lead_client.get(BASE).json()["results"] == []
    assert lead_client.get(f"{BASE}{mine.pk}/").status_code == 404
    assert (
        lead_client.patch(f"{BASE}{mine.pk}/", {"active": False}, content_type="application/json").status_code
        == 404
    )
    assert lead_client.delete(f"{BASE}{mine.pk}/").status_code == 404
    assert lead_client.get(f"{BASE}{mine.pk}/deliveries/").status_code == 404
    assert Endpoint.objects.get().active


def test_a_patch_changes_the_endpoint_and_a_delete_removes_it_both_audited(alice):
    endpoint = make_endpoint(alice)
    client = api_client(alice)
    response = client.patch(
        f"{BASE}{endpoint.pk}/", {"active": False, "description": "off"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert response.json()["description"] == "off" and "secret" not in response.json()
    assert client.delete(f"{BASE}{endpoint.pk}/").status_code == 204
    assert not Endpoint.objects.exists()
    assert {e.action for e in AuditEvent.objects.filter(obj_kind="webhook endpoint")} == {
        AuditAction.EDITED,
        AuditAction.DELETED,
    }


def test_a_put_replaces_the_settings_with_defaults_for_those_left_out(alice):
    endpoint = make_endpoint(alice, description="old", events=["call.completed"])
    response = api_client(alice).put(
        f"{BASE}{endpoint.pk}/", {"url": "https://hooks.example.com/new"}, content_type="application/json"
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/new" and endpoint.description == ""
    assert len(endpoint.events) == 5


def test_switching_an_endpoint_on_clears_its_automatic_switch_off(alice):
    endpoint = make_endpoint(alice, active=False, disabled_reason="Failing for 3 days")
    response = api_client(alice).patch(
        f"{BASE}{endpoint.pk}/", {"active": True}, content_type="application/json"
    )
    assert response.json()["disabled_reason"] == "" and response.json()["active"] is True


def test_an_endpoints_deliveries_are_listed_newest_first_with_their_webhook_ids(alice):
    endpoint = make_endpoint(alice)
    first, second = endpoint_test_event(endpoint=endpoint), endpoint_test_event(endpoint=endpoint)
    body = api_client(alice).get(f"{BASE}{endpoint.pk}/deliveries/").json()
    assert [d["id"] for d in body["results"]] == [second.pk, first.pk]
    assert body["results"][0]["event_type"] == "webhook.test"
    assert body["results"][0]["webhook_id"] == second.event.message_id


def test_a_failed_delivery_is_replayed_with_an_audit_row(alice):
    endpoint = make_endpoint(alice)
    delivery = endpoint_test_event(endpoint=endpoint)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, attempts=9)
    response = api_client(alice).post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["attempts"] == 0
    assert AuditEvent.objects.filter(
        detail__contains=f"replayed webhook.test (delivery {delivery.pk})"
    ).exists()


def test_a_replay_to_a_disabled_endpoint_is_a_409_problem(alice):
    endpoint = make_endpoint(alice)
    delivery = endpoint_test_event(endpoint=endpoint)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    response = api_client(alice).post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 409 and "enable it" in response.json()["detail"]
    assert response["Content-Type"] == "application/problem+json"


def test_another_endpoints_delivery_is_not_found_under_this_one(alice):
    mine, other = make_endpoint(alice), make_endpoint(alice, url="https://hooks.example.com/other")
    delivery = endpoint_test_event(endpoint=other)
    assert api_client(alice).post(f"{BASE}{mine.pk}/deliveries/{delivery.pk}/replay/").status_code == 404


def test_a_test_event_is_queued_to_the_endpoint_only(alice):
    endpoint = make_endpoint(alice)
    make_endpoint(alice, url="https://hooks.example.com/other")
    response = api_client(alice).post(f"{BASE}{endpoint.pk}/test/")
    assert response.status_code == 202 and response.json()["event_type"] == "webhook.test"
    assert Delivery.objects.get().endpoint == endpoint


def test_no_test_event_goes_to_a_disabled_endpoint(alice):
    endpoint = make_endpoint(alice, active=False)
    response = api_client(alice).post(f"{BASE}{endpoint.pk}/test/")
    assert response.status_code == 409 and not Delivery.objects.exists()


def test_an_endpoint_answers_304_to_its_current_etag_and_200_once_changed(alice):
    endpoint = make_endpoint(alice)
    client = api_client(alice)
    etag = client.get(f"{BASE}{endpoint.pk}/")["ETag"]
    assert client.get(f"{BASE}{endpoint.pk}/", headers={"If-None-Match": etag}).status_code == 304
    client.patch(f"{BASE}{endpoint.pk}/", {"description": "renamed"}, content_type="application/json")
    assert client.get(f"{BASE}{endpoint.pk}/", headers={"If-None-Match": etag}).status_code == 200
