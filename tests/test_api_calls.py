"""Calls and recordings through the REST API: the call log's filters, details, and placing a call with
the dial page's checks. A token sees exactly what its user sees; anything else is a 404."""

from urllib.parse import parse_qs

import pytest

from audit.models import AuditAction, AuditEvent
from caller.models import Call, CallStatus
from tests.api_helpers import api_client
from tests.factories import make_call, make_recording, make_transcript, make_user
from tests.fakes import ACCOUNT, CALLS_URL

pytestmark = pytest.mark.django_db

OTHER_SID = "CA" + "4" * 32
PLACED_SID = "CA" + "5" * 32


@pytest.fixture
def alice():
    return make_user("alice", perms=["place_call"])


@pytest.fixture
def bob():
    return make_user("bob")


@pytest.fixture
def alices_call(alice):
    call = make_call(owner=alice, dialed_by=alice, status=CallStatus.COMPLETED, duration=42)
    recording = make_recording(call, owner=alice)
    make_transcript(completed=True, owner=alice, recording_sid=recording.sid, call_sid=call.sid)
    return call


def placed(sid=PLACED_SID, to="+14155551234"):
    return {
        "sid": sid,
        "to": to,
        "from": "+15005550006",
        "status": "queued",
        "account_sid": ACCOUNT,
        "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json",
    }


def test_the_list_has_the_users_calls_newest_first_paginated(alice, alices_call):
    make_call(sid=OTHER_SID, owner=alice, dialed_by=alice)
    body = api_client(alice).get("/api/v1/calls/", {"page_size": 1}).json()
    assert body["count"] == 2 and body["next"]
    assert [row["sid"] for row in body["results"]] == [OTHER_SID]


def test_the_list_takes_the_call_logs_filters(alice, alices_call):
    make_call(sid=OTHER_SID, owner=alice, status=CallStatus.BUSY)
    client = api_client(alice)
    assert [c["sid"] for c in client.get("/api/v1/calls/", {"status": "busy"}).json()["results"]] == [
        OTHER_SID
    ]
    assert [
        c["sid"] for c in client.get("/api/v1/calls/", {"transcript": "completed"}).json()["results"]
    ] == [alices_call.sid]


