"""Admin for transcripts and AssemblyAI's raw webhook deliveries: the admin is the log.

Everything AssemblyAI reported is read-only. The resubmit/refetch actions live in admin_actions.py.
"""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audio.models import AudioAsset
from audit.admin_mixins import AuditedAdmin
from djtranscribe.admin_filters import fixed_values

from . import admin_actions
from .models import Participant, Transcript, WebhookDelivery
from .presentation import short
from .retention import TranscriptKept, transcript_delete
from .selectors import assets_visible_to, deliveries_visible_to, transcripts_visible_to


def is_changelist(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_changelist"))


def _is_low(word: dict, threshold: float) -> bool:
    confidence = word.get("confidence")
    return isinstance(confidence, int | float) and confidence < threshold


def _render_word(word: dict, threshold: float) -> str:
    text = str(word.get("text", ""))
    if _is_low(word, threshold):
        return format_html(
            '<mark class="low-confidence" title="confidence {}">{}</mark>', f"{word['confidence']:.2f}", text
        )
    return format_html("<span>{}</span>", text)


TRANSCRIPT_EDITABLE = ("audio_url", "recording_sid", "call_sid", "speech_models")


class ParticipantInline(admin.TabularInline):
    """The names of the transcript's channels or speakers (a missing one shows its default)."""

    model = Participant
    extra = 0


@admin.register(Transcript)
class TranscriptAdmin(AuditedAdmin, admin.ModelAdmin):
    inlines = [ParticipantInline]
    list_display = (
        "__str__",
        "status",
        "short_error",
        "audio_source",
        "recording_sid",
        "call_sid",
        "confidence",
        "audio_duration",
        "created_at",
    )
    # No date_hierarchy on these growing tables: its year list is a SELECT DISTINCT over every row
    # (≈250 ms at 100,000 on SQLite, bench part 3); the date filters cover the same need.
    list_filter = ("status", "audio_source", "redact_pii", "redacted_audio", "created_at", "completed_at")
    search_fields = ("job_id", "text", "recording_sid", "call_sid", "audio_url")
    ordering = ("-created_at",)
    # Named delete_selected, it takes the place of Django's own bulk delete.
    actions = (admin_actions.delete_selected, admin_actions.resubmit, admin_actions.refetch)
    # The webhook token authenticates AssemblyAI's callbacks: never on a page.
    exclude = ("webhook_token",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("job_id", "status", "owner", "error", "last_error", "in_the_app")}),
        ("Audio", {"fields": ("audio_url", "audio_source", "upload_url", "recording_sid", "call_sid")}),
        (
            "Result",
            {
                "fields": (
                    "text",
                    "marked_words",
                    "confidence",
                    "audio_duration",
                    "language_code",
                    "speech_model_used",
                    "utterances_json",
                )
            },
        ),
        (
            "PII redaction and retention",
            {
                "fields": (
                    "redact_pii",
                    "redact_pii_policies",
                    "redact_pii_sub",
                    "redacted_audio",
                    "redacted_audio_error",
                    "redacted_audio_attempts",
                    "redacted_audio_next_at",
                    "unredacted_audio",
                    "audio_deleted_at",
                    "retention_error",
                )
            },
        ),
        (
            "Submission",
            {
                "fields": (
                    "speech_models",
                    "attempts",
                    "next_attempt_at",
                    "submitted_at",
                    "webhook_received_at",
                    "created_at",
                    "updated_at",
                    "completed_at",
                )
            },
        ),
    )
    # Everything AssemblyAI or the pipeline wrote is read-only; only where the audio is stays editable.
    readonly_fields = tuple(
        name for _, options in fieldsets for name in options["fields"] if name not in TRANSCRIPT_EDITABLE
    )

    def get_readonly_fields(self, request, obj=None):
        """On a finished transcript (completed or error) the audio and models it was made from are
        read-only too: the row must keep saying what produced its result (retry or transcribe anew)."""
        if obj is not None and obj.is_final:
            return (*self.readonly_fields, *TRANSCRIPT_EDITABLE)
        return self.readonly_fields

    def get_queryset(self, request):
        queryset = transcripts_visible_to(request.user, super().get_queryset(request))
        if is_changelist(request):
            # The list never shows these; long calls make them large.
            queryset = queryset.defer("words", "utterances")
        return queryset

    def has_add_permission(self, request):
        return False  # transcripts come from `manage.py transcribe` and the pipeline

    def delete_model(self, request, obj):
        """At AssemblyAI first; raises TranscriptKept (the row stays) when it cannot confirm."""
        transcript_delete(obj)

    def delete_queryset(self, request, queryset):
        _, kept = admin_actions.delete_each(queryset)
        admin_actions.report_kept(self, request, kept)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except TranscriptKept as exc:
            # Raised inside Django's atomic delete: its log entry of the deletion rolled back too.
            self.message_user(request, str(exc), messages.ERROR)
            return redirect("admin:transcription_transcript_change", object_id)

    @admin.display(description="error")
    def short_error(self, obj):
        # A retention step that failed, or a redacted copy that could not be had, shows here too.
        return short(obj.error or obj.last_error or obj.retention_error or obj.redacted_audio_error)

    @admin.display(description="in the app")
    def in_the_app(self, obj):
        """The transcript's own page (player, search) and its downloads."""
        links = [("Transcript page", obj.get_absolute_url())]
        if obj.status == "completed":
            links += [
                (kind.upper(), reverse("transcription:export", args=[obj.pk, kind]))
                for kind in ("txt", "json", "srt", "vtt")
            ]
        return format_html_join(" · ", '<a href="{1}">{0}</a>', links)

    @admin.display(description="words (low confidence marked)")
    def marked_words(self, obj):
        """Every word, with those below TRANSCRIPTION_LOW_CONFIDENCE marked; words are escaped."""
        words = [w for w in obj.words or [] if isinstance(w, dict)]
        if not words:
            return "-"
        threshold = settings.TRANSCRIPTION_LOW_CONFIDENCE
        low = sum(1 for word in words if _is_low(word, threshold))
        return format_html(
            '<div class="transcript-words">{}</div><p class="help">{} of {} words below confidence {}.</p>',
            format_html_join(" ", "{}", ((_render_word(word, threshold),) for word in words)),
            low,
            len(words),
            threshold,
        )

    @admin.display(description="utterances")
    def utterances_json(self, obj):
        if not obj.utterances:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(obj.utterances, indent=2, ensure_ascii=False))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("received_at", "job_id", "status", "transcript_link", "processed_at", "note")
    # AssemblyAI's webhook says completed or error; fixed values, not a DISTINCT over every delivery.
    list_filter = (
        ("status", fixed_values(("completed", "completed"), ("error", "error"))),
        "received_at",
        "processed_at",
    )
    search_fields = ("job_id",)
    list_select_related = ("transcript",)
    readonly_fields = ("transcript", "job_id", "status", "body_json", "received_at", "processed_at", "note")
    exclude = ("body",)

    def get_queryset(self, request):
        queryset = deliveries_visible_to(request.user, super().get_queryset(request))
        if is_changelist(request):
            # Each row names its transcript; its words, utterances and text would be loaded for nothing.
            queryset = queryset.defer("transcript__words", "transcript__utterances", "transcript__text")
        return queryset

    def has_add_permission(self, request):
        return False  # only AssemblyAI makes these

    @admin.display(description="transcript")
    def transcript_link(self, obj):
        if obj.transcript is None:
            return "-"
        url = reverse("admin:transcription_transcript_change", args=[obj.transcript.pk])
        return format_html('<a href="{}">{}</a>', url, obj.transcript)

    @admin.display(description="body")
    def body_json(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.body, indent=2, ensure_ascii=False))


class ArchivedFilter(admin.SimpleListFilter):
    title = "verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return (("yes", "Verified"), ("no", "Not verified"), ("error", "Archive error"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "error":
            return queryset.exclude(archive_error="")
        return queryset


# Registered here, not in audio/: who may see an asset follows the transcripts that use it, and
# audio knows nothing of transcripts.
@admin.register(AudioAsset)
class AudioAssetAdmin(admin.ModelAdmin):
    """Read-only: assets are made and archived by the pipeline; this shows where one stands."""

    list_display = ("__str__", "origin_kind", "label", "size", "channels", "verified", "archive_error")
    list_filter = (
        "origin_kind",
        ArchivedFilter,
        ("channels", fixed_values((1, "1 (mono)"), (2, "2 (one per party)"))),
        "redaction",
        "created_at",
    )
    search_fields = ("origin_id", "label", "sha256")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, today

    def get_queryset(self, request):
        return assets_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an asset goes with its last transcript (transcription.retention)

    @admin.display(description="verified", boolean=True)
    def verified(self, obj):
        return obj.archived_at is not None
