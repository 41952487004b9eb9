"""Writes on the Twilio side: placing calls and storing what Twilio reports."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from audio.models import AudioAsset, OriginKind
from djtranscribe.lib.status import status_advance
from transcription.models import Transcript, TranscriptStatus
from transcription.pipeline.create import transcript_request
from transcription.queue import retry_delay

from . import dial_policy, twilio_client
from .audio import archived_asset, audio_withheld, media_download_url, recording_asset
from .models import CALL_STATUS_RANK, RECORDING_STATUS_RANK, Call, CallStatus, Recording, RecordingStatus
from .participants import recording_participants
from .phone import parse_number
from .queue import queue_recording_archive, queue_recording_delete
from .signals import call_completed, recording_completed

logger = logging.getLogger(__name__)

# Why Twilio kept no audio, in words an admin understands.
RECORDING_ERRORS = {
    "16101": "Twilio discarded the recording: it was shorter than the minimum length (error 16101).",
    "16102": "Twilio discarded the recording: it was silent (error 16102).",
}


def absolute_url(name: str, *args) -> str:
    """An absolute URL of this app as Twilio/AssemblyAI reach it (BASE_URL, never the Host header)."""
    return settings.BASE_URL + reverse(name, args=args)


# What placing a call needs; the dial page names the missing ones before offering its button.
DIAL_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER", "BASE_URL")


def call_place(*, number: str, user=None) -> Call:
    """Place an outbound call to `number` and store it.

    The call's row is reserved (counted by the rate limit) before Twilio is asked.
    Raises InvalidNumber (DialRefused when the dial policy says no) or TwilioError.
    """
    parsed = parse_number(number)
    twilio_client.require_settings(*DIAL_SETTINGS)
    dial_policy.check_destination(parsed)
    return call_start(to=parsed, user=user, twiml_url=lambda call: absolute_url("record-twiml"))


def call_start(*, to, user, twiml_url, **fields) -> Call:
    """Reserve the call's row, ask Twilio to call `to` (a checked Number), store Twilio's SID.

    `twiml_url(call)` is the URL Twilio fetches when `to` answers; `fields` go on the row.
    """
    call = _call_reserve(number=to, user=user, **fields)
    try:
        placed = twilio_client.place_call(
            to=to.e164,
            from_number=settings.TWILIO_PHONE_NUMBER,
            url=twiml_url(call),
            status_callback=absolute_url("call-status"),
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            time_limit=settings.DIAL_TIME_LIMIT,
            timeout=settings.DIAL_RING_TIMEOUT,
        )
    except twilio_client.TwilioError as exc:
        _reservation_release(call, exc)
        raise
    # The SID is new from Twilio, and callbacks for calls not stored yet are ignored: no row has it.
    Call.objects.filter(pk=call.pk).update(
        sid=placed.sid,
        to=placed.to,
        from_number=placed.from_number,
        status=placed.status,
        updated_at=timezone.now(),
    )
    call.refresh_from_db()
    return call


# A reserved call's SID until Twilio gives the real one (a real SID is "CA" + 32 hex digits).
RESERVED_SID_PREFIX = "reserved-"
# Far longer than asking Twilio can take (its timeouts are seconds): a reservation this old was
# left by a process that died while asking.
RESERVATION_ABANDONED = timedelta(minutes=10)


def _call_reserve(*, number, user, **fields) -> Call:
    """Count the user's calls and store this one as a row, as one step no concurrent dial can split.

    PostgreSQL: the user's row is locked (select_for_update) while counting and inserting.
    SQLite: transactions begin IMMEDIATE (settings), so writers are serialised anyway.
    """
    dialer = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        if dialer is not None:
            list(get_user_model().objects.select_for_update().filter(pk=dialer.pk).values_list("pk"))
        dial_policy.check_rate(dialer)
        return Call.objects.create(
            sid=RESERVED_SID_PREFIX + uuid.uuid4().hex[: 34 - len(RESERVED_SID_PREFIX)],
            to=number.e164,
            from_number=settings.TWILIO_PHONE_NUMBER,
            status=CallStatus.QUEUED,
            dialed_by=dialer,
            owner=dialer,
            **fields,
        )


def _reservation_release(call: Call, exc) -> None:
    """Twilio refused (4xx): no call exists, free the slot. Otherwise it may have rung: keep it as failed."""
    if exc.status is not None and exc.status < 500:
        Call.objects.filter(pk=call.pk).delete()
    else:
        Call.objects.filter(pk=call.pk).update(status=CallStatus.FAILED, updated_at=timezone.now())


def reservations_expire(*, since: datetime | None = None, now: datetime) -> list[str]:
    """End as failed the reservations whose process died while asking Twilio (else "queued" forever).

    Whether Twilio placed the call is unknown: it still counts towards the rate limit, as failed calls do.
    """
    abandoned = Call.objects.filter(
        sid__startswith=RESERVED_SID_PREFIX,
        status=CallStatus.QUEUED,
        created_at__lte=now - RESERVATION_ABANDONED,
    )
    pks = list(abandoned.values_list("pk", flat=True))
    if pks:
        Call.objects.filter(pk__in=pks).update(status=CallStatus.FAILED, updated_at=now)
        logger.warning("Ended %d abandoned call reservation(s) as failed: calls %s", len(pks), pks)
    return []  # the report's lines are missed audio; these are not


def call_status_received(*, call_sid: str, status: str, duration: str | None = None) -> Call | None:
    """Apply a call-status callback to a call this app placed (unknown calls are ignored)."""
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(sid=call_sid).first()
        if call is None:
            return None
        advanced = status_advance(call, "status", status, CALL_STATUS_RANK)
        changed = advanced
        if duration and duration.isdigit():
            call.duration = int(duration)
            changed = True
        if changed:
            call.save(update_fields=["status", "duration", "updated_at"])
        if advanced and call.status == CallStatus.COMPLETED:
            call_completed.send(sender=Call, call=call)
    return call


def recording_store(
    *,
    sid: str,
    call_sid: str,
    status: str,
    account_sid: str = "",
    duration: int | None = None,
    channels: int | None = None,
    source: str = "",
    error_code: str = "",
    error: str = "",
    started_at=None,
    received_at=None,
) -> tuple[Recording, bool]:
    """Create or update a Recording by its SID; the status only moves forward. Returns (row, created).

    `received_at`: when Twilio's callback came, the new row's created_at (now if not given).
    """
    # The fields the recording's audio asset is described with too (recording_description): one query.
    call = (
        Call.objects.filter(sid=call_sid)
        .only("pk", "sid", "to", "other_party", "direction", "owner_id")
        .first()
    )
    defaults = {
        "call_sid": call_sid,
        "call": call,
        "owner_id": call.owner_id if call is not None else None,
        "account_sid": account_sid or settings.TWILIO_ACCOUNT_SID,
        "status": status,
        "duration": duration,
        "channels": channels,
        "source": source,
        "error_code": "" if error_code in ("", "0") else error_code,
        "error": error,
        "started_at": started_at,
    }
    # No savepoint of its own: inside recording_received's transaction an error here rolls back
    # the whole callback anyway; the inner atomic keeps the savepoint the fallback needs.
    with transaction.atomic(savepoint=False):
        # Most callbacks name a recording never seen: one INSERT, no lookup first. The unique SID
        # turns a repeat (or a concurrent delivery of the same callback) into the update below.
        try:
            with transaction.atomic():
                when = {"created_at": received_at} if received_at is not None else {}
                recording = Recording.objects.create(sid=sid, **defaults, **when)
        except IntegrityError:
            recording = Recording.objects.select_for_update().get(sid=sid)
        else:
            if recording.status == RecordingStatus.COMPLETED:
                recording_completed.send(sender=Recording, recording=recording)
            return recording, True
        forward = status_advance(recording, "status", status, RECORDING_STATUS_RANK)
        if forward or recording.status == status:
            for field, value in defaults.items():
                if field != "status" and value not in (None, ""):
                    setattr(recording, field, value)
        recording.save()
        if forward and recording.status == RecordingStatus.COMPLETED:
            recording_completed.send(sender=Recording, recording=recording)
    return recording, False


def recordings_for_call(call_sid: str) -> list[Recording]:
    """List a call's recordings at Twilio and store them. Raises TwilioError."""
    infos = twilio_client.list_recordings(call_sid)
    return [recording_store_info(info, call_sid=call_sid)[0] for info in infos]


