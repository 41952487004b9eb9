"""Outbound webhooks on the wire: signed per Standard Webhooks, retried, replayed, switched off."""

import io
import json
from datetime import timedelta

import pytest
import requests
from django.core.management import CommandError, call_command
from standardwebhooks import Webhook, WebhookVerificationError

from audit.models import AuditEvent
from notify import queue
from notify.events import endpoint_test_event, event_record
from notify.models import Attempt, Delivery, DeliveryStatus, Endpoint, EventType
from notify.services import ReplayRefused, delivery_replay
from tests.factories import make_endpoint, make_transcript, make_user

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/djt"


@pytest.fixture
def owner():
    return make_user("alice")


@pytest.fixture
def endpoint(owner):
    return make_endpoint(owner, url=URL)


@pytest.fixture
def transcript(owner):
    return make_transcript(completed=True, owner=owner, text="Ahoy, this is the whole text.")


def record(task_queue, transcript, event_type=EventType.TRANSCRIPT_COMPLETED):
    """An event about `transcript` as its signal records it; its deliveries stay queued."""
    with task_queue.capture(execute=True):
        event = event_record(
            event_type=event_type,
            obj_kind="transcript",
            obj_id=transcript.pk,
            data={"transcript_id": transcript.pk},
        )
    return event


def test_a_delivery_verifies_with_the_standardwebhooks_verifier(
    task_queue, mocked_http, endpoint, transcript
):
    mocked_http.post(URL, status=204)
    with task_queue.capture(execute=True):
        from notify.payloads import transcript_data

        event_record(
            event_type=EventType.TRANSCRIPT_COMPLETED,
            obj_kind="transcript",
            obj_id=transcript.pk,
            data=transcript_data(transcript),
        )
    task_queue.run_all()
    request = mocked_http.calls[0].request
    payload = Webhook(endpoint.secret).verify(request.body, dict(request.headers))
    assert payload["type"] == "transcript.completed"
    assert payload["data"]["transcript_id"] == transcript.pk
    assert payload["data"]["text"] == "Ahoy, this is the whole text."
    assert payload["data"]["link"] == f"https://djt.example.com/transcription/{transcript.pk}/"
    assert request.headers["webhook-id"].startswith("msg_")


def test_a_delivery_signed_with_another_secret_does_not_verify(task_queue, mocked_http, endpoint, transcript):
    mocked_http.post(URL, status=200)
    record(task_queue, transcript)
    task_queue.run_all()
    request = mocked_http.calls[0].request
    other = make_endpoint(endpoint.owner, url="https://other.example.com/")
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(request.body, dict(request.headers))


def test_each_endpoint_gets_its_own_secret_in_the_standard_form():
    first, second = Endpoint(), Endpoint()
    assert first.secret.startswith("whsec_") and first.secret != second.secret
    assert len(Webhook(first.secret)._whsecret) == 32


def test_a_delivered_attempt_is_stored_with_its_status_duration_and_answer(
    task_queue, mocked_http, endpoint, transcript
):
    mocked_http.post(URL, status=200, body="thanks, got it")
    record(task_queue, transcript)
    task_queue.run_all()
    delivery = Delivery.objects.get()
    attempt = Attempt.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None
    assert (attempt.status_code, attempt.response_start, attempt.error) == (200, "thanks, got it", "")
    assert attempt.duration_ms is not None
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.failing_since is None


def test_only_the_start_of_a_long_answer_is_kept(task_queue, mocked_http, endpoint, transcript):
    mocked_http.post(URL, status=200, body="x" * 10_000)
    record(task_queue, transcript)
    task_queue.run_all()
    assert len(Attempt.objects.get().response_start) == 500


