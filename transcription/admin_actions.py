"""Admin actions for transcripts (wired into TranscriptAdmin.actions by transcription/admin.py)."""

import copy

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected

from .pipeline.submit import transcript_resubmit
from .queue import queue_fetch
from .retention import TranscriptKept, transcript_delete


def delete_each(transcripts) -> tuple[list, list[str]]:
    """Delete transcripts one by one, here and at AssemblyAI. Answers (deleted, why others were kept).

    The deleted come back as copies that still carry their pk, for the admin's log.
    """
    deleted, kept = [], []
    for transcript in transcripts:
        snapshot = copy.copy(transcript)
        try:
            transcript_delete(transcript)
        except TranscriptKept as exc:
            kept.append(str(exc))
        else:
            deleted.append(snapshot)
    return deleted, kept


def report_kept(modeladmin, request, kept: list[str]) -> None:
    for reason in kept:
        modeladmin.message_user(request, reason, messages.ERROR)


@admin.action(permissions=["delete"], description="Delete selected transcripts (here and at AssemblyAI)")
def delete_selected(modeladmin, request, queryset):
    """Django's confirmation page, then each transcript deleted at AssemblyAI first; kept ones say why."""
    if not request.POST.get("post"):
        return django_delete_selected(modeladmin, request, queryset)
    deleted, kept = delete_each(queryset)
    if deleted:
        modeladmin.log_deletions(request, deleted)
        modeladmin.message_user(
            request, f"Deleted {len(deleted)} transcript(s) here and at AssemblyAI.", messages.SUCCESS
        )
    report_kept(modeladmin, request, kept)
    return None


@admin.action(description="Resubmit to AssemblyAI (as a new job)")
def resubmit(modeladmin, request, queryset):
    """Start the selected unfinished or failed transcripts over; completed ones are left alone."""
    started = skipped = 0
    for transcript in queryset:
        if transcript_resubmit(transcript=transcript):
            started += 1
        else:
            skipped += 1
    modeladmin.message_user(request, f"Queued {started} transcript(s) for submission.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
            request,
            f"Skipped {skipped} completed transcript(s): they need no resubmission.",
            messages.WARNING,
        )


@admin.action(description="Re-fetch the result from AssemblyAI")
def refetch(modeladmin, request, queryset):
    """Queue a fetch of each selected job that AssemblyAI has and that is not final here yet."""
    queued = 0
    for transcript in queryset:
        if transcript.job_id and not transcript.is_final:
            queue_fetch(transcript.pk)
            queued += 1
    modeladmin.message_user(request, f"Queued a fetch for {queued} transcript(s).", messages.SUCCESS)
    if queued < len(queryset):
        modeladmin.message_user(
            request,
            f"Skipped {len(queryset) - queued}: final already, or never submitted (use Resubmit).",
            messages.WARNING,
        )
