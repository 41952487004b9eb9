"""Part 2: recordings pushed through callback -> worker -> fake AssemblyAI -> completed rows.

    python -m bench.pipeline [--recordings 1000] [--timeout 120] [--workers 1]

Starts the fakes, gunicorn (2 workers) and `--workers` db_worker processes, sends one signed
recording-status callback per recording (a new RecordingSid each, media on the fake Twilio), then
waits until every Transcript is final or the timeout passes. Everything runs the app's own code
with its production settings path: TRANSCRIPTION_AUDIO_SOURCE=upload (the worker streams the
media from "api.twilio.com", routed to the fake by bench.settings in every bench process, and
uploads it), TRANSCRIPTION_WEBHOOKS=on (the fake calls the app's webhook view, which queues the
fetch). Reports recordings/s end to end and the app's own overhead per recording:
(wall time - time the fakes' handlers spent) / recordings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import urllib.request

from bench import common, loadgen
from bench.web import RECORDING_STATUS_PATH, new_sid, recording_params, signed_post

TARGET_SECONDS = 60.0
MEDIA_BYTES = 160 * 1024  # ~10 s of 8 kHz 16-bit mono: a short call


def fake_stats(urls: dict) -> dict:
    """Both fakes' counters (GET /__bench/stats)."""
    stats = {}
    for name, url in urls.items():
        with urllib.request.urlopen(f"{url}/__bench/stats", timeout=10) as response:
            stats[name] = json.load(response)
    return stats


def fake_seconds(stats: dict) -> float:
    """Time the fakes' handlers spent; webhook deliveries run in the fake but wait on the app."""
    return sum(s["total_seconds"] - s["seconds"].get("webhook", 0.0) for s in stats.values())


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    """`count` db_worker processes (the app's own command), each logging to bench/out/."""
    workers = []
    for number in range(count):
        log = open(common.OUT_DIR / f"pipeline-worker-{number}.log", "w")
        workers.append(
            subprocess.Popen(
                [
                    common.PYTHON,
                    "manage.py",
                    "db_worker",
                    "--queue-name",
                    "*",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    "0.1",
                ],
                cwd=common.ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=common.at_lower_priority,  # as make run and deploying.md run them
            )
        )
        log.close()  # the child has its own copy
    return workers


def run(recordings: int, timeout: float, concurrency: int, workers: int) -> dict:
    port = common.free_port()
    db = common.OUT_DIR / "pipeline.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    os.environ.update(BENCH_PORT=str(port), BENCH_DB=str(db), DJANGO_SETTINGS_MODULE="bench.settings")
    with common.fakes(media_bytes=MEDIA_BYTES) as urls:
        os.environ.update(BENCH_ASSEMBLYAI_URL=urls["assemblyai"], BENCH_TWILIO_MEDIA_URL=urls["twilio"])
        import django

        django.setup()
        from django.core.management import call_command
        from twilio.request_validator import RequestValidator

        from transcription.models import FINAL_STATUSES, AudioSource, Transcript, TranscriptStatus

        call_command("migrate", verbosity=0)
        env = common.bench_env(
            BENCH_PORT=port,
            BENCH_DB=db,
            BENCH_ASSEMBLYAI_URL=urls["assemblyai"],
            BENCH_TWILIO_MEDIA_URL=urls["twilio"],
            TRANSCRIPTION_WEBHOOKS="on",
            TRANSCRIPTION_AUDIO_SOURCE="upload",
        )
        validator = RequestValidator(common.BENCH_AUTH_TOKEN)
        callbacks = [
            signed_post(
                port, RECORDING_STATUS_PATH, recording_params(new_sid("CA"), new_sid("RE")), validator
            )
            for _ in range(recordings)
        ]
        processes = start_workers(workers, env)
        try:
            with common.gunicorn(port, env):
                started = time.perf_counter()
                sent = loadgen.run(
                    "127.0.0.1", port, callbacks, expect=204, concurrency=concurrency, max_seconds=timeout
                )
                deadline = started + timeout
                final = 0
                while time.perf_counter() < deadline:
                    final = Transcript.objects.filter(status__in=FINAL_STATUSES).count()
                    if final >= recordings:
                        break
                    time.sleep(0.1)
                wall = time.perf_counter() - started
                stats = fake_stats(urls)
        finally:
            for process in processes:
                common.stop(process)
        spent_in_fakes = fake_seconds(stats)
        completed = Transcript.objects.filter(status=TranscriptStatus.COMPLETED)
        assemblyai, twilio = stats["assemblyai"], stats["twilio"]
        return {
            "recordings": recordings,
            "workers": workers,
            "callbacks": sent.summary(),
            "transcripts_created": Transcript.objects.count(),
            "completed": completed.count(),
            # Proof the real path ran: uploaded from the fake Twilio, text and words stored.
            "completed_from_upload": completed.filter(audio_source=AudioSource.UPLOAD)
            .exclude(upload_url="")
            .exclude(words=[])
            .count(),
            "errors": Transcript.objects.filter(status=TranscriptStatus.ERROR).count(),
            "wall_seconds": round(wall, 2),
            "timed_out": final < recordings,
            "recordings_per_second": round(completed.count() / wall, 1) if wall else None,
            "fake_seconds": round(spent_in_fakes, 3),
            "app_overhead_ms_per_recording": round((wall - spent_in_fakes) / recordings * 1000, 2),
            "fake_counts": {
                "media_requests": twilio["counts"].get("media", 0),  # redirect + storage
                "media_bytes": twilio["values"].get("media_bytes", 0),
                "storage_saw_credentials": twilio["values"].get("storage_saw_credentials", 0),
                "uploads": assemblyai["counts"].get("upload", 0),
                "upload_bytes": assemblyai["values"].get("upload_bytes", 0),
                "submits": assemblyai["counts"].get("submit", 0),
                "gets": assemblyai["counts"].get("get", 0),
                "webhooks": {k: v for k, v in assemblyai["values"].items() if k.startswith("webhook_")},
            },
            "target_seconds": TARGET_SECONDS,
        }


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=int(os.environ.get("BENCH_RECORDINGS", 1000)))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 1)))
    args = parser.parse_args()
    results = run(args.recordings, args.timeout, args.concurrency, args.workers)
    print(
        f"  pipeline {results['completed']}/{args.recordings} completed in {results['wall_seconds']} s "
        f"with {args.workers} db_worker(s)",
        flush=True,
    )
    common.write_result("pipeline", results)
    return results


if __name__ == "__main__":
    main()