def recording_store_info(info: twilio_client.RecordingInfo, *, call_sid: str = "") -> tuple[Recording, bool]:
    """recording_store() for a recording as Twilio's REST API describes it. Returns (row, created)."""
    return recording_store(
        sid=info.sid,
        call_sid=info.call_sid or call_sid,
        status=info.status or "completed",
        account_sid=info.account_sid,
        duration=info.duration,
        channels=info.channels,
        source=info.source,
        error_code=info.error_code,
        started_at=info.start_time,
    )


def recording_problem(*, status: str, error_code: str = "") -> str:
    """Human text for an `absent` or `failed` recording ("" for the others)."""
    if status not in (RecordingStatus.ABSENT, RecordingStatus.FAILED):
        return ""
    if error_code in RECORDING_ERRORS:
        return RECORDING_ERRORS[error_code]
    what = "kept no audio" if status == RecordingStatus.ABSENT else "failed to make the recording"
    return f"Twilio {what}" + (f" (error {error_code})." if error_code not in ("", "0") else ".")


def recording_received(*, sid: str, call_sid: str, status: str, error_code: str = "", **fields) -> Recording:
    """Apply a recording-status callback: store the recording and, once it is complete, request
    its one transcript (submitted in the background on commit). No outbound HTTP here.
    """
    with transaction.atomic():
        recording, _ = recording_store(
            sid=sid,
            call_sid=call_sid,
            status=status,
            error_code=error_code,
            error=recording_problem(status=status, error_code=error_code),
            **fields,
        )
        # A recording whose transcript someone deleted stays untranscribed (a repeated callback too).
        if recording.status == RecordingStatus.COMPLETED and recording.transcript_deleted_at is None:
            recording_transcribe(recording)
    return recording


