"""Talk statistics of a call: who talked how much, the longest monologue, interruptions, silence.

Input is the transcript's timed words (ms ints; participant as in ``turns.default_participant``)
and the call's duration in ms (AssemblyAI's ``audio_duration`` is in seconds: multiply by 1000).

Definitions (all times in integer ms, clipped to ``[0, duration]``):

- A participant's *speech* is the union of their word intervals, with pauses shorter than
  ``pause_ms`` between their own words bridged (a breath is still talking).
- *Talk time* is the length of that speech; *share* is talk time over everyone's talk time summed
  (shares sum to 1 whenever anyone talked; overlapping speech counts for each speaker).
- The *longest monologue* is the longest run of one participant's consecutive words (a turn before
  paragraph breaks), from its first word's start to its last word's end.
- An *interruption* is a stretch of speech that starts while another participant is speaking
  (strictly inside their stretch); ``overlaps`` counts them all, ``overlap_ms`` is the time when two
  or more people speak at once.
- *Silence* is the time when nobody speaks: ``silence_ms + speech_ms == duration_ms`` exactly.
"""

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .turns import default_participant, time_order

__all__ = ["PAUSE_MS", "CallStats", "ParticipantStats", "talk_stats"]

Word = dict[str, Any]
Interval = tuple[int, int]
# Gaps between one person's words shorter than this are still talking.
PAUSE_MS = 1000


@dataclass(frozen=True)
class ParticipantStats:
    """One participant's figures."""

    participant: str
    talk_ms: int
    share: float
    longest_monologue_ms: int
    interruptions: int  # times they started speaking while someone else was
    words: int


@dataclass(frozen=True)
class CallStats:
    """The whole call's figures; ``participants`` in order of first speech."""

    duration_ms: int
    speech_ms: int  # time when at least one person speaks
    silence_ms: int  # time when nobody speaks
    overlap_ms: int  # time when two or more speak at once
    overlaps: int  # interruptions, all participants together
    participants: dict[str, ParticipantStats]

    def as_dict(self) -> dict[str, Any]:
        """Plain figures in seconds, for pages and the JSON export."""
        return {
            "duration_s": self.duration_ms / 1000,
            "speech_s": self.speech_ms / 1000,
            "silence_s": self.silence_ms / 1000,
            "overlap_s": self.overlap_ms / 1000,
            "overlaps": self.overlaps,
            "participants": [
                {
                    "participant": p.participant,
                    "talk_s": p.talk_ms / 1000,
                    "share": p.share,
                    "longest_monologue_s": p.longest_monologue_ms / 1000,
                    "interruptions": p.interruptions,
                    "words": p.words,
                }
                for p in self.participants.values()
            ],
        }


def _merge(intervals: Sequence[Interval], bridge: int = 0) -> list[Interval]:
    """Union of intervals, joining those separated by less than ``bridge`` ms."""
    ordered = sorted(intervals)
    if not ordered:
        return []
    merged: list[Interval] = []
    # The open stretch in two locals, not a list's last item: 30,000 words in a 3-hour call.
    current_start, current_end = ordered[0]
    for start, end in ordered:
        if start <= current_end or start - current_end < bridge:
            if end > current_end:
                current_end = end
        else:
            merged.append((current_start, current_end))
            current_start, current_end = start, end
    merged.append((current_start, current_end))
    return merged


def _length(intervals: Sequence[Interval]) -> int:
    return sum(e - s for s, e in intervals)


def _clip(start: int, end: int, duration: int) -> Interval:
    start = min(max(start, 0), duration)
    return start, min(max(end, start), duration)


def _inside(t: int, spans: list[Interval]) -> bool:
    """Whether ``t`` falls strictly inside one of ``spans`` (sorted, disjoint: a binary search)."""
    k = bisect_left(spans, (t,)) - 1  # the last span starting before t
    return k >= 0 and spans[k][0] < t < spans[k][1]


def _overlap_time(speech: dict[str, list[Interval]]) -> int:
    """Time covered by two or more participants' speech (a sweep over start/end events)."""
    events = sorted(
        (t, delta) for spans in speech.values() for s, e in spans for t, delta in ((s, 1), (e, -1))
    )
    total, active, last = 0, 0, 0
    for t, delta in events:  # ends (-1) sort before starts (+1) at the same instant: touching isn't overlap
        if active >= 2:
            total += t - last
        active += delta
        last = t
    return total


def talk_stats(
    words: Sequence[Word],
    duration_ms: int | None = None,
    *,
    participant: Callable[[Word], str] = default_participant,
    pause_ms: int = PAUSE_MS,
    participants: Sequence[str] | None = None,
    in_time_order: bool = False,
) -> CallStats:
    """Talk time and share, longest monologue, interruptions and silence of one call.

    ``duration_ms`` defaults to the last word's end; words beyond it are clipped to it.
    ``participants``: each word's participant, when the caller has them (else ``participant``'s).
    ``in_time_order``: as for turns.build_turns.
    """
    order = range(len(words)) if in_time_order else time_order(words)
    keys = list(map(participant, words)) if participants is None else participants
    if duration_ms is None:
        duration_ms = max((w["end"] for w in words), default=0)
    duration_ms = max(0, duration_ms)

    spans: dict[str, list[Interval]] = {}
    counts: dict[str, int] = {}
    longest: dict[str, int] = {}
    run_who, run_start, run_end = None, 0, 0
    mine: list[Interval] = []
    for i in order:  # once per word of a call that may have 30,000: no calls but the participant's
        word = words[i]
        who = keys[i]
        start, end = word["start"], word["end"]
        if start < 0 or end < start or end > duration_ms:
            start, end = _clip(start, end, duration_ms)
        if who != run_who:
            if run_who is not None and run_end - run_start > longest[run_who]:
                longest[run_who] = run_end - run_start
            if who not in spans:
                spans[who], counts[who], longest[who] = [], 0, 0
            mine = spans[who]
            run_who, run_start, run_end = who, start, end
        mine.append((start, end))
        counts[who] += 1
        if end > run_end:
            run_end = end
    if run_who is not None and run_end - run_start > longest[run_who]:
        longest[run_who] = run_end - run_start

    speech = {who: _merge(s, bridge=pause_ms) for who, s in spans.items()}
    talk = {who: _length(s) for who, s in speech.items()}
    total_talk = sum(talk.values())
    interruptions = {
        who: sum(
            1
            for start, _ in mine
            if any(_inside(start, theirs) for other, theirs in speech.items() if other != who)
        )
        for who, mine in speech.items()
    }
    speech_ms = _length(_merge([iv for s in speech.values() for iv in s]))
    participants = {
        who: ParticipantStats(
            participant=who,
            talk_ms=talk[who],
            share=talk[who] / total_talk if total_talk else 0.0,
            longest_monologue_ms=longest[who],
            interruptions=interruptions[who],
            words=counts[who],
        )
        for who in spans
    }
    return CallStats(
        duration_ms=duration_ms,
        speech_ms=speech_ms,
        silence_ms=duration_ms - speech_ms,
        overlap_ms=_overlap_time(speech),
        overlaps=sum(interruptions.values()),
        participants=participants,
    )
