"""Part 4: peak memory while relaying one recording from Twilio media to AssemblyAI's upload.

    python -m bench.memory [--megabytes 200]

Starts the fakes, then for each approach a FRESH subprocess (`--relay streamed|whole`) that sets up
Django with the bench settings, warms the code path on a 64 KiB recording, resets its peak-RSS mark
(/proc/self/clear_refs) and relays the big one:
  streamed  the app's own path: caller.twilio_client.iter_media -> AssemblyAIClient.upload
  whole     the naive path: requests.get(...).content, then POST the bytes
Growth = peak RSS during the relay minus RSS before it. Then the archive path (bench/archive.py):
Twilio -> the recordings storage, a folder and moto's S3 on loopback, at two sizes (10 and 100 MiB).
Writes bench/out/memory.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import archive, common

MIB = 1024 * 1024
TARGET_GROWTH_MIB = 30


def media_url(size: int | None = None) -> str:
    url = (
        f"https://api.twilio.com/2010-04-01/Accounts/{common.BENCH_ACCOUNT_SID}"
        f"/Recordings/RE{secrets.token_hex(16)}"
    )
    return f"{url}?bytes={size}" if size else url


def relay(mode: str) -> dict:
    """In the fresh subprocess: relay one recording and measure this process's memory."""
    import django

    django.setup()
    from django.conf import settings

    from caller.twilio_client import iter_media
    from djtranscribe.lib import http
    from transcription.assemblyai_client import AssemblyAIClient

    def streamed(url: str) -> str:
        return AssemblyAIClient().upload(iter_media(url))

    def whole(url: str) -> str:
        auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        session = http.session(timeout=60)  # through the seam, so the bench's fake Twilio answers
        data = session.get(url, auth=auth).content
        response = session.post(
            f"{settings.ASSEMBLYAI_BASE_URL}/v2/upload",
            data=data,
            headers={"Authorization": settings.ASSEMBLYAI_KEY, "Content-Type": "application/octet-stream"},
        )
        response.raise_for_status()
        return response.json()["upload_url"]

    run = streamed if mode == "streamed" else whole
    run(media_url(64 * 1024))  # warm-up: imports, connection pools, first-call allocations
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = common.vm_kib("VmRSS")
    started = time.perf_counter()
    upload_url = run(media_url())
    seconds = time.perf_counter() - started
    peak = common.vm_kib("VmHWM")
    return {
        "mode": mode,
        "rss_before_mib": round(before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "growth_mib": round((peak - before) / 1024, 1),
        "seconds": round(seconds, 2),
        "upload_url": upload_url,
    }


def fake_stats(base_url: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/__bench/stats", timeout=10) as response:
        return json.load(response)


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=int(os.environ.get("BENCH_MEDIA_MB", 200)))
    parser.add_argument(
        "--archive-megabytes",
        default=os.environ.get("BENCH_ARCHIVE_MB", "10,100"),
        help="the two recording sizes of the archive's measurement (bench/archive.py)",
    )
    parser.add_argument("--relay", choices=["streamed", "whole"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.relay:
        print(json.dumps(relay(args.relay)), flush=True)
        return {}

    size = args.megabytes * MIB
    results: dict = {"recording_bytes": size, "target_growth_mib": TARGET_GROWTH_MIB, "relays": {}}
    with common.fakes(media_bytes=size) as urls:
        env = common.bench_env(BENCH_ASSEMBLYAI_URL=urls["assemblyai"], BENCH_TWILIO_MEDIA_URL=urls["twilio"])
        for mode in ("streamed", "whole"):
            uploaded_before = fake_stats(urls["assemblyai"])["values"].get("upload_bytes", 0)
            completed = subprocess.run(
                [sys.executable, "-m", "bench.memory", "--relay", mode],
                cwd=common.ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if completed.returncode != 0:
                raise RuntimeError(f"relay {mode} failed:\n{completed.stderr[-2000:]}")
            outcome = json.loads(completed.stdout.strip().splitlines()[-1])
            uploaded = fake_stats(urls["assemblyai"])["values"].get("upload_bytes", 0) - uploaded_before
            # The warm-up relay uploaded 64 KiB too; the big one must have arrived whole.
            outcome["bytes_received_by_fake"] = uploaded - 64 * 1024
            outcome["complete"] = outcome["bytes_received_by_fake"] == size
            outcome["mib_per_second"] = round(size / MIB / outcome["seconds"], 1)
            results["relays"][mode] = outcome
            print(
                f"  relay {mode:<9} growth {outcome['growth_mib']:7.1f} MiB  "
                f"{outcome['seconds']:6.2f} s  complete={outcome['complete']}",
                flush=True,
            )
        # The archive path too: Twilio -> the recordings storage (folder and loopback S3), verified.
        sizes = [int(part) for part in args.archive_megabytes.split(",")]
        results["archive"] = archive.main_archive(sizes, urls["twilio"])
        twilio_stats = fake_stats(urls["twilio"])["values"]
        results["credentials_reached_storage"] = twilio_stats.get("storage_saw_credentials", 0)
        results["media_401"] = twilio_stats.get("media_401", 0)
    common.write_result("memory", results)
    return results


if __name__ == "__main__":
    main()
