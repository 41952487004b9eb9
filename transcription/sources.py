"""What a transcript's pages can say about where its audio came from, without knowing who made it.

Another app registers a *describer* in its AppConfig.ready() (caller registers one that
turns recording and call SIDs into its media proxy URL, the number called and the call page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .audio import opener_for

if TYPE_CHECKING:
    from .models import Transcript


@dataclass(frozen=True)
class Source:
    player_url: str = ""  # a URL the browser may play (never one that needs credentials)
    label: str = ""  # e.g. the number called: in titles and export file names
    page_url: str = ""  # a page about the source, e.g. the call
    page_title: str = ""


Describer = Callable[["Transcript"], "Source | None"]

_describers: list[Describer] = []


def register_describer(describer: Describer) -> None:
    if describer not in _describers:
        _describers.append(describer)


def describe(transcript: Transcript) -> Source:
    """The first registered describer's answer; else the audio URL when the browser can fetch it."""
    for describer in _describers:
        source = describer(transcript)
        if source is not None:
            return source
    url = transcript.audio_url
    # A URL that needs credentials (a registered opener) must not reach the browser.
    if url.startswith("https://") and opener_for(url) is None:
        return Source(player_url=url)
    return Source()
