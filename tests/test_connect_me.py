"""Call them and connect me: Twilio calls the user first, then <Dial>s the other party.

TwiML is parsed as XML: verbs, their order and attributes, callback URLs on BASE_URL, and the
recording notice always before anything is recorded.
"""

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

import pytest

from caller.models import Call, CallDirection, ConsentRecord, Recording
from djtranscribe.lib.numbers import display_number
from tests.factories import make_call, make_profile, make_user
from tests.fakes import ACCOUNT, CALLS_URL, recording_callback

pytestmark = pytest.mark.django_db

BASE = "https://djt.example.com"
PARENT_SID = "CA" + "4" * 32
CHILD_SID = "CA" + "5" * 32
OWN = "+14155552671"
OTHER = "+14155551234"
NOTICE = "This call is recorded and transcribed."


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def verbs(root) -> list[str]:
    return [child.tag for child in root]


@pytest.fixture
def ann(db):
    user = make_user("ann", perms=["place_call"])
    make_profile(user, OWN)
    return user


@pytest.fixture
def ann_client(client, ann):
    client.force_login(ann)
    return client


@pytest.fixture
def connected(ann):
    """A connect-me call Twilio has placed to Ann."""
    return make_call(
        PARENT_SID,
        to=OWN,
        direction=CallDirection.OUTBOUND_CONNECT,
        other_party=OTHER,
        dialed_by=ann,
        owner=ann,
    )


def placed(mocked_http, to=OWN):
    mocked_http.post(
        CALLS_URL,
        json={
            "sid": PARENT_SID,
            "to": to,
            "from": "+15005550006",
            "status": "queued",
            "account_sid": ACCOUNT,
        },
        status=201,
    )


# -- placing the call ----------------------------------------------------------------------------


def test_it_calls_the_user_first_and_stores_whom_they_will_talk_to(ann_client, ann, mocked_http):
    placed(mocked_http)
    response = ann_client.post("/", {"number": "+1 415 555 1234", "how": "connect"})
    assert response.status_code == 302
    body = parse_qs(mocked_http.calls[0].request.body)
    call = Call.objects.get(sid=PARENT_SID)
    assert body["To"] == [OWN]
    assert body["From"] == ["+15005550006"]
    assert body["Url"] == [f"{BASE}/twilio/calls/{call.pk}/connect/"]
    assert body["StatusCallback"] == [f"{BASE}/twilio/call-status/"]
    assert (call.direction, call.to, call.other_party) == (CallDirection.OUTBOUND_CONNECT, OWN, OTHER)
    assert (call.dialed_by, call.owner) == (ann, ann)


def test_the_dial_page_offers_a_second_button_that_connects(ann_client, mocked_http):
    page = ann_client.get("/dial/14155551234/")
    assert b'name="how" value="connect"' in page.content
    placed(mocked_http)
    response = ann_client.post("/dial/14155551234/", {"how": "connect"})
    assert response.status_code == 200
    assert parse_qs(mocked_http.calls[0].request.body)["To"] == [OWN]
    assert Call.objects.get(sid=PARENT_SID).other_party == OTHER


def test_the_dial_pages_first_button_is_still_the_tutorials_call(ann_client, mocked_http):
    placed(mocked_http, to=OTHER)
    ann_client.post("/dial/14155551234/")
    body = parse_qs(mocked_http.calls[0].request.body)
    assert (body["To"], body["Url"]) == ([OTHER], [f"{BASE}/record/"])
    assert Call.objects.get().direction == CallDirection.OUTBOUND_API


def test_it_asks_for_the_users_own_number_before_calling_anyone(client, mocked_http):
    client.force_login(make_user("bob", perms=["place_call"]))
    response = client.post("/", {"number": OTHER, "how": "connect"})
    assert response.status_code == 400
    assert b"Set your own phone number first" in response.content
    assert not mocked_http.calls
    assert not Call.objects.exists()


def test_the_dial_policy_refuses_the_users_own_number_too(ann_client, ann, mocked_http, settings):
    ann.caller_profile.phone_number = "+442071838750"  # London, stored before the policy changed
    ann.caller_profile.save()
    response = ann_client.post("/", {"number": OTHER, "how": "connect"})
    assert response.status_code == 403
    assert b"+442071838750 is in GB" in response.content
    assert not mocked_http.calls


def test_the_dial_policy_refuses_the_other_partys_number(ann_client, mocked_http):
    response = ann_client.post("/", {"number": "+19005551234", "how": "connect"})  # premium rate
    assert response.status_code == 403
    assert b"premium-rate" in response.content
    assert not mocked_http.calls


def test_the_rate_limit_counts_connect_calls(ann_client, ann, mocked_http, settings):
    settings.DIAL_RATE_LIMIT = "1/hour"
    make_call(dialed_by=ann, owner=ann)
    response = ann_client.post("/", {"number": OTHER, "how": "connect"})
    assert response.status_code == 429
    assert not mocked_http.calls


