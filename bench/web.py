"""Part 1: webhook endpoints under gunicorn (3 workers, as deploying.md runs them) against a bare view.

    python -m bench.web [--requests N] [--seconds S] [--concurrency C]

Writes bench/out/web.json. Every scenario is bounded by N requests and S seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
from email.utils import format_datetime
from urllib.parse import urlencode

from bench import common, loadgen

CEILING_PATH = "/bench/ceiling/"
TWIML_PATH = "/record/"
RECORDING_STATUS_PATH = "/twilio/recording-status/"
WEBHOOK_PATH = "/transcription/webhook/{token}/"
WARMUP_REQUESTS = 300

TARGETS = {
    "twiml": 0.8,
    "recording_status": 0.5,
    "assemblyai_webhook": 0.5,
    "recording_status_connection_per_request": 0.5,
    "recording_status_worker_running": 0.5,
    "assemblyai_webhook_worker_running": 0.5,
}
P99_TARGET_MS = 100.0


def signed_post(port: int, path: str, params: dict[str, str], validator) -> bytes:
    url = f"http://127.0.0.1:{port}{path}"
    return loadgen.build_request(
        "POST",
        path,
        host=f"127.0.0.1:{port}",
        body=urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": validator.compute_signature(url, params),
            "User-Agent": "TwilioProxy/1.1",
        },
    )


def call_params(call_sid: str) -> dict[str, str]:
    return {
        "AccountSid": common.BENCH_ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Called": "+14155551234",
        "Caller": "+15005550006",
        "Direction": "outbound-api",
        "From": "+15005550006",
        "To": "+14155551234",
    }


def recording_params(call_sid: str, recording_sid: str) -> dict[str, str]:
    """A recording-status callback as Twilio sends it (all values strings)."""
    from django.utils import timezone

    return {
        "AccountSid": common.BENCH_ACCOUNT_SID,
        "CallSid": call_sid,
        "RecordingSid": recording_sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{common.BENCH_ACCOUNT_SID}"
        f"/Recordings/{recording_sid}",
        "RecordingStatus": "completed",
        "RecordingDuration": "42",
        "RecordingChannels": "1",
        "RecordingStartTime": format_datetime(timezone.now()),
        "RecordingSource": "RecordVerb",
        "ErrorCode": "0",
    }


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def scenario_requests(name: str, count: int, port: int, validator, ids: list[str]) -> list[bytes]:
    host = f"127.0.0.1:{port}"
    if name == "ceiling":
        return [loadgen.build_request("GET", CEILING_PATH, host=host)] * count
    if name == "twiml":
        return [signed_post(port, TWIML_PATH, call_params(new_sid("CA")), validator) for _ in range(count)]
    if name == "recording_status":
        built = []
        for _ in range(count):
            sid = new_sid("RE")
            ids.append(sid)
            params = recording_params(new_sid("CA"), sid)
            built.append(signed_post(port, RECORDING_STATUS_PATH, params, validator))
        return built
    if name == "assemblyai_webhook":
        return webhook_requests(count, port, ids)
    raise ValueError(name)


def assemblyai_webhook_available() -> bool:
    """Whether the app has the AssemblyAI webhook view (issue 3) at WEBHOOK_PATH."""
    from django.urls import Resolver404, resolve

    try:
        resolve(WEBHOOK_PATH.format(token="probe"))
    except Resolver404:
        return False
    return True


def webhook_requests(count: int, port: int, job_ids: list[str]) -> list[bytes]:
    """AssemblyAI's webhook for `count` jobs that exist at the fake and as submitted Transcript rows.

    As transcription.webhooks.assemblyai_webhook expects it: POST to the row's own token URL, the
    secret in X-Webhook-Secret (transcription.webhook_auth.HEADER), AssemblyAI's JSON body. Each row
    is queued with its job id and no webhook yet, so every request stores a delivery, marks the row
    and queues a fetch (a task row in the database) - the view's whole work, not an early return.
    """
    import requests
    from django.utils import timezone

    from transcription.models import Transcript

    session = requests.Session()
    session.headers["Authorization"] = common.BENCH_ASSEMBLYAI_KEY
    rows = []
    for _ in range(count):
        job = session.post(
            f"{os.environ['BENCH_ASSEMBLYAI_URL']}/v2/transcript",
            json={"audio_url": "https://cdn.assemblyai.com/upload/bench", "speech_models": ["universal-2"]},
            timeout=10,
        ).json()
        rows.append(
            Transcript(
                job_id=job["id"],
                status="queued",
                audio_url=job["audio_url"],
                submitted_at=timezone.now(),
            )
        )
    Transcript.objects.bulk_create(rows)
    built = []
    for row in rows:
        job_ids.append(row.job_id)
        built.append(
            loadgen.build_request(
                "POST",
                WEBHOOK_PATH.format(token=row.webhook_token),
                host=f"127.0.0.1:{port}",
                body=json.dumps({"transcript_id": row.job_id, "status": "completed"}).encode(),
                headers={
                    "Content-Type": "application/json",
                    "X-Webhook-Secret": common.BENCH_WEBHOOK_SECRET,
                    "User-Agent": "AssemblyAI-Webhook",
                },
            )
        )
    return built


EXPECTED_STATUS = {
    "ceiling": 200,
    "twiml": 200,
    "recording_status": 204,
    "assemblyai_webhook": 200,
}
# The ceiling is measured before and after the endpoints: the machine is shared, so both are kept.
ORDER = [
    ("ceiling", "ceiling"),
    ("twiml", "twiml"),
    ("recording_status", "recording_status"),
    ("ceiling", "ceiling_after"),
]


def in_process_costs(port: int, validator, runs: int = 300) -> dict:
    """Microseconds per request through Django alone (test client, no HTTP, one process).

    Less noisy than throughput on a shared machine, and it says where the time goes: the endpoint's
    own work against the ceiling's, and what closing and opening the SQLite database costs (paid on
    every request with DB_CONN_MAX_AGE=0; the app keeps its connection by default).
    """
    import time

    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=f"127.0.0.1:{port}")

    def post(path: str, params: dict[str, str]):
        signature = validator.compute_signature(f"http://127.0.0.1:{port}{path}", params)
        return client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )

    def webhook_rows(count: int):
        """Submitted transcripts waiting for their webhook (no fake AssemblyAI needed here)."""
        from django.utils import timezone

        from transcription.models import Transcript

        rows = [
            Transcript(job_id=f"inproc-{secrets.token_hex(12)}", status="queued", submitted_at=timezone.now())
            for _ in range(count)
        ]
        Transcript.objects.bulk_create(rows)
        return iter(rows)

    waiting = webhook_rows(runs + 30)

    def webhook():
        row = next(waiting)
        response = client.post(
            WEBHOOK_PATH.format(token=row.webhook_token),
            json.dumps({"transcript_id": row.job_id, "status": "completed"}),
            content_type="application/json",
            headers={"X-Webhook-Secret": common.BENCH_WEBHOOK_SECRET},
        )
        assert response.status_code == 200, response.status_code  # the whole work, not a refusal

    cases = {
        "ceiling": lambda: client.get(CEILING_PATH),
        "twiml": lambda: post(TWIML_PATH, call_params(new_sid("CA"))),
        "recording_status": lambda: post(
            RECORDING_STATUS_PATH, recording_params(new_sid("CA"), new_sid("RE"))
        ),
        "assemblyai_webhook": webhook,
        "open_database": lambda: (connection.close(), connection.ensure_connection()),
    }
    costs = {}
    for name, case in cases.items():
        for _ in range(30):
            case()
        started = time.perf_counter()
        for _ in range(runs):
            case()
        costs[name] = round((time.perf_counter() - started) / runs * 1e6)
    print("  in-process us/request: " + ", ".join(f"{k} {v}" for k, v in costs.items()), flush=True)
    return costs


def inbox_worker_command(*options: str) -> list[str]:
    """The app's own worker on the inbox queue alone, quiet, starting at once."""
    from djtranscribe.lib.tasks import INBOX_QUEUE

    return [common.PYTHON, "manage.py", "db_worker", "--queue-name", INBOX_QUEUE, *options] + [
        "--no-reload",
        "--no-startup-delay",
        "--skip-checks",
        "--verbosity",
        "0",
    ]


