"""Saving corrections: every change to a transcript's words is a revision, inside one transaction.

The Transcript row keeps the latest text, words and utterances (so search, exports, talk statistics,
share links and the API read the latest revision without knowing revisions exist); `Revision` rows
keep the history: revision 0 the engine's output whole, each later one the hunk that made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any

from django.db import transaction
from django.db.models import Max

from audit.models import AuditAction
from audit.services import audit_record

from ..conversation.turns import default_participant
from ..editing.align import Word, align_span, diff_patch, revert_patch, text_of
from ..exports import timed_words
from ..models import Participant, Revision, RevisionKind, Transcript, TranscriptStatus
from ..signals import transcript_revised

# Who may correct a transcript they can see: its owner, or whoever holds this permission (a
# superuser holds every one). Leads see every transcript but correct only with it.
EDIT_TRANSCRIPTS = "transcription.change_transcript"
# One save replaces at most this much typed text (a long turn is a few thousand characters).
MAX_TEXT = 20_000


class EditError(ValueError):
    """A change that cannot be saved, in words for the person who asked; nothing was stored."""


class StaleEdit(EditError):
    """The transcript changed since the page was opened (another tab, another person)."""


@dataclass(frozen=True)
class Saved:
    """What a save answers: the new revision and the words that replaced ``start:end``."""

    revision: Revision
    start: int
    end: int
    words: list[Word]


def may_edit(user, transcript: Transcript) -> bool:
    """Whether `user` may correct `transcript` (seeing it is checked by the selectors first)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return transcript.owner_id == user.pk or user.has_perm(EDIT_TRANSCRIPTS)


def editable_words(words: Any, *, ours: bool = False) -> list[Word]:
    """The stored words as the page numbers them: timed words (integer ms), in time order.

    Saving writes this shape back, so after the first save it is the stored list itself (returned
    as is, not copied: a 30,000-word transcript is checked in a few ms, copied in tens).
    """
    if ours or _is_clean(words):
        # `ours`: a save of this app wrote them (the transcript has revisions), so they are clean.
        return words
    timed = timed_words(words)
    # By start; words that start together keep their stored order (as the page shows them:
    # conversation.time_order), whatever their ends.
    timed.sort(key=itemgetter("start"))
    return timed


def _is_clean(words: Any) -> bool:
    """Whether `words` already are timed words in time order, as timed_words would make them."""
    if not isinstance(words, list):
        return False
    previous = 0
    for w in words:
        if type(w) is not dict:
            return False
        start, end, text = w.get("start"), w.get("end"), w.get("text")
        if type(start) is not int or type(end) is not int or type(text) is not str:
            return False
        if not previous <= start <= end:
            return False
        if not text or text[0].isspace() or text[-1].isspace():
            return False
        previous = start
    return True


def latest_revision(transcript: Transcript) -> int:
    """The number of the transcript's latest revision; 0 when it was never changed."""
    return transcript.revisions.aggregate(n=Max("number"))["n"] or 0


def utterances_of(words: Sequence[Word], *, with_words: bool = True) -> list[dict[str, Any]]:
    """Utterances rebuilt from words (runs of one speaker), as AssemblyAI shapes them.

    `with_words=False` leaves out each utterance's copy of its words (when the engine's had none).
    """
    result: list[dict[str, Any]] = []
    for word in words:
        speaker = word.get("speaker")
        if not result or result[-1]["speaker"] != speaker:
            result.append({"speaker": speaker, "start": word["start"], "words": []})
        result[-1]["words"].append(word)
    for utterance in result:
        own = utterance["words"]
        utterance["end"] = max(w["end"] for w in own)
        utterance["text"] = text_of(own)
        utterance["confidence"] = sum(w.get("confidence") or 0 for w in own) / len(own)
        if not with_words:
            del utterance["words"]
    return result


def _locked(pk: int) -> Transcript:
    transcript = Transcript.objects.select_for_update().filter(pk=pk).first()
    if transcript is None:
        raise EditError("This transcript no longer exists.")
    if transcript.status != TranscriptStatus.COMPLETED:
        raise EditError("Only a completed transcript can be corrected.")
    return transcript


