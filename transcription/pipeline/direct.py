"""Submitting audio at once, for a person waiting: a local file, or a URL (the transcribe command, pages).

Unlike the queued pipeline, nothing stays behind when the submission fails: the row is removed
and the error raised, so the person can simply try again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import IO

from django.db import IntegrityError

from ..assemblyai_client import AssemblyAIClient
from ..audio import opener_for
from ..models import AudioSource, Transcript
from .create import configured_audio_source, transcript_create
from .submit import transcript_submit_now


class TranscriptExists(Exception):
    """The recording already has its one transcript; the message names it and how to read it."""

    def __init__(self, existing: Transcript):
        self.existing = existing
        hint = (
            f": python manage.py print_transcription {existing.job_id}"
            if existing.job_id
            else " (not submitted yet)"
        )
        super().__init__(
            f"Recording {existing.recording_sid} already has a transcript ({existing.status}){hint}"
        )


def transcript_submit_file(
    *, file: IO[bytes] | Iterable[bytes], client: AssemblyAIClient | None = None
) -> Transcript:
    """Store a transcript for local audio, stream it to AssemblyAI's upload and submit it.

    Raises AssemblyAIError (or AudioUnavailable from the stream), leaving no row behind.
    """
    transcript = transcript_create(audio_source=AudioSource.UPLOAD)
    return _submit_or_remove(transcript, client, file)


def transcript_submit_url(
    *, audio_url: str, recording_sid: str = "", call_sid: str = "", client: AssemblyAIClient | None = None
) -> Transcript:
    """Store a transcript for `audio_url` and submit it; audio that needs credentials is relayed.

    Raises TranscriptExists, AudioUnavailable (before anything is stored) or AssemblyAIError
    (leaving no row behind).
    """
    if recording_sid:
        _refuse_duplicate(recording_sid)
    audio = _open_if_private(audio_url)
    try:
        transcript = transcript_create(
            audio_url=audio_url,
            recording_sid=recording_sid,
            call_sid=call_sid,
            audio_source=AudioSource.UPLOAD if audio is not None else AudioSource.URL,
        )
    except IntegrityError:
        _refuse_duplicate(recording_sid)
        raise
    return _submit_or_remove(transcript, client, audio)


def _submit_or_remove(
    transcript: Transcript, client: AssemblyAIClient | None, audio: IO[bytes] | Iterable[bytes] | None
) -> Transcript:
    try:
        return transcript_submit_now(transcript=transcript, client=client, audio=audio)
    except Exception:
        # A pending row left here would make the person's retry fail (one transcript per recording).
        transcript.deleted_as_rollback = True
        transcript.delete()
        raise


def _refuse_duplicate(recording_sid: str) -> None:
    existing = Transcript.objects.filter(recording_sid=recording_sid).first()
    if existing is not None:
        raise TranscriptExists(existing)


def _open_if_private(url: str) -> Iterable[bytes] | None:
    """The audio's bytes when the URL needs credentials AssemblyAI lacks (and uploads are on)."""
    opener = opener_for(url)
    if opener is None or configured_audio_source() != AudioSource.UPLOAD:
        return None
    chunks = iter(opener(url))
    # Read the first chunk now, so a refused download (401, 404) is reported as such
    # before anything is stored or uploaded.
    first = next(chunks, b"")
    return itertools.chain([first], chunks)
