"""A fake worker: runs what the task backend collected, and can die mid-task."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends

from djtranscribe.lib.tasks import INBOX_PRIORITY
from tests.fakes.twilio import CALL_SID, MEDIA_URL, RECORDING_SID

_real_now = timezone.now

# The production task backend, for tests that need real task rows (the suite's default is DummyBackend).
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


class WorkerKilled(BaseException):
    """The worker's process dying mid-request: nothing after it runs (not even `except Exception`)."""


@dataclass
class Ran:
    name: str
    args: list
    kwargs: dict
    run_after: datetime | None
    ran_at: datetime
    outcome: str


class TaskQueue:
    """Runs what the DummyBackend collected, with on-commit callbacks executed.

    In the worker's order: the highest priority first (webhook deliveries, INBOX_PRIORITY), then
    in the order queued. A task queued with run_after runs when the clock says so: the clock
    (django.utils.timezone.now) jumps forward to it, as if the worker had waited.
    """

    def __init__(self, capture):
        self.capture = capture
        self.ran: list[Ran] = []
        self.ran_ids: set[str] = set()
        self.offset = timedelta(0)

    @property
    def backend(self):
        # Looked up each time: override_settings(TASKS=...) makes new backends, and when it ends
        # the tasks queued after it go to a new DummyBackend.
        return task_backends["default"]

    @property
    def pending(self):
        return [r for r in self.backend.results if r.id not in self.ran_ids]

    @property
    def outcomes(self):
        return [r.outcome for r in self.ran]

    def now(self):
        return _real_now() + self.offset

    def run_all(self, limit=50):
        """Run queued tasks until none is left; answers what ran."""
        for _ in range(limit):
            if not self.pending:
                return self.ran
            self._run(max(self.pending, key=lambda r: r.task.priority))  # max: the first of equals
        raise AssertionError(f"still tasks queued after {limit}: a task re-queues itself forever")

    def _run(self, result):
        with mock.patch.object(timezone, "now", self.now):
            run_after = result.task.run_after
            if run_after is not None and run_after > self.now():
                self.offset += run_after - self.now()
            ran_at = self.now()
            with self.capture(execute=True):
                outcome = result.task.call(*result.args, **result.kwargs)
            self.ran_ids.add(result.id)  # not before: a task that raised stays queued
            self.ran.append(Ran(result.task.name, result.args, result.kwargs, run_after, ran_at, outcome))

    def delays(self):
        """Seconds between each task's run and the run_after of the task it queued next."""
        return [
            round((later.run_after - earlier.ran_at).total_seconds())
            for earlier, later in zip(self.ran, self.ran[1:], strict=False)
            if later.run_after is not None
        ]


def run_inbox() -> list[str]:
    """Run the deliveries webhooks queued (tasks of INBOX_PRIORITY) and take them off the queue.

    What the worker does first, right after the request: the views only queue these (see
    caller.callbacks). With the DatabaseBackend (test_worker.py) there is nothing to do here:
    the real worker runs them.
    """
    backend = task_backends["default"]
    if not hasattr(backend, "results"):
        return []
    inbox = [
        r for r in backend.results if r.task.priority == INBOX_PRIORITY and r.status == TaskResultStatus.READY
    ]
    for result in inbox:
        backend.results.remove(result)
    return [result.task.call(*result.args, **result.kwargs) for result in inbox]


@pytest.fixture
def task_queue(django_capture_on_commit_callbacks):
    queue = TaskQueue(django_capture_on_commit_callbacks)
    queue.backend.clear()
    yield queue
    queue.backend.clear()


def request_transcript(task_queue, audio_url=MEDIA_URL, recording_sid=RECORDING_SID):
    """Ask the transcription app alone for a transcript (no asset, no archive); its tasks stay queued."""
    from transcription.pipeline.create import transcript_request

    with task_queue.capture(execute=True):
        transcript, _ = transcript_request(audio_url=audio_url, recording_sid=recording_sid)
    return transcript


def request_recording_transcript(task_queue, recording_sid=RECORDING_SID, call_sid=CALL_SID):
    """A completed Twilio recording as caller hands it over: archived by the worker, then uploaded.

    Its tasks stay queued (the archive first); answers the transcript.
    """
    from caller.services import recording_received
    from transcription.models import Transcript

    with task_queue.capture(execute=True):
        recording_received(sid=recording_sid, call_sid=call_sid, status="completed")
    return Transcript.objects.get(recording_sid=recording_sid)