def recording_transcribe(recording: Recording) -> bool:
    """Give a completed recording its audio asset and its one transcript, and queue the archive.

    The transcript's upload waits for the archive; in `url` mode AssemblyAI gets Twilio's URL at once.
    No outbound HTTP here. Answers whether the transcript was created now.
    """
    asset = recording_asset(recording)
    call = recording.call
    _, created = transcript_request(
        audio_url=media_download_url(recording),
        recording_sid=recording.sid,
        call_sid=recording.call_sid,
        audio=asset,
        owner=recording.owner_id,
        participants=recording_participants(recording),
        sensitive=call is not None and call.sensitive,
    )
    if not asset.is_archived:
        queue_recording_archive(recording.sid)
    return created


# How long after a call ends Twilio surely has its recordings (see recordings_reconcile).
RECORDINGS_SETTLED = timedelta(hours=1)


def recordings_reconcile(
    *, since: datetime, now: datetime, grace: timedelta = timedelta(minutes=5)
) -> list[str]:
    """Find recordings whose callback never came, and request their transcripts.

    Completed recordings already stored (e.g. listed by get-recording-url) need no Twilio request;
    recent answered calls with no recording stored are listed at Twilio, one request per call.
    caller's sync_transcripts runs it.
    """
    found = []
    transcribed = Transcript.objects.exclude(recording_sid="").values("recording_sid")
    stored = Recording.objects.filter(
        status=RecordingStatus.COMPLETED,
        created_at__gte=since,
        updated_at__lte=now - grace,
        transcript_deleted_at__isnull=True,
    ).exclude(sid__in=transcribed)
    for recording in stored:
        recording_transcribe(recording)
        found.append(f"{recording.call_sid}: recording {recording.sid} queued")
    # Archives whose task was lost (a dead worker, a broken queue): their transcripts wait for them.
    unarchived = AudioAsset.objects.filter(
        origin_kind=OriginKind.TWILIO_RECORDING,
        archived_at__isnull=True,
        updated_at__lte=now - grace,
        transcripts__status=TranscriptStatus.PENDING,
    ).distinct()
    for asset in unarchived:
        queue_recording_archive(asset.origin_id)
        found.append(f"recording {asset.origin_id}: archive queued again")
    calls = Call.objects.filter(
        status=CallStatus.COMPLETED,
        created_at__gte=since,
        updated_at__lte=now - grace,
        recordings__isnull=True,
    ).filter(
        # Twilio has a call's recordings within minutes of its end: once a listing made an hour
        # after the end found none, there are none (a call hung up before <Record>), so stop asking.
        Q(recordings_checked_at__isnull=True)
        | Q(recordings_checked_at__lt=F("updated_at") + RECORDINGS_SETTLED)
    )
    for call in calls:
        recordings = recordings_for_call(call.sid)
        if not recordings:
            # update(), not save(): updated_at stands for the call's end in the filter above.
            Call.objects.filter(pk=call.pk).update(recordings_checked_at=now)
        for recording in recordings:
            if recording.status == RecordingStatus.COMPLETED:
                created = recording_transcribe(recording)
                found.append(f"{call.sid}: recording {recording.sid}" + (" queued" if created else ""))
    return found


