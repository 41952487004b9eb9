"""Calls placed through Twilio and the recordings Twilio made of them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from djtranscribe import access

# Call notes: a page or two of writing (about 800 words), not a second transcript.
NOTES_MAX_CHARS = 5000


class CallStatus(models.TextChoices):
    # Twilio's own values.
    QUEUED = "queued", "Queued"
    INITIATED = "initiated", "Initiated"
    RINGING = "ringing", "Ringing"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    BUSY = "busy", "Busy"
    FAILED = "failed", "Failed"
    NO_ANSWER = "no-answer", "No answer"
    CANCELED = "canceled", "Canceled"


CALL_STATUS_RANK = {
    CallStatus.QUEUED: 0,
    CallStatus.INITIATED: 1,
    CallStatus.RINGING: 2,
    CallStatus.IN_PROGRESS: 3,
    CallStatus.COMPLETED: 4,
    CallStatus.BUSY: 4,
    CallStatus.FAILED: 4,
    CallStatus.NO_ANSWER: 4,
    CallStatus.CANCELED: 4,
}


class RecordingStatus(models.TextChoices):
    # Twilio's own values.
    IN_PROGRESS = "in-progress", "In progress"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    ABSENT = "absent", "Absent"
    FAILED = "failed", "Failed"
    DELETED = "deleted", "Deleted"


RECORDING_STATUS_RANK = {
    RecordingStatus.IN_PROGRESS: 0,
    RecordingStatus.PAUSED: 0,
    RecordingStatus.STOPPED: 1,
    RecordingStatus.PROCESSING: 1,
    RecordingStatus.COMPLETED: 2,
    RecordingStatus.ABSENT: 2,
    RecordingStatus.FAILED: 2,
    RecordingStatus.DELETED: 3,
}


class CallDirection(models.TextChoices):
    # outbound-api is Twilio's own value; outbound-connect is this app's: Twilio called the user
    # first (the parent leg), then <Dial> reached the other party.
    OUTBOUND_API = "outbound-api", "Outbound"
    OUTBOUND_CONNECT = "outbound-connect", "Outbound, connecting the user"
    INBOUND = "inbound", "Inbound"


class Call(models.Model):
    """A call through Twilio: placed by this app (to one party, or connecting the user) or received."""

    sid = models.CharField("call SID", max_length=34, unique=True)
    to = models.CharField("to", max_length=32, db_index=True)
    from_number = models.CharField("from", max_length=32)
    status = models.CharField(max_length=16, choices=CallStatus.choices, default=CallStatus.QUEUED)
    duration = models.PositiveIntegerField("duration (s)", null=True, blank=True)
    direction = models.CharField(
        max_length=16, choices=CallDirection.choices, default=CallDirection.OUTBOUND_API, db_index=True
    )
    # The person at the other end: the number dialed for the user, or the inbound caller's number.
    other_party = models.CharField("other party", max_length=32, blank=True)
    caller_name = models.CharField("caller name", max_length=64, blank=True)  # Twilio's CNAM, when sent
    dialed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    # Who may see it (see djtranscribe/access.py): the user who placed it; nobody when unknown.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_calls"
    )
    # Marked before transcribing: its recordings' transcripts redact PII (text and audio).
    sensitive = models.BooleanField("sensitive: redact PII", default=False)
    # What the user wrote down about the call (caller/notes.py checks it); searchable with its
    # transcripts (search/index.py indexes it beside their text).
    notes = models.TextField(blank=True, max_length=NOTES_MAX_CHARS)
    # When sync_transcripts last asked Twilio for this call's recordings and found none.
    recordings_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("place_call", "Can place outbound calls"),
            (access.VIEW_ALL_CALLS_CODENAME, access.VIEW_ALL_CALLS_NAME),
        ]

    def __str__(self) -> str:
        return f"{self.counterpart} ({self.sid})"

    def get_absolute_url(self) -> str:
        return reverse("call-detail", args=[self.sid])

    @property
    def counterpart(self) -> str:
        """The number of the person the user talked to (for a plain call, the number called)."""
        return self.other_party or self.to


class Recording(models.Model):
    """A recording Twilio made, found by listing a call's recordings or from its callback."""

    sid = models.CharField("recording SID", max_length=34, unique=True)
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="recordings"
    )
    call_sid = models.CharField("call SID", max_length=34, db_index=True)
    account_sid = models.CharField(max_length=34, blank=True)
    # Its call's owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_recordings",
    )
    status = models.CharField(
        max_length=16, choices=RecordingStatus.choices, default=RecordingStatus.COMPLETED
    )
    duration = models.IntegerField("duration (s)", null=True, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=32, blank=True)
    error_code = models.CharField(max_length=16, blank=True)
    error = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Someone deleted its transcript: sync_transcripts must not transcribe it again.
    transcript_deleted_at = models.DateTimeField(null=True, blank=True)
    # When Twilio's callback came (the view's clock, carried by the inbox task), else when stored.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.sid

    @property
    def media_url(self) -> str:
        """The recording's media URL at Twilio (the tutorial's URL, without `.json`)."""
        account = self.account_sid or settings.TWILIO_ACCOUNT_SID
        return f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{self.sid}"


class CallerProfile(models.Model):
    """A user's own phone number (where "call them and connect me" and inbound calls ring them)
    and the time zone their pages show times in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caller_profile"
    )
    phone_number = models.CharField(
        "phone number", max_length=32, blank=True, help_text="E.164, e.g. +14155551234"
    )
    # Empty: times follow the browser's zone (caller.timezones).
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        help_text="An IANA name, e.g. Europe/Paris; empty: the browser's",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} {self.phone_number}".strip()


class ConsentParty(models.TextChoices):
    CALLER = "caller", "Caller"  # the inbound caller
    CALLEE = "callee", "Callee"  # the party <Dial> reached
    USER = "user", "User"  # the user Twilio called first (connect me)


class ConsentMode(models.TextChoices):
    NOTICE = "notice", "Notice played"
    KEYPRESS = "keypress", "Press 1 to agree"


class ConsentRecord(models.Model):
    """What recording notice one party of a call heard, when, and (keypress mode) what they answered."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="consents")
    party = models.CharField(max_length=8, choices=ConsentParty.choices)
    notice = models.TextField()
    mode = models.CharField(max_length=8, choices=ConsentMode.choices)
    played_at = models.DateTimeField()
    # None: a notice alone asks for no answer (or the answer has not come yet).
    consented = models.BooleanField(null=True, blank=True)
    digits = models.CharField(max_length=8, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["played_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "party"], name="one_consent_per_party")]

    def __str__(self) -> str:
        return f"{self.call_id} {self.party}: {self.get_mode_display()}"