def _ensure_original(transcript: Transcript, user) -> None:
    """Write revision 0 (the engine's output, whole) before the first change."""
    if not transcript.revisions.filter(number=0).exists():
        Revision.objects.create(
            transcript=transcript,
            number=0,
            kind=RevisionKind.ORIGINAL,
            summary="The engine's transcript",
            original_text=transcript.text,
            original_words=transcript.words,
            original_utterances=transcript.utterances,
        )


def _store(
    transcript: Transcript,
    *,
    user,
    new_words: list[Word],
    kind: str,
    summary: str,
    patch: dict[str, Any] | None = None,
    text: str | None = None,
    utterances: list | None = None,
    reverted_to: int | None = None,
) -> Revision:
    """Write the revision, the row's new words and an audit row; signal on commit."""
    _ensure_original(transcript, user)
    number = latest_revision(transcript) + 1
    revision = Revision.objects.create(
        transcript=transcript,
        number=number,
        kind=kind,
        author=user if user is not None and user.is_authenticated else None,
        summary=summary[:300],
        patch=diff_patch(transcript.words, new_words) if patch is None else patch,
        reverted_to=reverted_to,
    )
    transcript.words = new_words
    transcript.text = text_of(new_words) if text is None else text
    if utterances is not None:
        transcript.utterances = utterances
    elif transcript.utterances:
        had_words = any(isinstance(u, dict) and "words" in u for u in transcript.utterances)
        transcript.utterances = utterances_of(new_words, with_words=had_words)
    transcript.save(update_fields=["words", "text", "utterances", "updated_at"])
    audit_record(
        user=user,
        action=AuditAction.EDITED,
        obj_kind="transcript",
        obj_id=transcript.pk,
        detail=f"revision {number} ({kind}): {summary}",
    )
    transaction.on_commit(
        partial(transcript_revised.send, sender=Transcript, transcript=transcript, revision=revision)
    )
    return revision


def _span_patch(stored: Any, words: list[Word], start: int, end: int, added: list[Word]) -> dict | None:
    """The hunk of a change inside `start:end`, without comparing the other 30,000 words; None
    (the caller diffs the whole list) when the stored words were not already in editable shape."""
    if stored is not words:
        return None
    hunk = diff_patch(words[start:end], added)
    return {**hunk, "index": start + hunk["index"]}


def _span(words: Sequence[Word], start: Any, end: Any) -> tuple[int, int]:
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise EditError("Say which words to change: `start` and `end` are word numbers.") from None
    if not 0 <= start <= end <= len(words):
        raise EditError(f"Words {start} to {end} are outside this transcript (it has {len(words)} words).")
    return start, end


def _check_base(transcript: Transcript, base_revision: Any) -> int:
    """The latest revision's number; StaleEdit when the page was made from an older one."""
    current = latest_revision(transcript)
    if base_revision is not None and str(base_revision) != str(current):
        raise StaleEdit(
            f"This transcript was changed since you opened it (it is at revision {current} now): "
            "reload the page, then make your correction again."
        )
    return current


def transcript_correct(
    *, transcript_pk: int, user, start: Any, end: Any, text: Any, base_revision: Any = None
) -> Saved:
    """Replace words ``start:end`` (page numbering) by `text`, aligned so every other word keeps its time.

    Raises EditError (nothing stored) for a span outside the words, a stale page or a text too long.
    """
    if not isinstance(text, str):
        raise EditError("Send the corrected words as `text`, a string.")
    if len(text) > MAX_TEXT:
        raise EditError(f"A correction has at most {MAX_TEXT} characters: edit a turn at a time.")
    with transaction.atomic():
        transcript = _locked(transcript_pk)
        latest = _check_base(transcript, base_revision)
        words = editable_words(transcript.words, ours=latest > 0)
        start, end = _span(words, start, end)
        new_words = align_span(words, start, end, text)
        added = new_words[start : len(new_words) - (len(words) - end)]
        before, after = text_of(words[start:end]), text_of(added)
        if added == words[start:end]:
            raise EditError("Nothing changed: the words are already as typed.")
        if before and after:
            summary = f"“{before}” → “{after}”"
        else:
            summary = f"added “{after}”" if after else f"removed “{before}”"
        revision = _store(
            transcript,
            user=user,
            new_words=new_words,
            kind=RevisionKind.EDIT,
            summary=summary,
            patch=_span_patch(transcript.words, words, start, end, added),
        )
    return Saved(revision=revision, start=start, end=end, words=added)


