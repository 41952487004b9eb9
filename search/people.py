"""Participants' names and the numbers talked to, found by any part of them through trigram indexes.

The transcripts list finds a participant by a part of a name ("hopp" finds Grace Hopper) and a
number by some of its digits: substrings, which a word index cannot answer and a LIKE '%...%'
answers by reading every row (200 ms over two million participants). Like search/index.py, this
module knows the tables by name only and keeps its indexes in step by triggers.

- SQLite: FTS5 tables with the trigram tokenizer (SQLite >= 3.34), external content over
  transcription_participant.name and audio_audioasset.label, kept in step by triggers. A query
  is a quoted phrase: its trigrams, consecutive, i.e. the substring, with Unicode case folding
  (no accent folding: the trigram tokenizer has it only from SQLite 3.45). Fewer than 3
  characters have no trigram: `contains()` says so (None) and the caller scans as before.
  `ensure()` (after every migrate) remakes what is missing or of another shape and rebuilds the
  index whose triggers it had to make; `drop_triggers()` before a migrate of those apps.
- PostgreSQL: `pg_trgm` GIN indexes on the very expressions Django's lookups compare
  (`UPPER("name"::text) LIKE UPPER(%s)` for icontains, `"label"::text LIKE %s` for contains),
  so the ORM's queries use them unchanged for 3 characters or more. When the extension cannot be
  created (no privilege, no contrib package) there is no index and the lookups scan as before.
"""

from __future__ import annotations

from django.db.models.expressions import RawSQL

MIN_CHARS = 3  # a trigram index knows nothing shorter
PARTICIPANTS = "transcription_participant"
ASSETS = "audio_audioasset"
# The models whose tables the triggers are on: a migration on them may remake those tables.
MODELS = {("transcription", "participant"), ("audio", "audioasset")}
# name: (table, column) the index reads.
SQLITE_INDEXES = {
    "search_participant_fts": (PARTICIPANTS, "name"),
    "search_asset_label_fts": (ASSETS, "label"),
}
PG_INDEXES = {
    # name: CREATE INDEX statement ({ops}: gin_trgm_ops qualified with the extension's schema).
    "search_participant_name_trgm": f"CREATE INDEX IF NOT EXISTS search_participant_name_trgm "
    f"ON {PARTICIPANTS} USING gin ((UPPER(name::text)) {{ops}})",
    "search_asset_label_trgm": f"CREATE INDEX IF NOT EXISTS search_asset_label_trgm "
    f"ON {ASSETS} USING gin ((label::text) {{ops}})",
}
PG_TRGM = """
DO $$ BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): participants are found by a scan', SQLERRM;
END $$;
"""


def _sqlite_objects() -> dict[str, tuple[str, str, str]]:
    """{name: (type, CREATE statement, its index)}: each index's table first, then its triggers."""
    objects = {}
    for fts, (table, column) in SQLITE_INDEXES.items():
        insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
        delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
        objects[fts] = (
            "table",
            f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id', "
            "tokenize='trigram')",
            fts,
        )
        objects[f"{fts}_ai"] = (
            "trigger",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
            fts,
        )
        objects[f"{fts}_ad"] = (
            "trigger",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
            fts,
        )
        objects[f"{fts}_au"] = (
            "trigger",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} "
            f"WHEN old.{column} IS NOT new.{column} BEGIN {delete} {insert} END",
            fts,
        )
    return objects


SQLITE_OBJECTS = _sqlite_objects()


def contains(connection, index: str, text: str) -> RawSQL | None:
    """The ids of the rows whose indexed column contains `text` (case folded), as a subquery for
    `pk__in`; None when the index cannot say (not SQLite, fewer than MIN_CHARS characters)."""
    if index not in SQLITE_INDEXES:
        raise ValueError(f"no trigram index {index!r}: one of {', '.join(SQLITE_INDEXES)}")
    text = text.strip()
    if connection.vendor != "sqlite" or len(text) < MIN_CHARS:
        return None
    phrase = '"' + text.replace('"', '""') + '"'
    return RawSQL(f"SELECT rowid FROM {index} WHERE {index} MATCH %s", [phrase])


def ensure(connection) -> bool:
    """Create whatever is missing of the indexes (idempotent); True when it had to."""
    if connection.vendor == "sqlite":
        return _ensure_sqlite(connection)
    if connection.vendor == "postgresql":
        return _ensure_postgresql(connection)
    return False


def _tables_present(connection) -> bool:
    with connection.cursor() as cursor:
        return {PARTICIPANTS, ASSETS} <= set(connection.introspection.table_names(cursor))


def _ensure_sqlite(connection) -> bool:
    if not _tables_present(connection):
        return False
    with connection.cursor() as cursor:
        names = ", ".join(["%s"] * len(SQLITE_OBJECTS))
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE name IN ({names})", list(SQLITE_OBJECTS))
        present = dict(cursor.fetchall())
        stale = {SQLITE_OBJECTS[name][2] for name, sql in present.items() if sql != SQLITE_OBJECTS[name][1]}
        for name, (kind, _, index) in reversed(SQLITE_OBJECTS.items()):
            if index in stale:  # another shape: made again from scratch
                cursor.execute(f"DROP {kind.upper()} IF EXISTS {name}")
                present.pop(name, None)
        missing = [name for name in SQLITE_OBJECTS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_OBJECTS[name][1])
        # The index may have missed changes while a trigger was gone: read its table again.
        for index in dict.fromkeys(SQLITE_OBJECTS[name][2] for name in missing):
            cursor.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
    return bool(missing)


def _ensure_postgresql(connection) -> bool:
    if not _tables_present(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)", [list(PG_INDEXES)])
        if cursor.fetchone()[0] == len(PG_INDEXES):
            return False
        cursor.execute(PG_TRGM)
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
        row = cursor.fetchone()
        if row is None:
            return False  # no extension: the lookups scan, as they did
        for statement in PG_INDEXES.values():
            cursor.execute(statement.format(ops=f"{row[0]}.gin_trgm_ops"))
    return True


def drop_triggers(connection) -> None:
    """Remove the SQLite triggers (the indexes stay) before a migrate may remake their tables;
    `ensure()` makes them again and rebuilds the indexes. PostgreSQL's indexes follow their tables."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name, (kind, _, _) in SQLITE_OBJECTS.items():
            if kind == "trigger":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def drop(connection) -> None:
    """Remove the indexes (the migration's reverse); the pg_trgm extension stays (others may use it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, (kind, _, _) in reversed(SQLITE_OBJECTS.items()):
                cursor.execute(f"DROP {kind.upper()} IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name in PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
