"""A call's notes: what its user wrote down about it (searchable with its transcripts).

Who may change them: the call's owner, or a user with `caller.change_call`. Whoever may only see
the call (a lead) reads them; anyone else gets the call's 404 first (selectors).
"""

from __future__ import annotations

from django.utils import timezone

from .models import NOTES_MAX_CHARS, Call

EDIT_CALLS = "caller.change_call"


class NotesError(ValueError):
    """Notes that cannot be saved, with what to fix; nothing was stored."""


def may_edit_notes(user, call: Call) -> bool:
    """Whether `user` may change `call`'s notes (seeing it is checked by the selectors first)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return call.owner_id == user.pk or user.has_perm(EDIT_CALLS)


def clean_notes(notes: str) -> str:
    """The notes as stored: line breaks as "\\n" (a browser sends "\\r\\n"), trailing blanks dropped.

    Raises NotesError for a NUL character or a lone surrogate (no database stores either in text)
    or notes too long.
    """
    notes = notes.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if "\x00" in notes:
        raise NotesError("The notes contain a NUL character (\\0), which cannot be saved: remove it.")
    try:
        notes.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate: JSON may carry one ("\\ud800"); no database stores it as text.
        raise NotesError(
            "The notes contain a character that is not text (a lone surrogate): remove it."
        ) from None
    # Counted as the page's textarea counts (maxlength: UTF-16 units, an emoji is two), so notes saved
    # through the API or the admin can always be edited and saved again on the call's page.
    length = len(notes.encode("utf-16-le")) // 2
    if length > NOTES_MAX_CHARS:
        emoji = " (an emoji counts as two)" if length != len(notes) else ""
        raise NotesError(
            f"The notes are {length:,} characters long{emoji}: shorten them to at most {NOTES_MAX_CHARS:,}."
        )
    return notes


def call_notes_update(*, call: Call, notes: str) -> bool:
    """Store the call's notes (the search index follows, by trigger); False when they were the same.

    Raises NotesError (nothing stored) for notes that cannot be saved.
    """
    notes = clean_notes(notes)
    if notes == call.notes:
        return False
    Call.objects.filter(pk=call.pk).update(notes=notes, updated_at=timezone.now())
    call.notes = notes
    return True