def transcript_accept(*, transcript_pk: int, user, start: Any, end: Any, base_revision: Any = None) -> Saved:
    """Mark words ``start:end`` as checked by a person: same text and times, full confidence."""
    with transaction.atomic():
        transcript = _locked(transcript_pk)
        latest = _check_base(transcript, base_revision)
        words = editable_words(transcript.words, ours=latest > 0)
        start, end = _span(words, start, end)
        if start == end:
            raise EditError("Say which word to accept.")
        accepted = [{**w, "confidence": 1.0, "accepted": True} for w in words[start:end]]
        new_words = words[:start] + accepted + words[end:]
        if accepted == words[start:end]:
            raise EditError("Nothing changed: these words were accepted already.")
        summary = f"accepted “{text_of(accepted)}”"
        revision = _store(
            transcript,
            user=user,
            new_words=new_words,
            kind=RevisionKind.ACCEPT,
            summary=summary,
            patch=_span_patch(transcript.words, words, start, end, accepted),
        )
    return Saved(revision=revision, start=start, end=end, words=accepted)


def words_at(transcript: Transcript, number: int) -> list[Word]:
    """The words of revision `number`, walking the later revisions' hunks back from the latest."""
    later = (
        transcript.revisions.filter(number__gt=number)
        .order_by("-number")
        .defer("original_words", "original_utterances", "original_text")
    )
    words = transcript.words
    for revision in later:
        try:
            words = revert_patch(words, revision.patch)
        except ValueError:
            raise EditError(
                f"Revision {revision.number} does not fit the stored words any more; nothing was changed."
            ) from None
    return words


def transcript_revert(*, transcript_pk: int, user, number: Any) -> Revision:
    """Bring back revision `number`'s words exactly (times and confidences too), as a new revision."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise EditError("Say which revision to go back to: `revision` is a number.") from None
    with transaction.atomic():
        transcript = _locked(transcript_pk)
        latest = latest_revision(transcript)
        if not 0 <= number <= latest:
            raise EditError(f"There is no revision {number}: this transcript has revisions 0 to {latest}.")
        if number == latest:
            raise EditError(f"Revision {number} is the transcript as it is now: nothing to revert.")
        # In editable shape even for revision 0 (the engine's words as the page numbers them), so
        # every stored list after a revision is clean and later saves need not check it.
        words = editable_words(words_at(transcript, number))
        original = transcript.revisions.get(number=0) if number == 0 else None
        return _store(
            transcript,
            user=user,
            new_words=words,
            kind=RevisionKind.REVERT,
            summary=f"back to revision {number}",
            text=original.original_text if original else None,
            utterances=original.original_utterances if original else None,
            reverted_to=number,
        )


def participants_merge(*, transcript_pk: int, user, source: str, into: str) -> Revision:
    """Give every word of participant `source` to participant `into` (one voice heard as two)."""
    with transaction.atomic():
        transcript = _locked(transcript_pk)
        words = editable_words(transcript.words)
        keys = {default_participant(w) for w in words}
        if source == into:
            raise EditError("Choose two different participants to merge.")
        for key in (source, into):
            if not key or key not in keys:
                raise EditError(f"This transcript has no participant {key!r}.")
        new_words = []
        for word in words:
            if default_participant(word) == source:
                field = "channel" if word.get("channel") not in (None, "") else "speaker"
                word = {**word, field: into}
            new_words.append(word)
        Participant.objects.filter(transcript=transcript, key=source).delete()
        return _store(
            transcript,
            user=user,
            new_words=new_words,
            kind=RevisionKind.SPEAKERS,
            summary=f"participant {source} merged into {into}",
        )
