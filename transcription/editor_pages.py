"""Correcting a transcript: the save endpoint the page's editor calls, revisions, revert, merge, review.

Every view reads the transcript through the selectors (404 when the user may not see it), then
checks `may_edit` (403), then calls a service in `revising`; bad input answers what to fix.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .models import Transcript
from .revising.diffs import hunk_view, text_diff
from .revising.review import review_of, revisions_of, transcript_review
from .revising.services import (
    EditError,
    StaleEdit,
    may_edit,
    participants_merge,
    transcript_accept,
    transcript_correct,
    transcript_revert,
    words_at,
)
from .selectors import get_transcript_for
from .sources import describe

# The word fields the page needs back after a save (never the whole word as stored).
WORD_FIELDS = ("text", "start", "end", "confidence", "edited", "accepted")
MAX_BODY = 100_000
# What the access checks read of a transcript before a service reads it whole.
ACCESS_FIELDS = ("pk", "owner", "status")


def _visible(request, pk) -> Transcript:
    """The transcript (its id, owner and status only) if the user may see it; 404 otherwise.

    The service reads the whole row again, locked: decoding 30,000 words twice would double a save.
    """
    return get_transcript_for(request.user, pk=pk, queryset=Transcript.objects.only(*ACCESS_FIELDS))


def _editable(request, pk):
    """The transcript if the user may see it (else 404) and correct it (else 403)."""
    transcript = _visible(request, pk)
    if not may_edit(request.user, transcript):
        raise PermissionDenied("You may read this transcript but not correct it.")
    return transcript


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_POST
def transcript_edit(request, pk):
    """Save one correction (JSON): `{"action": "correct"|"accept", "start", "end", "text", "revision"}`.

    Answers the new revision number and the words that replaced `start:end`, with their times.
    """
    transcript = _visible(request, pk)
    if not may_edit(request.user, transcript):
        return _error("You may read this transcript but not correct it.", status=403)
    if len(request.body) > MAX_BODY:
        return _error(f"That correction is too long: send at most {MAX_BODY // 1000} kB at a time.")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error('Send the correction as JSON, e.g. {"start": 3, "end": 4, "text": "word"}.')
    if not isinstance(data, dict):
        return _error("Send the correction as a JSON object.")
    action = data.get("action", "correct")
    args = {
        "transcript_pk": transcript.pk,
        "user": request.user,
        "start": data.get("start"),
        "end": data.get("end"),
        "base_revision": data.get("revision"),
    }
    try:
        if action == "correct":
            saved = transcript_correct(text=data.get("text"), **args)
        elif action == "accept":
            saved = transcript_accept(**args)
        else:
            return _error(f'There is no action {action!r}: send "correct" or "accept".')
    except StaleEdit as exc:
        return _error(str(exc), status=409)
    except EditError as exc:
        return _error(str(exc))
    return JsonResponse(
        {
            "revision": saved.revision.number,
            "summary": saved.revision.summary,
            "start": saved.start,
            "end": saved.end,
            "words": [{k: w[k] for k in WORD_FIELDS if k in w} for w in saved.words],
        }
    )


@login_required
@require_GET
def transcript_revisions(request, pk):
    """Every revision of a transcript (who, when, what changed), the engine's original, and revert."""
    transcript = get_transcript_for(request.user, pk=pk)
    revisions = revisions_of(transcript)
    original = transcript.revisions.filter(number=0).values_list("original_text", flat=True).first()
    try:
        changes = text_diff(words_at(transcript, 0), transcript.words) if revisions else []
    except EditError as exc:
        # The words were changed outside the editor (a re-fetch): the history still shows each hunk.
        messages.error(request, f"The diff from the original cannot be shown: {exc}")
        changes = []
    context = {
        "transcript": transcript,
        "source": describe(transcript),
        "revisions": [(r, hunk_view(r.patch)) for r in revisions],
        "latest": revisions[0].number if revisions else 0,
        "original_text": transcript.text if original is None else original,
        "changes": changes,
        "may_edit": may_edit(request.user, transcript),
        "review": review_of(transcript),
    }
    return render(request, "transcription/revisions.html", context)


@login_required
@require_POST
def revert_page(request, pk):
    """Go back to a revision (as a new revision: nothing is lost), then to the revisions page."""
    transcript = _editable(request, pk)
    try:
        revision = transcript_revert(
            transcript_pk=transcript.pk, user=request.user, number=request.POST.get("revision")
        )
    except EditError as exc:
        messages.error(request, f"Nothing was reverted: {exc}")
    else:
        messages.success(
            request, f"Reverted to revision {revision.reverted_to} (saved as revision {revision.number})."
        )
    return HttpResponseRedirect(reverse("transcription:revisions", args=[transcript.pk]), status=303)


@login_required
@require_POST
def merge_page(request, pk):
    """Merge one participant into another for the whole transcript, then back to its page."""
    transcript = _editable(request, pk)
    try:
        participants_merge(
            transcript_pk=transcript.pk,
            user=request.user,
            source=request.POST.get("source", ""),
            into=request.POST.get("into", ""),
        )
    except EditError as exc:
        messages.error(request, f"Nothing was merged: {exc}")
    else:
        messages.success(request, "Participants merged.")
    return HttpResponseRedirect(transcript.get_absolute_url() + "#participants", status=303)


@login_required
@require_POST
def reviewed_page(request, pk):
    """Mark the transcript reviewed (and measure the engine's accuracy), or take the mark away."""
    transcript = get_transcript_for(request.user, pk=_editable(request, pk).pk)
    reviewed = request.POST.get("reviewed") != "no"
    try:
        review = transcript_review(transcript=transcript, user=request.user, reviewed=reviewed)
    except EditError as exc:
        messages.error(request, str(exc))
    else:
        if review:
            figures = review.accuracy
            messages.success(
                request,
                f"Marked reviewed. The engine's word error rate was {figures['wer']:.1%} "
                f"({figures['substitutions']} substituted, {figures['deletions']} missed, "
                f"{figures['insertions']} extra words).",
            )
        else:
            messages.success(request, "The reviewed mark is taken away.")
    return HttpResponseRedirect(transcript.get_absolute_url() + "#review", status=303)
