"""Values from vendors: every number checked, odd ones dropped and noted, never a NaN stored."""

import json
import math
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DataError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from caller.twilio_client import is_twilio_media_url
from tests.factories import make_transcript
from tests.fakes import AAI, JOB_ID, transcript_json
from transcription import vendor_values
from transcription.pipeline import fetch, sync

GET_URL = f"{AAI}/v2/transcript/{JOB_ID}"
ODD_NUMBERS = [math.nan, math.inf, -math.inf, -1, -0.5, 7, "0.9", True, None, [], {}]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
word_like = st.fixed_dictionaries(
    {},
    optional={
        "text": json_values | st.text(max_size=8),
        "start": json_values,
        "end": json_values,
        "confidence": json_values,
        "speaker": json_values,
        "channel": json_values,
    },
)


# -- the pure checks ------------------------------------------------------------------


@given(json_values)
def test_a_confidence_is_always_finite_and_between_0_and_1_or_dropped(value):
    checked = vendor_values.confidence(value)
    assert checked is None or (math.isfinite(checked) and 0 <= checked <= 1)


@given(json_values)
def test_a_time_is_always_a_non_negative_whole_number_or_dropped(value):
    checked = vendor_values.milliseconds(value)
    assert checked is None or (type(checked) is int and 0 <= checked <= vendor_values.MAX_MILLISECONDS)


@given(json_values)
def test_a_duration_is_always_finite_and_non_negative_or_dropped(value):
    checked = vendor_values.duration(value)
    assert checked is None or (math.isfinite(checked) and checked >= 0)


@given(st.lists(word_like | json_values, max_size=6), json_values, json_values)
def test_a_cleaned_result_is_strict_json_with_sane_words(words, confidence, audio_duration):
    result = vendor_values.clean_result(
        {
            "words": words,
            "utterances": [{"text": "x", "words": words}],
            "confidence": confidence,
            "audio_duration": audio_duration,
        }
    )
    json.dumps([result.words, result.utterances, result.confidence, result.audio_duration], allow_nan=False)
    for word in result.words + result.utterances[0]["words"]:
        assert isinstance(word["text"], str)
        assert ("start" in word) == ("end" in word)
        if "start" in word:
            assert 0 <= word["start"] <= word["end"]
        assert 0 <= word.get("confidence", 0) <= 1


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_confidences_are_dropped(value):
    assert vendor_values.confidence(value) is None


def test_words_keep_their_text_when_their_times_are_dropped():
    notes = []
    words = vendor_values.clean_words(
        [
            {"text": "ok", "start": 0, "end": 10, "confidence": 1.0},
            {"text": "backwards", "start": 50, "end": 40, "confidence": 0.5},
            {"text": "nan", "start": math.nan, "end": 5, "confidence": math.nan},
            {"text": "fraction", "start": 1.5, "end": 2},
            {"start": 1, "end": 2},
        ],
        notes,
    )
    assert words == [
        {"text": "ok", "start": 0, "end": 10, "confidence": 1.0},
        {"text": "backwards", "confidence": 0.5},
        {"text": "nan"},
        {"text": "fraction"},
    ]
    assert len(notes) == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (12, 12), ("-1", None), ("1e3", None), ("٣", None), ("9" * 12, None), (math.inf, None)],
)
def test_twilio_seconds_are_whole_non_negative_numbers(value, expected):
    assert vendor_values.whole_seconds(value, allow_unknown=True) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE",
        "https://api.twilio.com:443/2010-04-01/Accounts/AC/Recordings/RE",
        "HTTPS://API.TWILIO.COM/2010-04-01/Accounts/AC/Recordings/RE",
    ],
)
def test_twilio_media_urls_are_accepted(url):
    assert is_twilio_media_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.twilio.com/x",
        "https://api.twilio.com:8443/x",
        "https://user:pw@api.twilio.com/x",
        "https://api.twilio.com@evil.example/x",
        "https://evil.example\\@api.twilio.com/x",
        "https://evil.example#@api.twilio.com/x",
        "https://api.twilio.com.evil.example/x",
        "https://api.twilio.com\n.evil.example/x",
        "https://[::1]/x",
        "https:///x",
        "not a url",
    ],
)
def test_media_urls_with_userinfo_other_ports_or_hosts_are_refused(url):
    assert not is_twilio_media_url(url)


# -- where AssemblyAI's result is stored ------------------------------------------------------


@pytest.fixture
def queued(db):
    return make_transcript(submitted=True, submitted_at=timezone.now() - timedelta(hours=1))


ODD_RESULT = transcript_json(
    "completed",
    words=[
        {"text": "Ahoy,", "start": 120, "end": 480, "confidence": math.nan},
        {"text": "this", "start": -5, "end": 640, "confidence": 7},
        {"text": "works", "start": 700, "end": 900, "confidence": 0.9},
    ],
    confidence=math.inf,
    audio_duration=-3.0,
)


def test_an_odd_result_is_stored_without_its_odd_numbers_and_noted(queued, mocked_http):
    mocked_http.get(GET_URL, body=json.dumps(ODD_RESULT))  # json.dumps writes NaN and Infinity
    assert fetch.transcript_fetch_attempt(transcript_id=queued.pk) == "completed"
    queued.refresh_from_db()
    assert (queued.confidence, queued.audio_duration) == (None, None)
    assert queued.words == [
        {"text": "Ahoy,", "start": 120, "end": 480},
        {"text": "this"},
        {"text": "works", "start": 700, "end": 900, "confidence": 0.9},
    ]
    assert queued.last_error.startswith("Dropped 5 unusable value(s) from AssemblyAI's result")


def test_an_odd_result_shows_on_its_page_and_exports(queued, mocked_http, staff_client):
    mocked_http.get(GET_URL, body=json.dumps(ODD_RESULT))
    fetch.transcript_fetch_attempt(transcript_id=queued.pk)
    assert staff_client.get(f"/transcription/{queued.pk}/").status_code == 200
    for kind in ("txt", "json", "srt", "vtt"):
        response = staff_client.get(f"/transcription/{queued.pk}/export.{kind}")
        assert response.status_code == 200, kind
        body = response.getvalue()  # streamed: read once
        assert b"NaN" not in body and b"Infinity" not in body


def test_a_result_the_database_refuses_ends_in_error_with_a_clear_message(queued, mocked_http):
    mocked_http.get(GET_URL, json=transcript_json("completed"))
    with mock.patch.object(fetch, "transcript_apply", side_effect=DataError("value out of range")):
        assert fetch.transcript_fetch_attempt(transcript_id=queued.pk) == "error"
    queued.refresh_from_db()
    assert queued.status == "error"
    assert queued.error == "AssemblyAI's result could not be stored (DataError): value out of range"


def test_sync_goes_on_past_a_row_that_fails_and_reports_it(queued, mocked_http):
    other = make_transcript(
        submitted=True, job_id="other-job", submitted_at=timezone.now() - timedelta(hours=1)
    )
    mocked_http.get(f"{AAI}/v2/transcript/other-job", json=transcript_json("completed", job_id="other-job"))
    real_refresh = fetch.transcript_refresh

    def refresh(*, transcript, client=None):
        if transcript.pk == queued.pk:
            raise RuntimeError("something unexpected")
        return real_refresh(transcript=transcript, client=client)

    out = StringIO()
    with mock.patch.object(sync, "transcript_refresh", side_effect=refresh):
        call_command("sync_transcripts", stdout=out, stderr=out)
    other.refresh_from_db()
    assert other.status == "completed"
    assert f"#{queued.pk} {JOB_ID}: RuntimeError: something unexpected" in out.getvalue()