def test_5xx_429_and_network_errors_are_retried_with_backoff_until_delivered(
    task_queue, mocked_http, endpoint, transcript
):
    mocked_http.post(URL, status=503)
    mocked_http.post(URL, status=429, headers={"Retry-After": "600"})
    mocked_http.post(URL, body=requests.ConnectionError("connection refused"))
    mocked_http.post(URL, status=500)
    mocked_http.post(URL, status=200)
    record(task_queue, transcript)
    task_queue.run_all()
    attempts = list(Attempt.objects.order_by("pk"))
    assert [a.status_code for a in attempts] == [503, 429, None, 500, 200]
    assert "ConnectionError" in attempts[2].error
    # 5 s, then 60 s stretched to the 600 s Retry-After asked for, then 5 min, then 30 min.
    assert task_queue.delays() == [5, 600, 300, 1800]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_retries_stop_after_about_a_day_and_the_delivery_fails(task_queue, mocked_http, endpoint, transcript):
    mocked_http.post(URL, status=502)
    record(task_queue, transcript)
    task_queue.run_all()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "Answered 502."
    assert Attempt.objects.count() == len(queue.RETRY_SCHEDULE) + 1
    assert timedelta(hours=20) < timedelta(seconds=sum(task_queue.delays())) < timedelta(hours=30)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_a_4xx_answer_fails_at_once(task_queue, mocked_http, endpoint, transcript, status):
    mocked_http.post(URL, status=status)
    record(task_queue, transcript)
    task_queue.run_all()
    assert Attempt.objects.count() == 1
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_a_redirect_is_not_followed_and_says_what_to_do(task_queue, mocked_http, endpoint, transcript):
    mocked_http.post(URL, status=301, headers={"Location": "http://169.254.169.254/latest/"})
    record(task_queue, transcript)
    task_queue.run_all()
    assert len(mocked_http.calls) == 1
    assert "redirects are not followed" in Delivery.objects.get().last_error


@pytest.mark.parametrize(
    "attempts, retry_after, expected",
    [(1, None, 5), (2, None, 60), (2, 3600, 3600), (3, 10**7, 24 * 3600), (8, None, 36000), (9, None, None)],
)
def test_the_backoff_schedule_honours_retry_after_within_a_day(attempts, retry_after, expected):
    assert queue.retry_delay(attempts=attempts, retry_after=retry_after) == expected


def test_a_replay_sends_the_same_event_again_with_the_same_webhook_id(
    task_queue, mocked_http, endpoint, transcript
):
    mocked_http.post(URL, status=200)
    record(task_queue, transcript)
    task_queue.run_all()
    delivery = Delivery.objects.get()
    with task_queue.capture(execute=True):
        delivery_replay(delivery=delivery)
    task_queue.run_all()
    first, second = (call.request for call in mocked_http.calls)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert Attempt.objects.count() == 2
    assert AuditEvent.objects.filter(obj_kind="webhook endpoint", detail__startswith="replayed").exists()


def test_a_failed_delivery_replayed_gets_a_fresh_round_of_retries(
    task_queue, mocked_http, endpoint, transcript
):
    mocked_http.post(URL, status=404)
    mocked_http.post(URL, status=503)
    mocked_http.post(URL, status=200)
    record(task_queue, transcript)
    task_queue.run_all()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    with task_queue.capture(execute=True):
        delivery_replay(delivery=delivery)
    task_queue.run_all()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_delivery_of_a_disabled_endpoint_is_not_replayed(task_queue, endpoint, transcript):
    record(task_queue, transcript)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    with pytest.raises(ReplayRefused, match="enable it"):
        delivery_replay(delivery=Delivery.objects.select_related("endpoint").get())


def test_a_delivery_queued_before_its_endpoint_was_disabled_is_not_sent(
    task_queue, mocked_http, endpoint, transcript
):
    record(task_queue, transcript)
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    task_queue.run_all()
    assert not mocked_http.calls
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_an_endpoint_failing_for_days_is_disabled_with_a_notice_and_an_audit_row(
    task_queue, mocked_http, endpoint, transcript, settings
):
    settings.OUTBOUND_WEBHOOK_DISABLE_AFTER = 2 * 86400
    mocked_http.post(URL, status=500)
    for _ in range(3):  # three events, each retried for about a day: more than two days of failures
        record(task_queue, transcript)
        task_queue.run_all()
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_reason.startswith("Switched off automatically: every delivery since")
    assert "Answered 500." in endpoint.disabled_reason
    audit = AuditEvent.objects.get(obj_kind="webhook endpoint", detail__startswith="disabled")
    assert audit.obj_id == str(endpoint.pk)


def test_one_success_resets_the_count_towards_switching_off(
    task_queue, mocked_http, endpoint, transcript, settings
):
    settings.OUTBOUND_WEBHOOK_DISABLE_AFTER = 2 * 86400
    mocked_http.post(URL, status=500)
    record(task_queue, transcript)
    task_queue.run_all()
    mocked_http.replace("POST", URL, status=200)
    record(task_queue, transcript)
    task_queue.run_all()
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since is None


