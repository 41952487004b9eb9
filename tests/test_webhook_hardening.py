"""AssemblyAI's webhook under hostile and broken input: never a 5xx, never a half-written row.

The secret header is right in every test here (AssemblyAI's own, or a leaked one): what is left
is the body. Whatever it is, a delivery for a row that exists gets a 2xx, because AssemblyAI never
retries a 4xx; only a body too large to be a delivery at all is refused (413).
"""

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes import JOB_ID, deliver_webhook, url_for, webhook_headers
from transcription.models import WebhookDelivery
from transcription.pipeline.inbound import JOB_ID_RE
from transcription.webhooks import WEBHOOK_MAX_BODY

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=40,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text JSON can carry, lone surrogates and NUL included (PostgreSQL refuses both in a column).
any_text = st.text(max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
transcript_ids = st.one_of(
    st.just(JOB_ID),
    st.integers(),
    st.lists(any_text, max_size=3),
    st.dictionaries(any_text, any_text, max_size=2),
    any_text,
    st.none(),
)
statuses = st.one_of(st.sampled_from(["completed", "error", "queued", "redacted_audio_ready"]), json_values)


def row_state(transcript):
    """Every field a webhook must not touch (it may only set webhook_received_at)."""
    transcript.refresh_from_db()
    return (transcript.status, transcript.job_id, transcript.text, transcript.error, transcript.attempts)


def send(client, task_queue, path, body: bytes, content_type="application/json"):
    """POST with the right secret, then let the worker store what the view queued."""
    return deliver_webhook(client, task_queue, path, body, content_type=content_type)


@fuzz
@given(
    delivery=st.fixed_dictionaries(
        {},
        optional={"transcript_id": transcript_ids, "status": statuses, "extra": json_values},
    )
)
def test_any_json_object_for_an_existing_row_gets_200_and_is_stored_whole(
    client, submitted, task_queue, delivery
):
    before, deliveries = row_state(submitted), WebhookDelivery.objects.count()
    queued_before = len(task_queue.backend.results)  # earlier examples' tasks are not this one's
    response = send(client, task_queue, url_for(submitted), json.dumps(delivery).encode())
    assert response.status_code == 200, response.content
    assert WebhookDelivery.objects.count() == deliveries + 1
    stored = WebhookDelivery.objects.order_by("-pk").first()
    assert stored.transcript == submitted
    given_id = delivery.get("transcript_id")
    assert stored.job_id == (given_id if isinstance(given_id, str) and JOB_ID_RE.match(given_id) else "")
    assert row_state(submitted) == before
    # Only a delivery naming this row's job may ever queue a fetch.
    queued = task_queue.backend.results[queued_before:]
    fetches = [r for r in queued if r.task.name == "fetch_transcript"]
    assert not fetches or delivery.get("transcript_id") == JOB_ID


@fuzz
@given(
    body=st.one_of(
        st.binary(max_size=300),
        any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        json_values.map(lambda v: json.dumps(v).encode()),
    ),
    content_type=st.sampled_from(
        ["application/json", "text/plain; charset=utf-16", "application/x-www-form-urlencoded", "", "a/b"]
    ),
)
def test_any_bytes_of_any_content_type_get_200_and_one_whole_delivery(
    client, submitted, task_queue, body, content_type
):
    before, deliveries = row_state(submitted), WebhookDelivery.objects.count()
    response = send(client, task_queue, url_for(submitted), body, content_type)
    assert response.status_code == 200, response.content
    assert WebhookDelivery.objects.count() == deliveries + 1
    assert row_state(submitted) == before


@fuzz
@given(token=st.text(min_size=1, max_size=80).filter(lambda t: "/" not in t))
def test_any_token_in_the_path_gets_200_and_matches_no_row(client, submitted, task_queue, token):
    from urllib.parse import quote

    before = row_state(submitted)
    body = json.dumps({"transcript_id": JOB_ID, "status": "completed"}).encode()
    path = f"/transcription/webhook/{quote(token.encode('utf-8', 'surrogatepass'), safe='')}/"
    response = send(client, task_queue, path, body)
    assert response.status_code in (200, 404), response.content
    assert row_state(submitted) == before
    if response.status_code == 200:
        assert WebhookDelivery.objects.order_by("-pk").first().transcript is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"transcript_id": "a\\u0000b", "status": "completed\\u0000", "x": {"k\\u0000": "\\u0000"}}',
        b'{"transcript_id": "\\ud800", "status": "\\udfff", "text": "\\ud83d"}',
        b'{"transcript_id": "' + JOB_ID.encode() + b'", "status": "queued", "confidence": NaN}',
        b'{"status": "completed", "n": 1e999, "m": -Infinity}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 100 + b"1" + b"}" * 100,
        b'{"n": ' + b"9" * 5000 + b"}",
        b'"just a string"',
        b"null",
        b"",
    ],
    ids=[
        "nul",
        "surrogates",
        "nan",
        "infinity",
        "deep-list",
        "deep-object",
        "huge-int",
        "string",
        "null",
        "empty",
    ],
)
def test_bodies_no_database_column_takes_as_they_are_are_stored_cleaned_with_200(
    client, submitted, task_queue, body
):
    response = send(client, task_queue, url_for(submitted), body)
    assert response.status_code == 200, response.content
    stored = WebhookDelivery.objects.get()
    assert stored.transcript == submitted
    assert "\x00" not in json.dumps(stored.body)
    assert submitted.status == row_state(submitted)[0] == "queued"


