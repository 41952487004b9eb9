"""A person's "reviewed" mark, and the engine's accuracy measured against it (word error rate).

The reviewed words are the reference, revision 0 (the engine's output) the hypothesis; figures are
stored on the `Review` so the Accuracy page reads no transcript's words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record

from ..conversation.turns import default_participant
from ..editing.wer import WerResult, combine, corrections, wer_by_participant, word_error_rate
from ..models import Review, Revision, Transcript, TranscriptStatus
from .services import EditError, editable_words, latest_revision

# How many of one transcript's most frequent corrections are kept with its review.
KEPT_CORRECTIONS = 100


def call_type(transcript: Transcript) -> str:
    """What kind of audio it was: its asset's origin (a Twilio recording, an upload...), else its source."""
    if transcript.audio_id is not None:
        return transcript.audio.get_origin_kind_display()
    return transcript.get_audio_source_display()


def engine_words(transcript: Transcript) -> list[dict[str, Any]]:
    """The engine's words: revision 0's when the transcript was ever changed, else its own."""
    original = transcript.revisions.filter(number=0).values_list("original_words", flat=True).first()
    return editable_words(transcript.words if original is None else original)


def _with_participant(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**w, "participant": default_participant(w)} for w in words]


def transcript_review(*, transcript: Transcript, user, reviewed: bool) -> Review | None:
    """Mark `transcript` reviewed by `user` and measure the engine against it; or take the mark away."""
    if transcript.status != TranscriptStatus.COMPLETED:
        raise EditError("Only a completed transcript can be marked reviewed.")
    with transaction.atomic():
        if not reviewed:
            Review.objects.filter(transcript=transcript).delete()
            review = None
        else:
            engine, reviewed_words = engine_words(transcript), editable_words(transcript.words)
            per = wer_by_participant(_with_participant(reviewed_words), _with_participant(engine))
            review, _ = Review.objects.update_or_create(
                transcript=transcript,
                defaults={
                    "reviewed_by": user,
                    "reviewed_at": timezone.now(),
                    "revision": latest_revision(transcript),
                    "speech_model": transcript.speech_model_used,
                    "keyterms": len(transcript.keyterms or []),
                    "call_type": call_type(transcript),
                    "accuracy": word_error_rate(reviewed_words, engine).as_dict(),
                    "by_participant": {key: r.as_dict() for key, r in per.items() if len(per) > 1},
                    "corrections": [
                        [old, new, n]
                        for (old, new), n in corrections(engine, reviewed_words).most_common(KEPT_CORRECTIONS)
                    ],
                },
            )
        audit_record(
            user=user,
            action=AuditAction.EDITED,
            obj_kind="transcript",
            obj_id=transcript.pk,
            detail=f"marked reviewed, WER {review.accuracy['wer']:.1%}" if review else "review mark removed",
        )
    return review


def result_of(figures: dict[str, Any]) -> WerResult:
    """A stored ``as_dict`` back into counts that add up."""
    return WerResult(
        hits=figures.get("hits", 0),
        substitutions=figures.get("substitutions", 0),
        deletions=figures.get("deletions", 0),
        insertions=figures.get("insertions", 0),
    )


@dataclass
class Group:
    """Pooled figures of some reviews (errors over reference words, not an average of rates)."""

    label: str
    transcripts: int = 0
    result: WerResult = field(default_factory=lambda: WerResult(0, 0, 0, 0))

    def add(self, figures: dict[str, Any]) -> None:
        self.transcripts += 1
        self.result = combine([self.result, result_of(figures)])


def _grouped(reviews: list[Review], label) -> list[Group]:
    groups: dict[str, Group] = {}
    for review in reviews:
        name = label(review)
        groups.setdefault(name, Group(name)).add(review.accuracy)
    return sorted(groups.values(), key=lambda g: g.label)


def accuracy_report(reviews: Iterable[Review]) -> dict[str, Any]:
    """The Accuracy page's figures over `reviews` (already limited to what the user may see)."""
    reviews = list(reviews)
    overall = Group("All reviewed transcripts")
    for review in reviews:
        overall.add(review.accuracy)
    corrected: Counter[tuple[str, str]] = Counter()
    for review in reviews:
        corrected.update({(old, new): n for old, new, n in review.corrections})
    return {
        "overall": overall,
        "by_month": _grouped(reviews, lambda r: f"{r.reviewed_at:%Y-%m}"),
        "by_model": _grouped(reviews, lambda r: r.speech_model or "not reported"),
        "by_keyterms": _grouped(reviews, lambda r: "with key terms" if r.keyterms else "without key terms"),
        "by_call_type": _grouped(reviews, lambda r: r.call_type or "unknown"),
        "corrections": [{"old": old, "new": new, "count": n} for (old, new), n in corrected.most_common(25)],
    }


def review_of(transcript: Transcript) -> Review | None:
    """The transcript's review, if it has one."""
    return Review.objects.filter(transcript=transcript).select_related("reviewed_by").first()


def revisions_of(transcript: Transcript) -> list[Revision]:
    """Its revisions, newest first, without revision 0's whole copy of the words."""
    return list(
        transcript.revisions.select_related("author")
        .defer("original_words", "original_utterances")
        .order_by("-number")
    )
