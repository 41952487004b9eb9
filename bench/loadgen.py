"""A small HTTP/1.1 load generator: asyncio, raw sockets, prepared requests.

Every request is built (and signed) before the clock starts, so the generator spends its time on
sockets only. N clients each take the next request from the list until the list or the time runs
out; a connection is reused when the server keeps it alive (gunicorn's sync workers do not, so
each request then pays a loopback connect, like a webhook from Twilio does).
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency in ms at percentile p (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    def summary(self) -> dict:
        return {
            "requests": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "error_samples": self.error_samples[:5],
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p90_ms": round(self.percentile(90), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(max(self.latencies) * 1000, 2) if self.latencies else None,
            "client_cpu_seconds": round(self.client_cpu_seconds, 3),
        }


def build_request(
    method: str, path: str, *, host: str, body: bytes = b"", headers: dict | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; answer (status, server keeps the connection open)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before a response")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, keep_alive = None, False, status_line.startswith(b"HTTP/1.1")
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection":
            keep_alive = value == b"keep-alive"
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        keep_alive = False
    return status, keep_alive


async def _run(
    host: str, port: int, requests: list[bytes], expect: frozenset[int], concurrency: int, max_seconds: float
) -> LoadResult:
    result = LoadResult()
    next_index = 0
    deadline = time.perf_counter() + max_seconds

    async def client() -> None:
        nonlocal next_index
        reader = writer = None
        while next_index < len(requests) and time.perf_counter() < deadline:
            raw = requests[next_index]
            next_index += 1
            result.sent += 1
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(raw)
                status, keep_alive = await asyncio.wait_for(_read_response(reader), timeout=30)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                result.errors += 1
                result.error_samples.append(f"{type(exc).__name__}: {exc}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            result.latencies.append(time.perf_counter() - started)
            if status in expect:
                result.ok += 1
            else:
                result.errors += 1
                result.error_samples.append(f"HTTP {status}")
            if not keep_alive:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu_seconds = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    return result


def run(
    host: str,
    port: int,
    requests: list[bytes],
    *,
    expect: int | Iterable[int] = 200,
    concurrency: int = 50,
    max_seconds: float = 20.0,
) -> LoadResult:
    """Send `requests` with `concurrency` clients; stop when all are sent or `max_seconds` passed.

    An answer whose status is not `expect` (one status or several) counts as an error.
    """
    expected = frozenset([expect] if isinstance(expect, int) else expect)
    return asyncio.run(_run(host, port, requests, expected, concurrency, max_seconds))
