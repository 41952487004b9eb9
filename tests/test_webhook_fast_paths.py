"""The shortcuts that make Twilio's webhooks cheap keep their behaviour: the TwiML built once
still follows BASE_URL, one HMAC settles a signature but the port variants still pass, and a new
recording is one INSERT each for the recording and its transcript while repeats take the old path."""

from unittest import mock

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils.datastructures import MultiValueDict

from caller import services as caller_services
from caller.models import Recording
from tests.factories import make_transcript
from tests.fakes import MEDIA_URL, RECORDING_SID, recording_callback
from transcription.models import Transcript
from transcription.pipeline import create
from transcription.pipeline.create import transcript_request
from transcription.pipeline.inbound import webhook_received

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "1" * 32


def test_record_twiml_follows_a_changed_base_url(twilio_post, settings):
    assert b"https://djt.example.com/record/done/" in twilio_post("/record/", {"CallSid": CALL_SID}).content
    settings.BASE_URL = "https://calls.example.org"
    response = twilio_post("/record/", {"CallSid": CALL_SID})
    assert response.status_code == 200
    assert b'action="https://calls.example.org/record/done/"' in response.content
    assert b"https://djt.example.com" not in response.content


def test_a_signature_over_the_url_with_its_default_port_is_still_accepted(twilio_post):
    response = twilio_post("/record/", {"CallSid": CALL_SID}, base_url="https://djt.example.com:443")
    assert response.status_code == 200


def test_a_signature_for_other_parameters_is_still_refused(twilio_post):
    from tests.fakes import twilio_signature

    signature = twilio_signature("/record/", {"CallSid": "CA" + "2" * 32})
    assert twilio_post("/record/", {"CallSid": CALL_SID}, signature=signature).status_code == 403


def test_a_new_recording_is_inserted_without_looking_it_or_its_transcript_up_first(twilio_post, task_queue):
    with CaptureQueriesContext(connection) as queries, task_queue.capture(execute=True):
        assert twilio_post("/twilio/recording-status/", recording_callback()).status_code == 204
    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in selects if "caller_recording" in sql or "transcription_transcript" in sql]
    assert Recording.objects.filter(sid=RECORDING_SID).count() == 1
    assert Transcript.objects.filter(recording_sid=RECORDING_SID, audio_url=MEDIA_URL).count() == 1


def test_a_recording_stored_before_takes_the_update_path_and_moves_forward():
    caller_services.recording_store(sid=RECORDING_SID, call_sid=CALL_SID, status="in-progress")
    recording, created = caller_services.recording_store(
        sid=RECORDING_SID, call_sid=CALL_SID, status="completed", duration=42
    )
    assert created is False
    assert (recording.status, recording.duration) == ("completed", 42)
    assert Recording.objects.get().status == "completed"


def test_a_recording_stored_before_never_moves_back():
    caller_services.recording_store(sid=RECORDING_SID, call_sid=CALL_SID, status="completed", duration=42)
    recording, created = caller_services.recording_store(
        sid=RECORDING_SID, call_sid=CALL_SID, status="in-progress", duration=1
    )
    assert created is False
    assert (Recording.objects.get().status, Recording.objects.get().duration) == ("completed", 42)


def test_a_second_transcript_request_for_a_recording_answers_the_first_row_and_queues_nothing(task_queue):
    with task_queue.capture(execute=True):
        first, created_first = transcript_request(audio_url=MEDIA_URL, recording_sid=RECORDING_SID)
    with task_queue.capture(execute=True):
        again, created_again = transcript_request(audio_url=MEDIA_URL, recording_sid=RECORDING_SID)
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Transcript.objects.count() == 1
    assert len(task_queue.pending) == 1


def test_a_transcript_request_without_a_recording_sid_lets_an_integrity_error_through(task_queue):
    with mock.patch.object(create, "transcript_create", side_effect=IntegrityError("boom")):
        with pytest.raises(IntegrityError):
            transcript_request(audio_url=MEDIA_URL)
    assert task_queue.pending == []


def queued_transcript():
    return make_transcript(submitted=True, audio_url=MEDIA_URL)


def test_an_assemblyai_webhook_with_news_is_one_lookup_one_update_one_insert(task_queue):
    transcript = queued_transcript()
    body = {"transcript_id": transcript.job_id, "status": "completed"}
    with CaptureQueriesContext(connection) as queries, task_queue.capture(execute=False):
        delivery = webhook_received(token=transcript.webhook_token, body=body)
    verbs = [
        q["sql"].split()[0] for q in queries if q["sql"].startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))
    ]
    assert verbs == ["SELECT", "UPDATE", "INSERT"]
    assert delivery.processed_at is not None