def test_only_users_who_may_place_calls_may_connect(client, mocked_http):
    user = make_user("carl")
    make_profile(user)
    client.force_login(user)
    assert client.post("/", {"number": OTHER, "how": "connect"}).status_code == 403
    assert client.post("/dial/14155551234/", {"how": "connect"}).status_code == 403
    assert not mocked_http.calls


# -- the user's leg ------------------------------------------------------------------------------


def test_the_user_hears_the_notice_and_who_is_called_before_the_recorded_dial(twilio_post, connected):
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID}))
    assert verbs(root) == ["Say", "Say", "Dial"]
    notice, who, dial = root
    assert (notice.text, notice.get("language")) == (NOTICE, "en-US")
    assert who.text == "Connecting you to +1 415-555-1234."
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("answerOnBridge") == "true"
    assert dial.get("callerId") == "+15005550006"
    assert dial.get("timeout") == "30"
    assert dial.get("action") == f"{BASE}/twilio/calls/{connected.pk}/dial-done/"
    assert dial.get("recordingStatusCallback") == f"{BASE}/twilio/recording-status/"
    assert dial.get("recordingStatusCallbackEvent") == "completed absent"
    [number] = dial
    assert (number.tag, number.text) == ("Number", OTHER)
    assert number.get("url") == f"{BASE}/twilio/calls/{connected.pk}/whisper/"


def test_the_notice_played_to_the_user_is_recorded_as_consent(twilio_post, connected):
    twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID})
    consent = ConsentRecord.objects.get(call=connected)
    assert (consent.party, consent.notice, consent.mode, consent.consented) == (
        "user",
        NOTICE,
        "notice",
        None,
    )
    assert consent.played_at is not None


def test_the_other_party_hears_the_notice_in_the_whisper(twilio_post, connected, settings):
    settings.RECORDING_NOTICE = "Cette conversation est enregistrée."
    settings.RECORDING_NOTICE_LANGUAGE = "fr-FR"
    params = {"CallSid": CHILD_SID, "ParentCallSid": PARENT_SID}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/whisper/", params))
    assert verbs(root) == ["Say"]
    assert (root[0].text, root[0].get("language")) == ("Cette conversation est enregistrée.", "fr-FR")
    assert ConsentRecord.objects.get(call=connected, party="callee").notice == settings.RECORDING_NOTICE


def test_a_follow_up_for_another_call_is_404(twilio_post, connected):
    other = "CA" + "9" * 32
    assert twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": other}).status_code == 404
    params = {"CallSid": CHILD_SID, "ParentCallSid": other}
    assert twilio_post(f"/twilio/calls/{connected.pk}/whisper/", params).status_code == 404
    assert not ConsentRecord.objects.exists()


def test_a_whisper_request_without_its_parent_still_plays_the_notice(twilio_post, connected):
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/whisper/", {"CallSid": CHILD_SID}))
    assert [verb.text for verb in root] == [NOTICE]


def test_an_unsigned_connect_request_is_refused_and_stores_nothing(client, connected):
    response = client.post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_the_dials_two_channel_recording_lands_on_the_parent_call(twilio_post, connected):
    params = recording_callback(call_sid=PARENT_SID)
    params.update(RecordingSource="DialVerb", RecordingChannels="2")
    assert twilio_post("/twilio/recording-status/", params).status_code == 204
    recording = Recording.objects.get()
    assert (recording.call, recording.owner) == (connected, connected.owner)
    assert (recording.channels, recording.source) == (2, "DialVerb")


def test_the_dial_action_hangs_up_once_the_conversation_ends(twilio_post, connected):
    params = {"CallSid": PARENT_SID, "DialCallStatus": "completed"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/dial-done/", params))
    assert verbs(root) == ["Hangup"]


def test_the_user_hears_when_the_other_party_did_not_answer(twilio_post, connected):
    params = {"CallSid": PARENT_SID, "DialCallStatus": "no-answer"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/dial-done/", params))
    assert [(verb.tag, verb.text) for verb in root] == [
        ("Say", "The other party did not answer. Goodbye."),
        ("Hangup", None),
    ]


# -- keypress consent ----------------------------------------------------------------------------


@pytest.fixture
def keypress(settings):
    settings.CONSENT_MODE = "keypress"
    settings.CONSENT_DECLINED = "continue"
    return settings


def test_with_keypress_the_user_is_asked_to_press_1_and_nothing_is_dialed_yet(
    twilio_post, connected, keypress
):
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID}))
    assert verbs(root) == ["Gather", "Redirect"]
    gather, redirect = root
    consent_url = f"{BASE}/twilio/calls/{connected.pk}/consent/"
    assert (gather.get("numDigits"), gather.get("action"), gather.get("method")) == ("1", consent_url, "POST")
    assert [say.text for say in gather] == [f"{NOTICE} To agree to the recording, press 1."]
    assert redirect.text == consent_url
    assert ConsentRecord.objects.get().mode == "keypress"


