"""The full-text index of transcripts, one per database, kept in step by triggers.

Triggers, not signals: bulk_create, queryset.update() and deletes in SQL bypass signals, never
triggers. What is indexed is `indexed_text()` in Python (snippets, hit counts) and `NEW.text` in
the triggers below: when transcripts gain revisions, both change together to the latest revision's
text (a trigger on the revisions table too), and `ensure()` recreates the triggers.

Each transcript's document is its text and its call's notes (caller_call.notes, of the call whose
SID it carries, when that call has the transcript's owner: a transcript given to someone else does
not carry the call owner's notes). One document, so a query reads one index as before and its
words may be found in either part. `content_select()` says what is indexed; the triggers on
caller_call re-index a call's transcripts when its notes change. This app still imports
no app: it knows the two tables by name only.

- SQLite: a contentless FTS5 table (columns text and notes), tokenizer
  `unicode61 remove_diacritics 2` (Unicode case folding, accents removed). SQLite drops a table's
  triggers when Django remakes the table (some ALTERs), so `ensure()` runs after every migrate and
  rebuilds the index whenever it had to recreate a trigger, or when an object's SQL differs from
  the one here (an older shape of the index). A trigger naming another table would even stop that
  remake (SQLite checks every trigger when it renames the new table into place), so a migrate that
  touches caller or transcription drops the triggers first (`drop_triggers`, search/apps.py).
- PostgreSQL: a table of tsvectors (`simple` configuration: no stemming, lower case) with a GIN
  index, accents removed by `unaccent` when the extension can be created; when it cannot (no
  privilege, no contrib package), `search_fold()` is the identity and accents are not folded.
  `ensure()` counts the triggers and compares the functions' bodies with PG_FUNCTIONS.

Until caller_call has its notes column (a database migrated part of the way), `ensure()` leaves
the index as it is: the post_migrate hook makes it once the column is there.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

SQLITE_TABLE = "search_transcript_fts"
PG_TABLE = "search_transcript_document"
CALLS = "caller_call"
TRANSCRIPTS = "transcription_transcript"


def _notes_of(sid: str, owner: str, same: str = "IS") -> str:
    """SQL for the notes indexed with a transcript of call `sid` and owner `owner` (SQL expressions)."""
    return (
        f"coalesce((SELECT c.notes FROM {CALLS} c WHERE c.sid = {sid} AND {sid} <> '' "
        f"AND c.owner_id {same} {owner}), '')"
    )


def _of_call(row: str) -> str:
    """SQL for the transcripts (alias t) whose document holds the notes of call `row` (old or new)."""
    return f"t.call_sid = {row}.sid AND {row}.sid <> '' AND t.owner_id IS {row}.owner_id"


def content_select(same: str = "IS") -> str:
    """SQL for what is indexed: (id, text, notes) of every transcript. Written out where it is
    used, not a view: a view would break SQLite's table remakes and PostgreSQL's column changes."""
    return (
        f"SELECT t.id AS id, t.text AS text, coalesce(c.notes, '') AS notes "
        f"FROM {TRANSCRIPTS} t LEFT JOIN {CALLS} c "
        f"ON c.sid = t.call_sid AND t.call_sid <> '' AND c.owner_id {same} t.owner_id"
    )


def _sqlite_fts(values: str) -> str:
    return f"INSERT INTO {SQLITE_TABLE}(rowid, text, notes) {values};"


def _sqlite_fts_delete(values: str) -> str:
    return f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, text, notes) {values};"


SQLITE_OBJECTS = {
    # name: (type, CREATE statement); the table first. Contentless: the index keeps no copy of the
    # text (it is never read back: bm25() and rowid only) and is rebuilt from `content_select()`.
    # Its 'delete' must be given the values it indexed: every trigger below deletes with the old ones.
    SQLITE_TABLE: (
        "table",
        f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(text, notes, content='', "
        "tokenize='unicode61 remove_diacritics 2')",
    ),
    "search_transcript_ai": (
        "trigger",
        f"CREATE TRIGGER search_transcript_ai AFTER INSERT ON {TRANSCRIPTS} BEGIN "
        + _sqlite_fts(f"VALUES (new.id, new.text, {_notes_of('new.call_sid', 'new.owner_id')})")
        + " END",
    ),
    "search_transcript_ad": (
        "trigger",
        f"CREATE TRIGGER search_transcript_ad AFTER DELETE ON {TRANSCRIPTS} BEGIN "
        + _sqlite_fts_delete(
            f"VALUES ('delete', old.id, old.text, {_notes_of('old.call_sid', 'old.owner_id')})"
        )
        + " END",
    ),
    "search_transcript_au": (
        "trigger",
        f"CREATE TRIGGER search_transcript_au AFTER UPDATE OF text, call_sid, owner_id ON {TRANSCRIPTS} "
        "WHEN old.text IS NOT new.text OR old.call_sid IS NOT new.call_sid "
        "OR old.owner_id IS NOT new.owner_id BEGIN "
        + _sqlite_fts_delete(
            f"VALUES ('delete', old.id, old.text, {_notes_of('old.call_sid', 'old.owner_id')})"
        )
        + " "
        + _sqlite_fts(f"VALUES (new.id, new.text, {_notes_of('new.call_sid', 'new.owner_id')})")
        + " END",
    ),
    # A call's notes, SID or owner changed: its transcripts' documents change with them.
    "search_call_notes_ai": (
        "trigger",
        f"CREATE TRIGGER search_call_notes_ai AFTER INSERT ON {CALLS} WHEN new.notes <> '' BEGIN "
        + _sqlite_fts_delete(
            f"SELECT 'delete', t.id, t.text, '' FROM {TRANSCRIPTS} t WHERE {_of_call('new')}"
        )
        + " "
        + _sqlite_fts(f"SELECT t.id, t.text, new.notes FROM {TRANSCRIPTS} t WHERE {_of_call('new')}")
        + " END",
    ),
    "search_call_notes_au": (
        "trigger",
        f"CREATE TRIGGER search_call_notes_au AFTER UPDATE OF notes, sid, owner_id ON {CALLS} "
        "WHEN old.notes IS NOT new.notes OR old.sid IS NOT new.sid OR old.owner_id IS NOT new.owner_id BEGIN "
        # The transcripts that held the old notes: out with them, in with what they hold now...
        + _sqlite_fts_delete(
            f"SELECT 'delete', t.id, t.text, old.notes FROM {TRANSCRIPTS} t WHERE {_of_call('old')}"
        )
        + " "
        + _sqlite_fts(
            f"SELECT t.id, t.text, {_notes_of('t.call_sid', 't.owner_id')} FROM {TRANSCRIPTS} t "
            f"WHERE {_of_call('old')}"
        )
        + " "
        # ...and those that now hold the new notes and held none (a changed SID or owner only).
        + _sqlite_fts_delete(
            f"SELECT 'delete', t.id, t.text, '' FROM {TRANSCRIPTS} t WHERE {_of_call('new')} "
            f"AND NOT ({_of_call('old')})"
        )
        + " "
        + _sqlite_fts(
            f"SELECT t.id, t.text, new.notes FROM {TRANSCRIPTS} t WHERE {_of_call('new')} "
            f"AND NOT ({_of_call('old')})"
        )
        + " END",
    ),
    "search_call_notes_ad": (
        "trigger",
        f"CREATE TRIGGER search_call_notes_ad AFTER DELETE ON {CALLS} WHEN old.notes <> '' BEGIN "
        + _sqlite_fts_delete(
            f"SELECT 'delete', t.id, t.text, old.notes FROM {TRANSCRIPTS} t WHERE {_of_call('old')}"
        )
        + " "
        + _sqlite_fts(f"SELECT t.id, t.text, '' FROM {TRANSCRIPTS} t WHERE {_of_call('old')}")
        + " END",
    ),
}

SQLITE_REBUILD = [
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('delete-all')",
    f"INSERT INTO {SQLITE_TABLE}(rowid, text, notes) {content_select()}",
]

PG_UNACCENT = """
DO $$ BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'unaccent is not available (%): search folds case but not accents', SQLERRM;
END $$;
"""
# IMMUTABLE so that an index may use it; unaccent() itself is only STABLE (its dictionary could
# change), which is the usual, accepted wrapper.
PG_FOLD = """
DO $$
DECLARE schema_name text;
BEGIN
    SELECT extnamespace::regnamespace::text INTO schema_name FROM pg_extension WHERE extname = 'unaccent';
    IF schema_name IS NULL THEN
        CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $f$ SELECT value $f$;
    ELSE
        EXECUTE format(
            'CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text '
            'LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT '
            'AS $f$ SELECT %1$s.unaccent(%2$L::regdictionary, value) $f$',
            schema_name, schema_name || '.unaccent');
    END IF;
