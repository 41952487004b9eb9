"""manage.py configure_twilio_number, against a mocked Twilio (IncomingPhoneNumbers)."""

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from tests.fakes import ACCOUNT

pytestmark = pytest.mark.django_db

NUMBERS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers"
NUMBER_SID = "PN" + "8" * 32
VOICE_URL = "https://djt.example.com/twilio/voice/"
STATUS_URL = "https://djt.example.com/twilio/call-status/"


def number_json(voice_url="https://demo.twilio.com/welcome/voice/", method="GET", status_callback=""):
    return {
        "sid": NUMBER_SID,
        "account_sid": ACCOUNT,
        "phone_number": "+15005550006",
        "voice_url": voice_url,
        "voice_method": method,
        "status_callback": status_callback,
    }


def listing(*numbers):
    return {
        "incoming_phone_numbers": list(numbers),
        "next_page_uri": None,
        "page": 0,
        "page_size": 2,
    }


def run() -> str:
    out = StringIO()
    call_command("configure_twilio_number", stdout=out)
    return out.getvalue()


def test_it_points_the_number_at_the_inbound_webhook_and_says_what_changed(mocked_http):
    mocked_http.get(f"{NUMBERS_URL}.json", json=listing(number_json()))
    mocked_http.post(f"{NUMBERS_URL}/{NUMBER_SID}.json", json=number_json(VOICE_URL, "POST", STATUS_URL))
    out = run()
    lookup, update = mocked_http.calls
    assert parse_qs(urlsplit(lookup.request.url).query)["PhoneNumber"] == ["+15005550006"]
    body = parse_qs(update.request.body)
    assert body["VoiceUrl"] == [VOICE_URL]
    assert body["VoiceMethod"] == ["POST"]
    assert body["StatusCallback"] == [STATUS_URL]
    assert f"voice URL: https://demo.twilio.com/welcome/voice/ → {VOICE_URL}" in out
    assert "voice method: GET → POST" in out
    assert f"status callback: (none) → {STATUS_URL}" in out


def test_it_changes_nothing_when_the_number_already_points_here(mocked_http):
    mocked_http.get(f"{NUMBERS_URL}.json", json=listing(number_json(VOICE_URL, "POST", STATUS_URL)))
    assert "nothing changed" in run()
    assert len(mocked_http.calls) == 1


def test_it_says_when_the_number_is_not_on_the_account(mocked_http):
    mocked_http.get(f"{NUMBERS_URL}.json", json=listing())
    with pytest.raises(CommandError, match="not a number of this Twilio account"):
        run()


def test_it_says_what_twilio_refused(mocked_http):
    mocked_http.get(
        f"{NUMBERS_URL}.json", json={"code": 20003, "message": "Authenticate", "status": 401}, status=401
    )
    with pytest.raises(CommandError, match="TWILIO_AUTH_TOKEN"):
        run()


@pytest.mark.parametrize(
    "base_url, reason",
    [
        ("http://djt.example.com", "not https"),
        ("https://localhost:8000", "names this machine"),
        ("https://127.0.0.1", "loopback or private"),
        ("https://10.0.0.5", "loopback or private"),
        ("https://[::1]", "loopback or private"),
        ("https://192.168.1.20:8443", "loopback or private"),
    ],
)
def test_it_refuses_a_base_url_twilio_cannot_reach(settings, mocked_http, base_url, reason):
    settings.BASE_URL = base_url
    with pytest.raises(CommandError, match=reason):
        run()
    assert not mocked_http.calls


def test_it_names_missing_twilio_settings(settings, mocked_http):
    settings.TWILIO_PHONE_NUMBER = ""
    with pytest.raises(CommandError, match="TWILIO_PHONE_NUMBER"):
        run()
    assert not mocked_http.calls