@contextlib.contextmanager
def inbox_worker(env: dict[str, str]):
    """The real worker on the inbox queue, running while the body of the `with` measures: it takes
    the write lock (SQLite) and the CPU the stored rows cost, as in production during a burst."""
    import subprocess

    worker = subprocess.Popen(
        inbox_worker_command("--interval", "0.1"),
        cwd=common.ROOT,
        env=env,
        preexec_fn=common.at_lower_priority,  # as make run and deploying.md run it
    )
    try:
        yield worker
    finally:
        common.stop(worker)


def drain_inbox(env: dict[str, str], workers: int = 1) -> dict:
    """Run the real worker over the inbox queue until it is empty: what the callbacks and webhooks
    handed over (they answer once their task row is written; the worker stores the rows).

    Only that queue: the work the stored rows queue in turn (archives, submissions, fetches) is
    part 2's to measure. `workers` processes at once take tasks with the library's locking, as
    several workers do in production. Answers how many tasks ran and how fast.
    """
    import subprocess
    import time

    from django_tasks_db.models import DBTaskResult

    from djtranscribe.lib.tasks import INBOX_QUEUE

    inbox = DBTaskResult.objects.filter(queue_name=INBOX_QUEUE)
    waiting = inbox.filter(status="READY").count()
    started = time.perf_counter()
    running = [
        subprocess.Popen(inbox_worker_command("--batch"), cwd=common.ROOT, env=env) for _ in range(workers)
    ]
    try:
        codes = [process.wait() for process in running]
    finally:
        for process in running:  # interrupted: none is left behind
            if process.poll() is None:
                common.stop(process)
    if any(codes):
        raise RuntimeError(f"an inbox worker exited with {codes}")
    seconds = time.perf_counter() - started
    failed = inbox.exclude(status="SUCCESSFUL").count()
    drained = {"tasks": waiting, "workers": workers, "seconds": round(seconds, 1)}
    drained |= {"per_second": round(waiting / seconds, 1), "not_successful": failed}
    print(
        f"  inbox drained by {workers} worker(s): {waiting} tasks in {seconds:.1f} s, {failed} failed",
        flush=True,
    )
    return drained


