"""Align corrected text to the engine's timed words, so an edit never loses the audio sync.

Words are dicts as AssemblyAI sends them: ``{"text", "start", "end", "confidence", "speaker"?,
"channel"?}`` with times in integer milliseconds, in time order (``start`` never decreasing).

The rules (a word-level diff, ``difflib.SequenceMatcher`` over normalised tokens; rapidfuzz's
alignment for very long ranges, see ``_opcodes``):

- an unchanged word is copied as it was: same text, same timings, same confidence;
- a word whose text changed only in case or punctuation keeps its timings and takes the new text;
- a replaced span (old words → new words) keeps its start (first old word's start) and end (last old
  word's end); its time is shared among the new words in proportion to their length in characters;
- inserted words share the gap between their neighbours (the previous word's end and the next word's
  start): zero-length at the very start or end of the text, never outside the neighbours;
- deleted words go.

Every word written by a person is marked ``edited: True`` and ``confidence: 1.0`` (a person has
checked it); other keys (``speaker``, ``channel``, a participant...) are carried over from the word it
replaces, or from its neighbour for an insertion. The output's texts are always exactly the typed
tokens, and the input list is never modified (``align_span`` and ``apply_patch`` share the untouched
words' dicts with it rather than copy 30,000 of them: treat words as read-only).

Reverting to a revision means restoring that revision's stored words, not re-aligning text (a deleted
word's original timing cannot be recovered from text). ``diff_patch``/``apply_patch``/``revert_patch``
give a compact, exactly reversible record of one save, so revisions need not store 30,000 words each.
"""

from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz.distance import Levenshtein

from .normalize import normalize_token, tokenize

__all__ = [
    "Word",
    "align",
    "align_span",
    "apply_patch",
    "diff_patch",
    "revert_patch",
    "text_of",
    "word_opcodes",
]

Word = dict[str, Any]
# Keys the alignment sets itself on a word a person wrote; every other key is carried over.
_OWN_KEYS = ("text", "start", "end", "confidence", "edited")


def text_of(words: Sequence[Word]) -> str:
    """The words' texts joined by single spaces (what an editor shows for them)."""
    return " ".join(w["text"] for w in words)


def align(words: Sequence[Word], new_text: str) -> list[Word]:
    """Align a corrected text of the whole transcript onto ``words``; returns a new list of words.

    Leading and trailing words that are exactly unchanged are skipped before diffing, so a small edit
    in a long transcript costs little more than a copy.
    """
    tokens = tokenize(new_text)
    n_old, n_new = len(words), len(tokens)
    prefix = 0
    while prefix < min(n_old, n_new) and words[prefix]["text"] == tokens[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(n_old, n_new) - prefix
        and words[n_old - 1 - suffix]["text"] == tokens[n_new - 1 - suffix]
    ):
        suffix += 1
    middle = _align_range(words, prefix, n_old - suffix, tokens[prefix : n_new - suffix], within_span=False)
    return [dict(w) for w in words[:prefix]] + middle + [dict(w) for w in words[n_old - suffix :]]


def align_span(words: Sequence[Word], start_index: int, end_index: int, new_text: str) -> list[Word]:
    """Replace ``words[start_index:end_index]`` (a turn, a sentence, one word) by ``new_text``, aligned.

    The new words stay inside the old span's time (from ``words[start_index]["start"]`` to the
    latest end in the span): a word typed at the span's edge gets a zero-length time there. An empty
    span (``start_index == end_index``) inserts between its neighbours. Returns the whole new list.
    """
    if not 0 <= start_index <= end_index <= len(words):
        raise ValueError(f"span {start_index}:{end_index} is outside 0:{len(words)}")
    middle = _align_range(words, start_index, end_index, tokenize(new_text), within_span=True)
    return [*words[:start_index], *middle, *words[end_index:]]


def _key(token: str) -> str:
    # A token of punctuation alone ("—") still has to match itself, so fall back to its raw text.
    return normalize_token(token) or token


def _align_range(
    words: Sequence[Word], lo: int, hi: int, tokens: list[str], *, within_span: bool
) -> list[Word]:
    """Aligned words for ``tokens`` replacing ``words[lo:hi]``; neighbours outside bound inserts."""
    old = words[lo:hi]
    next_start = words[hi]["start"] if hi < len(words) else None
    if within_span and old:
        floor, ceiling = old[0]["start"], max(w["end"] for w in old)
        if next_start is not None:
            # Overlapping speech can end after the next word starts; starts must stay in order.
            ceiling = min(ceiling, next_start)
    else:
        floor = words[lo - 1]["end"] if lo > 0 else None
        ceiling = next_start

    out: list[Word] = []
    for tag, i1, i2, j1, j2 in _opcodes([_key(w["text"]) for w in old], [_key(t) for t in tokens]):
        if tag == "equal":
            for old_word, token in zip(old[i1:i2], tokens[j1:j2], strict=True):
                if old_word["text"] == token:
                    out.append(dict(old_word))
                else:
                    out.append(_edited(old_word, token, old_word["start"], old_word["end"]))
        elif tag == "replace":
            bound = old[i2]["start"] if i2 < len(old) else next_start
            out.extend(_share(old[i1:i2], tokens[j1:j2], old[i1]["start"], old[i2 - 1]["end"], bound))
        elif tag == "insert":
            prev_end = old[i1 - 1]["end"] if i1 > 0 else floor
            next_begin = old[i1]["start"] if i1 < len(old) else ceiling
            out.extend(_interpolate(tokens[j1:j2], prev_end, next_begin, old, i1, words, lo))
        # "delete": the old words simply go.
    return out


