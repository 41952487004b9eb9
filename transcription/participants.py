"""Who speaks in a transcript: the names of its channels and speakers.

The app that made the transcript names them when it knows (caller: the user, the number called);
a person may rename them on the transcript page. A voice without a name shows its default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from djtranscribe import access

from .conversation.names import default_name
from .conversation.turns import default_participant
from .models import Participant, Transcript

NAME_LENGTH = Participant._meta.get_field("name").max_length
KEY_LENGTH = Participant._meta.get_field("key").max_length


def participant_keys(words: Iterable[Any]) -> list[str]:
    """The voices heard in `words`, in order of first word ("" for words of no channel or speaker)."""
    keys: dict[str, None] = {}
    for word in words or []:
        if isinstance(word, dict):
            keys.setdefault(default_participant(word), None)
    return list(keys)


def participant_names(
    transcript: Transcript, words: Iterable[Any] | None = None, *, voices: Iterable[str] | None = None
) -> dict[str, str]:
    """Every voice's display name, in order of first word: the stored name, else the default.

    ``voices``: each word's participant, when the caller has them (the transcript page does).
    """
    stored = dict(transcript.participants.values_list("key", "name")) if transcript.pk else {}
    if voices is not None:
        keys = list(dict.fromkeys(voices))
    else:
        keys = participant_keys(transcript.words if words is None else words)
    keys += [key for key in stored if key not in keys]
    return {key: stored.get(key) or default_name(key) for key in keys}


def participants_set(*, transcript: Transcript, names: Mapping[str, str]) -> None:
    """Store the names the transcript's maker knows (e.g. {"1": "Ada", "2": "+1 415-555-1234"})."""
    for key, name in names.items():
        name = (name or "").strip()[:NAME_LENGTH]
        if key and name and len(key) <= KEY_LENGTH:
            Participant.objects.update_or_create(transcript=transcript, key=key, defaults={"name": name})


class RenameError(ValueError):
    """A rename that cannot be stored, in words for the person who asked."""


def may_rename(user, transcript: Transcript) -> bool:
    """The transcript's owner renames its participants; a lead may too."""
    return access.sees_all(user) or (
        user is not None and user.is_authenticated and transcript.owner_id == user.pk
    )


def participants_rename(*, transcript: Transcript, names: Mapping[str, str]) -> dict[str, str]:
    """Rename voices of the transcript; an empty name brings back the default. Answers the new names.

    Raises RenameError (nothing stored) for a voice the transcript does not have or a name too long.
    """
    known = participant_names(transcript)
    for key, name in names.items():
        if key not in known or not key:
            raise RenameError(f"This transcript has no participant {key!r}.")
        if len(name.strip()) > NAME_LENGTH:
            raise RenameError(f"A name has at most {NAME_LENGTH} characters.")
    with transaction.atomic():
        for key, name in names.items():
            name = " ".join(name.split())
            if name and name != default_name(key):
                Participant.objects.update_or_create(transcript=transcript, key=key, defaults={"name": name})
            else:
                Participant.objects.filter(transcript=transcript, key=key).delete()
    return participant_names(transcript)
