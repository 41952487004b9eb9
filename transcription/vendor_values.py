"""Numbers and URLs from vendors, checked before they are stored: pure functions of plain data.

AssemblyAI and Twilio send JSON; JSON from a proxy, a bug or a future API version can hold
NaN, Infinity, negative times, strings where numbers belong, or a confidence of 7. Each value
is kept only when it is what the field means; anything else is dropped and named in `notes`,
so a page, an export or the database never meets it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

# Larger than any real recording (about 3 years in ms / 24 days in s fits 32-bit columns),
# small enough for every integer column and for JavaScript's numbers.
MAX_MILLISECONDS = 2**31 - 1
MAX_SECONDS = 10**9
WORD_FIELDS = ("text", "start", "end", "confidence", "speaker", "channel")
UTTERANCE_FIELDS = ("text", "start", "end", "confidence", "speaker", "channel")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def confidence(value: Any) -> float | None:
    """A finite number in [0, 1], or None."""
    if not _is_number(value) or not math.isfinite(value) or not 0 <= value <= 1:
        return None
    return float(value)


def duration(value: Any) -> float | None:
    """A finite, non-negative number of seconds (within MAX_SECONDS), or None."""
    if not _is_number(value) or not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        return None
    return float(value)


def milliseconds(value: Any) -> int | None:
    """A finite, non-negative whole number of milliseconds (2.0 counts as 2), or None."""
    if not _is_number(value) or not math.isfinite(value) or value != int(value):
        return None
    value = int(value)
    return value if 0 <= value <= MAX_MILLISECONDS else None


def whole_seconds(value: Any, *, allow_unknown: bool = False) -> int | None:
    """Twilio's seconds (a number or a string of digits) as a non-negative int, or None.

    `allow_unknown`: Twilio's -1 ("not known yet") is read as None rather than as a problem.
    """
    if isinstance(value, str):
        text = value.strip()
        if allow_unknown and text == "-1":
            return None
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            return None
        return int(text)
    if not _is_number(value) or not math.isfinite(value) or value != int(value):
        return None
    return int(value) if 0 <= value <= MAX_SECONDS else None


def channel_count(value: Any) -> int | None:
    """Twilio's number of audio channels (1 or 2 today) as an int from 1 to 32, or None."""
    count = whole_seconds(value)
    return count if count is not None and 1 <= count <= 32 else None


@dataclass
class Cleaned:
    """A transcript result's values that may be stored, and what was dropped from it."""

    words: list[dict[str, Any]] = field(default_factory=list)
    utterances: list[dict[str, Any]] = field(default_factory=list)
    confidence: float | None = None
    audio_duration: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """One line for the transcript's last_error ('' when nothing was dropped)."""
        if not self.notes:
            return ""
        shown = "; ".join(self.notes[:5]) + ("; …" if len(self.notes) > 5 else "")
        return f"Dropped {len(self.notes)} unusable value(s) from AssemblyAI's result: {shown}"


def _clean_timed(item: dict[str, Any], fields: tuple[str, ...], where: str, notes: list[str]) -> dict:
    """One word or utterance: only `fields`, times and confidence checked, text a string."""
    kept: dict[str, Any] = {}
    for key in fields:
        value = item.get(key)
        if value is None:
            continue
        if key in ("text", "speaker"):
            if isinstance(value, str):
                kept[key] = value
            else:
                notes.append(f"{where}: {key} is not text")
        elif key == "channel":
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                kept[key] = value
            else:
                notes.append(f"{where}: channel {value!r}")
        elif key == "confidence":
            if (checked := confidence(value)) is None:
                notes.append(f"{where}: confidence {value!r}")
            else:
                kept[key] = checked
    start, end = item.get("start"), item.get("end")
    if start is not None or end is not None:
        start_ms, end_ms = milliseconds(start), milliseconds(end)
        if start_ms is None or end_ms is None or end_ms < start_ms:
            notes.append(f"{where}: times {start!r}–{end!r}")
        else:
            kept["start"], kept["end"] = start_ms, end_ms
    return kept


def clean_words(words: Any, notes: list[str], *, where: str = "word") -> list[dict[str, Any]]:
    """The words that have text, each with only the fields we show, every number checked."""
    if not isinstance(words, list):
        if words is not None:
            notes.append(f"{where}s: not a list")
        return []
    cleaned = []
    for n, word in enumerate(words):
        if not isinstance(word, dict) or not isinstance(word.get("text"), str):
            notes.append(f"{where} {n + 1}: no text")
            continue
        cleaned.append(_clean_timed(word, WORD_FIELDS, f"{where} {n + 1}", notes))
    return cleaned


def clean_utterances(utterances: Any, notes: list[str]) -> list[dict[str, Any]]:
    """Utterances (speaker turns) with their numbers checked and their words cleaned."""
    if not isinstance(utterances, list):
        if utterances is not None:
            notes.append("utterances: not a list")
        return []
    cleaned = []
    for n, utterance in enumerate(utterances):
        if not isinstance(utterance, dict) or not isinstance(utterance.get("text"), str):
            notes.append(f"utterance {n + 1}: no text")
            continue
        kept = _clean_timed(utterance, UTTERANCE_FIELDS, f"utterance {n + 1}", notes)
        if "words" in utterance:
            kept["words"] = clean_words(utterance["words"], notes, where=f"utterance {n + 1} word")
        cleaned.append(kept)
    return cleaned


def clean_result(data: dict[str, Any]) -> Cleaned:
    """The numeric parts of a completed AssemblyAI transcript, checked."""
    result = Cleaned()
    result.words = clean_words(data.get("words"), result.notes)
    result.utterances = clean_utterances(data.get("utterances"), result.notes)
    for name, check in (("confidence", confidence), ("audio_duration", duration)):
        value = data.get(name)
        checked = check(value)
        if value is not None and checked is None:
            result.notes.append(f"{name} {value!r}")
        setattr(result, name, checked)
    return result


def https_host(url: str, *, port: int = 443) -> str | None:
    """The host of a plain `https://host/...` URL, as requests (urllib3) will connect to it.

    None when the URL has userinfo, another port, another scheme, or when urllib's parser and
    urllib3's disagree about the host (the trick that sends a credential to the wrong server).
    """
    if not isinstance(url, str) or any(ch in url for ch in "\\\x00\r\n\t "):
        return None
    try:
        parsed = parse_url(url)
        split = urlsplit(url)
        split_port = split.port
    except (LocationParseError, ValueError):
        return None
    if (parsed.scheme or "").lower() != "https" or parsed.auth is not None or not parsed.host:
        return None
    if split.username is not None or split.password is not None or "@" in (split.netloc or ""):
        return None
    if parsed.port not in (None, port) or split_port not in (None, port):
        return None
    host = parsed.host.lower().rstrip(".")
    if (split.hostname or "").rstrip(".") != host:
        return None
    return host
