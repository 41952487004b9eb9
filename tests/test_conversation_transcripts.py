"""Two-party recordings: archived and transcribed per channel, read as a conversation of named people."""

import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from caller.models import Call
from caller.participants import call_participants
from samples import CONVERSATION
from tests.factories import make_call, make_profile, make_user
from tests.fakes import (
    AAI,
    ACCOUNT,
    CALL_SID,
    CALLS_URL,
    JOB_ID,
    MEDIA_URL,
    RECORDING_SID,
    deliver_webhook,
    mock_media,
    mock_upload,
    recording_callback,
    submitted_bodies,
    transcript_json,
)
from transcription.models import Participant, Transcript

pytestmark = pytest.mark.django_db

PATH = "/twilio/recording-status/"
STEREO_MEDIA_URL = MEDIA_URL + "?RequestedChannels=2"
PARENT_SID = "CA" + "4" * 32
OWN = "+14155552671"  # Ada's own number: Twilio calls it first
OTHER = "+14155551234"
# The request keys of POST /v2/transcript in AssemblyAI's OpenAPI spec (additionalProperties: false):
# a key outside this list is out of contract.
ASSEMBLYAI_TRANSCRIPT_PARAMS = {
    "audio_url", "speech_models", "speech_model", "language_code", "language_detection",
    "language_confidence_threshold", "punctuate", "format_text", "disfluencies", "filter_profanity",
    "multichannel", "speaker_labels", "speakers_expected", "speaker_options", "keyterms_prompt", "prompt",
    "webhook_url", "webhook_auth_header_name", "webhook_auth_header_value", "audio_start_from",
    "audio_end_at", "redact_pii", "redact_pii_audio", "redact_pii_audio_quality", "redact_pii_policies",
    "redact_pii_sub", "auto_chapters", "auto_highlights", "content_safety", "content_safety_confidence",
    "iab_categories", "sentiment_analysis", "entity_detection", "summarization", "summary_model",
    "summary_type", "custom_spelling", "speech_threshold", "temperature",
}  # fmt: skip


def dial_callback():
    """Twilio's callback for the two-channel recording a <Dial record="record-from-answer-dual"> made."""
    return {**recording_callback(), "RecordingChannels": "2", "RecordingSource": "DialVerb"}


def conversation_result():
    """The completed multichannel job as AssemblyAI sends it (channels as strings "1", "2")."""
    data = json.loads(CONVERSATION.transcript.read_text())
    return {**data, "id": JOB_ID}


def run_chain(twilio_post, client, task_queue, mocked_http, callback, result):
    """Recording callback → archive → upload → submit → webhook → fetch; answers the transcript."""
    mock_upload(mocked_http, [])
    mocked_http.post(f"{AAI}/v2/transcript", json=transcript_json())
    mocked_http.get(f"{AAI}/v2/transcript/{JOB_ID}", json=result)
    with task_queue.capture(execute=True):
        assert twilio_post(PATH, callback).status_code == 204
    task_queue.run_all()
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    deliver_webhook(client, task_queue, transcript, {"transcript_id": JOB_ID, "status": "completed"})
    task_queue.run_all()
    transcript.refresh_from_db()
    return transcript


