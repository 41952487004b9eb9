"""Local fakes of AssemblyAI and Twilio media, on 127.0.0.1, speaking the real API shapes.

    python -m bench.fakes [--media-bytes N]

prints one JSON line {"assemblyai": url, "twilio": url} when both listen, then serves until
stdin closes or it is killed. Each fake records the time its own handlers spent, so the pipeline
bench can subtract it: GET /__bench/stats on either server.

AssemblyAI (answers instantly):
  POST /v2/upload           raw body (Content-Length or chunked), streamed and counted, never kept
                            -> {"upload_url": ...}
  POST /v2/transcript       JSON with audio_url -> 200 transcript object, status "queued"; when
                            webhook_url is given, POSTs {"transcript_id", "status": "completed"} to it
                            with the webhook auth header, from a background thread
  GET  /v2/transcript/{id}  -> the completed transcript (text, words, utterances, confidence...)
  unknown id -> 400 {"error": "Transcript lookup error..."}; a wrong key -> 401
Twilio media:
  GET /2010-04-01/Accounts/{AC}/Recordings/{RE}[.wav]   Basic auth (account SID + auth token) ->
      302 to /storage/{RE}.wav on this server (Twilio redirects media to its storage too)
  GET /storage/{RE}.wav     a generated 8 kHz 16-bit mono WAV, streamed, with Range support.
  Size: ?bytes=N on either URL, else --media-bytes.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import math
import re
import struct
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

from bench import common as bench_settings

READ_CHUNK = 256 * 1024


class Stats:
    """Counters and the time handlers spent, shared by a server's threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.values: dict[str, int] = {}

    def add(self, name: str, seconds: float) -> None:
        self.arrived(name)
        self.spent(name, seconds)

    def arrived(self, name: str) -> None:
        """Count a request as it arrives: a client may read the counts as soon as it has its answer."""
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def spent(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def incr(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.values[name] = self.values.get(name, 0) + amount

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "counts": dict(self.counts),
                "seconds": {k: round(v, 6) for k, v in self.seconds.items()},
                "total_seconds": round(sum(self.seconds.values()), 6),
                "values": dict(self.values),
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench-fake"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms on Linux) once a kept-alive connection has left quick-ACK mode.
    disable_nagle_algorithm = True
    stats: Stats

    def log_message(self, format, *args):  # quiet: the bench prints one table
        pass

    def send_json(self, status: int, data: dict, headers: dict | None = None) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def iter_body(self):
        """The request body chunk by chunk, Content-Length or chunked; never held whole."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                while size:
                    chunk = self.rfile.read(min(size, READ_CHUNK))
                    if not chunk:
                        return
                    size -= len(chunk)
                    yield chunk
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining:
                chunk = self.rfile.read(min(remaining, READ_CHUNK))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    def timed(self, name: str, method) -> None:
        # Counted before answering, not after: the answer (the last bytes of a stream) may reach
        # the client, and the client read the stats, before this thread runs on.
        self.stats.arrived(name)
        started = time.perf_counter()
        try:
            method()
        finally:
            self.stats.spent(name, time.perf_counter() - started)

    def answer_stats(self) -> bool:
        if self.path == "/__bench/stats":
            self.send_json(200, self.stats.snapshot())
            return True
        return False


# -- AssemblyAI ---------------------------------------------------------------------------------

WORDS = (
    "thanks for calling this is about the invoice we sent last week could you confirm the delivery "
    "address and the amount please yes that is right we will ship it on monday"
).split()


def completed_transcript(job: dict) -> dict:
    words, ms = [], 0
    for index, text in enumerate(WORDS):
        duration = 180 + (index * 37) % 220
        words.append(
            {
                "text": text,
                "start": ms,
                "end": ms + duration,
                "confidence": round(0.55 + (index * 13 % 45) / 100, 2),
                "speaker": "A" if index < len(WORDS) // 2 else "B",
                "channel": None,
            }
        )
        ms += duration + 40
    return {
        **job,
        "status": "completed",
        "text": " ".join(WORDS).capitalize() + ".",
        "words": words,
        "utterances": [],
        "confidence": 0.91,
        "audio_duration": ms / 1000,
        "language_code": "en_us",
        "speech_model_used": (job.get("speech_models") or ["universal-2"])[0],
        "webhook_status_code": job.get("webhook_status_code"),
        "error": None,
    }


class AssemblyAIHandler(Handler):
    jobs: dict[str, dict] = {}
    uploads: dict[str, int] = {}
    lock = threading.Lock()
    webhooks: ThreadPoolExecutor

    def authorized(self) -> bool:
        if hmac.compare_digest(self.headers.get("Authorization", ""), bench_settings.BENCH_ASSEMBLYAI_KEY):
            return True
        # Drain what the client sends so the 401 reaches it.
        for _ in self.iter_body():
            pass
        self.send_json(401, {"error": "Authentication error, API token missing/invalid"})
        return False

    def do_GET(self):
        if self.answer_stats():
            return
        self.timed("get", self._get)

    def do_POST(self):
        path = urlsplit(self.path).path
        if path == "/v2/upload":
            self.timed("upload", self._upload)
        elif path == "/v2/transcript":
            self.timed("submit", self._submit)
        else:
            self.send_json(404, {"error": "Not found"})

    def _get(self):
        match = re.fullmatch(r"/v2/transcript/([0-9a-f-]+)", urlsplit(self.path).path)
        if not self.authorized():
            return
        with self.lock:
            job = self.jobs.get(match.group(1)) if match else None
        if job is None:
            self.send_json(400, {"error": "Transcript lookup error, transcript id not found"})
            return
        self.send_json(200, completed_transcript(job))

    def _upload(self):
        if not self.authorized():
            return
        received = 0
        for chunk in self.iter_body():
            received += len(chunk)
        upload_id = str(uuid.uuid4())
        with self.lock:
            self.uploads[upload_id] = received
        self.stats.incr("upload_bytes", received)
        self.send_json(200, {"upload_url": f"https://cdn.assemblyai.com/upload/{upload_id}"})

    def _submit(self):
        if not self.authorized():
            return
        try:
            body = json.loads(b"".join(self.iter_body()) or b"{}")
        except ValueError:
            self.send_json(400, {"error": "Invalid JSON body"})
            return
        if not isinstance(body, dict) or not body.get("audio_url"):
            self.send_json(400, {"error": "audio_url is required"})
            return
        job_id = str(uuid.uuid4())
        job = {key: value for key, value in body.items() if key != "webhook_auth_header_value"}
        job.update({"id": job_id, "status": "queued", "text": None, "words": None, "error": None})
        with self.lock:
            self.jobs[job_id] = job
        self.send_json(200, job)
        if body.get("webhook_url"):
            header = {}
            if body.get("webhook_auth_header_name"):
                header[body["webhook_auth_header_name"]] = body.get("webhook_auth_header_value") or ""
            self.webhooks.submit(self.deliver, body["webhook_url"], header, job_id)

    def deliver(self, url: str, headers: dict, job_id: str) -> None:
        started = time.perf_counter()
        try:
            response = requests.post(
                url, json={"transcript_id": job_id, "status": "completed"}, headers=headers, timeout=10
            )
            status = response.status_code
        except requests.RequestException:
            status = 0
        with self.lock:
            self.jobs[job_id]["webhook_status_code"] = status
        self.stats.incr(f"webhook_{status}")
        self.stats.add("webhook", time.perf_counter() - started)


# -- Twilio media -------------------------------------------------------------------------------


def wav_header(total_bytes: int, rate: int = 8000) -> bytes:
    data_bytes = max(0, total_bytes - 44)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


# One second of a 440 Hz tone, repeated for as long as asked.
TONE = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(8000))


def wav_bytes(total: int, start: int, end: int):
    """Bytes [start, end) of a generated WAV of `total` bytes, in chunks."""
    header = wav_header(total)
    position = start
    while position < end:
        if position < len(header):
            chunk = header[position : min(end, len(header))]
        else:
            offset = (position - len(header)) % len(TONE)
            chunk = TONE[offset : offset + min(end - position, len(TONE) - offset)]
        yield chunk
        position += len(chunk)


class TwilioMediaHandler(Handler):
    default_bytes = 64 * 1024

    def do_GET(self):
        if self.answer_stats():
            return
        self.timed("media", self._get)

    def size(self) -> int:
        query = parse_qs(urlsplit(self.path).query)
        return int(query.get("bytes", [self.default_bytes])[0])

    def _get(self):
        path = urlsplit(self.path).path
        api = re.fullmatch(r"/2010-04-01/Accounts/(AC\w+)/Recordings/(RE\w+?)(\.wav)?", path)
        if api:
            expected = (
                "Basic "
                + base64.b64encode(
                    f"{bench_settings.BENCH_ACCOUNT_SID}:{bench_settings.BENCH_AUTH_TOKEN}".encode()
                ).decode()
            )
            if not hmac.compare_digest(self.headers.get("Authorization", ""), expected):
                self.stats.incr("media_401")
                self.send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            host = self.headers.get("Host") or "127.0.0.1"
            location = f"http://{host}/storage/{api.group(2)}.wav?bytes={self.size()}"
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not re.fullmatch(r"/storage/RE\w+\.wav", path):
            self.send_json(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        if self.headers.get("Authorization"):
            # Credentials must never follow the redirect to storage.
            self.stats.incr("storage_saw_credentials")
        total = self.size()
        start, end, status = 0, total, 200
        range_header = self.headers.get("Range", "")
        if range_header:
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
            if match and (match.group(1) or match.group(2)):
                if match.group(1):
                    start = int(match.group(1))
                    end = min(total, int(match.group(2)) + 1) if match.group(2) else total
                else:
                    start = max(0, total - int(match.group(2)))
                status = 206
            if not match or start >= total or start >= end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{total}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response(status)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{total}")
        self.end_headers()
        sent = 0
        try:
            for chunk in wav_bytes(total, start, end):
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.stats.incr("media_bytes", sent)


def serve(handler: type[Handler], **attrs) -> ThreadingHTTPServer:
    """Serve `handler` (with its own Stats and `attrs`) on a free loopback port, in a thread."""
    handler_class = type(handler.__name__, (handler,), {"stats": Stats(), **attrs})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def serve_assemblyai() -> ThreadingHTTPServer:
    return serve(AssemblyAIHandler, jobs={}, uploads={}, webhooks=ThreadPoolExecutor(max_workers=8))


def serve_twilio_media(default_bytes: int = 64 * 1024) -> ThreadingHTTPServer:
    return serve(TwilioMediaHandler, default_bytes=default_bytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--media-bytes", type=int, default=64 * 1024, help="default WAV size")
    args = parser.parse_args()
    assemblyai = serve_assemblyai()
    twilio = serve_twilio_media(args.media_bytes)
    print(
        json.dumps(
            {
                "assemblyai": f"http://127.0.0.1:{assemblyai.server_address[1]}",
                "twilio": f"http://127.0.0.1:{twilio.server_address[1]}",
            }
        ),
        flush=True,
    )
    # Serve until the bench closes our stdin (or kills us).
    sys.stdin.read()


if __name__ == "__main__":
    main()
