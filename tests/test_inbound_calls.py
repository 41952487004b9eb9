"""Inbound calls on POST /twilio/voice/: the notice, then a person (recorded on two channels) or
a voicemail (<Record>), stored with the caller's number and an owner (or the team's inbox)."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from caller.models import Call, CallDirection, ConsentRecord, Recording
from tests.factories import make_profile, make_user
from tests.fakes import recording_callback
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

BASE = "https://djt.example.com"
INBOUND_SID = "CA" + "7" * 32
CALLER = "+14155550123"
ANN = "+14155552671"
NOTICE = "This call is recorded and transcribed."


def ringing(**extra):
    """What Twilio posts to the number's voice URL (Direction=inbound, CallStatus=ringing)."""
    params = {
        "CallSid": INBOUND_SID,
        "AccountSid": "AC" + "a" * 32,
        "From": CALLER,
        "To": "+15005550006",
        "Caller": CALLER,
        "Called": "+15005550006",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "FromCountry": "US",
    }
    params.update(extra)
    return params


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    return ET.fromstring(response.content)


@pytest.fixture
def ann(db, settings):
    user = make_user("ann")
    make_profile(user, ANN)
    settings.INBOUND_FORWARD_TO = "ann"
    return user


def test_a_caller_hears_the_notice_then_the_users_phone_rings_recorded_on_two_channels(twilio_post, ann):
    root = twiml(twilio_post("/twilio/voice/", ringing()))
    assert [verb.tag for verb in root] == ["Say", "Dial"]
    notice, dial = root
    assert notice.text == NOTICE
    call = Call.objects.get(sid=INBOUND_SID)
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("timeout") == "20"
    assert dial.get("answerOnBridge") == "true"
    assert dial.get("callerId") is None  # the caller's own number shows
    assert dial.get("action") == f"{BASE}/twilio/calls/{call.pk}/dial-done/"
    assert dial.get("recordingStatusCallback") == f"{BASE}/twilio/recording-status/"
    [number] = dial
    assert number.text == ANN
    assert number.get("url") == f"{BASE}/twilio/calls/{call.pk}/whisper/"


def test_an_inbound_call_is_stored_with_the_caller_and_the_user_it_rang(twilio_post, ann):
    twilio_post("/twilio/voice/", ringing(CallerName="ACME CORP"))
    call = Call.objects.get(sid=INBOUND_SID)
    assert (call.direction, call.from_number, call.other_party) == (CallDirection.INBOUND, CALLER, CALLER)
    assert (call.caller_name, call.to, call.owner, call.status) == (
        "ACME CORP",
        "+15005550006",
        ann,
        "ringing",
    )
    consent = ConsentRecord.objects.get(call=call)
    assert (consent.party, consent.notice) == ("caller", NOTICE)


def test_the_ring_time_is_a_setting(twilio_post, ann, settings):
    settings.INBOUND_RING_SECONDS = 35
    assert twiml(twilio_post("/twilio/voice/", ringing()))[1].get("timeout") == "35"


def test_a_call_forwarded_to_a_number_belongs_to_the_teams_inbox(twilio_post, settings, client):
    settings.INBOUND_FORWARD_TO = "+14155551234"
    root = twiml(twilio_post("/twilio/voice/", ringing()))
    assert root[1][0].text == "+14155551234"
    call = Call.objects.get(sid=INBOUND_SID)
    assert call.owner is None
    client.force_login(make_user("bob"))
    assert client.get(f"/calls/{INBOUND_SID}/").status_code == 404
    client.force_login(make_user("lena", perms=["view_all_calls"]))
    assert client.get(f"/calls/{INBOUND_SID}/").status_code == 200


def test_a_forward_number_the_dial_policy_refuses_takes_a_message_instead(twilio_post, settings):
    settings.INBOUND_FORWARD_TO = "+19005551234"  # premium rate
    root = twiml(twilio_post("/twilio/voice/", ringing()))
    assert [verb.tag for verb in root] == ["Say", "Say", "Record", "Hangup"]


