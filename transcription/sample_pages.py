"""Loading and deleting the sample calls from the pages (POST only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .sample_calls import sample_delete, samples_load
from .selectors import get_transcript_for, transcripts_visible_to


@login_required
@require_POST
def load_samples(request):
    """Load the sample calls for the user and open the first (the tutorial)."""
    loaded = samples_load(owner=request.user)
    messages.success(request, f"Loaded {len(loaded)} sample calls: delete them from their pages when done.")
    return redirect(loaded[0])


@login_required
@require_POST
def delete_sample(request, sample_pk):
    """Delete one sample call and its audio; the user's other transcripts are never touched here."""
    queryset = transcripts_visible_to(request.user).filter(is_sample=True)
    transcript = get_transcript_for(request.user, pk=sample_pk, queryset=queryset)
    sample_delete(transcript=transcript)
    messages.success(request, "Sample call deleted.")
    return redirect("transcription:list")
