"""Word error rate of the engine's output against the text a person reviewed (jiwer underneath).

The reviewed text is the reference, the engine's output the hypothesis:
``WER = (substitutions + deletions + insertions) / reference words``.

Normalisation, applied to both sides before counting (``normalize.normalize_token``): split on
whitespace, casefold, drop every punctuation character; a token left empty (a lone "—") is not a
word. So "Hello, world." and "hello world" score 0; "don't" and "dont" are the same word. Numbers
are not spelled out ("3" and "three" differ) and hyphens join ("well-known" is one word).

With no reference words the rate is 0.0 if the engine wrote nothing too, else 1.0 (jiwer's choice).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jiwer

from .normalize import normalize_token, tokenize

__all__ = ["WerResult", "combine", "corrections", "normalized_words", "wer_by_participant", "word_error_rate"]


@dataclass(frozen=True)
class WerResult:
    """Counts of one comparison; ``wer`` is derived, so results add up across transcripts."""

    hits: int
    substitutions: int
    deletions: int
    insertions: int

    @property
    def reference_words(self) -> int:
        """Words in the reviewed text (hits + substitutions + deletions)."""
        return self.hits + self.substitutions + self.deletions

    @property
    def hypothesis_words(self) -> int:
        """Words in the engine's output (hits + substitutions + insertions)."""
        return self.hits + self.substitutions + self.insertions

    @property
    def errors(self) -> int:
        """Substitutions + deletions + insertions."""
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """Errors per reference word; 0.0 or 1.0 when there is no reference (see module docstring)."""
        if self.reference_words == 0:
            return 0.0 if self.insertions == 0 else 1.0
        return self.errors / self.reference_words

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-able figures for storage and exports."""
        return {
            "wer": self.wer,
            "hits": self.hits,
            "substitutions": self.substitutions,
            "deletions": self.deletions,
            "insertions": self.insertions,
            "reference_words": self.reference_words,
            "hypothesis_words": self.hypothesis_words,
        }


TextOrWords = str | Sequence[str] | Sequence[dict[str, Any]]


def normalized_words(text: TextOrWords) -> list[str]:
    """Normalised word tokens of a text, a list of tokens, or a list of word dicts (their "text")."""
    if isinstance(text, str):
        raw = tokenize(text)
    else:
        raw = [t for item in text for t in tokenize(item["text"] if isinstance(item, dict) else item)]
    return [n for n in (normalize_token(t) for t in raw) if n]


def _process(reference: list[str], hypothesis: list[str]) -> jiwer.WordOutput | None:
    # jiwer refuses empty input; those cases are all deletions or all insertions anyway.
    if not reference or not hypothesis:
        return None
    return jiwer.process_words(" ".join(reference), " ".join(hypothesis))


def word_error_rate(reviewed: TextOrWords, engine: TextOrWords) -> WerResult:
    """WER of the engine's output against the reviewed text, with hits, S, D and I."""
    reference, hypothesis = normalized_words(reviewed), normalized_words(engine)
    out = _process(reference, hypothesis)
    if out is None:
        return WerResult(hits=0, substitutions=0, deletions=len(reference), insertions=len(hypothesis))
    return WerResult(
        hits=out.hits, substitutions=out.substitutions, deletions=out.deletions, insertions=out.insertions
    )


def combine(results: Iterable[WerResult]) -> WerResult:
    """Pooled figures (total errors over total reference words), not an average of rates."""
    total = WerResult(0, 0, 0, 0)
    for r in results:
        total = WerResult(
            hits=total.hits + r.hits,
            substitutions=total.substitutions + r.substitutions,
            deletions=total.deletions + r.deletions,
            insertions=total.insertions + r.insertions,
        )
    return total


def wer_by_participant(
    reviewed_words: Sequence[dict[str, Any]],
    engine_words: Sequence[dict[str, Any]],
    *,
    key: str = "participant",
) -> dict[str, WerResult]:
    """WER per participant, each computed on that participant's own words on both sides.

    ``key`` names the word field holding the participant (e.g. "channel" or "speaker"); words
    without it are grouped under "". A participant present on one side only scores all deletions
    (or all insertions).
    """
    groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for side, words in ((0, reviewed_words), (1, engine_words)):
        for w in words:
            groups.setdefault(str(w.get(key) or ""), ([], []))[side].append(w)
    return {p: word_error_rate(ref, hyp) for p, (ref, hyp) in sorted(groups.items())}


def corrections(engine: TextOrWords, reviewed: TextOrWords) -> Counter[tuple[str, str]]:
    """How often each engine word was corrected to each reviewed word: ``{(old, new): count}``.

    Substitutions only, on normalised words (a word the engine missed entirely has no "old").
    Add the counters of many transcripts and take ``.most_common(n)`` for the most corrected words.
    """
    reference, hypothesis = normalized_words(reviewed), normalized_words(engine)
    counts: Counter[tuple[str, str]] = Counter()
    out = _process(reference, hypothesis)
    if out is None:
        return counts
    for chunk in out.alignments[0]:
        if chunk.type == "substitute":
            olds = hypothesis[chunk.hyp_start_idx : chunk.hyp_end_idx]
            news = reference[chunk.ref_start_idx : chunk.ref_end_idx]
            counts.update(zip(olds, news, strict=True))
    return counts
