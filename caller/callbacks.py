"""Twilio's recording-status callback as an inbox: one durable task row in the request, the rest later.

The view checks the signature and the fields (a 400 says what is wrong), then queues
`store_recording` carrying the callback's fields and answers 204: one INSERT, committed before
Twilio hears the answer. The worker runs that task before anything else queued (INBOX_PRIORITY)
and does what the request used to do: store the recording, give it its audio asset and its one
transcript, queue the archive. Under a burst of callbacks the request stays cheap (one row instead
of a transaction of five) and the database work happens at the worker's pace.

Nothing is lost on the way: a task row that cannot be written raises, the view answers 503
(Twilio does not retry recording callbacks; sync_transcripts lists the call's recordings), and a
worker that meets a locked or restarting database queues the same fields again a little later.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from djtranscribe.lib.tasks import inbox_store
from djtranscribe.lib.times import aware_or_none

from . import webhook_input
from .queue import queue_recording_store


def _int_or_none(value: str | None) -> int | None:
    # -1 is Twilio's "length not known yet": stored as unknown.
    return int(value) if value and value.isdigit() else None


def recording_callback_fields(data) -> dict:
    """The fields of a valid recording-status callback (see webhook_input), as JSON for a task row."""
    started_at = webhook_input.rfc2822_or_none(data.get("RecordingStartTime"))
    return {
        "sid": data.get("RecordingSid", ""),
        "call_sid": data.get("CallSid", ""),
        "status": data.get("RecordingStatus", ""),
        "account_sid": data.get("AccountSid", ""),
        "duration": _int_or_none(data.get("RecordingDuration")),
        "channels": _int_or_none(data.get("RecordingChannels")),
        "source": data.get("RecordingSource", ""),
        "error_code": data.get("ErrorCode", ""),
        "started_at": started_at.isoformat() if started_at else None,
        # The request's time: the worker may store the recording much later.
        "received_at": timezone.now().isoformat(),
    }


def recording_callback_queue(data) -> None:
    """Queue a valid callback's fields for the worker; raises when the database cannot take the row."""
    queue_recording_store(recording_callback_fields(data))


def recording_callback_store(fields: dict, *, attempt: int = 0) -> str:
    """The worker's half: store what the callback said (services.recording_received); a database
    that is locked or restarting gets the same fields queued again (lib.tasks.inbox_store).
    """
    from .services import recording_received  # services queue through .queue, which imports the tasks

    kwargs = dict(fields)
    if kwargs.get("started_at"):
        kwargs["started_at"] = datetime.fromisoformat(kwargs["started_at"])
    # A task queued before the time was carried has none: the recording is then stored as of now.
    kwargs["received_at"] = aware_or_none(kwargs.get("received_at"))

    def store() -> str:
        recording = recording_received(**kwargs)
        return f"stored ({recording.status})"  # no ids: the tasks admin shows return values

    def again(next_attempt: int, run_after: datetime) -> None:
        queue_recording_store(fields, attempt=next_attempt, run_after=run_after)

    return inbox_store(store, attempt=attempt, again=again)
