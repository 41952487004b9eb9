"""Searching transcripts' text: which ones match, and a snippet around the first match for each.

A search is words that must all appear in the text, anywhere, ignoring case. The database picks
the transcripts (`icontains`, so LIKE's own wildcards in a word are matched as plain characters);
Python finds the words again in the text to count and highlight them.
"""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERMS = 8
MAX_QUERY = 200  # characters: enough for eight long words
# Around the first match: a little before it, more after it (people read on from there).
BEFORE = 60
AFTER = 160


@dataclass(frozen=True)
class Search:
    terms: tuple[str, ...]
    dropped: int = 0  # words past MAX_TERMS, left out of the search

    @classmethod
    def parse(cls, query: str) -> "Search":
        """The distinct words of `query` (case ignored), at most MAX_TERMS of them."""
        terms: list[str] = []
        for word in query.split():
            if word.casefold() not in (t.casefold() for t in terms):
                terms.append(word)
        return cls(terms=tuple(terms[:MAX_TERMS]), dropped=max(len(terms) - MAX_TERMS, 0))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def filter(self, transcripts: QuerySet) -> QuerySet:
        """Only the transcripts whose text contains every word."""
        condition = Q()
        for term in self.terms:
            condition &= Q(text__icontains=term)
        return transcripts.filter(condition)

    @property
    def pattern(self) -> re.Pattern:
        # Longest first, so "shipping" is highlighted whole when "ship" is searched too.
        alternatives = sorted(self.terms, key=len, reverse=True)
        return re.compile("|".join(re.escape(term) for term in alternatives), re.IGNORECASE)

    def hits(self, text: str) -> int:
        """How many times any of the words occurs in `text`."""
        return sum(1 for _ in self.pattern.finditer(text)) if self.terms else 0

    def snippet(self, text: str) -> SafeString:
        """Escaped text around the first match with every match in it wrapped in <mark>."""
        first = self.pattern.search(text) if self.terms else None
        if first is None:
            return escape(clip(text))
        start = max(first.start() - BEFORE, 0)
        end = min(first.end() + AFTER, len(text))
        # Cut at spaces, not inside words, but never into the first match.
        if start > 0:
            space = text.find(" ", start, first.start())
            start = space + 1 if space >= 0 else start
        if end < len(text):
            space = text.rfind(" ", first.end(), end)
            end = space if space >= 0 else end
        window = text[start:end]
        parts = ["…" if start > 0 else ""]
        at = 0
        for match in self.pattern.finditer(window):
            parts.append(escape(window[at : match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            at = match.end()
        parts.append(escape(window[at:]))
        parts.append("…" if end < len(text) else "")
        return mark_safe("".join(parts))  # noqa: S308 (all text above went through escape())


def clip(text: str, length: int = BEFORE + AFTER) -> str:
    """The start of `text`, cut at a space before `length` characters, with "…" when cut."""
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > 0 else length].rstrip() + "…"
