"""Hostile and broken input on the Twilio webhooks and the dial view: never a 5xx, never a half row."""

import itertools
import json
import os
from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caller.models import Call, Recording
from tests.factories import make_call
from tests.fakes import ACCOUNT, CALLS_URL, run_inbox, twilio_signature

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "1" * 32
REC_SID = "RE" + "2" * 32
CALLBACKS = ["/record/", "/record/done/", "/twilio/recording-status/", "/twilio/call-status/"]

fuzz = settings(
    max_examples=50,
    deadline=None,
    # CI replays the same examples every run (a red build is then reproducible); locally they vary.
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text a form can carry: odd scripts, emoji, control characters, NUL; not lone surrogates.
odd_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
hex32 = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)


def garbage_or(*valid):
    """A field that is a valid value, garbage, or missing (None)."""
    return st.one_of(st.sampled_from(valid), odd_text, st.none())


def signed_post(client, path: str, pairs: list[tuple[str, str]], **extra):
    """POST form pairs (repeated keys allowed) with the signature Twilio would compute for them."""
    body = urlencode(pairs)
    signature = twilio_signature(path, QueryDict(body))
    response = client.post(
        path,
        data=body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **extra,
    )
    run_inbox()  # what the worker does next with a recording callback (caller.callbacks)
    return response


def counts():
    return Call.objects.count(), Recording.objects.count()


recording_fields = st.fixed_dictionaries(
    {
        "RecordingSid": garbage_or(REC_SID, "RE" + "3" * 32, "RE" + "A" * 32, REC_SID + "\n"),
        "CallSid": garbage_or(CALL_SID, "CA" + "g" * 32),
        "RecordingStatus": garbage_or("completed", "absent", "in-progress", "bogus", "COMPLETED"),
        "AccountSid": garbage_or(ACCOUNT, "AC123"),
        "RecordingDuration": garbage_or("12", "0", "-1", "²", "9" * 5000, "1e3"),
        "RecordingChannels": garbage_or("1", "2", "99999"),
        "RecordingSource": garbage_or("RecordVerb", "x" * 40),
        "ErrorCode": garbage_or("0", "16101", "E1"),
        "RecordingStartTime": garbage_or(
            "Tue, 24 Nov 2026 03:00:00 +0000",
            "Tue, 24 Nov 2026 03:00:00 -0000",
            "yesterday",
            "Mon, 99 Jan 9999",
        ),
        "RecordingUrl": garbage_or("https://api.twilio.com/x"),
    }
)


@fuzz
@given(fields=recording_fields, extra=st.lists(st.tuples(odd_text, odd_text), max_size=3))
def test_recording_status_never_errors_and_stores_only_whole_rows(client, fields, extra):
    pairs = [(k, v) for k, v in fields.items() if v is not None] + extra
    before = counts()
    response = signed_post(client, "/twilio/recording-status/", pairs)
    assert response.status_code in (204, 400), response.content
    if response.status_code == 400:
        assert counts() == before
        assert response.content.startswith(b"Unusable callback: ")
    else:
        recording = Recording.objects.get(sid=QueryDict(urlencode(pairs))["RecordingSid"])
        assert len(recording.sid) == 34 and recording.call_sid.startswith("CA")
        assert recording.started_at is None or recording.started_at.tzinfo is not None


@fuzz
@given(
    sid=garbage_or(CALL_SID, "CA" + "9" * 32, CALL_SID.upper()),
    status=garbage_or("ringing", "completed", "no-answer", "ringing "),
    duration=garbage_or("42", "²", "4" * 400, "-3"),
    repeats=st.lists(st.sampled_from(["CallSid", "CallStatus", "CallDuration"]), max_size=3),
)
def test_call_status_never_errors_and_moves_only_known_calls(client, sid, status, duration, repeats):
    Call.objects.get_or_create(sid=CALL_SID, defaults={"to": "+14155551234", "from_number": "+15005550006"})
    pairs = [
        (k, v)
        for k, v in (("CallSid", sid), ("CallStatus", status), ("CallDuration", duration))
        if v is not None
    ]
    pairs += [(name, "x") for name in repeats]  # a repeated key: Django reads the last one
    before = Call.objects.values_list("sid", "status", "duration").order_by("sid")
    before = list(before)
    response = signed_post(client, "/twilio/call-status/", pairs)
    assert response.status_code in (204, 400), response.content
    if response.status_code == 400:
        assert list(Call.objects.values_list("sid", "status", "duration").order_by("sid")) == before


@fuzz
@given(path=st.sampled_from(CALLBACKS), pairs=st.lists(st.tuples(odd_text, odd_text), max_size=8))
def test_every_callback_answers_signed_garbage_with_a_4xx_or_twiml(client, path, pairs):
    before = counts()
    response = signed_post(client, path, pairs)
    if path.startswith("/record"):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml"
    else:
        assert response.status_code == 400
        assert counts() == before


