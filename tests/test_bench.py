"""The benchmark harness itself: its fakes speak what the app's clients expect, its route to the
fake Twilio leaves everything else alone, its load generator counts what it claims, and the
requests it sends are ones the app accepts (a bench of 403s would measure nothing)."""

import json
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
import requests

from bench import common, fakes, loadgen, twilio_route, web
from bench.scale import fake_transcript
from caller.models import Recording
from caller.twilio_client import TwilioError, iter_media
from djtranscribe.lib import http
from tests.factories import make_transcript
from tests.fakes import run_inbox
from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError
from transcription.models import Transcript
from transcription.pipeline.apply import transcript_apply

MEDIA_PATH = f"/2010-04-01/Accounts/{common.BENCH_ACCOUNT_SID}/Recordings/RE{'c' * 32}"
MEDIA_URL = f"https://api.twilio.com{MEDIA_PATH}"


@pytest.fixture
def loopback(mocked_http):
    """Let requests to the loopback fakes through the strict HTTP mock."""
    mocked_http.add_passthru("http://127.0.0.1")
    return mocked_http


@pytest.fixture
def fake_assemblyai(loopback):
    server = fakes.serve_assemblyai()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_twilio(loopback, settings):
    settings.TWILIO_ACCOUNT_SID = common.BENCH_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = common.BENCH_AUTH_TOKEN
    server = fakes.serve_twilio_media(default_bytes=4096)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with twilio_route.routed(url):
        yield url, server
    server.shutdown()
    server.server_close()


def assemblyai_client(url):
    return AssemblyAIClient(api_key=common.BENCH_ASSEMBLYAI_KEY, base_url=url)


def stats(server):
    return server.RequestHandlerClass.stats.snapshot()