def test_with_nobody_to_ring_the_caller_hears_the_notice_and_leaves_a_message(twilio_post, settings):
    settings.INBOUND_FORWARD_TO = ""
    root = twiml(twilio_post("/twilio/voice/", ringing()))
    assert [verb.tag for verb in root] == ["Say", "Say", "Record", "Hangup"]
    assert root[0].text == NOTICE  # before <Record>
    record = root[2]
    assert record.get("action") == f"{BASE}/record/done/"
    assert record.get("recordingStatusCallback") == f"{BASE}/twilio/recording-status/"
    assert record.get("recordingStatusCallbackEvent") == "completed absent"
    assert record.get("playBeep") == "true"


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_when_nobody_answers_the_caller_leaves_a_message(twilio_post, ann, status):
    twilio_post("/twilio/voice/", ringing())
    call = Call.objects.get(sid=INBOUND_SID)
    params = {"CallSid": INBOUND_SID, "DialCallStatus": status}
    root = twiml(twilio_post(f"/twilio/calls/{call.pk}/dial-done/", params))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]


def test_after_a_conversation_the_dial_action_hangs_up(twilio_post, ann):
    twilio_post("/twilio/voice/", ringing())
    call = Call.objects.get(sid=INBOUND_SID)
    params = {"CallSid": INBOUND_SID, "DialCallStatus": "completed"}
    assert [v.tag for v in twiml(twilio_post(f"/twilio/calls/{call.pk}/dial-done/", params))] == ["Hangup"]


def test_a_voicemail_is_stored_on_the_inbound_call_and_transcribed_for_its_owner(twilio_post, ann):
    twilio_post("/twilio/voice/", ringing())
    assert (
        twilio_post("/twilio/recording-status/", recording_callback(call_sid=INBOUND_SID)).status_code == 204
    )
    recording = Recording.objects.get()
    assert (recording.call.sid, recording.owner, recording.source) == (INBOUND_SID, ann, "RecordVerb")
    transcript = Transcript.objects.get()
    assert (transcript.recording_sid, transcript.owner) == (recording.sid, ann)


def test_a_connected_inbound_calls_recording_lands_on_the_inbound_call(twilio_post, ann):
    twilio_post("/twilio/voice/", ringing())
    params = recording_callback(call_sid=INBOUND_SID)
    params.update(RecordingSource="DialVerb", RecordingChannels="2")
    twilio_post("/twilio/recording-status/", params)
    recording = Recording.objects.get()
    assert (recording.call.sid, recording.channels, recording.source) == (INBOUND_SID, 2, "DialVerb")


def test_twilio_asking_twice_stores_one_call(twilio_post, ann):
    twilio_post("/twilio/voice/", ringing())
    twilio_post("/twilio/voice/", ringing())
    assert Call.objects.count() == 1
    assert ConsentRecord.objects.count() == 1


def test_an_unsigned_inbound_call_is_refused_and_stores_nothing(client, twilio_post, ann):
    assert client.post("/twilio/voice/", ringing()).status_code == 403
    assert twilio_post("/twilio/voice/", ringing(), signature="bad").status_code == 403
    assert not Call.objects.exists()


def test_an_unusable_inbound_call_is_a_400_and_stores_nothing(twilio_post, ann):
    assert twilio_post("/twilio/voice/", ringing(CallSid="CA-not-a-sid")).status_code == 400
    assert twilio_post("/twilio/voice/", ringing(From="+1\n415")).status_code == 400
    assert not Call.objects.exists()


# -- keypress consent ----------------------------------------------------------------------------


@pytest.fixture
def keypress(settings):
    settings.CONSENT_MODE = "keypress"
    settings.CONSENT_DECLINED = "continue"
    return settings


def test_with_keypress_the_caller_is_asked_first(twilio_post, ann, keypress):
    root = twiml(twilio_post("/twilio/voice/", ringing()))
    assert [verb.tag for verb in root] == ["Gather", "Redirect"]
    call = Call.objects.get()
    assert root[0].get("action") == f"{BASE}/twilio/calls/{call.pk}/consent/"


def test_a_caller_who_presses_1_may_leave_a_message(twilio_post, keypress, settings):
    settings.INBOUND_FORWARD_TO = ""
    twilio_post("/twilio/voice/", ringing())
    call = Call.objects.get()
    params = {"CallSid": INBOUND_SID, "Digits": "1"}
    root = twiml(twilio_post(f"/twilio/calls/{call.pk}/consent/", params))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]


def test_a_caller_who_declines_leaves_no_message(twilio_post, keypress, settings):
    settings.INBOUND_FORWARD_TO = ""
    twilio_post("/twilio/voice/", ringing())
    call = Call.objects.get()
    root = twiml(twilio_post(f"/twilio/calls/{call.pk}/consent/", {"CallSid": INBOUND_SID}))
    assert "Record" not in [verb.tag for verb in root]
    assert root[-1].tag == "Hangup"
    assert ConsentRecord.objects.get().consented is False