def test_a_connect_me_call_is_fetched_in_stereo_sent_multichannel_and_read_as_named_turns(
    twilio_post, client, task_queue, mocked_http
):
    ada = make_user("ada", password="pw-ada-12345", perms=["place_call"])
    ada.first_name, ada.last_name = "Ada", "Lovelace"
    ada.save()
    make_profile(ada, OWN)
    client.force_login(ada)
    # Connect me: Twilio calls Ada first; her leg's TwiML dials the other party, recorded dual-channel.
    mocked_http.post(
        CALLS_URL,
        json={
            "sid": PARENT_SID,
            "to": OWN,
            "from": "+15005550006",
            "status": "queued",
            "account_sid": ACCOUNT,
        },
        status=201,
    )
    assert client.post("/", {"number": OTHER, "how": "connect"}).status_code == 302
    call = Call.objects.get(sid=PARENT_SID)
    twiml = twilio_post(f"/twilio/calls/{call.pk}/connect/", {"CallSid": PARENT_SID})
    dial = ET.fromstring(twiml.content).find("Dial")
    assert (dial.get("record"), dial.find("Number").text) == ("record-from-answer-dual", OTHER)
    # Only the stereo URL is mocked (strictly, query included): a mixed-down download fails the test.
    mock_media(mocked_http, url=STEREO_MEDIA_URL)
    callback = {**dial_callback(), "CallSid": PARENT_SID}
    transcript = run_chain(twilio_post, client, task_queue, mocked_http, callback, conversation_result())

    assert STEREO_MEDIA_URL in [c.request.url for c in mocked_http.calls]
    [body] = submitted_bodies(mocked_http)
    assert body["multichannel"] is True
    assert "speaker_labels" not in body
    assert set(body) <= ASSEMBLYAI_TRANSCRIPT_PARAMS
    assert transcript.status == "completed"
    assert {w["channel"] for w in transcript.words} == {"1", "2"}
    # Channel 1 is the parent leg (Ada, called first), channel 2 the party she was connected to.
    html = client.get(f"/transcription/{transcript.pk}/").content.decode()
    labels = [part.split("</span>")[0] for part in html.split('<span class="who">')[1:]]
    assert labels[:3] == ["+1 415-555-1234", "Ada Lovelace", "+1 415-555-1234"]
    assert len(labels) == 11  # every turn of the call, each labelled once
    # Ada names the person she talked to; every export follows.
    client.post(f"/transcription/{transcript.pk}/participants/", {"name-2": "Maya (Northwind)"})
    txt = client.get(f"/transcription/{transcript.pk}/export.txt").getvalue().decode()
    assert txt.splitlines()[:2] == [
        "Maya (Northwind) (0:00): Thanks for calling Northwind Broadband, this is Maya. "
        "How can I help you today?",
        "Ada Lovelace (0:06): Hi Maya. I was charged twice for my October bill, "
        "and I'd like one of the payments refunded.",
    ]
    vtt = client.get(f"/transcription/{transcript.pk}/export.vtt").getvalue().decode()
    assert "<v Maya (Northwind)>Thanks for calling" in vtt
    assert "<v Ada Lovelace>Hi Maya." in vtt
    srt = client.get(f"/transcription/{transcript.pk}/export.srt").getvalue().decode()
    assert "\nMaya (Northwind): Thanks for calling" in srt
    assert "\nAda Lovelace: Hi Maya." in srt
    data = json.loads(client.get(f"/transcription/{transcript.pk}/export.json").getvalue())
    assert data["participants"] == [
        {"key": "2", "name": "Maya (Northwind)"},
        {"key": "1", "name": "Ada Lovelace"},
    ]
    assert (data["words"][0]["participant"], data["words"][0]["participant_name"]) == (
        "2",
        "Maya (Northwind)",
    )
    shares = {row["name"]: row["share"] for row in data["talk_stats"]["participants"]}
    assert set(shares) == {"Maya (Northwind)", "Ada Lovelace"}
    assert sum(shares.values()) == pytest.approx(1)


def inbound_ringing(sid):
    """What Twilio posts to /twilio/voice/ when someone calls the number (no CNAM lookup)."""
    return {
        "CallSid": sid, "AccountSid": ACCOUNT, "From": OTHER, "To": "+15005550006", "Caller": OTHER,
        "Called": "+15005550006", "CallStatus": "ringing", "Direction": "inbound",
    }  # fmt: skip


def test_an_inbound_call_connected_to_a_user_names_the_caller_and_the_user(
    twilio_post, client, task_queue, mocked_http, settings
):
    ada = make_user("ada", password="pw-ada-12345")
    ada.first_name, ada.last_name = "Ada", "Lovelace"
    ada.save()
    make_profile(ada, OWN)
    settings.INBOUND_FORWARD_TO = "ada"
    sid = "CA" + "7" * 32
    dial = ET.fromstring(twilio_post("/twilio/voice/", inbound_ringing(sid)).content).find("Dial")
    assert dial.get("record") == "record-from-answer-dual"
    mock_media(mocked_http, url=STEREO_MEDIA_URL)
    callback = {**dial_callback(), "CallSid": sid}
    transcript = run_chain(twilio_post, client, task_queue, mocked_http, callback, conversation_result())
    assert submitted_bodies(mocked_http)[0]["multichannel"] is True
    client.force_login(ada)
    txt = client.get(f"/transcription/{transcript.pk}/export.txt").getvalue().decode()
    # The caller ran the <Dial> (channel 1); Ada, whose phone rang, is channel 2.
    assert txt.splitlines()[0].startswith("Ada Lovelace (0:00): Thanks for calling Northwind")
    assert txt.splitlines()[1].startswith("+1 415-555-1234 (0:06): Hi Maya.")


