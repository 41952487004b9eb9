"""Admin for transcripts and AssemblyAI's raw webhook deliveries: the admin is the log.

Everything AssemblyAI reported is read-only. The resubmit/refetch actions live in admin_actions.py.
"""

import json

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from . import admin_actions
from .models import Transcript, WebhookDelivery

SHORT = 60


def short(text: str, length: int = SHORT) -> str:
    return Truncator(text or "").chars(length)


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


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
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
    list_filter = ("status", "audio_source", "created_at", "completed_at")
    search_fields = ("job_id", "text", "recording_sid", "call_sid", "audio_url")
    ordering = ("-created_at",)
    actions = (admin_actions.resubmit, admin_actions.refetch)
    # The webhook token authenticates AssemblyAI's callbacks: never on a page.
    exclude = ("webhook_token",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = (
        "job_id",
        "status",
        "audio_source",
        "upload_url",
        "text",
        "marked_words",
        "confidence",
        "audio_duration",
        "language_code",
        "speech_model_used",
        "error",
        "attempts",
        "last_error",
        "next_attempt_at",
        "submitted_at",
        "webhook_received_at",
        "created_at",
        "updated_at",
        "completed_at",
        "utterances_json",
    )
    fieldsets = (
        (None, {"fields": ("job_id", "status", "error", "last_error")}),
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_changelist(request):
            # The list never shows these; long calls make them large.
            queryset = queryset.defer("words", "utterances")
        return queryset

    def has_add_permission(self, request):
        return False  # transcripts come from `manage.py transcribe` and the pipeline

    @admin.display(description="error")
    def short_error(self, obj):
        return short(obj.error or obj.last_error)

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
    list_display = ("received_at", "job_id", "status", "transcript_link", "processed_at")
    list_filter = ("status", "received_at", "processed_at")
    search_fields = ("job_id",)
    list_select_related = ("transcript",)
    readonly_fields = ("transcript", "job_id", "status", "body_json", "received_at", "processed_at")
    exclude = ("body",)

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