def test_a_bad_filter_is_a_400_problem_listing_what_to_fix(alice):
    response = api_client(alice).get("/api/v1/calls/", {"status": "ringing-ish", "since": "yesterday"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    details = [e["detail"] for e in response.json()["errors"]]
    assert "There is no call status 'ringing-ish'." in details
    assert any("yesterday" in d for d in details)


def test_a_page_past_the_end_is_a_404_problem(alice, alices_call):
    response = api_client(alice).get("/api/v1/calls/", {"page": 9})
    assert response.status_code == 404 and response.json()["title"] == "Not Found"


def test_another_users_token_sees_no_call_and_gets_404_for_it(bob, alices_call):
    client = api_client(bob)
    assert client.get("/api/v1/calls/").json()["count"] == 0
    response = client.get(f"/api/v1/calls/{alices_call.sid}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert alices_call.to not in response.content.decode()
    assert client.get("/api/v1/recordings/").json()["count"] == 0
    assert client.get(f"/api/v1/recordings/{'RE' + '3' * 32}/").status_code == 404


def test_a_leads_token_sees_every_call(alices_call):
    lead = make_user("lena", perms=["view_all_calls"])
    assert api_client(lead).get(f"/api/v1/calls/{alices_call.sid}/").status_code == 200


def test_the_detail_lists_its_recordings_and_transcripts_and_is_audited(alice, alices_call):
    body = api_client(alice).get(f"/api/v1/calls/{alices_call.sid}/").json()
    assert body["duration"] == 42 and body["dialed_by"] == "alice"
    assert [r["sid"] for r in body["recordings"]] == ["RE" + "3" * 32]
    assert [t["status"] for t in body["transcripts"]] == ["completed"]
    event = AuditEvent.objects.get(action=AuditAction.VIEWED, obj_kind="call")
    assert (event.obj_id, event.username) == (alices_call.sid, "alice")


def test_the_detail_hides_a_recording_given_to_someone_else(alice, bob, alices_call):
    make_recording(alices_call, sid="RE" + "6" * 32, owner=bob)
    body = api_client(alice).get(f"/api/v1/calls/{alices_call.sid}/").json()
    assert "RE" + "6" * 32 not in [r["sid"] for r in body["recordings"]]


def test_the_detail_has_an_etag_and_answers_304_while_it_holds(alice, alices_call):
    client = api_client(alice)
    first = client.get(f"/api/v1/calls/{alices_call.sid}/")
    again = client.get(f"/api/v1/calls/{alices_call.sid}/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    Call.objects.filter(pk=alices_call.pk).update(duration=43)
    changed = client.get(f"/api/v1/calls/{alices_call.sid}/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_recordings_can_be_listed_by_call(alice, alices_call):
    client = api_client(alice)
    assert client.get("/api/v1/recordings/", {"call_sid": alices_call.sid}).json()["count"] == 1
    assert client.get("/api/v1/recordings/", {"call_sid": OTHER_SID}).json()["count"] == 0
    assert client.get("/api/v1/recordings/", {"call_sid": "nope"}).status_code == 400


def test_a_recording_detail_names_its_transcript(alice, alices_call):
    body = api_client(alice).get(f"/api/v1/recordings/{'RE' + '3' * 32}/").json()
    assert body["transcript"]["status"] == "completed"


# -- placing a call ------------------------------------------------------------------------------


def test_placing_a_call_rings_through_twilio_and_is_audited(alice, mocked_http):
    mocked_http.post(CALLS_URL, json=placed(), status=201)
    response = api_client(alice).post(
        "/api/v1/calls/", {"to": "+1 415 555 1234"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["sid"] == PLACED_SID
    assert parse_qs(mocked_http.calls[0].request.body)["To"] == ["+14155551234"]
    call = Call.objects.get(sid=PLACED_SID)
    assert (call.owner, call.dialed_by) == (alice, alice)
    event = AuditEvent.objects.get(action=AuditAction.CALL_PLACED)
    assert (event.obj_id, event.username, event.detail) == (PLACED_SID, "alice", "via api")


def test_placing_a_call_needs_the_place_call_permission(bob, mocked_http):
    response = api_client(bob).post("/api/v1/calls/", {"to": "+14155551234"}, content_type="application/json")
    assert response.status_code == 403 and "Can place outbound calls" in response.json()["detail"]
    assert not mocked_http.calls and not Call.objects.exists()


def test_a_number_that_does_not_parse_is_a_400_on_the_field(alice, mocked_http):
    response = api_client(alice).post("/api/v1/calls/", {"to": "call me"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "to"
    assert not mocked_http.calls


def test_the_dial_policy_refuses_a_country_not_allowed(alice, mocked_http):
    response = api_client(alice).post(
        "/api/v1/calls/", {"to": "+442071838750"}, content_type="application/json"
    )
    assert response.status_code == 403 and "DIAL_ALLOWED_COUNTRIES" in response.json()["detail"]
    assert not mocked_http.calls


def test_the_dial_rate_limit_answers_429_with_retry_after(alice, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "1/hour"
    mocked_http.post(CALLS_URL, json=placed(), status=201)
    client = api_client(alice)
    assert (
        client.post("/api/v1/calls/", {"to": "+14155551234"}, content_type="application/json").status_code
        == 201
    )
    response = client.post("/api/v1/calls/", {"to": "+14155551234"}, content_type="application/json")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"


def test_a_call_twilio_refuses_is_a_400_and_nothing_is_kept(alice, mocked_http):
    mocked_http.post(CALLS_URL, json={"code": 21211, "message": "Invalid 'To'", "status": 400}, status=400)
    response = api_client(alice).post(
        "/api/v1/calls/", {"to": "+14155551234"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Call.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CALL_PLACED).exists()