def test_a_voicemail_is_one_voice_sent_without_multichannel(
    twilio_post, client, task_queue, mocked_http, settings
):
    settings.INBOUND_FORWARD_TO = ""
    sid = "CA" + "8" * 32
    root = ET.fromstring(twilio_post("/twilio/voice/", inbound_ringing(sid)).content)
    assert root.find("Record") is not None
    mock_media(mocked_http)
    callback = recording_callback(call_sid=sid)
    transcript = run_chain(
        twilio_post, client, task_queue, mocked_http, callback, transcript_json("completed")
    )
    [body] = submitted_bodies(mocked_http)
    assert "multichannel" not in body and "speaker_labels" not in body
    assert not transcript.participants.exists()
    assert transcript.text == "Ahoy, this is a test call."


def test_a_mono_recording_is_fetched_as_it_is_and_never_sent_multichannel(
    twilio_post, client, task_queue, mocked_http
):
    make_call(status="completed")
    mock_media(mocked_http)
    run_chain(
        twilio_post, client, task_queue, mocked_http, recording_callback(), transcript_json("completed")
    )
    assert all("RequestedChannels" not in c.request.url for c in mocked_http.calls)
    [body] = submitted_bodies(mocked_http)
    assert "multichannel" not in body and "speaker_labels" not in body
    assert not Participant.objects.exists()


def test_speaker_labels_diarize_mono_recordings_when_turned_on(
    twilio_post, client, task_queue, mocked_http, settings
):
    settings.TRANSCRIPTION_SPEAKER_LABELS = True
    make_call(status="completed")
    mock_media(mocked_http)
    run_chain(
        twilio_post, client, task_queue, mocked_http, recording_callback(), transcript_json("completed")
    )
    [body] = submitted_bodies(mocked_http)
    assert body["speaker_labels"] is True
    assert "multichannel" not in body


def test_a_two_channel_recording_stays_multichannel_only_with_speaker_labels_on(
    twilio_post, client, task_queue, mocked_http, settings
):
    settings.TRANSCRIPTION_SPEAKER_LABELS = True
    make_call(status="completed")
    mock_media(mocked_http, url=STEREO_MEDIA_URL)
    run_chain(twilio_post, client, task_queue, mocked_http, dial_callback(), conversation_result())
    [body] = submitted_bodies(mocked_http)
    assert (body.get("multichannel"), "speaker_labels" in body) == (True, False)


def call(**fields):
    values = {"direction": "", "from_number": "", "to": "", "other_party": "", "caller_name": ""}
    values.update(dialed_by=None, owner=None)
    return SimpleNamespace(**{**values, **fields})


def user(first, last="", username="someone"):
    return SimpleNamespace(get_full_name=lambda: f"{first} {last}".strip(), get_username=lambda: username)


def test_a_connect_me_call_puts_the_user_on_channel_one_and_the_dialed_number_on_two():
    ada = user("Ada", "Lovelace")
    names = call_participants(
        call(direction="outbound-connect", to="+14155550100", other_party="+442079460000", dialed_by=ada)
    )
    assert names == {"1": "Ada Lovelace", "2": "+44 20 7946 0000"}


def test_an_inbound_call_puts_the_caller_on_channel_one_and_the_user_it_rang_on_two():
    names = call_participants(
        call(direction="inbound", from_number="+14155551234", owner=user("", "", "bob"))
    )
    assert names == {"1": "+1 415-555-1234", "2": "bob"}


def test_an_inbound_caller_is_named_by_twilios_caller_name_when_sent():
    names = call_participants(call(direction="inbound", from_number="+14155551234", caller_name="ACME CORP"))
    assert names["1"] == "ACME CORP"


def test_the_transcript_of_a_known_call_is_created_with_its_participants(twilio_post, task_queue):
    make_call(status="completed")
    with task_queue.capture(execute=False):
        twilio_post(PATH, dial_callback())
    transcript = Transcript.objects.get(recording_sid=RECORDING_SID)
    assert transcript.audio.channels == 2
    assert transcript.audio_url == STEREO_MEDIA_URL
    assert list(transcript.participants.values_list("key", "name")) == [("1", "+1 415-555-1234")]


def test_a_recording_of_a_call_not_stored_here_gets_no_names(twilio_post, task_queue):
    with task_queue.capture(execute=False):
        twilio_post(PATH, {**dial_callback(), "CallSid": "CA" + "9" * 32})
    assert not Participant.objects.exists()
    assert Transcript.objects.get().call_sid != CALL_SID
