"""Key terms: words and phrases AssemblyAI should expect (`keyterms_prompt`), sent with every submission.

Two sources, sent together: `TRANSCRIPTION_KEYTERMS` (the operator's, in the settings) and the
`KeyTerm` rows people add in the app (often one click from the Accuracy page's most corrected words).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from djtranscribe import access

from .models import KeyTerm

# Who may add and remove key terms (they change every later submission): leads, or this permission.
MANAGE_KEYTERMS = "transcription.add_keyterm"
MAX_CHARS = KeyTerm._meta.get_field("text").max_length  # AssemblyAI ignores longer terms
MAX_WORDS = 6  # AssemblyAI's limit per phrase
# Universal-2 ignores terms shorter than this (Universal-3 Pro reads them): said in the help text.
SHORT_CHARS = 5


class KeyTermError(ValueError):
    """A key term that cannot be stored, in words for the person who typed it."""


def may_manage_keyterms(user) -> bool:
    """Whether `user` may add or remove key terms."""
    return bool(
        user is not None and user.is_active and (access.sees_all(user) or user.has_perm(MANAGE_KEYTERMS))
    )


def clean_keyterm(text: str) -> str:
    """The term with its spaces tidied; KeyTermError when AssemblyAI would refuse or ignore it."""
    term = " ".join(str(text or "").split())
    if not term:
        raise KeyTermError("Type a word or phrase to add as a key term.")
    if len(term) > MAX_CHARS:
        raise KeyTermError(f"A key term has at most {MAX_CHARS} characters; “{term[:20]}…” has {len(term)}.")
    if len(term.split()) > MAX_WORDS:
        raise KeyTermError(f"A key term has at most {MAX_WORDS} words: split “{term}” into shorter phrases.")
    return term


def keyterm_add(*, text: str, user) -> KeyTerm:
    """Store a key term (KeyTermError when it is invalid or there already, in any case)."""
    term = clean_keyterm(text)
    if term.casefold() in {t.casefold() for t in keyterms_current()}:
        raise KeyTermError(f"“{term}” is a key term already.")
    try:
        with transaction.atomic():
            return KeyTerm.objects.create(text=term, added_by=user if user.is_authenticated else None)
    except IntegrityError:
        raise KeyTermError(f"“{term}” is a key term already.") from None


def keyterm_remove(*, text: str) -> int:
    """Remove a key term added in the app; answers how many rows went (0 or 1)."""
    return KeyTerm.objects.filter(text=" ".join(str(text or "").split())).delete()[0]


def keyterms_current() -> list[str]:
    """Every key term a submission sends now: the settings' first, then the app's, each once."""
    seen: set[str] = set()
    terms = []
    for term in [*settings.TRANSCRIPTION_KEYTERMS, *KeyTerm.objects.values_list("text", flat=True)]:
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms
