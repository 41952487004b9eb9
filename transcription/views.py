"""Transcript pages and AssemblyAI's webhook."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Transcript


@login_required
def transcript_detail(request, pk):
    """One transcript: its text, words shaded by confidence, and the job's details."""
    transcript = get_object_or_404(Transcript, pk=pk)
    return render(
        request,
        "transcription/detail.html",
        {"transcript": transcript, "low_confidence": settings.TRANSCRIPTION_LOW_CONFIDENCE},
    )