def test_a_user_who_presses_1_is_connected_and_the_callee_is_asked_in_the_whisper(
    twilio_post, connected, keypress
):
    twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID})
    params = {"CallSid": PARENT_SID, "Digits": "1"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/consent/", params))
    assert verbs(root) == ["Say", "Dial"]
    dial = root[1]
    # Not recorded by <Dial>: the recording starts once the other party pressed 1 too.
    assert dial.get("record") is None
    assert dial[0].get("url") == f"{BASE}/twilio/calls/{connected.pk}/whisper/"
    consent = ConsentRecord.objects.get()
    assert (consent.consented, consent.digits) == (True, "1")
    assert consent.answered_at is not None


def test_a_user_who_presses_nothing_is_connected_unrecorded(twilio_post, connected, keypress):
    twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID})
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/consent/", {"CallSid": PARENT_SID}))
    assert verbs(root) == ["Say", "Say", "Dial"]
    assert root[0].text == "This call is not recorded."
    dial = root[2]
    assert dial.get("record") is None
    assert dial[0].get("url") is None  # no whisper: nothing of theirs is recorded
    assert ConsentRecord.objects.get().consented is False


def test_a_user_who_declines_hears_goodbye_when_declining_hangs_up(twilio_post, connected, keypress):
    keypress.CONSENT_DECLINED = "hangup"
    params = {"CallSid": PARENT_SID, "Digits": "2"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/consent/", params))
    assert verbs(root) == ["Say", "Hangup"]
    consent = ConsentRecord.objects.get()
    assert (consent.consented, consent.digits) == (False, "2")


def test_with_keypress_the_whisper_gathers_the_callees_answer(twilio_post, connected, keypress):
    params = {"CallSid": CHILD_SID, "ParentCallSid": PARENT_SID}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/whisper/", params))
    assert verbs(root) == ["Gather", "Redirect"]
    assert root[0].get("action") == f"{BASE}/twilio/calls/{connected.pk}/whisper/consent/"


def test_a_callee_who_presses_1_starts_the_two_channel_recording(
    twilio_post, connected, keypress, mocked_http
):
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls/{PARENT_SID}/Recordings.json"
    mocked_http.post(
        url, json={"sid": "RE" + "6" * 32, "call_sid": PARENT_SID, "status": "in-progress"}, status=201
    )
    params = {"CallSid": CHILD_SID, "ParentCallSid": PARENT_SID, "Digits": "1"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/whisper/consent/", params))
    assert verbs(root) == []  # the whisper ends: the parties are connected
    body = parse_qs(mocked_http.calls[0].request.body)
    assert body["RecordingChannels"] == ["dual"]
    assert body["RecordingStatusCallback"] == [f"{BASE}/twilio/recording-status/"]
    assert body["RecordingStatusCallbackEvent"] == ["completed", "absent"]
    assert ConsentRecord.objects.get(party="callee").consented is True


def test_a_callee_who_declines_is_connected_unrecorded(twilio_post, connected, keypress, mocked_http):
    params = {"CallSid": CHILD_SID, "ParentCallSid": PARENT_SID}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/whisper/consent/", params))
    assert [(verb.tag, verb.text) for verb in root] == [("Say", "This call is not recorded.")]
    assert not mocked_http.calls
    assert ConsentRecord.objects.get(party="callee").consented is False


def test_a_callee_who_declines_is_not_connected_when_declining_hangs_up(twilio_post, connected, keypress):
    keypress.CONSENT_DECLINED = "hangup"
    params = {"CallSid": CHILD_SID, "ParentCallSid": PARENT_SID, "Digits": "9"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/whisper/consent/", params))
    assert verbs(root) == ["Say", "Hangup"]
    params = {"CallSid": PARENT_SID, "DialCallStatus": "completed"}
    root = twiml(twilio_post(f"/twilio/calls/{connected.pk}/dial-done/", params))
    assert verbs(root) == ["Say", "Hangup"]
    assert "did not agree" in root[0].text


# -- the call page -------------------------------------------------------------------------------


def test_the_call_page_shows_per_party_which_notice_was_played_and_when(
    ann_client, twilio_post, connected, keypress
):
    twilio_post(f"/twilio/calls/{connected.pk}/connect/", {"CallSid": PARENT_SID, "Digits": ""})
    twilio_post(f"/twilio/calls/{connected.pk}/consent/", {"CallSid": PARENT_SID, "Digits": "1"})
    twilio_post(f"/twilio/calls/{connected.pk}/whisper/", {"CallSid": CHILD_SID, "ParentCallSid": PARENT_SID})
    page = ann_client.get(f"/calls/{PARENT_SID}/").content.decode()
    assert 'data-party="user"' in page and 'data-party="callee"' in page
    assert page.count(NOTICE) == 2
    assert "agreed (pressed 1)" in page
    assert "no answer yet" in page
    assert "Outbound, connecting the user" in page
    assert display_number(OTHER) in page  # "(415) 555-1234": the |phone filter


def test_the_dial_page_says_to_set_ones_own_number_first(client, mocked_http):
    client.force_login(make_user("bob", perms=["place_call"]))
    page = client.get("/dial/14155551234/")
    assert b'name="how" value="connect"' not in page.content
    assert b'href="/profile/"' in page.content
    response = client.post("/dial/14155551234/", {"how": "connect"})
    assert response.status_code == 400
    assert b"Set your own phone number first" in response.content
    assert not mocked_http.calls
