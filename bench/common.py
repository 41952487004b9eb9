"""What every bench part shares: the fake credentials, paths, and starting/stopping servers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

# The workers' lower CPU priority, as make run starts them (and docs/deploying.md's units: Nice=10).
from scripts.run import at_lower_priority  # noqa: F401 (bench parts start workers with it)

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
PYTHON = sys.executable

BENCH_ACCOUNT_SID = "AC" + "b" * 32
BENCH_AUTH_TOKEN = "bench-twilio-auth-token-0123456789"
BENCH_ASSEMBLYAI_KEY = "bench-assemblyai-key-0123456789"
BENCH_WEBHOOK_SECRET = "bench-webhook-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of a bench subprocess: bench settings, none of the developer's pipeline knobs."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRANSCRIPTION_")}
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT))
    env.update({key: str(value) for key, value in extra.items()})
    return env


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop one process we started: TERM, then KILL if it does not go."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


@contextmanager
def fakes(media_bytes: int = 64 * 1024):
    """Start bench/fakes.py; yield {"assemblyai": url, "twilio": url}."""
    process = subprocess.Popen(
        [PYTHON, "-m", "bench.fakes", "--media-bytes", str(media_bytes)],
        cwd=ROOT,
        env=bench_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("bench.fakes exited before listening")
        yield json.loads(line)
    finally:
        process.stdin.close()
        stop(process)


@contextmanager
def gunicorn(port: int, env: dict[str, str], workers: int = 2, worker_class: str = "sync"):
    """gunicorn serving the app (bench settings) on 127.0.0.1:port."""
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "djtranscribe.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port, process=process)
        yield process
    finally:
        stop(process)


def run_django(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def vm_kib(field: str) -> int:
    """VmRSS / VmHWM (peak RSS) of this process from /proc, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def write_result(name: str, data: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path