# Ranges up to this many cells (old words x new words) are diffed by difflib; larger ones by rapidfuzz.
_SMALL = 250_000


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes for ``a`` → ``b``; a run of changes between matches is one opcode.

    ``SequenceMatcher(autojunk=False)`` is quadratic on long texts full of common words (minutes for
    30,000 words edited in many places), and with autojunk it aligns badly; so a range larger than
    a few hundred words a side goes to rapidfuzz's Levenshtein alignment instead (Hirschberg, linear
    memory; tens of ms when the texts are close, under a second when nothing matches). Only its
    matches are used: the changes between two matches become one opcode, as difflib's would.
    """
    if len(a) * len(b) <= _SMALL:
        return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    codes: dict[str, int] = {}
    coded_a = [codes.setdefault(t, len(codes)) for t in a]
    coded_b = [codes.setdefault(t, len(codes)) for t in b]
    # A guess at the distance: lets rapidfuzz take its fast banded path when the texts are close.
    hint = max(16, sum((Counter(coded_a) - Counter(coded_b)).values()) * 2)
    matched = [op for op in Levenshtein.opcodes(coded_a, coded_b, score_hint=hint) if op.tag == "equal"]
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for op in [*matched, None]:
        i0, j0 = (op.src_start, op.dest_start) if op else (len(a), len(b))
        if i < i0 or j < j0:
            tag = "replace" if i < i0 and j < j0 else ("delete" if i < i0 else "insert")
            ops.append((tag, i, i0, j, j0))
        if op:
            ops.append(("equal", op.src_start, op.src_end, op.dest_start, op.dest_end))
            i, j = op.src_end, op.dest_end
    return ops


def word_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes turning token list ``a`` into ``b`` (the alignment's own diff)."""
    return _opcodes(a, b)


def _edited(source: Word, token: str, start: int, end: int) -> Word:
    carried = {k: v for k, v in source.items() if k not in _OWN_KEYS}
    return {"text": token, "start": start, "end": end, "confidence": 1.0, **carried, "edited": True}


def _boundaries(tokens: list[str], start: int, end: int) -> list[int]:
    """Integer cut points from start to end, spaced in proportion to each token's length."""
    weights = [max(1, len(t)) for t in tokens]
    total = sum(weights)
    cuts, running = [start], 0
    for weight in weights:
        running += weight
        cuts.append(start + ((end - start) * running) // total)
    return cuts


def _share(old: Sequence[Word], tokens: list[str], start: int, end: int, bound: int | None) -> list[Word]:
    """New words sharing a replaced span's time; starts never pass the next kept word's start."""
    cuts = _boundaries(tokens, start, end)
    out = []
    for k, token in enumerate(tokens):
        # Carry speaker/channel from the old word at the same relative position in the span.
        source = old[min(len(old) - 1, k * len(old) // len(tokens))]
        word_start = cuts[k] if bound is None else min(cuts[k], max(bound, start))
        word_end = end if k == len(tokens) - 1 else max(cuts[k + 1], word_start)
        out.append(_edited(source, token, word_start, word_end))
    return out


def _interpolate(
    tokens: list[str],
    prev_end: int | None,
    next_begin: int | None,
    old: Sequence[Word],
    i1: int,
    words: Sequence[Word],
    lo: int,
) -> list[Word]:
    """Inserted words spread over the gap between their neighbours (zero-length at an edge)."""
    if prev_end is None and next_begin is None:
        gap_start = gap_end = 0
    elif prev_end is None:
        gap_start = gap_end = next_begin
    elif next_begin is None:
        gap_start = gap_end = prev_end
    else:
        # Overlapping neighbours (two channels talking at once) leave no gap: sit at the next start.
        gap_start, gap_end = min(prev_end, next_begin), next_begin
    if i1 > 0:
        source = old[i1 - 1]
    elif lo > 0:
        source = words[lo - 1]
    elif old:
        source = old[0]
    elif lo < len(words):
        source = words[lo]
    else:
        source = {}
    cuts = _boundaries(tokens, gap_start, gap_end)
    return [_edited(source, t, cuts[k], cuts[k + 1]) for k, t in enumerate(tokens)]


def diff_patch(old: Sequence[Word], new: Sequence[Word]) -> dict[str, Any]:
    """The one hunk turning ``old`` into ``new``: ``{"index", "removed", "added"}`` (plain, JSON-able).

    Common leading and trailing words are left out, so a one-word edit stores about two words.
    """
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    return {
        "index": prefix,
        "removed": [dict(w) for w in old[prefix : len(old) - suffix]],
        "added": [dict(w) for w in new[prefix : len(new) - suffix]],
    }


def apply_patch(words: Sequence[Word], patch: dict[str, Any]) -> list[Word]:
    """Apply a hunk from ``diff_patch`` to the words it was made from."""
    index, removed = patch["index"], patch["removed"]
    if list(words[index : index + len(removed)]) != removed:
        raise ValueError("patch does not apply: the words at its index have changed")
    # The words around the hunk are shared, not copied (nothing here modifies a word): reverting 30
    # revisions of a 30,000-word transcript would otherwise copy 900,000 dicts.
    return [*words[:index], *(dict(w) for w in patch["added"]), *words[index + len(removed) :]]


def revert_patch(words: Sequence[Word], patch: dict[str, Any]) -> list[Word]:
    """Undo a hunk: the exact words (texts, timings, confidences) from before it was applied."""
    inverse = {"index": patch["index"], "removed": patch["added"], "added": patch["removed"]}
    return apply_patch(words, inverse)