def test_a_repeated_assemblyai_webhook_is_stored_unprocessed():
    transcript = queued_transcript()
    body = {"transcript_id": transcript.job_id, "status": "completed"}
    first = webhook_received(token=transcript.webhook_token, body=body)
    again = webhook_received(token=transcript.webhook_token, body=body)
    assert (first.processed_at is not None, again.processed_at) == (True, None)


def test_a_webhook_for_an_unknown_token_is_stored_unprocessed():
    delivery = webhook_received(token="nobody", body={"transcript_id": "x", "status": "completed"})
    assert (delivery.transcript, delivery.processed_at) == (None, None)


# -- the form, read in one pass (caller.security.read_form) -----------------------------------

FORM_BODIES = [
    b"",
    b"CallSid=CA1&RecordingStatus=completed",
    b"a=1&a=2&b=&c",  # a repeated key, an empty value, a key without "="
    b"name=M%C3%BCller+%26+S%C3%B6hne&plus=%2B&space=a+b",
    b"%E2%82%AC=euro&raw=\xc3\xbc",  # an encoded key, raw UTF-8 bytes
    b"bad=%FF%FE&latin=\xe9t\xe9",  # invalid UTF-8, encoded and raw
    b"semi=1;2&&&x=%zz",  # ";" is not a separator, empty pairs, a broken escape
]


@pytest.mark.parametrize("body", FORM_BODIES)
def test_the_form_is_read_as_djangos_querydict_reads_it(rf, body):
    from django.http import QueryDict

    from caller.security import read_form

    form = "application/x-www-form-urlencoded"
    # CONTENT_TYPE again: the factory leaves it out of an empty body's request, and Twilio does not.
    request = rf.post("/twilio/recording-status/", data=body, content_type=form, CONTENT_TYPE=form)
    read_form(request)
    assert type(request.POST) is MultiValueDict  # read here, not by Django's own path
    assert dict(request.POST.lists()) == dict(QueryDict(body, encoding="utf-8").lists())


def test_a_body_already_read_as_a_stream_is_left_to_django(rf):
    from caller.security import read_form

    request = rf.post("/record/", data=b"CallSid=x", content_type="application/x-www-form-urlencoded")
    request.read()
    read_form(request)
    assert dict(request.POST) == {}  # as Django answers, not a RawPostDataException


def test_a_form_with_a_repeated_field_passes_the_signature_over_all_its_values(client):
    from urllib.parse import urlencode

    from django.http import QueryDict

    from tests.fakes import twilio_signature

    body = urlencode([("CallSid", CALL_SID), ("Digits", "1"), ("Digits", "2")])
    path = "/record/"
    signature = twilio_signature(path, QueryDict(body))  # Twilio signs every value of a repeated field
    signed = client.post(
        path, data=body, content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert signed.status_code == 200
    last_only = twilio_signature(path, {"CallSid": CALL_SID, "Digits": "2"})
    refused = client.post(
        path, data=body, content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=last_only
    )
    assert refused.status_code == 403


def test_a_form_in_another_charset_is_refused_with_400_as_django_does(client):
    response = client.post(
        "/twilio/recording-status/",
        data=b"CallSid=x",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
        HTTP_X_TWILIO_SIGNATURE="x",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/transcription/webhook/abc/",
        "/twilio/call-status/",
        "/twilio/recording-status/",
        "/record/",
        "/record/done/",
    ],
)
def test_an_endpoint_that_comes_in_bursts_is_matched_by_one_of_the_first_patterns_tried(path):
    """Django tries URL patterns in order: AssemblyAI's webhook was the 34th, and matching was a
    quarter of its own CPU in bench part 1. A burst endpoint is found after at most four patterns."""
    from django.urls import get_resolver

    def patterns_tried(resolver, rest):
        """(matched, how many view patterns were tried) for `rest` under `resolver`."""
        count = 0
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                match = pattern.pattern.match(rest)
                if match:
                    found, tried = patterns_tried(pattern, match[0])
                    count += tried
                    if found:
                        return True, count
            else:
                count += 1
                if pattern.resolve(rest):
                    return True, count
        return False, count

    found, tried = patterns_tried(get_resolver(), path.lstrip("/"))
    assert found
    assert tried <= 4
