"""What a transcript's pages can say about where its audio came from, without knowing who made it.

Another app registers a *describer* in its AppConfig.ready() (caller registers one that
turns recording and call SIDs into its media proxy URL, the number called and the call page),
and may give it a batch form for lists, so a page of transcripts costs the same few queries as one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audio.models import AudioAsset, OriginKind

if TYPE_CHECKING:
    from .models import Transcript


@dataclass(frozen=True)
class Source:
    player_url: str = ""  # a URL the browser may play (never one that needs credentials)
    label: str = ""  # e.g. the number called: in titles and export file names
    page_url: str = ""  # a page about the source, e.g. the call
    page_title: str = ""


Describer = Callable[["Transcript"], "Source | None"]
# The same answers for many transcripts at once, in their order.
ManyDescriber = Callable[["list[Transcript]"], "list[Source | None]"]

_describers: list[tuple[Describer, ManyDescriber | None]] = []


def register_describer(describer: Describer, many: ManyDescriber | None = None) -> None:
    if all(describer is not one for one, _ in _describers):
        _describers.append((describer, many))


def public_audio_url(transcript: Transcript) -> str:
    """The audio URL unless its audio is a recording (whose URL needs credentials the browser lacks)."""
    if transcript.recording_sid:
        return ""
    if transcript.audio_id is not None and transcript.audio.origin_kind != OriginKind.URL:
        return ""
    return transcript.audio_url


def _default(transcript: Transcript) -> Source:
    url = public_audio_url(transcript)
    return Source(player_url=url) if url.startswith("https://") else Source()


def describe(transcript: Transcript) -> Source:
    """The first registered describer's answer; else the audio URL when the browser can fetch it."""
    for describer, _ in _describers:
        source = describer(transcript)
        if source is not None:
            return source
    return _default(transcript)


def describe_many(transcripts: list[Transcript]) -> list[Source]:
    """describe() for each transcript, in order; describers with a batch form are asked once."""
    found: list[Source | None] = [None] * len(transcripts)
    for describer, many in _describers:
        todo = [i for i, source in enumerate(found) if source is None]
        if not todo:
            break
        answers = many([transcripts[i] for i in todo]) if many else [describer(transcripts[i]) for i in todo]
        for i, source in zip(todo, answers, strict=True):
            found[i] = source
    # The assets _default reads, in one query rather than one per transcript.
    ids = {t.audio_id for t, source in zip(transcripts, found, strict=True) if source is None and t.audio_id}
    assets = AudioAsset.objects.in_bulk(ids) if ids else {}
    for transcript in transcripts:
        if transcript.audio_id in assets:
            transcript.audio = assets[transcript.audio_id]
    return [source or _default(t) for source, t in zip(found, transcripts, strict=True)]
