"""Schemathesis over the API's whole schema, with a token: no 5xx, every response as the schema says.

In process: the schema is read and every request made through Django's WSGI application (no network,
no server). Twilio and AssemblyAI answer through the strict `responses` mock, so placing calls,
transcribing links and deleting transcripts really run their services. Valid and invalid inputs
both (generation mode "all"), the examples, coverage and fuzzing phases; few examples per operation
and no stateful phase, so the whole run stays under a minute (about 30 s on the 2-core CI box).
"""

import itertools
import json
import re
import socket

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer as JSONOpenAPIRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from djtranscribe.lib import http
from notify.events import endpoint_test_event
from tests.api_helpers import token_for
from tests.factories import make_call, make_endpoint, make_recording, make_transcript, make_user
from tests.fakes import ACCOUNT, CALLS_URL
from tests.fakes.assemblyai import AAI, SUBMIT_URL, mock_upload, transcript_json
from transcription.models import Participant, TranscriptStatus

MAX_EXAMPLES = int(__import__("os").environ.get("ST_MAX", "15"))
# The checks that say "no 5xx, every response conforming"; not those that judge the app's rules
# (a schema-valid number may still be refused by the dial policy: positive_data_acceptance).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
    "use_after_free",
)
WORDS = [
    {"text": "Hello,", "start": 0, "end": 400, "confidence": 0.9, "channel": "1"},
    {"text": "refund", "start": 450, "end": 900, "confidence": 0.4, "channel": "1"},
    {"text": "Sure.", "start": 1200, "end": 1500, "confidence": 0.95, "channel": "2"},
]


def config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
            },
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        }
    )


@pytest.fixture
def vendors(mocked_http):
    """Twilio and AssemblyAI, answering every request the API may make with fresh ids."""
    sids = (f"CA{n:032x}" for n in itertools.count(0xABC000))
    jobs = (f"job-{n}" for n in itertools.count())

    def place(request):
        sid = next(sids)
        body = {
            "sid": sid,
            "to": "+14155551234",
            "from": "+15005550006",
            "status": "queued",
            "account_sid": ACCOUNT,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json",
        }
        return 201, {}, json.dumps(body)

    def submit(request):
        return 200, {}, json.dumps(transcript_json(job_id=next(jobs)))

    mocked_http.add_callback("POST", CALLS_URL, callback=place)
    mocked_http.add_callback("POST", SUBMIT_URL, callback=submit)
    mock_upload(mocked_http, [])
    mocked_http.add(
        "DELETE", re.compile(re.escape(f"{AAI}/v2/transcript/") + ".*"), json={"status": "completed"}
    )
    return mocked_http


@pytest.fixture
def resolver(monkeypatch):
    """Webhook endpoint URLs' names resolve through this table only: no real DNS. Any other name is
    unknown (a 400 saying so); the generated URLs also hit the literal-address refusals."""
    table = {"hooks.example.com": ["93.184.216.34"], "innocent.example": ["127.0.0.1"]}

    def resolve(host, port):
        if host not in table:
            raise socket.gaierror(f"no such name {host}")
        return table[host]

    monkeypatch.setattr(http, "resolve", resolve)


def served_schema() -> dict:
    """The schema exactly as /api/v1/schema/?format=json serves it (built without a request or a user)."""
    return json.loads(JSONOpenAPIRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


@pytest.fixture
def lead_token(db, settings, vendors, resolver):
    """A lead's token (every operation allowed) over a few rows of each kind; throttles off."""
    settings.API_THROTTLE_RATE = "off"
    settings.DIAL_RATE_LIMIT = "off"
    cache.clear()
    # Like Django's test client: a request's end must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    lead = make_user("lena", perms=["place_call", "view_all_calls", "delete_transcript"])
    call = make_call(owner=lead, dialed_by=lead, status="completed", duration=12)
    recording = make_recording(call, owner=lead, duration=12, channels=2)
    transcript = make_transcript(
        completed=True,
        owner=lead,
        words=WORDS,
        text="Hello, refund Sure.",
        audio_duration=1.5,
        recording_sid=recording.sid,
        call_sid=call.sid,
        job_id="job-seeded",
    )
    Participant.objects.create(transcript=transcript, key="1", name="Lena")
    make_transcript(owner=lead, status=TranscriptStatus.ERROR, error="Download error")
    # A webhook endpoint with a delivery (never sent: the test's transaction never commits).
    endpoint_test_event(endpoint=make_endpoint(lead, description="schemathesis"))
    yield token_for(lead, "schemathesis")
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded when the tests are collected (pytest-django has configured Django by then); the requests go
# to Django's WSGI application, in this process.
schema = schemathesis.openapi.from_dict(served_schema(), config=config())
schema.app = get_wsgi_application()


@schema.parametrize()
# The rows and the token are made once per operation and shared by its examples, on purpose: the
# examples read, add and delete among the same rows, as a client of the API would.
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_its_schema_says(case, lead_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {lead_token}"})
