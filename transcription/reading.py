"""A transcript as people read it: a conversation of named turns, or paragraphs for one voice.

Shared by the transcript page, share links and the exports; pure presentation over the stored
words and the participants' names (no HTTP here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conversation.names import default_name
from .conversation.talk_stats import talk_stats
from .conversation.turns import build_turns, default_participant
from .exports import paragraphs, timed_words
from .models import Transcript
from .page_text import BlockText, block_text, blocks_html
from .participants import participant_names
from .revising.services import editable_words


@dataclass
class TurnView:
    """One turn on the page: its words, who spoke (labelled once per run), and any overlap."""

    participant: str
    name: str
    label: str  # "" when the turn before was the same person's
    start: int
    voice: int  # 1, 2...: the participant's place, for its colour
    words: list[dict[str, Any]] = field(default_factory=list)
    overlaps_with: list[str] = field(default_factory=list)
    text: BlockText | None = None  # set by transcript_body


@dataclass
class ParagraphView:
    """One paragraph of a single voice (or unlabelled speech) on the page."""

    label: str
    start: int
    text: BlockText


def is_conversation(words: list[dict[str, Any]]) -> bool:
    """Whether the words tell voices apart (channels or speakers): then the page shows turns."""
    return any(default_participant(word) for word in words)


def conversation_turns(
    words: list[dict[str, Any]],
    names: dict[str, str],
    keys: list[str] | None = None,
    *,
    in_time_order: bool = False,
) -> list[TurnView]:
    """The turns of timed `words`, in time order, named; consecutive turns of one person labelled once.
    `keys`: each word's participant, when the caller has them; `in_time_order`: the words are
    (revising.editable_words' are)."""
    voices = {key: place for place, key in enumerate(names, start=1)}
    views, previous = [], None
    for turn in build_turns(words, participants=keys, in_time_order=in_time_order):
        name = names.get(turn.participant) or default_name(turn.participant)
        views.append(
            TurnView(
                participant=turn.participant,
                name=name,
                label="" if turn.participant == previous else name,
                start=turn.start,
                voice=voices.get(turn.participant, 0),
                words=turn.words(words),
                overlaps_with=sorted(names.get(p) or default_name(p) for p in turn.overlaps_with),
            )
        )
        previous = turn.participant
    return views


def named_stats(
    transcript: Transcript,
    words: list[dict[str, Any]],
    names: dict[str, str],
    keys: list[str] | None = None,
    *,
    in_time_order: bool = False,
) -> dict:
    """Talk statistics (seconds and shares) with each participant's name; {} without voices.
    `keys` and `in_time_order` as for conversation_turns."""
    if not (any(keys) if keys is not None else is_conversation(words)):
        return {}
    duration = round(transcript.audio_duration * 1000) if transcript.audio_duration else None
    stats = talk_stats(words, duration, participants=keys, in_time_order=in_time_order).as_dict()
    for row in stats["participants"]:
        row["name"] = names.get(row["participant"]) or default_name(row["participant"])
    return stats


def transcript_body(transcript: Transcript, *, low: float) -> dict[str, Any]:
    """What the transcript's body template needs: turns (a conversation) or paragraphs, and counts."""
    # The words as the editor numbers them (timed, in time order): the stored list itself once clean.
    words = editable_words(transcript.words)
    # Each word's participant, once: names, turns and talk statistics all need them.
    keys = list(map(default_participant, words))
    names = participant_names(transcript, words, voices=keys)
    turns = conversation_turns(words, names, keys, in_time_order=True) if any(keys) else []
    for turn in turns:
        turn.text = block_text(turn.words, low)
    paras = (
        []
        if turns
        else [
            ParagraphView(label=p.label, start=p.start, text=block_text(p.words, low))
            for p in paragraphs(words)
        ]
    )
    blocks = turns or paras
    return {
        "turns": turns,
        "paragraphs": paras,
        "participants": [
            {"key": key, "name": name, "default": default_name(key)} for key, name in names.items() if key
        ],
        "stats": named_stats(transcript, words, names, keys, in_time_order=True),
        "blocks_html": blocks_html(blocks, conversation=bool(turns)),
        "doubtful": sum(b.text.doubtful for b in blocks),
        "low_confidence": low,
        "low_confidence_pct": round(low * 100),
    }


def words_with_participants(transcript: Transcript, names: dict[str, str]) -> list[dict[str, Any]]:
    """The stored words, each with its `participant` key and `participant_name` (for the JSON export)."""
    result = []
    for word in transcript.words or []:
        if isinstance(word, dict):
            key = default_participant(word)
            word = {**word, "participant": key, "participant_name": names.get(key) or default_name(key)}
        result.append(word)
    return result


def talk_summary(transcript: Transcript) -> dict:
    """The talk statistics of a completed conversation ({} otherwise), for pages that list transcripts."""
    if transcript.status != "completed":
        return {}
    words = timed_words(transcript.words)
    return named_stats(transcript, words, participant_names(transcript, words))