def on_transcript_deleted(sender, instance, **kwargs) -> None:
    """Receiver of Transcript's post_delete: a deleted transcript stays deleted (see recordings_reconcile)."""
    if instance.recording_sid and not instance.deleted_as_rollback:
        Recording.objects.filter(sid=instance.recording_sid).update(transcript_deleted_at=timezone.now())


# -- deleting recordings once transcribed (TWILIO_DELETE_RECORDINGS) ---------------


def on_transcript_completed(sender, transcript, **kwargs) -> None:
    """Receiver of transcription's transcript_completed: queue the recording's deletion on commit."""
    if settings.TWILIO_DELETE_RECORDINGS and transcript.recording_sid:
        queue_recording_delete(transcript.recording_sid)


def recording_delete_attempt(*, recording_sid: str, attempt: int = 0) -> str:
    """Delete a recording at Twilio once its transcript is completed and archive verified; mark it `deleted`.

    A recording Twilio no longer has counts as deleted. Transient failures are retried with
    backoff; the transcript is never touched. Answers deleted, retrying, failed or skipped.
    """
    completed = Transcript.objects.filter(recording_sid=recording_sid, status=TranscriptStatus.COMPLETED)
    if not completed.exists():
        return "skipped"  # e.g. resubmitted meanwhile: the audio may be needed again
    if archived_asset(recording_sid) is None:
        return "skipped"  # the archive is the copy that stays: never delete Twilio's before it
    if audio_withheld(recording_sid):
        # PII redaction: the copy that stays is the redacted one (redacted_audio_archived queues us again).
        return "skipped"
    recording = Recording.objects.filter(sid=recording_sid)
    if recording.filter(status=RecordingStatus.DELETED).exists():
        return "skipped"  # already deleted (completion and the redacted copy both ask)
    try:
        twilio_client.delete_recording(recording_sid)
    except twilio_client.TwilioError as exc:
        if exc.retryable and attempt + 1 < settings.TRANSCRIPTION_MAX_ATTEMPTS:
            delay = retry_delay(attempts=attempt + 1)
            queue_recording_delete(
                recording_sid, attempt=attempt + 1, run_after=timezone.now() + timedelta(seconds=delay)
            )
            return "retrying"
        logger.warning("Recording %s was not deleted at Twilio: %s", recording_sid, exc)
        recording.update(error=f"Not deleted at Twilio: {exc}"[:255], updated_at=timezone.now())
        return "failed"
    recording.update(status=RecordingStatus.DELETED, error="", updated_at=timezone.now())
    return "deleted"