class Receiver:
    """A loopback HTTP server that keeps what is POSTed to it."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# -- fake AssemblyAI ----------------------------------------------------------------------------


def test_fake_assemblyai_receives_the_whole_streamed_upload_of_the_app_client(fake_assemblyai):
    url, server = fake_assemblyai
    chunks = (b"x" * 100_000 for _ in range(7))
    upload_url = assemblyai_client(url).upload(chunks)
    assert upload_url.startswith("https://cdn.assemblyai.com/upload/")
    assert stats(server)["values"]["upload_bytes"] == 700_000


def test_fake_assemblyai_jobs_complete_a_transcript_through_the_app_services(fake_assemblyai, db):
    url, _ = fake_assemblyai
    client = assemblyai_client(url)
    job = client.submit("https://cdn.assemblyai.com/upload/abc", speech_models=["universal-2"])
    assert job["status"] == "queued"
    transcript = make_transcript(job_id=job["id"])
    assert transcript_apply(transcript=transcript, data=client.get(job["id"]))
    transcript.refresh_from_db()
    assert transcript.status == "completed"
    assert transcript.text.startswith("Thanks for calling")
    assert transcript.words[0]["text"] == "thanks"
    assert transcript.speech_model_used == "universal-2"


def test_fake_assemblyai_refuses_a_wrong_key_with_401(fake_assemblyai):
    url, _ = fake_assemblyai
    with pytest.raises(AssemblyAIError) as caught:
        AssemblyAIClient(api_key="not-the-bench-key", base_url=url).get(
            "00000000-0000-0000-0000-000000000000"
        )
    assert caught.value.status == 401


def test_fake_assemblyai_answers_an_unknown_transcript_with_400(fake_assemblyai):
    url, _ = fake_assemblyai
    with pytest.raises(AssemblyAIError) as caught:
        assemblyai_client(url).get("00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 400
    assert "Transcript lookup error" in str(caught.value)


def test_fake_assemblyai_delivers_the_webhook_with_the_chosen_auth_header(fake_assemblyai):
    url, _ = fake_assemblyai
    receiver = Receiver()
    try:
        job = assemblyai_client(url).submit(
            "https://cdn.assemblyai.com/upload/abc",
            webhook_url=f"{receiver.url}/transcription/webhook/tok/",
            webhook_auth_header_name="X-Webhook-Secret",
            webhook_auth_header_value="s3cret",
        )
        deadline = time.monotonic() + 5
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        receiver.close()
    assert "webhook_auth_header_value" not in job  # never echoed back, like the real API
    path, headers, body = receiver.received[0]
    assert path == "/transcription/webhook/tok/"
    assert headers["X-Webhook-Secret"] == "s3cret"
    assert body == {"transcript_id": job["id"], "status": "completed"}


# -- fake Twilio media and the route to it ------------------------------------------------------


def test_iter_media_streams_a_wav_of_the_requested_size_from_the_fake_twilio(fake_twilio):
    data = b"".join(iter_media(f"{MEDIA_URL}?bytes=100000"))
    assert len(data) == 100_000
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[40:44])[0] == 100_000 - 44


def test_credentials_do_not_follow_the_fake_twilio_redirect_to_storage(fake_twilio):
    _, server = fake_twilio
    b"".join(iter_media(MEDIA_URL))
    assert stats(server)["counts"]["media"] == 2  # the authenticated API URL, then storage
    assert "storage_saw_credentials" not in stats(server)["values"]


def test_fake_twilio_refuses_media_with_a_wrong_token(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "a-wrong-token"
    with pytest.raises(TwilioError) as caught:
        b"".join(iter_media(MEDIA_URL))
    assert caught.value.status == 401


def test_fake_twilio_storage_answers_a_range_with_206_and_exactly_those_bytes(fake_twilio):
    url, _ = fake_twilio
    whole = requests.get(f"{url}/storage/RE{'c' * 32}.wav?bytes=5000", timeout=5).content
    part = requests.get(
        f"{url}/storage/RE{'c' * 32}.wav?bytes=5000", headers={"Range": "bytes=40-139"}, timeout=5
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 40-139/5000"
    assert part.content == whole[40:140]


def test_fake_twilio_storage_refuses_a_range_past_the_end_with_416(fake_twilio):
    url, _ = fake_twilio
    response = requests.get(
        f"{url}/storage/RE{'c' * 32}.wav?bytes=5000", headers={"Range": "bytes=5000-"}, timeout=5
    )
    assert response.status_code == 416


def test_the_route_sends_only_api_twilio_com_to_the_fake(fake_twilio):
    session = http.session()
    assert isinstance(session.get_adapter(MEDIA_URL), twilio_route.FakeTwilioAdapter)
    assert not isinstance(
        session.get_adapter("https://api.assemblyai.com/v2/upload"), twilio_route.FakeTwilioAdapter
    )


def test_the_route_is_gone_after_its_block(loopback):
    with twilio_route.routed("http://127.0.0.1:9"):
        pass
    assert not isinstance(http.session().get_adapter(MEDIA_URL), twilio_route.FakeTwilioAdapter)


def test_the_route_leaves_requests_itself_alone(fake_twilio):
    assert not isinstance(requests.Session().get_adapter(MEDIA_URL), twilio_route.FakeTwilioAdapter)


# -- load generator -----------------------------------------------------------------------------


@pytest.fixture
def status_server():
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            status = 200 if self.path == "/ok" else 500
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_loadgen_counts_answers_other_than_the_expected_status_as_errors(status_server):
    host = f"127.0.0.1:{status_server}"
    requests_ = [loadgen.build_request("GET", "/ok", host=host)] * 30 + [
        loadgen.build_request("GET", "/bad", host=host)
    ] * 10
    result = loadgen.run("127.0.0.1", status_server, requests_, expect=200, concurrency=4)
    assert (result.sent, result.ok, result.errors) == (40, 30, 10)
    assert result.error_samples[0] == "HTTP 500"


def test_loadgen_counts_refused_connections_as_errors():
    port = common.free_port()  # nothing listens there
    built = [loadgen.build_request("GET", "/", host=f"127.0.0.1:{port}")] * 5
    result = loadgen.run("127.0.0.1", port, built, concurrency=2)
    assert (result.ok, result.errors) == (0, 5)


def test_loadgen_percentile_is_the_nearest_rank():
    result = loadgen.LoadResult(latencies=[i / 1000 for i in range(1, 101)])
    assert result.percentile(50) == pytest.approx(50.0)
    assert result.percentile(99) == pytest.approx(99.0)


# -- what the bench sends -----------------------------------------------------------------------


def parse(raw: bytes):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    path = lines[0].split()[1]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return path, headers, dict(parse_qsl(body.decode()))


def test_the_bench_recording_callback_is_accepted_by_the_app_and_stores_its_recording(client, settings, db):
    from twilio.request_validator import RequestValidator

    settings.BASE_URL = "http://127.0.0.1:8765"
    settings.TWILIO_AUTH_TOKEN = common.BENCH_AUTH_TOKEN
    sids = []
    raw = web.scenario_requests("recording_status", 1, 8765, RequestValidator(common.BENCH_AUTH_TOKEN), sids)[
        0
    ]
    path, headers, params = parse(raw)
    response = client.post(
        path,
        data=raw.partition(b"\r\n\r\n")[2],
        content_type=headers["Content-Type"],
        HTTP_X_TWILIO_SIGNATURE=headers["X-Twilio-Signature"],
    )
    assert response.status_code == 204
    run_inbox()  # the worker stores it (caller.callbacks)
    assert Recording.objects.filter(sid=sids[0], call_sid=params["CallSid"]).exists()


def test_the_generated_words_spell_out_the_generated_text():
    import random

    text, words = fake_transcript(random.Random(1))
    assert " ".join(word["text"] for word in words) == text
    assert all(a["end"] <= b["start"] for a, b in zip(words, words[1:], strict=False))


def test_loadgen_accepts_any_of_several_expected_statuses(status_server):
    built = [loadgen.build_request("GET", "/bad", host=f"127.0.0.1:{status_server}")] * 3
    result = loadgen.run("127.0.0.1", status_server, built, expect=(204, 500), concurrency=1)
    assert (result.ok, result.errors) == (3, 0)


def test_the_bench_assemblyai_webhook_names_a_job_the_fake_knows_and_a_stored_row(
    fake_assemblyai, monkeypatch, db
):
    url, server = fake_assemblyai
    monkeypatch.setenv("BENCH_ASSEMBLYAI_URL", url)
    job_ids = []
    raw = web.webhook_requests(1, 8765, job_ids)[0]
    head, _, body = raw.partition(b"\r\n\r\n")
    transcript = Transcript.objects.get(job_id=job_ids[0])
    assert head.startswith(f"POST /transcription/webhook/{transcript.webhook_token}/ HTTP/1.1".encode())
    assert f"X-Webhook-Secret: {common.BENCH_WEBHOOK_SECRET}".encode() in head
    assert json.loads(body) == {"transcript_id": transcript.job_id, "status": "completed"}
    assert assemblyai_client(url).get(transcript.job_id)["status"] == "completed"


def test_the_bench_assemblyai_webhook_is_accepted_by_the_app_and_queues_a_fetch(
    fake_assemblyai, monkeypatch, settings, client, task_queue, db
):
    from transcription.models import WebhookDelivery

    url, _ = fake_assemblyai
    monkeypatch.setenv("BENCH_ASSEMBLYAI_URL", url)
    settings.ASSEMBLYAI_WEBHOOK_SECRET = common.BENCH_WEBHOOK_SECRET
    job_ids = []
    raw = web.webhook_requests(1, 8765, job_ids)[0]
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    sent = dict(line.split(": ", 1) for line in lines[1:])
    response = client.post(
        lines[0].split()[1],
        data=body,
        content_type=sent["Content-Type"],
        headers={"X-Webhook-Secret": sent["X-Webhook-Secret"]},
    )
    assert response.status_code == web.EXPECTED_STATUS["assemblyai_webhook"]
    with task_queue.capture(execute=True):
        run_inbox()  # the worker stores the delivery the view queued
    transcript = Transcript.objects.get(job_id=job_ids[0])
    assert WebhookDelivery.objects.get(job_id=job_ids[0]).processed_at is not None
    assert [(r.task.name, r.args) for r in task_queue.pending] == [("fetch_transcript", [transcript.pk])]


def test_a_long_call_is_two_people_taking_turns_over_its_whole_length():
    import random

    from bench.longcall import conversation

    words = conversation(600.0, random.Random(1))
    assert 1000 < len(words) < 2200  # about 2.8 words a second
    assert {w["channel"] for w in words} == {"1", "2"}
    assert all(a["start"] <= b["start"] for a, b in zip(words, words[1:], strict=False))
    assert words[-1]["end"] >= 600_000


def test_the_editing_bench_makes_three_hours_of_words_in_time_order():
    import random

    from bench.editing import HOURS, words_of

    words = words_of(3000, random.Random(1))
    assert len(words) == 3000
    assert [w["start"] for w in words] == sorted(w["start"] for w in words)
    assert words[-1]["end"] <= HOURS * 3600 * 1000
    assert {w["channel"] for w in words} == {"1", "2"}


def test_the_editing_bench_misses_its_target_when_a_revert_is_not_exact():
    from bench.editing import table_rows

    figures = {
        "hours": 3,
        "words": 30000,
        "target_p95_ms": 200.0,
        "save": {"p50_ms": 50.0, "p95_ms": 80.0},
        "floor": {"p50_ms": 30.0},
        "ratio_p50": 1.67,
        "revisions": 31,
        "revert_ms": 90.0,
        "revert_restored_exactly": False,
        "page_ms": 900.0,
        "page_kib": 2400,
    }
    assert table_rows(figures)[0][3] == "MISSED"
    assert table_rows({**figures, "revert_restored_exactly": True})[0][3] == "ok"
