"""Admin actions for transcripts (wired into TranscriptAdmin.actions by transcription/admin.py)."""

from django.contrib import admin, messages

from . import services


@admin.action(description="Resubmit to AssemblyAI (as a new job)")
def resubmit(modeladmin, request, queryset):
    """Start the selected unfinished or failed transcripts over; completed ones are left alone."""
    started = skipped = 0
    for transcript in queryset:
        if services.transcript_resubmit(transcript=transcript):
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
            services.queue_fetch(transcript.pk)
            queued += 1
    modeladmin.message_user(request, f"Queued a fetch for {queued} transcript(s).", messages.SUCCESS)
    if queued < len(queryset):
        modeladmin.message_user(
            request,
            f"Skipped {len(queryset) - queued}: final already, or never submitted (use Resubmit).",
            messages.WARNING,
        )