def test_a_test_event_goes_to_that_endpoint_only_and_verifies(task_queue, mocked_http, endpoint):
    make_endpoint(endpoint.owner, url="https://other.example.com/")
    mocked_http.post(URL, status=200)
    with task_queue.capture(execute=True):
        endpoint_test_event(endpoint=endpoint)
    task_queue.run_all()
    (call,) = mocked_http.calls
    payload = Webhook(endpoint.secret).verify(call.request.body, dict(call.request.headers))
    assert payload["type"] == "webhook.test"


def test_a_slack_endpoint_gets_a_readable_message_not_the_event(task_queue, mocked_http, owner):
    from caller.models import Call
    from notify.payloads import transcript_data

    slack = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    make_endpoint(owner, url=slack, kind="slack")
    Call.objects.create(
        sid="CA" + "1" * 32,
        to="+14155550123",
        from_number="+15005550006",
        caller_name="Ada Lovelace",
        duration=125,
        owner=owner,
    )
    transcript = make_transcript(
        completed=True,
        owner=owner,
        call_sid="CA" + "1" * 32,
        audio_duration=125.0,
        text="Hello <everyone>, " + "word " * 200,
    )
    mocked_http.post(slack, status=200, body="ok")
    with task_queue.capture(execute=True):
        event_record(
            event_type=EventType.TRANSCRIPT_COMPLETED,
            obj_kind="transcript",
            obj_id=transcript.pk,
            data=transcript_data(transcript),
        )
    task_queue.run_all()
    message = json.loads(mocked_http.calls[0].request.body)
    assert list(message) == ["text"]
    lines = message["text"].splitlines()
    assert lines[0] == "*Transcript ready* with Ada Lovelace (+14155550123) (2:05)"
    assert lines[1].startswith("> Hello &lt;everyone&gt;, word") and lines[1].endswith(" …")
    assert len(lines[1]) < 320
    assert lines[2] == f"<https://djt.example.com/transcription/{transcript.pk}/|Open in djtranscribe>"


def test_a_network_error_never_stores_a_slack_urls_secret_path(task_queue, mocked_http, owner, transcript):
    slack = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    make_endpoint(owner, url=slack, kind="slack")
    mocked_http.post(slack, body=requests.ConnectionError(f"Max retries exceeded with url: {slack[23:]}"))
    record(task_queue, transcript)
    task_queue.run_all()
    assert Attempt.objects.exists()
    assert not Attempt.objects.filter(error__contains="XXXXSECRET").exists()
    assert not Delivery.objects.filter(last_error__contains="XXXXSECRET").exists()


def test_send_webhooks_requeues_a_delivery_a_dead_worker_left_sending(
    task_queue, mocked_http, endpoint, transcript
):
    from django.utils import timezone

    record(task_queue, transcript)
    task_queue.backend.clear()  # the task is lost
    Delivery.objects.update(status=DeliveryStatus.SENDING, updated_at=timezone.now() - timedelta(hours=1))
    mocked_http.post(URL, status=200)
    with task_queue.capture(execute=True):
        call_command("send_webhooks", stdout=io.StringIO())
    task_queue.run_all()
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_secret_never_reaches_the_log(task_queue, mocked_http, endpoint, transcript, caplog):
    mocked_http.post(URL, status=500, body=endpoint.secret)  # a receiver that echoes it back, even
    with caplog.at_level("DEBUG"):
        record(task_queue, transcript)
        task_queue.run_all()
    assert endpoint.secret not in caplog.text


def test_send_webhooks_purges_finished_events_but_keeps_those_still_retrying(
    task_queue, mocked_http, endpoint, transcript
):
    from django.utils import timezone

    from notify.models import Event

    mocked_http.post(URL, status=200)
    record(task_queue, transcript)
    task_queue.run_all()  # delivered
    retrying = record(task_queue, transcript)  # still pending
    Event.objects.update(created_at=timezone.now() - timedelta(days=40))
    out = io.StringIO()
    task_queue.backend.clear()
    call_command("send_webhooks", "--purge-older-than", "30", stdout=out)
    assert list(Event.objects.values_list("pk", flat=True)) == [retrying.pk]
    assert "1 finished event(s) older than 30 days deleted." in out.getvalue()


def test_send_webhooks_refuses_a_purge_of_zero_days():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("send_webhooks", "--purge-older-than", "0")