def test_a_caller_who_declines_is_put_through_unrecorded(twilio_post, ann, keypress):
    twilio_post("/twilio/voice/", ringing())
    call = Call.objects.get()
    root = twiml(twilio_post(f"/twilio/calls/{call.pk}/consent/", {"CallSid": INBOUND_SID, "Digits": "5"}))
    assert [verb.tag for verb in root] == ["Say", "Dial"]
    assert root[1].get("record") is None
    # Nobody answered: a message would be a recording, so none is taken.
    params = {"CallSid": INBOUND_SID, "DialCallStatus": "no-answer"}
    root = twiml(twilio_post(f"/twilio/calls/{call.pk}/dial-done/", params))
    assert [verb.tag for verb in root] == ["Say", "Hangup"]


def test_a_voicemails_audio_is_described_as_a_call_from_the_caller(twilio_post, ann):
    from caller.audio import recording_description

    twilio_post("/twilio/voice/", ringing())
    twilio_post("/twilio/recording-status/", recording_callback(call_sid=INBOUND_SID))
    description = recording_description(Recording.objects.select_related("call").get())
    assert (description["label"], description["title"]) == (CALLER, f"Call from {CALLER}")


def test_the_home_page_lists_an_inbound_call_by_its_caller(twilio_post, ann, client):
    twilio_post("/twilio/voice/", ringing(CallerName="ACME CORP"))
    client.force_login(ann)
    assert "From ACME CORP" in client.get("/").content.decode()


# -- INBOUND_FORWARD_RATE_LIMIT: one number cannot ring a person's phone without end ----------------


def ring_from(twilio_post, caller: str, number: int) -> list[str]:
    """The verbs of the answer to the `number`th inbound call from `caller`."""
    sid = "CA" + f"{number:032x}"
    return [verb.tag for verb in twiml(twilio_post("/twilio/voice/", ringing(CallSid=sid, From=caller)))]


def test_a_caller_over_the_limit_leaves_a_message_instead_of_ringing(twilio_post, ann, settings, caplog):
    settings.INBOUND_FORWARD_RATE_LIMIT = "2/hour"
    assert [ring_from(twilio_post, CALLER, n) for n in (1, 2)] == [["Say", "Dial"]] * 2
    with caplog.at_level("WARNING", logger="caller.conversation"):
        assert ring_from(twilio_post, CALLER, 3) == ["Say", "Say", "Record", "Hangup"]
    assert "INBOUND_FORWARD_RATE_LIMIT=2/hour" in caplog.text
    third = Call.objects.get(sid="CA" + f"{3:032x}")
    assert third.owner == ann  # ann's message to hear, all the same
    assert ring_from(twilio_post, "+14155550999", 4) == ["Say", "Dial"]  # another caller rings through


def test_calls_before_the_window_do_not_count(twilio_post, ann, settings):
    settings.INBOUND_FORWARD_RATE_LIMIT = "1/hour"
    ring_from(twilio_post, CALLER, 1)
    Call.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert ring_from(twilio_post, CALLER, 2) == ["Say", "Dial"]


def test_the_limit_can_be_turned_off(twilio_post, ann, settings):
    settings.INBOUND_FORWARD_RATE_LIMIT = "off"
    assert {tuple(ring_from(twilio_post, CALLER, n)) for n in range(1, 5)} == {("Say", "Dial")}


def test_with_keypress_the_limit_holds_after_the_caller_agrees(twilio_post, ann, keypress, settings):
    settings.INBOUND_FORWARD_RATE_LIMIT = "1/hour"
    ring_from(twilio_post, CALLER, 1)
    ring_from(twilio_post, CALLER, 2)
    second = Call.objects.get(sid="CA" + f"{2:032x}")
    params = {"CallSid": second.sid, "Digits": "1"}
    root = twiml(twilio_post(f"/twilio/calls/{second.pk}/consent/", params))
    assert [verb.tag for verb in root] == ["Say", "Record", "Hangup"]  # a message, not ann's phone


def test_a_later_call_does_not_send_an_earlier_one_to_voicemail(twilio_post, ann, keypress, settings):
    settings.INBOUND_FORWARD_RATE_LIMIT = "1/hour"
    ring_from(twilio_post, CALLER, 1)
    ring_from(twilio_post, CALLER, 2)  # while the first caller listens to the notice
    first = Call.objects.get(sid="CA" + f"{1:032x}")
    root = twiml(twilio_post(f"/twilio/calls/{first.pk}/consent/", {"CallSid": first.sid, "Digits": "1"}))
    assert [verb.tag for verb in root] == ["Dial"]  # the first call still rings ann
