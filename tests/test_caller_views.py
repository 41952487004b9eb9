"""The tutorial's three views: dial, the recording TwiML and the recording URLs."""

import re
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest

from caller.models import Call, Recording
from tests.factories import make_call
from tests.fakes import ACCOUNT, CALLS_URL

pytestmark = pytest.mark.django_db

RECORDINGS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings.json"
CALL_SID = "CA" + "1" * 32


def call_json(sid=CALL_SID, to="+14155551234"):
    return {
        "sid": sid,
        "to": to,
        "from": "+15005550006",
        "status": "queued",
        "account_sid": ACCOUNT,
        "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json",
    }


def test_dial_get_shows_the_number_and_places_no_call(staff_client, mocked_http):
    response = staff_client.get("/dial/14155551234/")
    assert response.status_code == 200
    assert b"+14155551234" in response.content
    assert b'<form method="post"' in response.content
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 0


def test_dial_post_places_the_call_with_to_from_and_url(staff_client, staff_user, mocked_http):
    mocked_http.post(CALLS_URL, json=call_json(), status=201)
    response = staff_client.post("/dial/14155551234/")
    assert response.status_code == 200
    assert f"dialing +14155551234. call SID is: {CALL_SID}".encode() in response.content
    body = parse_qs(mocked_http.calls[0].request.body)
    assert body["To"] == ["+14155551234"]
    assert body["From"] == ["+15005550006"]
    assert body["Url"] == ["https://djt.example.com/record/"]
    call = Call.objects.get(sid=CALL_SID)
    assert (call.to, call.dialed_by, call.owner) == ("+14155551234", staff_user, staff_user)


def test_dial_requires_login(client):
    response = client.get("/dial/14155551234/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_dial_refuses_an_invalid_number_with_400(staff_client, mocked_http):
    response = staff_client.post("/dial/123/")
    assert response.status_code == 400
    assert b"not a valid phone number" in response.content
    assert len(mocked_http.calls) == 0


@pytest.mark.parametrize(
    "code, expected",
    [
        (21210, b"TWILIO_PHONE_NUMBER"),
        (21211, b"not a valid phone number"),
        (21214, b"cannot route"),
        (21215, b"Geo permissions"),
        (21216, b"high fraud risk"),
    ],
)
def test_dial_explains_twilio_errors(staff_client, mocked_http, code, expected):
    mocked_http.post(CALLS_URL, json={"code": code, "message": "nope", "status": 400}, status=400)
    response = staff_client.post("/dial/14155551234/")
    assert response.status_code == 400
    assert expected in response.content
    assert Call.objects.count() == 0


def test_dial_names_missing_settings(staff_client, settings, mocked_http):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_PHONE_NUMBER = ""
    response = staff_client.post("/dial/14155551234/")
    assert response.status_code == 503
    assert b"TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER" in response.content
    assert len(mocked_http.calls) == 0


def test_dial_page_names_missing_settings_instead_of_blaming_the_country(staff_client, settings, mocked_http):
    settings.TWILIO_PHONE_NUMBER = ""
    settings.DIAL_ALLOWED_COUNTRIES = []
    response = staff_client.get("/dial/14155551234/")
    assert response.status_code == 503
    assert b"Missing settings: TWILIO_PHONE_NUMBER" in response.content
    assert b"DIAL_ALLOWED_COUNTRIES" not in response.content
    assert b"Call +14155551234</button>" not in response.content


def test_record_twiml_greets_records_and_hangs_up(twilio_post):
    response = twilio_post("/record/", {"CallSid": CALL_SID})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    assert [child.tag for child in root] == ["Say", "Record", "Hangup"]
    assert root[0].text == "Ahoy! Call recording starts now."
    record = root[1].attrib
    assert record["action"] == "https://djt.example.com/record/done/"
    assert record["recordingStatusCallback"] == "https://djt.example.com/twilio/recording-status/"
    assert record["recordingStatusCallbackEvent"] == "completed absent"


def test_record_twiml_rejects_an_unsigned_request(client):
    response = client.post("/record/", {"CallSid": CALL_SID})
    assert response.status_code == 403


def test_recording_url_lists_media_urls_one_per_line(staff_client, mocked_http):
    recordings = [
        {
            "sid": "RE" + str(i) * 32,
            "call_sid": CALL_SID,
            "account_sid": ACCOUNT,
            "status": "completed",
            "duration": "12",
            "channels": 1,
            "source": "RecordVerb",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{str(i) * 32}.json",
        }
        for i in (1, 2)
    ]
    mocked_http.get(
        re.compile(re.escape(RECORDINGS_URL) + r".*"),
        json={"recordings": recordings, "next_page_uri": None, "page": 0, "page_size": 50},
    )
    response = staff_client.get(f"/get-recording-url/{CALL_SID}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines == [
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}",
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'2' * 32}",
    ]
    assert Recording.objects.filter(call_sid=CALL_SID).count() == 2


def test_recording_url_answers_404_for_a_malformed_sid(staff_client, mocked_http):
    response = staff_client.get("/get-recording-url/notasid/")
    assert response.status_code == 404
    assert b"not a call SID" in response.content
    assert len(mocked_http.calls) == 0


def test_recording_url_answers_404_for_a_call_twilio_does_not_know(staff_client, mocked_http):
    mocked_http.get(
        re.compile(re.escape(RECORDINGS_URL) + r".*"),
        json={"code": 20404, "message": "The requested resource was not found", "status": 404},
        status=404,
    )
    response = staff_client.get(f"/get-recording-url/{CALL_SID}/")
    assert response.status_code == 404
    assert f"Twilio knows no call {CALL_SID}".encode() in response.content


def test_recording_url_requires_login(client, mocked_http):
    response = client.get(f"/get-recording-url/{CALL_SID}/")
    assert response.status_code == 302
    assert len(mocked_http.calls) == 0


def test_call_status_moves_the_call_forward_and_stores_its_duration(twilio_post):
    make_call(sid=CALL_SID, status="queued")
    response = twilio_post(
        "/twilio/call-status/", {"CallSid": CALL_SID, "CallStatus": "completed", "CallDuration": "42"}
    )
    assert response.status_code == 204
    call = Call.objects.get(sid=CALL_SID)
    assert (call.status, call.duration) == ("completed", 42)


def test_call_status_never_moves_a_call_back(twilio_post):
    make_call(sid=CALL_SID, status="completed")
    response = twilio_post("/twilio/call-status/", {"CallSid": CALL_SID, "CallStatus": "ringing"})
    assert response.status_code == 204
    assert Call.objects.get(sid=CALL_SID).status == "completed"


def test_call_status_rejects_a_bad_signature(twilio_post):
    make_call(sid=CALL_SID, status="queued")
    response = twilio_post(
        "/twilio/call-status/", {"CallSid": CALL_SID, "CallStatus": "completed"}, signature="forged"
    )
    assert response.status_code == 403
    assert Call.objects.get(sid=CALL_SID).status == "queued"


def test_call_status_refuses_a_callback_without_sid_or_status(twilio_post):
    response = twilio_post("/twilio/call-status/", {"CallSid": CALL_SID})
    assert response.status_code == 400
