"""Loading and deleting the sample calls from the pages (POST only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .sample_calls import sample_delete, samples_load_missing
from .selectors import get_transcript_for, transcripts_visible_to


@login_required
@require_POST
def load_samples(request):
    """Load the sample calls the user does not have yet and open the first; never a second copy."""
    loaded, had = samples_load_missing(owner=request.user)
    if not loaded:
        messages.info(request, "Your sample calls are already loaded: here is the first one.")
        return redirect(had[0])
    count = f"{len(loaded)} sample call{'s' if len(loaded) != 1 else ''}"
    messages.success(request, f"Loaded {count}: delete them from their pages when done.")
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
