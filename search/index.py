"""The full-text index of transcripts, one per database, kept in step by triggers.

Triggers, not signals: bulk_create, queryset.update() and deletes in SQL bypass signals, never
triggers. What is indexed is `indexed_text()` in Python (snippets, hit counts) and `NEW.text` in
the triggers below: when transcripts gain revisions, both change together to the latest revision's
text (a trigger on the revisions table too), and `ensure()` recreates the triggers.

- SQLite: an external-content FTS5 table over transcription_transcript.text, tokenizer
  `unicode61 remove_diacritics 2` (Unicode case folding, accents removed). SQLite drops a table's
  triggers when Django remakes the table (some ALTERs), so `ensure()` runs after every migrate and
  rebuilds the index whenever it had to recreate a trigger.
- PostgreSQL: a table of tsvectors (`simple` configuration: no stemming, lower case) with a GIN
  index, accents removed by `unaccent` when the extension can be created; when it cannot (no
  privilege, no contrib package), `search_fold()` is the identity and accents are not folded.
"""

from __future__ import annotations

SQLITE_TABLE = "search_transcript_fts"
PG_TABLE = "search_transcript_document"

SQLITE_OBJECTS = {
    # name: (type, CREATE statement); the table first.
    SQLITE_TABLE: (
        "table",
        f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5(text, content='transcription_transcript', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    ),
    "search_transcript_ai": (
        "trigger",
        "CREATE TRIGGER search_transcript_ai AFTER INSERT ON transcription_transcript BEGIN "
        f"INSERT INTO {SQLITE_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    ),
    "search_transcript_ad": (
        "trigger",
        "CREATE TRIGGER search_transcript_ad AFTER DELETE ON transcription_transcript BEGIN "
        f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); END",
    ),
    "search_transcript_au": (
        "trigger",
        "CREATE TRIGGER search_transcript_au AFTER UPDATE OF text ON transcription_transcript "
        "WHEN old.text IS NOT new.text BEGIN "
        f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {SQLITE_TABLE}(rowid, text) VALUES (new.id, new.text); END",
    ),
}

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
PG_STATEMENTS = [
    PG_UNACCENT,
    PG_FOLD,
    f"""CREATE TABLE IF NOT EXISTS {PG_TABLE} (
        transcript_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_gin ON {PG_TABLE} USING gin (document)",
    f"""CREATE OR REPLACE FUNCTION search_transcript_index() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {PG_TABLE};
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM {PG_TABLE} WHERE transcript_id = OLD.id;
            RETURN NULL;
        END IF;
        INSERT INTO {PG_TABLE} (transcript_id, document)
            VALUES (NEW.id, to_tsvector('simple', search_fold(coalesce(NEW.text, ''))))
            ON CONFLICT (transcript_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
    END $$""",
    "CREATE OR REPLACE TRIGGER search_transcript_ai AFTER INSERT ON transcription_transcript "
    "FOR EACH ROW EXECUTE FUNCTION search_transcript_index()",
    "CREATE OR REPLACE TRIGGER search_transcript_au AFTER UPDATE OF text ON transcription_transcript "
    "FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text) EXECUTE FUNCTION search_transcript_index()",
    "CREATE OR REPLACE TRIGGER search_transcript_ad AFTER DELETE ON transcription_transcript "
    "FOR EACH ROW EXECUTE FUNCTION search_transcript_index()",
    "CREATE OR REPLACE TRIGGER search_transcript_at AFTER TRUNCATE ON transcription_transcript "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_transcript_index()",
]
PG_FILL = f"""
INSERT INTO {PG_TABLE} (transcript_id, document)
SELECT id, to_tsvector('simple', search_fold(coalesce(text, ''))) FROM transcription_transcript
ON CONFLICT (transcript_id) DO UPDATE SET document = EXCLUDED.document
"""


def indexed_text(transcript) -> str:
    """The text of a transcript that search finds and shows (the triggers index the same)."""
    return transcript.text or ""


def ensure(connection) -> bool:
    """Create whatever is missing of the index (idempotent); True when it had to (re)build it."""
    if connection.vendor == "sqlite":
        return _ensure_sqlite(connection)
    if connection.vendor == "postgresql":
        return _ensure_postgresql(connection)
    return False


def _ensure_sqlite(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_transcript_%'")
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in SQLITE_OBJECTS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_OBJECTS[name][1])
        if missing:
            # The index may have missed changes while a trigger was gone: read it all again.
            cursor.execute(f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')")
    return bool(missing)


def _ensure_postgresql(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'search_transcript_a_' "
            "AND tgrelid = 'transcription_transcript'::regclass"
        )
        complete = cursor.fetchone()[0] == 4
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [PG_TABLE])
        complete = complete and cursor.fetchone()[0]
        if complete:
            return False
        for statement in PG_STATEMENTS:
            cursor.execute(statement)
        cursor.execute(PG_FILL)
    return True


def drop(connection) -> None:
    """Remove the index (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, (kind, _) in reversed(SQLITE_OBJECTS.items()):
                cursor.execute(f"DROP {kind.upper()} IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for trigger in ("ai", "au", "ad", "at"):
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS search_transcript_{trigger} ON transcription_transcript"
                )
            cursor.execute("DROP FUNCTION IF EXISTS search_transcript_index()")
            cursor.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS search_fold(text)")