def test_a_transcript_id_that_is_a_number_is_not_taken_for_a_job_id(client, submitted, task_queue):
    response = send(
        client, task_queue, url_for(submitted), b'{"transcript_id": 12345, "status": "completed"}'
    )
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().job_id == ""
    assert task_queue.pending == []  # neither a fetch nor an orphan deletion


def test_a_body_over_the_limit_gets_413_and_stores_nothing(client, submitted, task_queue):
    body = json.dumps({"transcript_id": JOB_ID, "status": "completed", "pad": "x" * WEBHOOK_MAX_BODY})
    response = send(client, task_queue, url_for(submitted), body.encode())
    assert response.status_code == 413
    assert b"Body over" in response.content
    assert WebhookDelivery.objects.count() == 0
    assert submitted.webhook_received_at is None and row_state(submitted)[0] == "queued"


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head", "options"])
def test_only_post_is_accepted(client, submitted, method):
    response = getattr(client, method)(url_for(submitted), **webhook_headers())
    assert response.status_code == 405
    assert WebhookDelivery.objects.count() == 0


def test_a_wrong_secret_is_refused_before_the_body_is_looked_at(client, submitted):
    response = client.generic(
        "POST",
        url_for(submitted),
        data=b"x" * (WEBHOOK_MAX_BODY + 10),
        content_type="application/json",
        HTTP_X_WEBHOOK_SECRET="guess",
    )
    assert response.status_code == 403


@fuzz
@given(secret=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=60))
def test_any_wrong_secret_header_gets_401_or_403_and_stores_nothing(client, submitted, secret):
    response = client.post(
        url_for(submitted),
        data=json.dumps({"transcript_id": JOB_ID, "status": "completed"}),
        content_type="application/json",
        HTTP_X_WEBHOOK_SECRET=secret,
    )
    assert response.status_code in (401, 403)
    assert WebhookDelivery.objects.count() == 0


def test_an_odd_value_beside_a_good_delivery_does_not_hide_it(client, submitted, task_queue):
    body = b'{"transcript_id": "' + JOB_ID.encode() + b'", "status": "completed", "x": [Infinity, "\\u0000"]}'
    assert send(client, task_queue, url_for(submitted), body).status_code == 200
    stored = WebhookDelivery.objects.get()
    assert (stored.job_id, stored.body["x"]) == (JOB_ID, ["inf", "\ufffd"])
    assert [r.task.name for r in task_queue.pending] == ["fetch_transcript"]
