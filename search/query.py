"""What people type into the search box, understood: pure functions, no database.

The syntax is the one people know from web search:

    refund tuesday        both words, anywhere (all words must match)
    "call me back"        those words, in that order, next to each other
    -cancel               transcripts without that word (or -"a phrase")
    refund OR return      either term; OR binds the terms on each side of it

Words are compared by their letters and digits only, with case and accents folded (the indexes
fold the same way), so punctuation typed by a user is never an operator: `don't` is the phrase
"don t", `a*b` is "a b", a lone `-` or `"` or `OR` at either end is ignored. Nothing here raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY = 200  # characters: enough for eight long words
MAX_TERMS = 8  # words, phrases and exclusions together
MAX_PHRASE_WORDS = 12

# A token is a run of letters and digits, as SQLite's unicode61 tokenizer cuts text.
TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents: "MÜLLER" → "muller", "Café" → "cafe", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def tokens(text: str) -> tuple[str, ...]:
    """The folded tokens of `text`, in order."""
    return tuple(TOKEN.findall(fold(text)))


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of several words in order: `words` are folded tokens."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Query:
    """Every group must match; within a group, any of its terms; no excluded term may match."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    dropped: int = 0  # terms past MAX_TERMS, left out of the search

    def __bool__(self) -> bool:
        return bool(self.groups or self.excluded)

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every term searched, excluded ones included (what MAX_TERMS counts)."""
        return tuple(term for group in self.groups for term in group) + self.excluded

    @property
    def wanted(self) -> tuple[Term, ...]:
        """The terms that a hit contains (to highlight, and to find the moment)."""
        return tuple(term for group in self.groups for term in group)

    @property
    def text(self) -> str:
        """The query written back in its own syntax: parse(q.text) == q."""
        parts = [" OR ".join(term.text for term in group) for group in self.groups]
        parts += ["-" + term.text for term in self.excluded]
        return " ".join(parts)


@dataclass
class _Token:
    kind: str  # "term", "or"
    text: str = ""
    quoted: bool = False
    negated: bool = False


@dataclass
class _Builder:
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    seen: set = field(default_factory=set)
    count: int = 0
    dropped: int = 0

    def add(self, term: Term, negated: bool, joined: bool) -> bool:
        """Adds a term; False when it was a repeat or past the limit (so no OR joins onto it)."""
        key = (term.words, negated)
        if key in self.seen:
            return False
        if self.count >= MAX_TERMS:
            self.dropped += 1
            return False
        self.seen.add(key)
        self.count += 1
        if negated:
            self.excluded.append(term)
        elif joined and self.groups:
            self.groups[-1].append(term)
        else:
            self.groups.append([term])
        return True


def _lex(text: str) -> list[_Token]:
    """Terms, quoted phrases (an unclosed quote runs to the end) and the OR keyword."""
    found: list[_Token] = []
    at, end = 0, len(text)
    while at < end:
        ch = text[at]
        if ch.isspace():
            at += 1
            continue
        negated = ch == "-" and at + 1 < end and not text[at + 1].isspace()
        if negated:
            at += 1
        if text[at] == '"':
            close = text.find('"', at + 1)
            close = end if close < 0 else close
            found.append(_Token("term", text[at + 1 : close], quoted=True, negated=negated))
            at = close + 1
            continue
        stop = at
        while stop < end and not text[stop].isspace() and text[stop] != '"':
            stop += 1
        word = text[at:stop]
        if word == "OR" and not negated:
            found.append(_Token("or"))
        else:
            found.append(_Token("term", word, negated=negated))
        at = stop
    return found


def parse(text: str) -> Query:
    """The query in `text`; odd input gives a smaller query, never an error."""
    text = text[:MAX_QUERY]
    built = _Builder()
    join_next = False  # an OR came after a term that was added
    last_added = False
    for token in _lex(text):
        if token.kind == "or":
            join_next = last_added
            continue
        words = tokens(token.text)[:MAX_PHRASE_WORDS]
        if not words:
            continue  # only punctuation: nothing to look for
        negated = token.negated
        joined = join_next and not negated
        join_next = False
        last_added = built.add(Term(words), negated, joined) and not negated
    groups = tuple(tuple(group) for group in built.groups)
    return Query(groups=groups, excluded=tuple(built.excluded), dropped=built.dropped)