END $$;
"""
# A document: the text, then the notes. `||` shifts the notes' positions past the text's, so a
# phrase is found inside either, and (rarely) across the seam between them.
PG_DOCUMENT = (
    "to_tsvector('simple', search_fold(coalesce({text}, ''))) "
    "|| to_tsvector('simple', search_fold(coalesce({notes}, '')))"
)
PG_INDEX_WHERE = f"""
        INSERT INTO {PG_TABLE} (transcript_id, document)
            SELECT id, {PG_DOCUMENT.format(text="text", notes="notes")}
            FROM ({content_select("IS NOT DISTINCT FROM")}) AS content WHERE {{where}}
            ON CONFLICT (transcript_id) DO UPDATE SET document = EXCLUDED.document;"""
PG_NEW_NOTES = _notes_of("NEW.call_sid", "NEW.owner_id", "IS NOT DISTINCT FROM")
# The triggers' functions, by name: ensure() compares their bodies with the database's (prosrc), so
# a changed body is put in place by the next migrate.
PG_FUNCTIONS = {
    "search_transcript_index": f"""
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {PG_TABLE};
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM {PG_TABLE} WHERE transcript_id = OLD.id;
            RETURN NULL;
        END IF;
        INSERT INTO {PG_TABLE} (transcript_id, document)
            VALUES (NEW.id, {PG_DOCUMENT.format(text="NEW.text", notes=PG_NEW_NOTES)})
            ON CONFLICT (transcript_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
    END """,
    # The transcripts of the old SID, then (only when the SID changed) those of the new one.
    "search_call_notes_index": f"""
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.sid <> '' THEN
            {PG_INDEX_WHERE.format(where=f"id IN (SELECT id FROM {TRANSCRIPTS} WHERE call_sid = OLD.sid)")}
        END IF;
        IF (TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.sid IS DISTINCT FROM OLD.sid))
                AND NEW.sid <> '' THEN
            {PG_INDEX_WHERE.format(where=f"id IN (SELECT id FROM {TRANSCRIPTS} WHERE call_sid = NEW.sid)")}
        END IF;
        RETURN NULL;
    END """,
}
PG_STATEMENTS = [
    PG_UNACCENT,
    PG_FOLD,
    f"""CREATE TABLE IF NOT EXISTS {PG_TABLE} (
        transcript_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_gin ON {PG_TABLE} USING gin (document)",
    *(
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$"
        for name, body in PG_FUNCTIONS.items()
    ),
    f"CREATE OR REPLACE TRIGGER search_transcript_ai AFTER INSERT ON {TRANSCRIPTS} "
    "FOR EACH ROW EXECUTE FUNCTION search_transcript_index()",
    "CREATE OR REPLACE TRIGGER search_transcript_au "
    f"AFTER UPDATE OF text, call_sid, owner_id ON {TRANSCRIPTS} "
    "FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.call_sid IS DISTINCT FROM NEW.call_sid "
    "OR OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION search_transcript_index()",
    f"CREATE OR REPLACE TRIGGER search_transcript_ad AFTER DELETE ON {TRANSCRIPTS} "
    "FOR EACH ROW EXECUTE FUNCTION search_transcript_index()",
    f"CREATE OR REPLACE TRIGGER search_transcript_at AFTER TRUNCATE ON {TRANSCRIPTS} "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_transcript_index()",
    f"CREATE OR REPLACE TRIGGER search_call_notes_ai AFTER INSERT ON {CALLS} "
    "FOR EACH ROW WHEN (NEW.notes <> '') EXECUTE FUNCTION search_call_notes_index()",
    f"CREATE OR REPLACE TRIGGER search_call_notes_au AFTER UPDATE OF notes, sid, owner_id ON {CALLS} "
    "FOR EACH ROW WHEN (OLD.notes IS DISTINCT FROM NEW.notes OR OLD.sid IS DISTINCT FROM NEW.sid "
    "OR OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION search_call_notes_index()",
    f"CREATE OR REPLACE TRIGGER search_call_notes_ad AFTER DELETE ON {CALLS} "
    "FOR EACH ROW WHEN (OLD.notes <> '') EXECUTE FUNCTION search_call_notes_index()",
]
PG_TRIGGERS = {
    TRANSCRIPTS: (
        "search_transcript_ai",
        "search_transcript_au",
        "search_transcript_ad",
        "search_transcript_at",
    ),
    CALLS: ("search_call_notes_ai", "search_call_notes_au", "search_call_notes_ad"),
}
PG_FILL = PG_INDEX_WHERE.format(where="true")