def rows_present(rows, field: str, values: list[str]) -> dict:
    """How many `values` sent have their row (`rows.field`; rows: a model or a queryset) afterwards."""
    rows = getattr(rows, "objects", rows)
    stored = set()
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        stored.update(rows.filter(**{f"{field}__in": chunk}).values_list(field, flat=True))
    return {"sent": len(values), "rows_present": len(stored), "missing": len(set(values) - stored)}


def fetches_queued(job_ids: list[str]) -> dict:
    """How many of the webhooks' transcripts have a fetch_transcript task waiting in the database."""
    from django_tasks_db.models import DBTaskResult

    from transcription.models import Transcript

    wanted = set()
    for start in range(0, len(job_ids), 500):
        wanted.update(
            Transcript.objects.filter(job_id__in=job_ids[start : start + 500]).values_list("pk", flat=True)
        )
    queued = {
        args_kwargs["args"][0]
        for args_kwargs in DBTaskResult.objects.filter(task_path__endswith=".fetch_transcript").values_list(
            "args_kwargs", flat=True
        )
    }
    return {"sent": len(job_ids), "rows_present": len(wanted & queued), "missing": len(wanted - queued)}


def on_postgres() -> dict:
    """This part again, on a throwaway PostgreSQL server, the workers keeping their connections
    (DB_CONN_MAX_AGE=600, as README advises with PostgreSQL: a new connection per request costs
    more than the request). Writes bench/out/web-postgresql.json."""
    import subprocess
    import sys

    argv = [arg for arg in sys.argv[1:] if arg != "--postgres"]
    relay = 'BENCH_DATABASE_URL="$DATABASE_URL" exec "$@"'
    command = ["bash", "scripts/with-postgres.sh", "bash", "-c", relay, "_"]
    subprocess.run(
        [*command, common.PYTHON, "-m", "bench.web", *argv],
        cwd=common.ROOT,
        env=common.bench_env(DB_CONN_MAX_AGE="600"),
        check=True,
    )
    return json.loads((common.OUT_DIR / "web-postgresql.json").read_text())


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 5000)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", 50)))
    parser.add_argument("--worker-class", default=os.environ.get("BENCH_WORKER_CLASS", "sync"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 3)))
    parser.add_argument(
        "--postgres", action="store_true", help="on a throwaway PostgreSQL (scripts/with-postgres.sh)"
    )
    args = parser.parse_args()
    if args.postgres:
        return on_postgres()

    port = common.free_port()
    db = common.OUT_DIR / "web.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    os.environ.update(BENCH_PORT=str(port), BENCH_DB=str(db), DJANGO_SETTINGS_MODULE="bench.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from twilio.request_validator import RequestValidator

    from caller.models import Recording

    call_command("migrate", verbosity=0)
    vendor = connections["default"].vendor
    if vendor == "postgresql":  # BENCH_DATABASE_URL (python -m bench.web --postgres): start empty
        call_command("flush", interactive=False, verbosity=0)
    validator = RequestValidator(common.BENCH_AUTH_TOKEN)
    results: dict = {
        "concurrency": args.concurrency,
        "max_requests": args.requests,
        "max_seconds": args.seconds,
        "server": f"gunicorn {args.workers} workers ({args.worker_class}), "
        + ("SQLite WAL" if vendor == "sqlite" else "PostgreSQL"),
        "database": vendor,
        "scenarios": {},
    }
    # What each scenario sent that must be stored: RecordingSids, AssemblyAI job ids.
    sent_ids: dict[str, list[str]] = {"recording_status": [], "assemblyai_webhook": []}

    def measure(name: str, key: str) -> None:
        ids: list[str] = []
        warmup = scenario_requests(name, WARMUP_REQUESTS, port, validator, ids)
        # The server's processes must be the database's only users while measured: a connection
        # left open here would spare them SQLite's checkpoint when their last connection closes.
        connections.close_all()
        loadgen.run("127.0.0.1", port, warmup, expect=EXPECTED_STATUS[name], concurrency=args.concurrency)
        sent_ids.setdefault(name, []).extend(ids)
        ids.clear()
        measured = scenario_requests(name, args.requests, port, validator, ids)
        connections.close_all()
        outcome = loadgen.run(
            "127.0.0.1",
            port,
            measured,
            expect=EXPECTED_STATUS[name],
            concurrency=args.concurrency,
            max_seconds=args.seconds,
        )
        # Clients take requests in order: the first `sent` were sent, the rest cut by the time limit.
        sent_ids[name].extend(ids[: outcome.sent])
        results["scenarios"][key] = outcome.summary()
        print(
            f"  {key:<30} {outcome.rps:8.1f} req/s  p50 {outcome.percentile(50):6.1f} ms  "
            f"p99 {outcome.percentile(99):6.1f} ms  errors {outcome.errors}",
            flush=True,
        )

    webhook = assemblyai_webhook_available()
    order = ORDER[:-1] + ([("assemblyai_webhook", "assemblyai_webhook")] if webhook else []) + ORDER[-1:]
    # The fake AssemblyAI is up in case the webhook view fetches the transcript before answering.
    with common.fakes() as urls:
        os.environ["BENCH_ASSEMBLYAI_URL"] = urls["assemblyai"]
        server_env = common.bench_env(BENCH_PORT=port, BENCH_DB=db, BENCH_ASSEMBLYAI_URL=urls["assemblyai"])
        with common.gunicorn(port, server_env, workers=args.workers, worker_class=args.worker_class):
            for name, key in order:
                measure(name, key)
            # The same bursts with the inbox's worker storing rows meanwhile (it also works through
            # what the scenarios above left queued, so it is busy throughout: the harder case).
            with inbox_worker(server_env):
                measure("recording_status", "recording_status_worker_running")
                if webhook:
                    measure("assemblyai_webhook", "assemblyai_webhook_worker_running")
        # Diagnosis, not a target: the same callback with a new database connection per request
        # (Django's default, the app's until round two): closing the last connection to a WAL
        # database makes SQLite checkpoint and fsync.
        server_env["DB_CONN_MAX_AGE"] = "0"
        with common.gunicorn(port, server_env, workers=args.workers, worker_class=args.worker_class):
            measure("recording_status", "recording_status_connection_per_request")
    if not webhook:
        results["scenarios"]["assemblyai_webhook"] = {"skipped": "needs issue 3's AssemblyAI webhook view"}

    results["in_process_us"] = in_process_costs(port, validator)
    # Two workers on PostgreSQL (row locks, skip locked); on SQLite one: a second would only wait
    # for the one write lock, in SQLite's busy handler.
    results["inbox"] = drain_inbox(
        common.bench_env(BENCH_PORT=port, BENCH_DB=db), workers=2 if vendor == "postgresql" else 1
    )
    results["recording_rows"] = rows_present(Recording, "sid", sent_ids["recording_status"])
    if webhook:
        from transcription.models import WebhookDelivery

        results["webhook_rows"] = rows_present(
            WebhookDelivery.objects.filter(processed_at__isnull=False),
            "job_id",
            sent_ids["assemblyai_webhook"],
        )
        results["webhook_fetches_queued"] = fetches_queued(sent_ids["assemblyai_webhook"])
    scenarios = results["scenarios"]
    ceiling = max(scenarios["ceiling"]["rps"], scenarios["ceiling_after"]["rps"])
    results["ceiling_rps"] = ceiling
    for name, target in TARGETS.items():
        data = scenarios.get(name, {})
        if "rps" in data:
            data["ratio"] = round(data["rps"] / ceiling, 3) if ceiling else None
            data["target_ratio"] = target
    results["p99_target_ms"] = P99_TARGET_MS
    common.write_result("web" if vendor == "sqlite" else f"web-{vendor}", results)
    return results


if __name__ == "__main__":
    main()
