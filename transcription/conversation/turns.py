"""Turns of a conversation, built from timed words: who said what, in time order.

Words are dicts as AssemblyAI sends them (``text``, ``start``/``end`` in ms, ``speaker``?,
``channel``?). A word's participant is, by default, its ``channel`` for a multichannel recording
(the STRING "1" = the parent leg: the user called first, or the inbound caller; "2" = the dialed
party), else its diarization ``speaker`` ("A", "B"...), else "" (one unnamed voice). Naming
participants is the app's business; this module only groups.

A turn is a run of consecutive words (in time order) of one participant. A long monologue is cut
into paragraphs, each its own ``Turn`` with ``continues=True`` (same participant as the turn
before: an interface labels it once), and only at a sentence end, never mid-sentence. A turn
``overlaps`` when its time intersects a turn of another participant (people talking at once).

Precondition for the "one participant's turns never overlap" guarantee: a participant's own words do
not overlap one another, which holds for AssemblyAI's words per channel and per speaker.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice
from operator import itemgetter, le
from typing import Any

__all__ = [
    "PARAGRAPH_MS",
    "Turn",
    "build_turns",
    "default_participant",
    "ends_sentence",
    "time_order",
]

Word = dict[str, Any]
# A monologue longer than this (ms) gets a paragraph break at the next sentence end.
PARAGRAPH_MS = 45_000
_SENTENCE_END = (".", "?", "!", "…", "。", "？", "！")
_CLOSERS = "\"')]}»”’"


def default_participant(word: Word) -> str:
    """The word's channel ("1", "2") when there is one, else its speaker ("A"...), else ""."""
    # Unrolled: three passes over a 30,000-word call's words call this for each word.
    value = word.get("channel")
    if value is None or value == "":
        value = word.get("speaker")
        if value is None or value == "":
            return ""
    return value if type(value) is str else str(value)


def ends_sentence(text: str) -> bool:
    """Whether a word closes a sentence ("end.", "why?", "now!\"")."""
    return text.rstrip(_CLOSERS).endswith(_SENTENCE_END)


def time_order(words: Sequence[Word]) -> list[int]:
    """Indices of ``words`` sorted by start; words that start together keep their given order.

    The editor numbers the words the same way (revising.editable_words): the page shows word N
    where a correction of word N lands. (A tie broken by end here once showed two overlapping
    voices' words swapped, and a correction of one changed the other.)
    """
    # Stored words are in time order once saved (revising.editable_words): checked at C speed, the
    # page of a 30,000-word call skips the sort.
    starts = list(map(itemgetter("start"), words))
    if all(map(le, starts, islice(starts, 1, None))):
        return list(range(len(starts)))
    return sorted(range(len(starts)), key=starts.__getitem__)  # a stable sort: ties keep their order


@dataclass
class Turn:
    """One labelled block: a participant's consecutive words (or a paragraph of them)."""

    participant: str
    indices: list[int]  # positions in the input list, in time order (contiguous if it was sorted)
    start: int  # ms: the first word's start
    end: int  # ms: the latest end among its words
    continues: bool = False  # same participant as the turn before: do not label it again
    overlaps: bool = False  # intersects another participant's turn in time
    overlaps_with: set[str] = field(default_factory=set)

    @property
    def span(self) -> tuple[int, int]:
        """``(start_index, end_index)`` for ``editing.align.align_span``: needs words stored in time order."""
        first, last = self.indices[0], self.indices[-1]
        if self.indices != list(range(first, last + 1)):
            raise ValueError("this turn's words are not contiguous: store the words in time order")
        return first, last + 1

    def words(self, words: Sequence[Word]) -> list[Word]:
        """This turn's words, taken from the list it was built from."""
        return [words[i] for i in self.indices]

    def text(self, words: Sequence[Word]) -> str:
        """This turn's text, its words joined by spaces."""
        return " ".join(words[i]["text"] for i in self.indices)


def build_turns(
    words: Sequence[Word],
    *,
    participant: Callable[[Word], str] = default_participant,
    paragraph_ms: int = PARAGRAPH_MS,
    participants: Sequence[str] | None = None,
    in_time_order: bool = False,
) -> list[Turn]:
    """Turns of ``words`` in time order; every word lands in exactly one turn.

    ``participants``: each word's participant, when the caller has them already (the transcript
    page needs them three times over a call's 30,000 words); else ``participant`` of each word.
    ``in_time_order``: the caller's words are in time order already (revising.editable_words'
    are), so they are not checked again.
    """
    order = range(len(words)) if in_time_order else time_order(words)
    keys = list(map(participant, words)) if participants is None else participants
    # Runs of one participant's consecutive words (groupby: C speed over a call's 30,000 words).
    runs = [(who, list(run)) for who, run in groupby(order, key=keys.__getitem__)]

    turns: list[Turn] = []
    for who, indices in runs:
        ends = [words[i]["end"] for i in indices]
        if max(ends) - words[indices[0]]["start"] < paragraph_ms:
            paragraphs = [indices]  # most turns: too short to cut, no word to look at
        else:
            paragraphs = _paragraphs(words, indices, paragraph_ms)
        for k, paragraph in enumerate(paragraphs):
            turns.append(
                Turn(
                    participant=who,
                    indices=paragraph,
                    start=words[paragraph[0]]["start"],
                    end=max(ends) if paragraph is indices else max(words[i]["end"] for i in paragraph),
                    continues=k > 0,
                )
            )
    _mark_overlaps(turns)
    return turns


def _paragraphs(words: Sequence[Word], indices: list[int], paragraph_ms: int) -> list[list[int]]:
    """Cut a run at sentence ends once a paragraph has lasted ``paragraph_ms``."""
    paragraphs: list[list[int]] = [[]]
    for position, i in enumerate(indices):
        current = paragraphs[-1]
        current.append(i)
        is_last = position == len(indices) - 1
        long_enough = words[i]["end"] - words[current[0]]["start"] >= paragraph_ms
        if long_enough and ends_sentence(words[i]["text"]) and not is_last:
            paragraphs.append([])
    return paragraphs


def _mark_overlaps(turns: list[Turn]) -> None:
    """Flag every pair of turns of different participants whose times intersect (sweep by start)."""
    active: list[Turn] = []
    for turn in turns:  # already in order of start
        active = [a for a in active if a.end > turn.start]
        for other in active:
            if other.participant != turn.participant and turn.start < other.end and other.start < turn.end:
                for a, b in ((turn, other), (other, turn)):
                    a.overlaps = True
                    a.overlaps_with.add(b.participant)
        active.append(turn)
