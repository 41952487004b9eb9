"""What transcripts look like to people, shared by this app's pages and admin and by other apps' pages.

Other apps import this (never transcription's views or admin).
"""

from django.utils.text import Truncator

from .models import Transcript

SHORT = 60


def status_payload(transcript: Transcript) -> dict:
    """What the pages need to follow a transcript's progress."""
    return {
        "id": transcript.pk,
        "status": transcript.status,
        "label": transcript.get_status_display(),
        "final": transcript.is_final,
        "url": transcript.get_absolute_url(),
    }


def short(text: str, length: int = SHORT) -> str:
    """`text` cut to `length` characters with an ellipsis, for admin lists."""
    return Truncator(text or "").chars(length)
