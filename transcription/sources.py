"""What a transcript's pages can say about where its audio came from, read from its audio asset.

The app that made the asset (caller, for a call's recording) describes it there: a label (the number
called), a page about its origin (the call) and a URL the browser may play (caller's media proxy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from audio.models import AudioAsset, OriginKind, Redaction

from .media import own_audio_url

if TYPE_CHECKING:
    from .models import Transcript


@dataclass(frozen=True)
class Source:
    player_url: str = ""  # a URL the browser may play (never one that needs credentials)
    label: str = ""  # e.g. the number called: in titles and export file names
    page_url: str = ""  # a page about the source, e.g. the call
    page_title: str = ""


def public_audio_url(transcript: Transcript) -> str:
    """The audio URL unless its audio is a recording (whose URL needs credentials the browser lacks)."""
    if transcript.recording_sid:
        return ""
    if transcript.audio_id is not None and transcript.audio.origin_kind != OriginKind.URL:
        return ""
    return transcript.audio_url


def audio_withheld(transcript: Transcript) -> bool:
    """No player for it: a redacted transcript plays only its archived redacted copy, never the original."""
    if transcript.audio_deleted_at is not None:
        return True  # retention deleted it: not even a public URL plays in its place
    asset = transcript.audio if transcript.audio_id is not None else None
    if asset is not None and asset.is_withheld:
        return True
    return transcript.redact_pii and not (
        asset is not None and asset.is_archived and asset.redaction == Redaction.REDACTED
    )


def describe(transcript: Transcript) -> Source:
    """Its asset's description; else the audio URL when the browser can fetch it."""
    source = _described(transcript)
    if source.player_url and audio_withheld(transcript):
        return replace(source, player_url="")
    return source


def _described(transcript: Transcript) -> Source:
    asset = transcript.audio if transcript.audio_id is not None else None
    own = own_audio_url(transcript)
    if own:
        # A sample's or an upload's archive, played through this app.
        return Source(player_url=own, label=asset.label if transcript.owner_id == asset.owner_id else "")
    if asset is not None and (asset.player_url or asset.page_url or asset.label):
        if transcript.owner_id not in (None, asset.owner_id):
            # Pages get no user here: a transcript given to someone else (transcribe --owner)
            # must not show them the number called, nor link a call page that is not theirs.
            return Source(player_url=asset.player_url)
        return Source(
            player_url=asset.player_url, label=asset.label, page_url=asset.page_url, page_title=asset.title
        )
    url = public_audio_url(transcript)
    return Source(player_url=url) if url.startswith("https://") else Source()


def describe_many(transcripts: list[Transcript]) -> list[Source]:
    """describe() for each transcript, in order, with their assets read in one query."""
    ids = {t.audio_id for t in transcripts if t.audio_id is not None}
    assets = AudioAsset.objects.in_bulk(ids) if ids else {}
    for transcript in transcripts:
        if transcript.audio_id in assets:
            transcript.audio = assets[transcript.audio_id]
    return [describe(t) for t in transcripts]
