"""Searching a queryset of transcripts with the database's full-text index.

`Search.parse(q).filter(transcripts)` narrows a queryset the caller has already limited to what
the user may see: it only adds conditions (a join on the index and WHERE clauses), never removes
the caller's, so a search can never show a transcript the queryset did not hold. Hits carry
`search_rank` (smaller is better on both databases); `Search.order_by` sorts by it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, Count, JSONField, QuerySet, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.utils.safestring import SafeString

from . import highlight
from .index import PG_TABLE, SQLITE_TABLE
from .query import MAX_QUERY, MAX_TERMS, Query, Term, parse

__all__ = ["COUNT_LIMIT", "MAX_QUERY", "MAX_TERMS", "Search", "count_statuses"]

NEWEST_FIRST = ("-created_at", "-pk")
# Hits counted one by one, at most: past it a page says "more than" and lists the hits newest first.
# Counting and ranking each read every hit (its row for the access filter, its score), which grows
# with the rows for a common word; newest first reads the index in id order and stops at the page.
COUNT_LIMIT = 5000
TRANSCRIPT_ID = '"transcription_transcript"."id"'


def fts5_term(term: Term) -> str:
    """A term as an FTS5 string: quoted, so no word is ever read as an operator."""
    return '"' + " ".join(term.words).replace('"', '""') + '"'


def fts5_expression(terms_or_groups) -> str:
    """FTS5 syntax for groups (all must match, any term of each) or for a flat tuple of terms (any)."""
    if terms_or_groups and isinstance(terms_or_groups[0], Term):
        return " OR ".join(fts5_term(term) for term in terms_or_groups)
    return " AND ".join("(" + fts5_expression(group) + ")" for group in terms_or_groups)


def tsquery(terms_or_groups) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery built with parameters: words never reach the tsquery parser as syntax."""
    if terms_or_groups and isinstance(terms_or_groups[0], Term):
        sql = " || ".join(["phraseto_tsquery('simple', search_fold(%s))"] * len(terms_or_groups))
        return f"({sql})", [" ".join(term.words) for term in terms_or_groups]
    parts, params = [], []
    for group in terms_or_groups:
        sql, group_params = tsquery(group)
        parts.append(sql)
        params += group_params
    return "(" + " && ".join(parts) + ")", params


def count_statuses(found: QuerySet, *, ranked: bool) -> tuple[dict[str, int], bool]:
    """({status: hits}, many): exact counts, or for a search with over COUNT_LIMIT hits the counts
    of the first COUNT_LIMIT read and many=True (reading them all would grow with the rows)."""
    if not ranked:
        return dict(found.order_by().values_list("status").annotate(n=Count("pk"))), False
    statuses = list(found.order_by().values_list("status", flat=True)[: COUNT_LIMIT + 1])
    return dict(Counter(statuses[:COUNT_LIMIT])), len(statuses) > COUNT_LIMIT


