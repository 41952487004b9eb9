"""Transcript exports (TXT, JSON, SRT, WebVTT) built from the stored words.

Words are AssemblyAI's: `text`, `start`/`end` in milliseconds, `confidence`, and
`speaker` ("A") or `channel` ("1") when diarization or multichannel was on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .conversation.names import default_name
from .conversation.turns import PARAGRAPH_MS, build_turns, default_participant, ends_sentence

# Caption sizes from common subtitle guidelines: two lines of at most 42
# characters, on screen at most 6 s; a long pause or a new speaker starts a new one.
LINE_CHARS = 42
CAPTION_CHARS = 2 * LINE_CHARS
CAPTION_MS = 6000
CAPTION_GAP_MS = 1500
# A pause this long starts a new paragraph on the transcript page.
PARAGRAPH_GAP_MS = 2000
# A pause this long ends a paragraph even mid-sentence (speech the engine did not punctuate).
LONG_PAUSE_MS = 8000
SENTENCE_END = (".", "?", "!")

FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


Names = Mapping[str, str]


def label_of(word: dict[str, Any], names: Names | None = None) -> str:
    """Who spoke a word: its participant's name ("Ada"), else "Channel 1" or "Speaker A"; "" when
    the job did not tell. A multichannel word's channel wins over its speaker."""
    key = default_participant(word)
    return (names or {}).get(key) or default_name(key)


def _ms(value: Any) -> int | None:
    try:
        return max(0, round(float(value)))
    except (TypeError, ValueError):
        return None


def timed_words(words: Iterable[Any]) -> list[dict[str, Any]]:
    """The words that carry text and a start and end time, with integer milliseconds."""
    timed = []
    for word in words or []:
        if not isinstance(word, dict) or not str(word.get("text") or "").strip():
            continue
        start, end = _ms(word.get("start")), _ms(word.get("end"))
        if start is None or end is None:
            continue
        timed.append({**word, "text": str(word["text"]).strip(), "start": start, "end": max(start, end)})
    return timed