@fuzz
@given(
    path=st.sampled_from(CALLBACKS),
    body=st.one_of(st.binary(max_size=300), odd_text.map(str.encode)),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/json",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain; charset=utf-16",
            "application/x-www-form-urlencoded; charset=nonsense",
            "",
        ]
    ),
    signature=st.one_of(odd_text.filter(lambda s: s.isascii() and s.isprintable()), st.just("")),
)
def test_unsigned_bodies_of_any_type_are_refused_with_403(client, path, body, content_type, signature):
    before = counts()
    response = client.generic(
        "POST", path, data=body, content_type=content_type, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code in (400, 403)
    assert counts() == before


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("RecordingStatus", "bogus", b"RecordingStatus must be one of"),
        ("RecordingSid", "RE123", b"RecordingSid must be 'RE' followed by 32 hex digits"),
        ("RecordingSid", "RE" + "2" * 32 + "\n", b"RecordingSid must be"),
        ("CallSid", "not-a-call", b"CallSid must be 'CA' followed by 32 hex digits"),
        ("RecordingDuration", "\u00b2", b"RecordingDuration must be a whole number"),
        ("RecordingStartTime", "yesterday", b"RecordingStartTime must be an RFC 2822 date"),
    ],
)
def test_a_valid_signature_over_a_bad_recording_field_gets_400_and_stores_nothing(
    client, field, value, message
):
    fields = {"RecordingSid": REC_SID, "CallSid": CALL_SID, "RecordingStatus": "completed", field: value}
    response = signed_post(client, "/twilio/recording-status/", list(fields.items()))
    assert response.status_code == 400
    assert message in response.content
    assert Recording.objects.count() == 0


def test_a_valid_recording_callback_is_stored_with_an_aware_start_time(client):
    fields = {
        "RecordingSid": REC_SID,
        "CallSid": CALL_SID,
        "AccountSid": ACCOUNT,
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
        "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
        "ErrorCode": "0",
        "RecordingStartTime": "Tue, 24 Nov 2026 03:00:00 -0000",
    }
    response = signed_post(client, "/twilio/recording-status/", list(fields.items()))
    assert response.status_code == 204
    recording = Recording.objects.get(sid=REC_SID)
    assert (recording.duration, recording.channels, recording.source) == (12, 1, "RecordVerb")
    assert recording.started_at.isoformat() == "2026-11-24T03:00:00+00:00"


def test_a_recording_of_unknown_length_is_stored_without_a_duration(client):
    fields = {
        "RecordingSid": REC_SID,
        "CallSid": CALL_SID,
        "RecordingStatus": "completed",
        "RecordingDuration": "-1",
    }
    assert signed_post(client, "/twilio/recording-status/", list(fields.items())).status_code == 204
    assert Recording.objects.get(sid=REC_SID).duration is None


def test_a_call_status_with_an_unknown_status_gets_400_and_changes_nothing(client):
    make_call(sid=CALL_SID, status="ringing")
    response = signed_post(
        client, "/twilio/call-status/", [("CallSid", CALL_SID), ("CallStatus", "exploded")]
    )
    assert response.status_code == 400
    assert b"CallStatus must be one of" in response.content
    assert Call.objects.get().status == "ringing"


@pytest.mark.parametrize("path", ["/twilio/recording-status/", "/twilio/call-status/"])
def test_status_callbacks_accept_only_post(client, path):
    response = client.get(path, HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, {}))
    assert response.status_code == 405


@pytest.mark.parametrize("path", ["/record/", "/record/done/"])
def test_twiml_views_answer_a_signed_get_and_refuse_other_methods(client, path):
    response = client.get(path, HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, {}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    response = client.put(path, HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, {}))
    assert response.status_code == 405


@pytest.mark.parametrize("path", CALLBACKS)
def test_a_too_large_body_gets_400_not_500(client, path):
    body = "RecordingSid=" + "x" * (1024 * 1024 + 10)
    response = client.post(
        path, data=body, content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE="x"
    )
    assert response.status_code == 400
    assert counts() == (0, 0)


def test_too_many_fields_get_400_not_500(client):
    body = "&".join(f"f{n}=1" for n in range(1500))
    response = client.post(
        "/twilio/recording-status/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="x",
    )
    assert response.status_code == 400


def test_request_bodies_are_limited_to_a_megabyte(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000


# -- the dial view --------------------------------------------------------------------

_sids = (f"CA{n:032x}" for n in itertools.count(1))


@pytest.fixture
def twilio_accepts_calls(mocked_http):
    def created(request):
        to = QueryDict(request.body)["To"]
        return 201, {}, json.dumps({"sid": next(_sids), "to": to, "from": "+15005550006", "status": "queued"})

    mocked_http.add_callback("POST", CALLS_URL, callback=created)
    return mocked_http


phone_like = st.one_of(
    odd_text,
    st.from_regex(r"\A1[2-9][0-9]{9}\Z"),
    st.from_regex(r"\A(44|49|876|1900|1876)[0-9]{6,10}\Z"),
    st.from_regex(r"\A\+?[0-9 ()\-.]{0,20}\Z"),
)


@fuzz
@given(raw=phone_like, method=st.sampled_from(["get", "post"]))
def test_dial_never_errors_and_stores_a_call_only_when_one_was_placed(
    staff_client, twilio_accepts_calls, raw, method
):
    placed_before, calls_before = len(twilio_accepts_calls.calls), Call.objects.count()
    response = getattr(staff_client, method)(f"/dial/{quote(raw, safe='')}/")
    assert response.status_code in (200, 400, 403, 404, 429), response.content
    placed = len(twilio_accepts_calls.calls) - placed_before
    assert Call.objects.count() - calls_before == placed
    assert placed == (1 if method == "post" and response.status_code == 200 else 0)
