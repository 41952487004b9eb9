"""Dialing, finished: satellite numbers refused, the call reserved before Twilio is asked,
and one mapping from dial errors to HTTP statuses for both dial forms."""

import json
from io import StringIO

import pytest
import requests

from caller import dial_errors, services
from caller.dial_policy import DialRateLimited, DialRefused
from caller.models import Call
from caller.phone import InvalidNumber
from caller.twilio_client import MissingSettings, TwilioError
from tests.fakes import CALLS_URL
from tests.test_dial_policy import mock_call_created, sid

pytestmark = pytest.mark.django_db
# phonenumbers' region "001": Inmarsat, Iridium, international networks, global premium services.
NON_GEOGRAPHIC = ["870301234567", "881612345678", "8823421234", "883510012345", "979123456789"]


@pytest.mark.parametrize("digits", NON_GEOGRAPHIC)
def test_satellite_and_international_networks_are_refused_even_with_a_star(
    staff_client, settings, mocked_http, digits
):
    settings.DIAL_ALLOWED_COUNTRIES = ["*"]
    response = staff_client.post(f"/dial/{digits}/")
    assert response.status_code == 403
    assert b"satellite or international network" in response.content
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 0


def test_the_dial_page_already_refuses_a_satellite_number_on_get(staff_client, settings, mocked_http):
    settings.DIAL_ALLOWED_COUNTRIES = ["*"]
    response = staff_client.get("/dial/881612345678/")
    assert response.status_code == 403
    assert b"satellite or international network" in response.content
    assert b">Call +" not in response.content


def test_the_home_form_refuses_a_satellite_number(staff_client, settings, mocked_http):
    settings.DIAL_ALLOWED_COUNTRIES = ["*"]
    response = staff_client.post("/", {"number": "+881612345678"})
    assert response.status_code == 403
    assert b"satellite or international network" in response.content


def test_the_call_is_stored_before_twilio_is_asked(staff_user, mocked_http):
    seen = []

    def twilio(request):
        seen.append(list(Call.objects.values_list("sid", "dialed_by")))
        return (
            201,
            {},
            json.dumps({"sid": sid(7), "to": "+14155551234", "from": "+15005550006", "status": "queued"}),
        )

    mocked_http.add_callback("POST", CALLS_URL, callback=twilio)
    call = services.call_place(number="+14155551234", user=staff_user)
    [[(reserved_sid, dialed_by)]] = seen
    assert reserved_sid.startswith(services.RESERVED_SID_PREFIX) and dialed_by == staff_user.pk
    assert (call.sid, call.status) == (sid(7), "queued")
    assert list(Call.objects.values_list("sid", flat=True)) == [sid(7)]


def test_a_call_twilio_refuses_frees_its_place_in_the_rate_limit(staff_user, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "1/hour"
    mocked_http.post(CALLS_URL, json={"code": 21211, "message": "Invalid 'To'", "status": 400}, status=400)
    with pytest.raises(TwilioError):
        services.call_place(number="+14155551234", user=staff_user)
    assert Call.objects.count() == 0
    mocked_http.reset()
    mock_call_created(mocked_http)
    assert services.call_place(number="+14155551234", user=staff_user).sid == sid(1)


def test_a_call_that_may_have_rung_keeps_counting_as_failed(staff_user, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "1/hour"
    mocked_http.post(CALLS_URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(TwilioError):
        services.call_place(number="+14155551234", user=staff_user)
    assert list(Call.objects.values_list("status", flat=True)) == ["failed"]
    with pytest.raises(DialRateLimited):
        services.call_place(number="+14155551234", user=staff_user)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DialRefused("no"), 403),
        (DialRateLimited("slow down", retry_after=60), 429),
        (InvalidNumber("bad"), 400),
        (MissingSettings(["TWILIO_AUTH_TOKEN"]), 503),
        (TwilioError("refused", status=400), 400),
        (TwilioError("down", status=503), 502),
        (TwilioError("unreachable"), 502),
    ],
)
def test_each_dial_error_has_one_http_status(error, status):
    assert dial_errors.http_status(error) == status


@pytest.mark.parametrize(
    ("twilio_answer", "status"),
    [
        ({"json": {"code": 21211, "message": "Invalid 'To'", "status": 400}, "status": 400}, 400),
        ({"json": {"code": 20500, "message": "Internal", "status": 500}, "status": 500}, 502),
        ({"body": requests.ConnectionError("refused")}, 502),
    ],
)
def test_the_dial_page_and_the_home_form_answer_the_same_status(
    staff_client, mocked_http, twilio_answer, status
):
    mocked_http.post(CALLS_URL, **twilio_answer)
    assert staff_client.post("/dial/14155551234/").status_code == status
    assert staff_client.post("/", {"number": "+14155551234"}).status_code == status


def test_both_forms_answer_503_naming_missing_settings(staff_client, settings, mocked_http):
    settings.TWILIO_AUTH_TOKEN = ""
    assert staff_client.post("/dial/14155551234/").status_code == 503
    assert staff_client.post("/", {"number": "+14155551234"}).status_code == 503


# -- a reservation left behind by a crash while Twilio was asked --------------------------


def reserved_call(minutes_ago: int):
    from datetime import timedelta

    from tests.factories import make_call

    return make_call(
        services.RESERVED_SID_PREFIX + "0" * 25, status="queued", created_ago=timedelta(minutes=minutes_ago)
    )


def test_sync_transcripts_ends_a_reservation_abandoned_by_a_crash_as_failed():
    from django.core.management import call_command

    call = reserved_call(minutes_ago=30)
    call_command("sync_transcripts", stdout=StringIO())
    call.refresh_from_db()
    assert call.status == "failed"


def test_sync_transcripts_leaves_a_reservation_that_may_still_be_waiting_for_twilio():
    from django.core.management import call_command

    call = reserved_call(minutes_ago=1)
    call_command("sync_transcripts", stdout=StringIO())
    call.refresh_from_db()
    assert call.status == "queued"
