"""Part 4 (continued): memory of archiving a recording from Twilio into storage, folder and S3 bucket.

    python -m bench.archive [--megabytes 10,100]

The app's own archive path, `caller.audio.recording_archive` (Twilio media streamed into the
recordings storage, then read back to check size and SHA-256), for each storage and each size in a
FRESH subprocess (`--run folder|s3 --bytes N`): warm-up on a 64 KiB recording, then the peak-RSS
mark is reset (/proc/self/clear_refs), tracemalloc started, and one recording of N bytes archived.
  folder  STORAGES["recordings"] = a folder under bench/out/
  s3      RECORDINGS_STORAGE_URL = a bucket of moto's S3 server, run as its own process on loopback
          (so the objects it keeps in memory are not counted in the app's process)
Flat memory shows as the same growth at both sizes: the ratio big/small is ≈1, where a copy held in
memory would make it ≈ the size ratio (10x). Writes bench/out/archive.json; memory.py calls it.
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
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

from bench import common

MIB = 1024 * 1024
TARGET_GROWTH_MIB = 30
TARGET_RATIO = 1.5
BUCKET = "bench-recordings"


def archive_one(size: int) -> dict:
    """In the subprocess: archive one recording of `size` bytes through the app's path."""
    import caller.audio
    from caller.models import Recording

    # The fake Twilio serves ?bytes=N of WAV; the rest of the path is the app's own.
    caller.audio.media_download_url = lambda recording: f"{recording.media_url}?bytes={recording.duration}"
    recording = Recording.objects.create(
        sid=f"RE{secrets.token_hex(16)}", call_sid=f"CA{secrets.token_hex(16)}", duration=size
    )
    asset = caller.audio.recording_archive(recording)
    return {"verified": asset.is_archived and asset.size == size, "name": asset.file.name}


def run(storage: str, size: int) -> dict:
    """In the fresh subprocess: warm up, then measure one archive of `size` bytes."""
    import django

    django.setup()
    from django.core.management import call_command

    from audio.models import AudioAsset

    call_command("migrate", verbosity=0, interactive=False)
    backend = AudioAsset._meta.get_field("file").storage
    if storage == "s3":
        client = backend.connection.meta.client
        if BUCKET not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
            client.create_bucket(Bucket=BUCKET)
    archive_one(64 * 1024)  # warm-up: imports, connection pools, first-call allocations
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = common.vm_kib("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    outcome = archive_one(size)
    seconds = time.perf_counter() - started
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = common.vm_kib("VmHWM")
    return {
        "storage": type(backend).__name__,
        "bytes": size,
        "growth_mib": round((peak - before) / 1024, 1),
        "python_peak_mib": round(python_peak / MIB, 2),
        "seconds": round(seconds, 2),
        **outcome,
    }


@contextmanager
def moto_server():
    """moto's S3 server in a process of its own on a free loopback port; yields its URL."""
    port = common.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=common.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        common.wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        common.stop(process)


def measure(env: dict[str, str], storage: str, size: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.archive", "--run", storage, "--bytes", str(size)],
        cwd=common.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"archive {storage} {size} failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main_archive(megabytes: list[int], twilio_url: str) -> dict:
    """Every storage × size, each in a fresh subprocess; the fakes must be running already."""
    if len(megabytes) != 2:
        raise SystemExit("--megabytes takes two sizes, small and big, e.g. 10,100")
    database = common.OUT_DIR / "archive.sqlite3"
    database.unlink(missing_ok=True)
    results: dict = {
        "megabytes": megabytes,
        "target_growth_mib": TARGET_GROWTH_MIB,
        "target_ratio": TARGET_RATIO,
        "storages": {},
    }
    with moto_server() as s3_url:
        for storage in ("folder", "s3"):
            env = common.bench_env(BENCH_TWILIO_MEDIA_URL=twilio_url, BENCH_DB=str(database))
            if storage == "s3":
                env["BENCH_S3_URL"] = f"s3://{BUCKET}/recordings?endpoint_url={s3_url}&region=us-east-1"
            runs = [measure(env, storage, mb * MIB) for mb in megabytes]
            small, big = runs
            # Python's own peak is exact; RSS moves by pages and can be ≈0 for a folder.
            ratio = big["python_peak_mib"] / max(small["python_peak_mib"], 0.01)
            results["storages"][storage] = {"runs": runs, "python_peak_ratio": round(ratio, 2)}
            print(
                f"  archive to {storage:<6} {megabytes[0]} -> {megabytes[1]} MiB: peak RSS "
                f"+{small['growth_mib']} -> +{big['growth_mib']} MiB, Python peak "
                f"{small['python_peak_mib']} -> {big['python_peak_mib']} MiB ({ratio:.2f}x), "
                f"verified={small['verified'] and big['verified']}",
                flush=True,
            )
    return results


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", default=os.environ.get("BENCH_ARCHIVE_MB", "10,100"))
    parser.add_argument("--run", choices=["folder", "s3"], help=argparse.SUPPRESS)
    parser.add_argument("--bytes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(args.run, args.bytes)), flush=True)
        return {}
    sizes = [int(part) for part in args.megabytes.split(",")]
    with common.fakes() as urls:
        results = main_archive(sizes, urls["twilio"])
    common.write_result("archive", results)
    return results


if __name__ == "__main__":
    main()
