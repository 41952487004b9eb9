"""Two real workers at once on PostgreSQL: select_for_update(skip_locked) and the row claim hold.

Runs only on PostgreSQL (make test-postgres): SQLite serialises writers, so nothing there is
concurrent enough to prove anything. The workers are django-tasks-db's own Worker (what
`db_worker --batch` runs), each in a thread with its own database connection.
"""

import json
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import override_settings
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.fakes import AAI, transcript_json, webhook_headers
from tests.fakes.tasks import DATABASE_TASKS
from transcription.models import Transcript
from transcription.pipeline.create import transcript_request

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (make test-postgres)"),
    pytest.mark.django_db(transaction=True),
]

TRANSCRIPTS = 20


class CountingAssemblyAI:
    """AssemblyAI that takes a moment per request and counts jobs per audio URL, thread-safely."""

    def __init__(self, rsps):
        self.lock = threading.Lock()
        self.jobs = Counter()  # audio_url -> jobs created
        self.fetches = Counter()  # job id -> GETs
        self.in_flight = 0
        self.overlapped = threading.Event()  # two requests were in flight at the same moment
        rsps.add_callback("POST", f"{AAI}/v2/transcript", callback=self.submit)

    def submit(self, request):
        audio_url = json.loads(request.body)["audio_url"]
        with self.lock:
            self.in_flight += 1
            if self.in_flight >= 2:
                self.overlapped.set()
        # The first request waits (a little) for the other worker to be busy too.
        self.overlapped.wait(timeout=5)
        time.sleep(0.01)
        with self.lock:
            self.in_flight -= 1
            self.jobs[audio_url] += 1
        job_id = "job-" + audio_url.rsplit("/", 1)[-1]
        return 200, {}, json.dumps(transcript_json(job_id=job_id, audio_url=audio_url))


def run_two_workers():
    errors = []

    def work(worker_id):
        try:
            Worker(
                queue_names=["*"],
                interval=0.05,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and not any(t.is_alive() for t in threads)


@override_settings(TASKS=DATABASE_TASKS, TRANSCRIPTION_AUDIO_SOURCE="url")
def test_two_workers_submit_twenty_transcripts_each_exactly_once(client, mocked_http):
    assemblyai = CountingAssemblyAI(mocked_http)
    urls = [f"https://media.example/{n}" for n in range(TRANSCRIPTS)]
    for n, url in enumerate(urls):
        transcript_request(audio_url=url, recording_sid=f"RE{n:032x}")
    assert DBTaskResult.objects.filter(status="READY").count() == TRANSCRIPTS

    run_two_workers()

    assert assemblyai.overlapped.is_set()  # the two workers really ran at the same time
    assert assemblyai.jobs == Counter({url: 1 for url in urls})
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == TRANSCRIPTS
    assert all(t.status == "SUCCESSFUL" and len(t.worker_ids) == 1 for t in tasks)  # none claimed twice
    assert {t.worker_ids[0] for t in tasks} == {"worker-1", "worker-2"}
    assert Counter(t.return_value for t in tasks) == Counter({"submitted": TRANSCRIPTS})

    # Every job's webhook arrives; the two workers fetch the results.
    for transcript in Transcript.objects.all():
        mocked_http.get(
            f"{AAI}/v2/transcript/{transcript.job_id}",
            json=transcript_json("completed", job_id=transcript.job_id, text=f"text {transcript.job_id}"),
        )
        response = client.post(
            f"/transcription/webhook/{transcript.webhook_token}/",
            data=json.dumps({"transcript_id": transcript.job_id, "status": "completed"}),
            content_type="application/json",
            **webhook_headers(),
        )
        assert response.status_code == 200
    run_two_workers()

    transcripts = list(Transcript.objects.all())
    assert all(t.status == "completed" and t.text == f"text {t.job_id}" for t in transcripts)
    fetches = Counter(c.request.url for c in mocked_http.calls if c.request.method == "GET")
    assert sorted(fetches.values()) == [1] * TRANSCRIPTS
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0
