"""Showing a hit: a snippet with the matches marked, how many there are, and when they are said.

The database says which transcripts match; these functions find the terms again in a hit's text
(folded the way the indexes fold it, so "cafe" marks "Café") and in its timed words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import TOKEN, Query, Term, fold

# Around the first match: a little before it, more after it (people read on from there).
BEFORE = 60
AFTER = 160


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """`text` folded, and for each folded character the index of the character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = fold(ch) if not ch.isascii() else ch.lower()
        out.append(folded)
        origin.extend([index] * len(folded))
    origin.append(len(text))
    return "".join(out), origin


@lru_cache(maxsize=64)
def pattern(terms: tuple[Term, ...]) -> re.Pattern | None:
    """A regex over folded text matching any of `terms` as whole words (phrases across punctuation)."""
    if not terms:
        return None
    # Longest first, so the phrase "ship it" wins over the word "ship" where both match.
    ordered = sorted(terms, key=lambda term: sum(map(len, term.words)) + len(term.words), reverse=True)
    alternatives = [r"[\W_]+".join(re.escape(word) for word in term.words) for term in ordered]
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


@lru_cache(maxsize=64)
def spans(query: Query, text: str) -> list[tuple[int, int]]:
    """(start, end) in `text` of every match of the query's wanted terms (cached: a hit asks thrice)."""
    regex = pattern(query.wanted)
    if regex is None or not text:
        return []
    if text.isascii():  # the usual case, and a quick one: folding keeps every offset
        folded, origin = text.lower(), None
    else:
        folded, origin = folded_with_offsets(text)
    found = []
    for match in regex.finditer(folded):
        start, end = match.start(), match.end()
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        if not found or start >= found[-1][1]:
            found.append((start, end))
    return found


def hits(query: Query, text: str) -> int:
    """How many times any wanted term occurs in `text`."""
    return len(spans(query, text))


def snippet(query: Query, text: str) -> SafeString:
    """Escaped text around the first match, every match in it wrapped in <mark>."""
    found = spans(query, text)
    if not found:
        return escape(clip(text))
    first_start, first_end = found[0]
    start = max(first_start - BEFORE, 0)
    end = min(first_end + AFTER, len(text))
    # Cut at spaces, not inside words, but never into the first match.
    if start > 0:
        space = text.find(" ", start, first_start)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space >= 0 else end
    parts = ["…" if start > 0 else ""]
    at = start
    for span_start, span_end in found:
        if span_start < start or span_end > end:
            continue
        parts.append(escape(text[at:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        at = span_end
    parts.append(escape(text[at:end]))
    parts.append("…" if end < len(text) else "")
    return mark_safe("".join(parts))  # noqa: S308 (all text above went through escape())


def clip(text: str, length: int = BEFORE + AFTER) -> str:
    """The start of `text`, cut at a space before `length` characters, with "…" when cut."""
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > 0 else length].rstrip() + "…"


def moment(query: Query, words: list) -> float | None:
    """Seconds into the audio where a wanted term is first said, from AssemblyAI's timed words.

    `words` is AssemblyAI's list of {"text", "start", "end"} (milliseconds); anything malformed in
    it is skipped. None when no wanted term is found in the words.
    """
    stream: list[tuple[str, int]] = []  # (token, index of its word)
    for index, word in enumerate(words if isinstance(words, list) else []):
        if isinstance(word, dict) and isinstance(word.get("text"), str):
            stream.extend((token, index) for token in TOKEN.findall(fold(word["text"])))
    best: int | None = None
    for term in query.wanted:
        size = len(term.words)
        for at in range(len(stream) - size + 1):
            if best is not None and stream[at][1] >= best:
                break
            if all(stream[at + k][0] == term.words[k] for k in range(size)):
                best = stream[at][1]
                break
    if best is None:
        return None
    start = words[best].get("start")
    if isinstance(start, bool) or not isinstance(start, int | float) or start < 0:
        return None
    return start / 1000


def word_index(query: Query, text: str) -> int | None:
    """Which of AssemblyAI's words (its text is those words joined by spaces) starts the first match."""
    found = spans(query, text)
    if not found:
        return None
    start = found[0][0]
    before = len(text[:start].split())
    # A match inside a word ("mail" in "e-mail") is in that word, not the next one.
    return before - 1 if start > 0 and not text[start - 1].isspace() else before


def said(query: Query, word: str) -> bool:
    """Whether one of AssemblyAI's words holds the start of a wanted term (a check on word_index)."""
    found = set(TOKEN.findall(fold(word)))
    return any(term.words[0] in found for term in query.wanted)


def fragment(seconds: float | None) -> str:
    """A Media Fragments time for a link, e.g. "t=12.3" (to the tenth of a second, rounded down)."""
    if seconds is None:
        return ""
    tenths = int(seconds * 10)
    return f"t={tenths // 10}.{tenths % 10}" if tenths % 10 else f"t={tenths // 10}"