@dataclass(frozen=True)
class Search:
    """A parsed query, and what it does to a queryset and to each hit."""

    query: Query

    @classmethod
    def parse(cls, text: str) -> Search:
        return cls(parse(text))

    def __bool__(self) -> bool:
        return bool(self.query)

    @property
    def text(self) -> str:
        return self.query.text

    @property
    def wanted_text(self) -> str:
        """The words a hit contains, for the transcript page's own find (no -words, no OR)."""
        return " ".join(word for term in self.query.wanted for word in term.words)

    @property
    def terms(self) -> tuple[Term, ...]:
        return self.query.terms

    @property
    def dropped(self) -> int:
        return self.query.dropped

    @property
    def ranked(self) -> bool:
        """Whether hits come from the index (a join that can be ranked), not only by exclusion."""
        return bool(self.query.groups)

    def ordering(self, *, many: bool = False) -> tuple[str, ...]:
        """order_by() arguments: by rank, or, for `many` hits (over COUNT_LIMIT), newest first in
        the index's own order (`search_id`), which the database reads backwards and stops early."""
        if many and self.query.groups:
            return ("-search_id",)
        return self.order_by

    @property
    def order_by(self) -> tuple[str, ...]:
        # Ties by id, not created_at: sorting on a column of the (wide) transcript row costs a read
        # of every hit's row at 100,000 rows; ids follow creation closely enough for a tie-break.
        return ("search_rank", "-pk") if self.query.groups else NEWEST_FIRST

    def filter(self, transcripts: QuerySet) -> QuerySet:
        """The transcripts of `transcripts` that match, annotated with `search_rank` when ranked."""
        if not self.query:
            return transcripts
        vendor = connections[transcripts.db].vendor
        if vendor == "sqlite":
            return self._sqlite(transcripts)
        if vendor == "postgresql":
            return self._postgresql(transcripts)
        raise NotImplementedError(f"no full-text search for {vendor}")

    def _sqlite(self, transcripts: QuerySet) -> QuerySet:
        query = self.query
        if query.groups:
            transcripts = transcripts.extra(
                tables=[SQLITE_TABLE],
                where=[f"{SQLITE_TABLE}.rowid = {TRANSCRIPT_ID}", f"{SQLITE_TABLE} MATCH %s"],
                params=[fts5_expression(query.groups)],
                # bm25() itself: the `rank` column costs twice as much in a join (measured).
                select={"search_rank": f"bm25({SQLITE_TABLE})", "search_id": f"{SQLITE_TABLE}.rowid"},
            )
        if query.excluded:
            matching = RawSQL(
                f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s",
                [fts5_expression(query.excluded)],
            )
            transcripts = transcripts.exclude(pk__in=matching)
        return transcripts

    def _postgresql(self, transcripts: QuerySet) -> QuerySet:
        query = self.query
        if query.groups:
            sql, params = tsquery(query.groups)
            transcripts = transcripts.extra(
                tables=[PG_TABLE],
                where=[f"{PG_TABLE}.transcript_id = {TRANSCRIPT_ID}", f"{PG_TABLE}.document @@ {sql}"],
                params=params,
                select={
                    "search_rank": f"-ts_rank({PG_TABLE}.document, {sql})",
                    "search_id": f"{PG_TABLE}.transcript_id",
                },
                select_params=params,
            )
        if query.excluded:
            sql, params = tsquery(query.excluded)
            matching = RawSQL(f"SELECT transcript_id FROM {PG_TABLE} WHERE document @@ {sql}", params)
            transcripts = transcripts.exclude(pk__in=matching)
        return transcripts

    # Each hit, in Python.

    def snippet(self, text: str) -> SafeString:
        return highlight.snippet(self.query, text)

    def hits(self, text: str) -> int:
        return highlight.hits(self.query, text)

    def moment(self, words) -> float | None:
        return highlight.moment(self.query, words)

    def fragment(self, words) -> str:
        """`t=SECONDS` for a link to the transcript at the first wanted term, or ""."""
        return highlight.fragment(self.moment(words)) if self.query.groups else ""

    def fragments(self, hits: list) -> dict[int, str]:
        """{pk: "t=SECONDS"} for hits (with `text` loaded), in one query that reads one word of each.

        The word is found in the text (AssemblyAI's text is its words joined by spaces), then only
        that word's start and text are read from the words JSON, never the whole list: a 3-hour
        call has 30,000 words. A hit whose word does not hold the term gets no moment.
        """
        index = {}
        for hit in hits:
            found = highlight.word_index(self.query, hit.text) if self.query.groups else None
            if found is not None:
                index[hit.pk] = found
        if not index:
            return {}
        model = type(hits[0])

        word = Case(
            *(When(pk=pk, then=KeyTransform(str(at), "words")) for pk, at in index.items()),
            output_field=JSONField(),
        )
        rows = model._base_manager.filter(pk__in=index).order_by().values_list("pk", word)
        moments = {}
        for pk, said in rows:
            if not isinstance(said, dict) or not isinstance(said.get("text"), str):
                continue
            start = said.get("start")
            if isinstance(start, int | float) and not isinstance(start, bool) and start >= 0:
                if highlight.said(self.query, said["text"]):
                    moments[pk] = highlight.fragment(start / 1000)
        return moments