@dataclass
class Segment:
    """A run of words by one speaker: a caption, or a paragraph on the page."""

    label: str
    words: list[dict[str, Any]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.words[0]["start"]

    @property
    def end(self) -> int:
        return self.words[-1]["end"]

    @property
    def text(self) -> str:
        return " ".join(word["text"] for word in self.words)


def paragraphs(
    words: Iterable[Any], gap_ms: int = PARAGRAPH_GAP_MS, names: Names | None = None
) -> list[Segment]:
    """Split words where the speaker changes, or at a sentence's end after a pause or a long paragraph.

    Never mid-sentence, except after a pause so long (LONG_PAUSE_MS) that unpunctuated speech must
    break somewhere.
    """
    result: list[Segment] = []
    for word in timed_words(words):
        label = label_of(word, names)
        last = result[-1] if result else None
        if last is not None and last.label == label:
            pause = word["start"] - last.end
            at_sentence_end = ends_sentence(last.words[-1]["text"])
            long_paragraph = last.end - last.start >= PARAGRAPH_MS
            if not ((at_sentence_end and (pause >= gap_ms or long_paragraph)) or pause >= LONG_PAUSE_MS):
                last.words.append(word)
                continue
        result.append(Segment(label=label, words=[word]))
    return result


def captions(
    words: Iterable[Any],
    *,
    max_chars: int = CAPTION_CHARS,
    max_ms: int = CAPTION_MS,
    gap_ms: int = CAPTION_GAP_MS,
    names: Names | None = None,
) -> list[Segment]:
    """Group words into captions that are short enough to read: see the limits above.

    Words are taken in time order (two channels interleave), so a caption is one person's words.
    """
    result: list[Segment] = []
    current: Segment | None = None
    timed = timed_words(words)
    for word in sorted(timed, key=lambda w: (w["start"], w["end"])):
        label = label_of(word, names)
        if current is not None and (
            current.label != label
            or word["start"] - current.end >= gap_ms
            or len(current.text) + 1 + len(word["text"]) > max_chars
            or word["end"] - current.start > max_ms
        ):
            current = None
        if current is None:
            current = Segment(label=label)
            result.append(current)
        current.words.append(word)
        if word["text"].endswith(SENTENCE_END):
            current = None
    return result


def split_lines(text: str, width: int = LINE_CHARS) -> list[str]:
    """One line, or two broken at the space nearest the middle when the text is too wide."""
    if len(text) <= width or " " not in text:
        return [text]
    middle = len(text) / 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


def timestamp(ms: int, separator: str) -> str:
    """`00:01:02,345` for SRT (separator ","), `00:01:02.345` for WebVTT (".")."""
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _cue_times(cues: list[Segment]) -> list[tuple[int, int]]:
    times = []
    for index, cue in enumerate(cues):
        end = max(cue.end, cue.start + 1)
        if index + 1 < len(cues):
            # Players show overlapping cues at once; end each before the next begins.
            end = min(end, max(cues[index + 1].start, cue.start + 1))
        times.append((cue.start, end))
    return times


def _with_speaker_changes(cues: list[Segment]) -> list[tuple[Segment, str]]:
    """Each cue with the label to show: only when the speaker changes, as subtitles do."""
    shown, previous = [], None
    for cue in cues:
        shown.append((cue, cue.label if cue.label and cue.label != previous else ""))
        previous = cue.label
    return shown


def iter_srt(words: Iterable[Any], names: Names | None = None) -> Iterator[str]:
    """SubRip captions, a caption at a time; a speaker's name starts the caption where the speaker changes."""
    cues = captions(words, names=names)
    for number, ((cue, label), (start, end)) in enumerate(
        zip(_with_speaker_changes(cues), _cue_times(cues), strict=True), start=1
    ):
        text = f"{label}: {cue.text}" if label else cue.text
        lines = "\n".join(split_lines(text))
        separator = "" if number == 1 else "\n"  # a blank line between captions
        yield f"{separator}{number}\n{timestamp(start, ',')} --> {timestamp(end, ',')}\n{lines}\n"


def to_srt(words: Iterable[Any], names: Names | None = None) -> str:
    return "".join(iter_srt(words, names))


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def iter_vtt(words: Iterable[Any], names: Names | None = None) -> Iterator[str]:
    """WebVTT captions, a cue at a time, each in a `<v Name>` voice span when the speaker is known."""
    cues = captions(words, names=names)
    yield "WEBVTT\n"
    for cue, (start, end) in zip(cues, _cue_times(cues), strict=True):
        lines = "\n".join(_vtt_escape(line) for line in split_lines(cue.text))
        # A voice span on every cue: players can style or name each speaker.
        voice = f"<v {_vtt_escape(cue.label)}>" if cue.label else ""
        yield f"\n{timestamp(start, '.')} --> {timestamp(end, '.')}\n{voice}{lines}\n"


def to_vtt(words: Iterable[Any], names: Names | None = None) -> str:
    return "".join(iter_vtt(words, names))


def _clock(ms: int) -> str:
    minutes, seconds = divmod(max(0, ms) // 1000, 60)
    return f"{minutes}:{seconds:02d}" if minutes < 60 else f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def to_txt(*, text: str, words: Iterable[Any], names: Names | None = None) -> str:
    """The text; with speakers or channels, one `Name (m:ss): text` line per turn, in time order."""
    timed = timed_words(words)
    turns = build_turns(timed)
    if not any(turn.participant for turn in turns):
        body = text.strip() or " ".join(turn.text(timed) for turn in turns)
        return body + "\n" if body else ""
    lines = []
    for turn in turns:
        label = (names or {}).get(turn.participant) or default_name(turn.participant)
        lines.append(f"{label} ({_clock(turn.start)}): {turn.text(timed)}" if label else turn.text(timed))
    return "\n".join(lines) + "\n"


def iter_json(data: dict[str, Any]) -> Iterator[str]:
    """The JSON export in pieces, as the encoder makes them (a 3-hour call's is megabytes)."""
    yield from DjangoJSONEncoder(ensure_ascii=False, indent=2).iterencode(data)
    yield "\n"


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n"


def filename(*, kind: str, date, label: str, fallback: str) -> str:
    """`transcript-2026-11-24-14155551234.srt`: the date and the number called (or the job id)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", label or "").strip("-") or re.sub(
        r"[^A-Za-z0-9]+", "-", fallback
    ).strip("-")
    parts = ["transcript", date.strftime("%Y-%m-%d")] if date else ["transcript"]
    if slug:
        parts.append(slug[:60])
    return "-".join(parts) + f".{kind}"