def indexed_text(transcript) -> str:
    """The text of a transcript that search finds and shows (the triggers index the same)."""
    return transcript.text or ""


def ensure(connection) -> bool:
    """Create whatever is missing of the index (idempotent); True when it had to (re)build it."""
    if connection.vendor in ("sqlite", "postgresql") and not _has_notes(connection):
        # Migrated part of the way (or caller taken back below its notes): no triggers may be made yet.
        logger.warning("Search index not kept in step: migrate caller (its notes column) to make it.")
        return False
    if connection.vendor == "sqlite":
        return _ensure_sqlite(connection)
    if connection.vendor == "postgresql":
        return _ensure_postgresql(connection)
    return False


def _has_notes(connection) -> bool:
    """Whether caller_call has its notes column yet (a fresh database gets it after this app's migration)."""
    with connection.cursor() as cursor:
        if CALLS not in connection.introspection.table_names(cursor):
            return False
        return any(
            column.name == "notes" for column in connection.introspection.get_table_description(cursor, CALLS)
        )


def _ensure_sqlite(connection) -> bool:
    with connection.cursor() as cursor:
        names = ", ".join(["%s"] * len(SQLITE_OBJECTS))
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE name IN ({names})", list(SQLITE_OBJECTS))
        present = dict(cursor.fetchall())
        if any(sql != SQLITE_OBJECTS[name][1] for name, sql in present.items()):
            # An older shape (e.g. the text alone): made again from scratch.
            _drop_sqlite(cursor)
            present = {}
        missing = [name for name in SQLITE_OBJECTS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_OBJECTS[name][1])
        if missing:
            # The index may have missed changes while a trigger was gone: read it all again.
            for statement in SQLITE_REBUILD:
                cursor.execute(statement)
    return bool(missing)


