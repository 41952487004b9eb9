""" "Try again" on an errored transcript's page: the admin's resubmit, for whoever may see it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .models import TranscriptStatus
from .pipeline.submit import transcript_resubmit
from .selectors import get_transcript_for


@login_required
@require_POST
def transcript_retry(request, pk):
    """Start an errored transcript over as a new AssemblyAI job; its page then follows it."""
    transcript = get_transcript_for(request.user, pk=pk)
    if transcript.status != TranscriptStatus.ERROR:
        messages.info(
            request,
            f"Transcript {transcript.pk} is {transcript.get_status_display().lower()}: nothing to try again.",
        )
    elif transcript_resubmit(transcript=transcript):
        messages.success(request, "Sent to AssemblyAI again: this page follows it.")
    return redirect(transcript)
