"""Rows for tests: one function a model, keyword arguments, the model's own defaults unless said.

Tests make their rows here, never with `Model.objects.create(`, so a new required field (an owner,
an audio asset) is filled in one place.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.fakes.assemblyai import JOB_ID
from tests.fakes.twilio import ACCOUNT, CALL_SID, RECORDING_SID

FROM_NUMBER = "+15005550006"  # Twilio's magic test number
TO_NUMBER = "+14155551234"
WORDS = [
    {"text": "Ahoy,", "start": 120, "end": 480, "confidence": 0.98, "speaker": None},
    {"text": "this", "start": 500, "end": 640, "confidence": 0.91, "speaker": None},
]


def _backdate(row, field: str, ago: timedelta | None):
    """auto_now_add fields ignore what create() is given: set them after the fact."""
    if ago is not None:
        value = timezone.now() - ago
        type(row).objects.filter(pk=row.pk).update(**{field: value})
        setattr(row, field, value)
    return row


def make_user(username="user", *, password=None, email="", perms=(), staff=False, superuser=False):
    """A user with the given permission codenames (e.g. perms=["place_call"])."""
    model = get_user_model()
    if superuser:
        user = model.objects.create_superuser(username, email, password)
    else:
        user = model.objects.create_user(username, email, password, is_staff=staff)
    if perms:
        found = list(Permission.objects.filter(codename__in=perms))
        assert sorted(p.codename for p in found) == sorted(perms), f"no such permission among {perms}"
        user.user_permissions.add(*found)
    return user


def make_call(
    sid=CALL_SID, *, to=TO_NUMBER, from_number=FROM_NUMBER, dialed_by=None, created_ago=None, **fields
):
    """A Twilio call; `created_ago` (a timedelta) backdates it."""
    from caller.models import Call

    call = Call.objects.create(sid=sid, to=to, from_number=from_number, dialed_by=dialed_by, **fields)
    return _backdate(call, "created_at", created_ago)


def make_recording(call=None, *, sid=RECORDING_SID, call_sid=None, account_sid=ACCOUNT, **fields):
    """A Twilio recording, of `call` when given (else of a call known only by its SID)."""
    from caller.models import Recording

    if call_sid is None:
        call_sid = call.sid if call is not None else CALL_SID
    return Recording.objects.create(sid=sid, call=call, call_sid=call_sid, account_sid=account_sid, **fields)


def make_transcript(*, completed=False, submitted=False, created_ago=None, **fields):
    """A transcript row: by default a new one nobody submitted yet.

    completed=True: AssemblyAI's finished answer (status, text, words, completed_at);
    submitted=True: a job AssemblyAI has accepted (queued), waiting for its webhook;
    other keywords override either; `created_ago` (a timedelta) backdates it.
    """
    from transcription.models import Transcript, TranscriptStatus

    values = {}
    if submitted:
        values.update(
            job_id=JOB_ID,
            status=TranscriptStatus.QUEUED,
            audio_url="https://x.example/a.wav",
            submitted_at=timezone.now(),
        )
    if completed:
        values.update(
            status=TranscriptStatus.COMPLETED,
            text=" ".join(w["text"] for w in WORDS),
            words=WORDS,
            completed_at=timezone.now(),
        )
    values.update(fields)
    return _backdate(Transcript.objects.create(**values), "created_at", created_ago)


def make_delivery(transcript=None, *, job_id=None, received_ago=None, **fields):
    """A stored AssemblyAI webhook delivery, of `transcript` when given (job id taken from it)."""
    from transcription.models import WebhookDelivery

    if job_id is None:
        job_id = (transcript.job_id or "") if transcript is not None else ""
    delivery = WebhookDelivery.objects.create(transcript=transcript, job_id=job_id, **fields)
    return _backdate(delivery, "received_at", received_ago)


def make_profile(user, phone_number="+14155552671"):
    """A user's own phone number (stored as given: no dial policy here)."""
    from caller.models import CallerProfile

    return CallerProfile.objects.create(user=user, phone_number=phone_number)


def make_endpoint(owner=None, *, url="https://hooks.example.com/djt", events=None, **fields):
    """An outbound webhook endpoint (notify), subscribed to every event unless `events` says."""
    from notify.models import SUBSCRIBABLE, Endpoint

    events = [str(event) for event in SUBSCRIBABLE] if events is None else events
    return Endpoint.objects.create(owner=owner, url=url, events=events, **fields)
