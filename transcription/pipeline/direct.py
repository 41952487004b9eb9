"""Submitting audio at once, for a person waiting: a local file, or a URL (the transcribe command, pages).

Unlike the queued pipeline, nothing stays behind when the submission fails: the row is removed
and the error raised, so the person can simply try again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.db import IntegrityError

from audio.models import AudioAsset, OriginKind
from audio.services import asset_discard, asset_open

from ..assemblyai_client import AssemblyAIClient
from ..models import AudioSource, Transcript
from .create import configured_audio_source, transcript_create
from .redaction import asset_release
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
    *,
    file: IO[bytes] | Iterable[bytes],
    client: AssemblyAIClient | None = None,
    owner=None,
    sensitive: bool = False,
) -> Transcript:
    """Store a transcript for local audio, stream it to AssemblyAI's upload and submit it.

    Raises AssemblyAIError (or AudioUnavailable from the stream), leaving no row behind.
    """
    transcript = transcript_create(
        audio=AudioAsset.objects.create(origin_kind=OriginKind.UPLOAD),
        audio_source=AudioSource.UPLOAD,
        owner=owner,
        sensitive=sensitive,
    )
    return _submit_or_remove(transcript, client, file, own_asset=True)


def transcript_submit_url(
    *, audio_url: str, client: AssemblyAIClient | None = None, owner=None, sensitive: bool = False
) -> Transcript:
    """Store a transcript for a public `audio_url` and submit it; AssemblyAI downloads the audio.

    Raises AssemblyAIError, leaving no row behind.
    """
    transcript = transcript_create(
        audio_url=audio_url,
        audio=_url_asset(audio_url),
        audio_source=AudioSource.URL,
        owner=owner,
        sensitive=sensitive,
    )
    return _submit_or_remove(transcript, client, None, own_asset=True)


def transcript_submit_asset(
    *,
    asset: AudioAsset,
    recording_sid: str = "",
    call_sid: str = "",
    client: AssemblyAIClient | None = None,
    owner=None,
    sensitive: bool = False,
) -> Transcript:
    """Store the one transcript of an asset (e.g. a recording) and submit it at once.

    With TRANSCRIPTION_AUDIO_SOURCE=upload the archived file is uploaded (AudioUnavailable when it
    is not archived); with `url` AssemblyAI gets the asset's origin URL. Raises TranscriptExists or
    AssemblyAIError, leaving no row behind.
    """
    if recording_sid:
        refuse_duplicate(recording_sid)
    upload = configured_audio_source() == AudioSource.UPLOAD
    audio = asset_open(asset) if upload else None
    try:
        try:
            transcript = transcript_create(
                audio_url=asset.origin_url,
                recording_sid=recording_sid,
                call_sid=call_sid,
                audio=asset,
                audio_source=AudioSource.UPLOAD if upload else AudioSource.URL,
                owner=owner,
                sensitive=sensitive,
            )
        except IntegrityError:
            refuse_duplicate(recording_sid)
            raise
        return _submit_or_remove(transcript, client, audio)
    finally:
        if audio is not None:
            audio.close()


def transcript_submit_upload(
    *, asset: AudioAsset, client: AssemblyAIClient | None = None, owner=None, sensitive: bool = False
) -> Transcript:
    """Store a transcript of an archived upload and stream the archive to AssemblyAI at once.

    Always an upload (whatever TRANSCRIPTION_AUDIO_SOURCE says: the file has no public URL).
    Raises AudioUnavailable or AssemblyAIError, leaving no transcript behind.
    """
    audio = asset_open(asset)
    try:
        transcript = transcript_create(
            audio=asset, audio_source=AudioSource.UPLOAD, owner=owner, sensitive=sensitive
        )
        return _submit_or_remove(transcript, client, audio)
    finally:
        audio.close()


def _url_asset(audio_url: str) -> AudioAsset:
    return AudioAsset.objects.create(origin_kind=OriginKind.URL, origin_url=audio_url)


def _submit_or_remove(
    transcript: Transcript,
    client: AssemblyAIClient | None,
    audio: IO[bytes] | Iterable[bytes] | None,
    *,
    own_asset: bool = False,
) -> Transcript:
    try:
        return transcript_submit_now(transcript=transcript, client=client, audio=audio)
    except Exception:
        # A pending row left here would make the person's retry fail (one transcript per recording).
        asset = transcript.audio if own_asset and transcript.audio_id is not None else None
        transcript.deleted_as_rollback = True
        transcript.delete()
        # The asset made for this submission alone goes with it (a recording's asset stays).
        if asset is not None and not asset.transcripts.exists():
            asset_discard(asset)
        elif transcript.audio_id is not None:
            asset_release(transcript.audio)  # no longer withheld for a redaction nobody waits for
        raise


def refuse_duplicate(recording_sid: str) -> None:
    """Raise TranscriptExists when the recording already has its transcript."""
    existing = Transcript.objects.filter(recording_sid=recording_sid).first()
    if existing is not None:
        raise TranscriptExists(existing)
