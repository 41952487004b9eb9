""" "Transcribe a file or a link": audio from the browser, through the same pipeline as a call."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from audio.services import AudioUnavailable

from . import assemblyai_client
from .assemblyai_client import AssemblyAIError
from .pipeline.direct import transcript_submit_upload, transcript_submit_url
from .uploads import (
    EXTENSIONS,
    KINDS,
    Refused,
    asset_discard,
    link_check,
    max_bytes,
    too_big_message,
    upload_receive,
)

logger = logging.getLogger(__name__)
# Form fields and multipart framing around the file itself.
OVERHEAD = 64 * 1024


class TranscribeForm(forms.Form):
    file = forms.FileField(label="An audio or video file", required=False)
    url = forms.CharField(label="Or a link to one (https)", required=False, max_length=2000)
    sensitive = forms.BooleanField(label="Sensitive: redact personal details", required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool((data.get("url") or "").strip()):
            raise forms.ValidationError("Choose a file or give a link (one of the two).")
        return data


def _page(request, form, *, status=200, missing=(), problem=""):
    context = {
        "form": form,
        "missing": missing,
        "problem": problem,
        "accept": ",".join(["audio/*", "video/*", *EXTENSIONS.split()]),
        "kinds": KINDS,
        "max_mb": max_bytes() // (1024 * 1024),
        "redact_all": settings.TRANSCRIPTION_REDACT_PII,
    }
    return render(request, "transcription/new.html", context, status=status)


def _submit(request, form) -> tuple[object, str, int]:
    """(transcript, problem, status): the transcript on success, else what went wrong."""
    upload = form.cleaned_data.get("file")
    sensitive = form.cleaned_data.get("sensitive", False)
    try:
        if upload:
            asset = upload_receive(file=upload, owner=request.user)
            try:
                transcript = transcript_submit_upload(asset=asset, owner=request.user, sensitive=sensitive)
                return transcript, "", 200
            except BaseException:
                asset_discard(asset)
                raise
        url = link_check(form.cleaned_data["url"])
        return transcript_submit_url(audio_url=url, owner=request.user, sensitive=sensitive), "", 200
    except Refused as exc:
        return None, str(exc), 400
    except (AssemblyAIError, AudioUnavailable) as exc:
        logger.warning("Transcribing from the page failed: %s", exc)
        return None, f"AssemblyAI did not take it: {exc}. Nothing was kept: try again.", 502


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def transcribe_new(request):
    """A file upload or an https link, handed to AssemblyAI; then the transcript's page follows it."""
    # Refused before the body is read (and before the CSRF check reads it): nothing huge hits the disk.
    length = request.META.get("CONTENT_LENGTH") or "0"
    if request.method == "POST" and length.isdigit() and int(length) > max_bytes() + OVERHEAD:
        return _refuse_early(request, int(length))
    return _transcribe(request)


@csrf_protect
def _refuse_early(request, length: int):
    return _page(request, TranscribeForm(), status=413, problem=too_big_message(length))


@csrf_protect
def _transcribe(request):
    missing = assemblyai_client.missing_settings()
    if request.method != "POST":
        return _page(request, TranscribeForm(), missing=missing)
    if missing:
        return _page(request, TranscribeForm(), status=503, missing=missing)
    form = TranscribeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    transcript, problem, status = _submit(request, form)
    if transcript is None:
        return _page(request, form, status=status, problem=problem)
    return redirect(transcript)
