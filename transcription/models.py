"""Transcription jobs and their results, as AssemblyAI reports them.

This app knows nothing of Twilio: `recording_sid` and `call_sid` are plain
strings that a caller (the `caller` app, or anyone) may fill in.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from djtranscribe.lib.fastjson import FastJSONField


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class TranscriptStatus(models.TextChoices):
    # `pending`: stored here, not yet accepted by AssemblyAI. The rest are AssemblyAI's own values.
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    ERROR = "error", "Error"


# Statuses only move forward: a late `processing` never overwrites `completed`.
STATUS_RANK = {
    TranscriptStatus.PENDING: 0,
    TranscriptStatus.QUEUED: 1,
    TranscriptStatus.PROCESSING: 2,
    TranscriptStatus.COMPLETED: 3,
    TranscriptStatus.ERROR: 3,
}
FINAL_STATUSES = (TranscriptStatus.COMPLETED, TranscriptStatus.ERROR)


class AudioSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded to AssemblyAI"
    URL = "url", "URL handed to AssemblyAI"


class RedactedAudio(models.TextChoices):
    # Where the redacted copy of a redact_pii transcript's audio stands.
    NOT_ASKED = "none", "Not asked"
    WAITING = "waiting", "Waiting for AssemblyAI"
    ARCHIVED = "archived", "Archived"
    EXPIRED = "expired", "Expired before it was downloaded"
    FAILED = "failed", "Could not be downloaded"


class Transcript(models.Model):
    """One AssemblyAI transcription job and, once it is done, its result."""

    job_id = models.CharField("AssemblyAI transcript id", max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=TranscriptStatus.choices, default=TranscriptStatus.PENDING
    )
    audio_url = models.URLField("audio URL", max_length=500, blank=True)
    audio_source = models.CharField(max_length=8, choices=AudioSource.choices, default=AudioSource.URL)
    upload_url = models.URLField("AssemblyAI upload URL", max_length=500, blank=True)
    recording_sid = models.CharField("recording SID", max_length=64, blank=True, db_index=True)
    call_sid = models.CharField("call SID", max_length=64, blank=True, db_index=True)
    # The audio this transcribes (kept in the app's own storage once archived); empty on older rows
    # whose origin could not be told.
    audio = models.ForeignKey(
        "audio.AudioAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="transcripts"
    )
    # Who may see it: its recording's owner, or whoever asked for it; nobody when unknown.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="transcripts"
    )
    # A sample call loaded for a demo (load_sample): labelled "Sample" and deletable in one click.
    is_sample = models.BooleanField("sample", default=False)

    # PII redaction, as asked at creation (TRANSCRIPTION_REDACT_PII, or the person marked it sensitive):
    # AssemblyAI then redacts text, words and utterances, and makes a beeped copy of the audio.
    redact_pii = models.BooleanField("PII redacted", default=False)
    redact_pii_policies = models.JSONField("PII policies", default=list, blank=True)
    redact_pii_sub = models.CharField("PII substitution", max_length=16, blank=True)
    redacted_audio = models.CharField(
        max_length=16, choices=RedactedAudio.choices, default=RedactedAudio.NOT_ASKED
    )
    redacted_audio_error = models.CharField(max_length=500, blank=True)
    redacted_audio_attempts = models.PositiveIntegerField(default=0)
    # The next try (or a running attempt's lease), as `next_attempt_at` for submissions.
    redacted_audio_next_at = models.DateTimeField(null=True, blank=True)
    # The unredacted original, kept by KEEP_UNREDACTED_AUDIO (played only with audio.play_unredacted).
    unredacted_audio = models.ForeignKey(
        "audio.AudioAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Retention: when RETENTION_AUDIO_DAYS deleted its audio (the text stays), and what failed last.
    audio_deleted_at = models.DateTimeField(null=True, blank=True)
    retention_error = models.CharField(max_length=500, blank=True)

    # Result, as AssemblyAI returned it.
    text = models.TextField(blank=True)
    words = FastJSONField(default=list, blank=True)
    utterances = FastJSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    audio_duration = models.FloatField("audio duration (s)", null=True, blank=True)
    language_code = models.CharField(max_length=16, blank=True)
    speech_model_used = models.CharField(max_length=64, blank=True)
    error = models.TextField("AssemblyAI error", blank=True)

    # Submission bookkeeping: the truth about retries lives here, not in a queue table.
    speech_models = models.JSONField(default=list, blank=True)
    # The key terms sent with the submission (keyterms_prompt), so accuracy can be compared with and
    # without them.
    keyterms = models.JSONField(default=list, blank=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    webhook_received_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    # Set to True before delete() when the row goes because creating it failed (a rollback, not a
    # person's decision): receivers of post_delete then do not treat the audio as deleted on purpose.
    deleted_as_rollback = False

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One transcript per recording: a repeated callback must not make a second one.
            models.UniqueConstraint(
                fields=["recording_sid"],
                condition=~Q(recording_sid=""),
                name="transcript_unique_recording_sid",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="transcript_status_created")]

    def __str__(self) -> str:
        return self.job_id or f"Transcript #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("transcription:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class WebhookDelivery(models.Model):
    """One raw delivery of AssemblyAI's webhook, kept as it came."""

    transcript = models.ForeignKey(
        Transcript, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    job_id = models.CharField("transcript id", max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=32, blank=True)
    body = models.JSONField(default=dict, blank=True)
    # When the request came (the view's clock), not when the inbox's worker stored it.
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What the app did about it beyond the usual fetch, e.g. deleting an orphan job.
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.job_id or '-'} {self.status} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class Participant(models.Model):
    """A display name for one voice of a transcript: a channel ("1", "2") or a diarized speaker ("A").

    Rows, not JSON on the transcript: a rename is a one-row write (no read-modify-write of the
    transcript with its words), the key is unique per transcript, and the admin can list them.
    A voice without a row shows under its default name ("Channel 1", "Speaker A").
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="participants")
    key = models.CharField(max_length=8)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["transcript", "key"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "key"], name="participant_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.name}"


class RevisionKind(models.TextChoices):
    ORIGINAL = "original", "Engine's original"
    EDIT = "edit", "Corrected"
    ACCEPT = "accept", "Word accepted"
    REVERT = "revert", "Reverted"
    SPEAKERS = "speakers", "Speakers merged"


class Revision(models.Model):
    """One saved state of a transcript's words; the Transcript row always holds the latest.

    Revision 0 keeps the engine's output whole (``original_*``), written at the first save, so it is
    never lost. Every later revision keeps only the hunk that turned the one before into it
    (``editing.align.diff_patch``): a one-word correction on a 30,000-word transcript stores two
    words, and reverting walks the hunks back exactly (texts, timings, confidences).
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=RevisionKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=300, blank=True)
    patch = models.JSONField(default=dict, blank=True)
    reverted_to = models.PositiveIntegerField(null=True, blank=True)
    original_text = models.TextField(blank=True)
    original_words = FastJSONField(null=True, blank=True)
    original_utterances = FastJSONField(null=True, blank=True)

    class Meta:
        ordering = ["transcript", "number"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "number"], name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Transcript #{self.transcript_id} revision {self.number} ({self.kind})"


class Review(models.Model):
    """A person's mark that a transcript is checked, with the engine's accuracy measured against it.

    Figures are word error rates of revision 0 (the engine) against the reviewed revision, as
    ``editing.wer.WerResult.as_dict``; the speech model, key terms and kind of audio are copied here
    so the Accuracy page groups reviews without reading the transcripts' words.
    """

    transcript = models.OneToOneField(Transcript, on_delete=models.CASCADE, related_name="review")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=0)
    speech_model = models.CharField(max_length=64, blank=True)
    keyterms = models.PositiveIntegerField("key terms sent", default=0)
    call_type = models.CharField(max_length=32, blank=True)
    accuracy = models.JSONField(default=dict, blank=True)
    by_participant = models.JSONField(default=dict, blank=True)
    corrections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Review of transcript #{self.transcript_id}"


class KeyTerm(models.Model):
    """A word or phrase sent to AssemblyAI with every later submission (``keyterms_prompt``)."""

    text = models.CharField(max_length=50, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text