def _ensure_postgresql(connection) -> bool:
    with connection.cursor() as cursor:
        complete = True
        for table, triggers in PG_TRIGGERS.items():
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND tgrelid = %s::regclass",
                [list(triggers), table],
            )
            complete = complete and cursor.fetchone()[0] == len(triggers)
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [PG_TABLE])
        complete = complete and cursor.fetchone()[0]
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s)", [list(PG_FUNCTIONS)])
        complete = complete and dict(cursor.fetchall()) == PG_FUNCTIONS
        if complete:
            return False
        for statement in PG_STATEMENTS:
            cursor.execute(statement)
        cursor.execute(PG_FILL)
    return True


def _drop_sqlite(cursor) -> None:
    for name, (kind, _) in reversed(SQLITE_OBJECTS.items()):
        cursor.execute(f"DROP {kind.upper()} IF EXISTS {name}")


def drop_triggers(connection) -> None:
    """Remove the triggers (the index stays), so that migrations may remake or alter the tables they
    read: SQLite refuses to rename a table while a trigger names a missing one, PostgreSQL to change
    a column's type that a trigger names. `ensure()` makes them again, and rebuilds the index."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, (kind, _) in SQLITE_OBJECTS.items():
                if kind == "trigger":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for table, triggers in PG_TRIGGERS.items():
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
                if cursor.fetchone()[0]:
                    for trigger in triggers:
                        cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")


def drop(connection) -> None:
    """Remove the index (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _drop_sqlite(cursor)
        elif connection.vendor == "postgresql":
            for table, triggers in PG_TRIGGERS.items():
                for trigger in triggers:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS search_transcript_index()")
            cursor.execute("DROP FUNCTION IF EXISTS search_call_notes_index()")
            cursor.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS search_fold(text)")


def notes_of(connection, ids) -> dict[int, str]:
    """{transcript id: the notes indexed with it} for `ids` that have notes (to show a hit in them)."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
        cursor.execute(
            f"SELECT id, notes FROM ({content_select(same)}) AS content "
            f"WHERE id IN ({marks}) AND notes <> ''",
            ids,
        )
        return dict(cursor.fetchall())
