"""The Accuracy page (how often the engine was wrong, by what people corrected) and the key terms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .keyterms import (
    MAX_CHARS,
    MAX_WORDS,
    SHORT_CHARS,
    KeyTermError,
    keyterm_add,
    keyterm_remove,
    keyterms_current,
    may_manage_keyterms,
)
from .models import KeyTerm, Review
from .revising.review import accuracy_report
from .selectors import transcripts_visible_to

# Reviews read for the page: its figures, never a transcript's words.
REVIEW_FIELDS = ("reviewed_at", "speech_model", "keyterms", "call_type", "accuracy", "corrections")


@login_required
@require_GET
def accuracy(request):
    """Word error rates of the engine against reviewed transcripts the user may see, grouped."""
    reviews = Review.objects.filter(transcript__in=transcripts_visible_to(request.user)).only(*REVIEW_FIELDS)
    report = accuracy_report(reviews)
    terms = {t.casefold() for t in keyterms_current()}
    for row in report["corrections"]:
        row["is_keyterm"] = row["new"].casefold() in terms
    context = {**report, "may_manage": may_manage_keyterms(request.user)}
    return render(request, "transcription/accuracy.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def keyterms(request):
    """The key terms every submission sends; leads add and remove them here."""
    if request.method == "POST":
        if not may_manage_keyterms(request.user):
            raise PermissionDenied("Only a lead may change the key terms.")
        back = request.POST.get("next") == "accuracy"
        try:
            if "remove" in request.POST:
                if keyterm_remove(text=request.POST["remove"]):
                    messages.success(request, f"“{request.POST['remove']}” is no longer a key term.")
                else:
                    messages.error(
                        request, "That key term is set in TRANSCRIPTION_KEYTERMS, or gone already."
                    )
            else:
                term = keyterm_add(text=request.POST.get("text", ""), user=request.user)
                messages.success(request, f"“{term.text}” is a key term: later submissions send it.")
        except KeyTermError as exc:
            messages.error(request, f"Nothing was added: {exc}")
        target = "transcription:accuracy" if back else "transcription:keyterms"
        return HttpResponseRedirect(reverse(target), status=303)
    context = {
        "from_settings": list(settings.TRANSCRIPTION_KEYTERMS),
        "terms": KeyTerm.objects.select_related("added_by"),
        "may_manage": may_manage_keyterms(request.user),
        "max_chars": MAX_CHARS,
        "max_words": MAX_WORDS,
        "short_chars": SHORT_CHARS,
    }
    return render(request, "transcription/keyterms.html", context)
