"""Where audio comes from, without this app knowing who provides it.

Other apps register, in their AppConfig.ready():
- an *opener* for URLs that need credentials to download (caller registers one
  for Twilio media URLs), so the pipeline can stream them into AssemblyAI's upload;
- a *resolver* that turns an identifier (a Twilio RecordingSid) into an audio URL
  for `manage.py transcribe`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Opener = Callable[[str], Iterable[bytes]]
Resolver = Callable[[str], "ResolvedAudio | None"]

_openers: list[tuple[Callable[[str], bool], Opener]] = []
_resolvers: list[Resolver] = []


@dataclass(frozen=True)
class ResolvedAudio:
    audio_url: str
    recording_sid: str = ""
    call_sid: str = ""


class AudioUnavailable(Exception):
    """The audio could not be read. `retryable` says whether trying again can help."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


def register_opener(accepts: Callable[[str], bool], opener: Opener) -> None:
    if (accepts, opener) not in _openers:
        _openers.append((accepts, opener))


def register_resolver(resolver: Resolver) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def opener_for(url: str) -> Opener | None:
    """The registered opener for `url`, or None when the URL is public."""
    for accepts, opener in _openers:
        if accepts(url):
            return opener
    return None


def resolve(identifier: str) -> ResolvedAudio | None:
    for resolver in _resolvers:
        resolved = resolver(identifier)
        if resolved is not None:
            return resolved
    return None
