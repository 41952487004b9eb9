"""Transcripts for the search bench, made in the database by one INSERT ... SELECT per batch.

bulk_create of 100,000 wide transcripts took 86 s; a million would take a quarter of an hour. Here
a pool of 2,000 realistic conversations (bench.scale.fake_transcript: text and words JSON) goes
into a scratch table once, and the rows are made from it by SQL: the index triggers run as in
production. Every other column takes the value of a template transcript made by the ORM, so a
column added by a later migration gets its default without this file knowing it.

The SQLite file of each size is kept under bench/out/ (search-<rows>.sqlite3) with the migrations
and the generator's version it was made with, and reused while both are the same.
"""

from __future__ import annotations

import json
import random

# 3: each transcript's call, one in ten with notes; 4: two participants each; 5: the rare word
GENERATOR_VERSION = 5
BATCH = 50_000
# What people write down about a call; one call in NOTES_EVERY has one of these notes.
NOTES = (
    "Asked for a callback on Tuesday morning; prefers email for the quote.",
    "Left a voicemail. Try again after the invoice goes out.",
    "Wants to cancel the contract; offered a discount, thinking about it.",
    "Escalated to billing: charged twice in March.",
    "Interview went well. Follow up with references next week.",
)
NOTES_EVERY = 10
# The people on the calls: FIRST x LAST names (2,500), one per transcript, with the number talked to.
FIRST = (
    "Grace Ada Alan Barbara Edsger Donald Frances Margaret Ken Dennis Radia Tim Linus Guido Sophie "
    "Katherine Dorothy Mary John Hedy Jean Betty Kathleen Annie Evelyn Lynn Shafi Niklaus Tony Leslie "
    "Butler Ivan Seymour Adele Jim Ole Kristen Bjarne Anders Yukihiro Rasmus Brendan James Larry Peter "
    "Joan Hamid Fran Karen Erna"
).split()
LAST = (
    "Hopper Lovelace Turing Liskov Dijkstra Knuth Allen Hamilton Thompson Ritchie Perlman Berners-Lee "
    "Torvalds Rossum Wilson Johnson Vaughan Jackson McCarthy Lamarr Bartik Holberton Booth Easley "
    "Berezin Conway Goldwasser Wirth Hoare Lamport Lampson Sutherland Papert Goldberg Gray Dahl Nygaard "
    "Stroustrup Hejlsberg Matsumoto Lerdorf Eich Gosling Wall Norvig Clarke Ekeland Spärck-Jones Müller"
).split()
YEAR_SECONDS = 365 * 86400
# A word said in RARE_HITS transcripts whatever the size (a customer's name, a reference): a rare
# word's hits stay few as the rows grow, so its figures compare the same page at every size. (Any
# word of the pool is said once per 2,000 rows: 5 hits at 10,000 rows, 500 at a million.)
RARE_WORD = "quokka"
RARE_HITS = 5


def rare_rows(start: int, stop: int) -> list[int]:
    """The rows (seq.i) of start..stop-1 that say RARE_WORD: spread over the rows, and so over a year."""
    return [i for i in (start + (stop - start) * k // RARE_HITS + 7 for k in range(RARE_HITS)) if i < stop]


def migration_key() -> str:
    """Every migration on disk, and this generator's version: a cached database is reused only if equal."""
    from django.db.migrations.loader import MigrationLoader

    names = sorted(
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    )
    return json.dumps({"generator": GENERATOR_VERSION, "migrations": names})


def cached_key(connection) -> str | None:
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT value FROM bench_meta WHERE name = 'key'")
        except Exception:  # no such table: not a bench database of ours
            return None
        row = cursor.fetchone()
    return row[0] if row else None


def remember_key(connection, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (name varchar(16) PRIMARY KEY, value text)")
        cursor.execute("DELETE FROM bench_meta WHERE name = 'key'")
        cursor.execute("INSERT INTO bench_meta (name, value) VALUES ('key', %s)", [key])


def make_pool(connection, pool: list[tuple[str, list[dict]]]) -> None:
    """The scratch table bench_pool(n, text, words, confidence, duration) from `pool`."""
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_pool")
        cursor.execute(
            f"CREATE TABLE bench_pool (n integer PRIMARY KEY, text text, words {json_type}, "
            "confidence real, duration real)"
        )
        cursor.executemany(
            "INSERT INTO bench_pool (n, text, words, confidence, duration) VALUES (%s, %s, %s, %s, %s)",
            [
                (
                    n,
                    text,
                    json.dumps(words),
                    round(sum(w["confidence"] for w in words) / len(words), 4),
                    words[-1]["end"] / 1000,
                )
                for n, (text, words) in enumerate(pool)
            ],
        )


def _columns(connection, template, made: dict[str, str], owner_id: int) -> tuple[list[str], list[str], list]:
    """(column names, SQL expressions over seq.i and the pool row p, parameters) for `template`'s
    table: `made` columns from their expression, the owner as given, the rest as the template has it."""
    columns, expressions, params = [], [], []
    for field in type(template)._meta.concrete_fields:
        if field.primary_key and field.column not in made:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in made:
            expressions.append(made[field.column])
        elif field.column == "owner_id":
            expressions.append("%s")
            params.append(owner_id)
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    return columns, expressions, params


def _insert(connection, template, made: dict[str, str], owner_id: int, start: int, stop: int, pool_size: int):
    """Rows start..stop-1 of `template`'s table, in batches of one INSERT ... SELECT each."""
    from django.db import transaction

    columns, expressions, params = _columns(connection, template, made, owner_id)
    select = f"SELECT {', '.join(expressions)} FROM seq JOIN bench_pool p ON p.n = seq.i %% {pool_size}"
    insert = f"INSERT INTO {type(template)._meta.db_table} ({', '.join(columns)}) "
    for first in range(start, stop, BATCH):
        last = min(stop, first + BATCH)
        if connection.vendor == "postgresql":
            sql = f"{insert} WITH seq(i) AS (SELECT generate_series(%s, %s)) {select}"
        else:
            sql = (
                "WITH RECURSIVE seq(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM seq WHERE i < %s) "
                f"{insert} {select}"
            )
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(sql, [first, last - 1, *params])


def generate(connection, start: int, stop: int, owner_id: int, pool_size: int) -> None:
    """Transcripts start..stop-1 (row i says conversation i % pool_size), each with its call (SID
    CA<i>, one in NOTES_EVERY with notes, made first as in production: the index reads the notes
    when the transcript comes), its recording's audio asset (id i + 1, labelled with the number
    talked to, E.164) and its two participants as caller.participants names a connected call's
    channels: "1" a person ("Grace Hopper"), "2" the number as people read it ("+1 415-555-0123")."""
    from audio.models import AudioAsset, OriginKind
    from caller.models import Call
    from transcription.models import Transcript

    postgres = connection.vendor == "postgresql"
    # How long ago row i was made, spread over a year; PostgreSQL's generate_series gives integers,
    # which the product overflows past ~271,000 rows: widened first (SQLite's are 64-bit already).
    ago = f"({'seq.i::bigint' if postgres else 'seq.i'} * 7919) %% {YEAR_SECONDS}"
    when = (
        f"now() - make_interval(secs => {ago})"
        if postgres
        else f"datetime('now', '-' || ({ago}) || ' seconds')"
    )
    four = "lpad((seq.i %% 10000)::text, 4, '0')" if postgres else "printf('%%04d', seq.i %% 10000)"
    number = f"'+1415555' || {four}"
    notes = " ".join(
        [f"CASE WHEN seq.i %% {NOTES_EVERY} <> 0 THEN ''"]
        + [
            f"WHEN seq.i %% {NOTES_EVERY * len(NOTES)} = {NOTES_EVERY * n} THEN '{note}'"
            for n, note in enumerate(NOTES)
        ]
        + ["END"]
    )
    planted = rare_rows(start, stop)
    rare = f"seq.i IN ({', '.join(map(str, planted))})" if planted else "1 = 0"
    said = (  # RARE_WORD as the last word, 200 ms after the conversation's end
        f"'text', '{RARE_WORD}', 'start', CAST(p.duration * 1000 AS INTEGER) + 200, "
        "'end', CAST(p.duration * 1000 AS INTEGER) + 700, 'confidence', 0.9"
    )
    rare_words = (
        f"p.words || jsonb_build_array(jsonb_build_object({said}))"
        if postgres
        else f"json_insert(p.words, '$[#]', json_object({said}))"
    )
    call = Call(status="completed", direction="outbound-api", from_number="+15005550006", duration=60)
    _insert(
        connection,
        call,
        {
            "sid": "'CA' || seq.i",
            "to": number,
            "notes": notes,
            "created_at": when,
            "updated_at": when,
        },
        owner_id,
        start,
        stop,
        pool_size,
    )
    asset = AudioAsset(origin_kind=OriginKind.TWILIO_RECORDING, channels=1, content_type="audio/wav")
    _insert(
        connection,
        asset,
        {
            "id": "seq.i + 1",
            "origin_id": "'RE' || seq.i",
            "label": number,
            "title": "'Call to ' || " + number,
            "created_at": when,
            "updated_at": when,
        },
        owner_id,
        start,
        stop,
        pool_size,
    )
    transcript = Transcript(status="completed", audio_source="upload", language_code="en_us")
    _insert(
        connection,
        transcript,
        {
            "id": "seq.i + 1",
            "job_id": "'bench-job-' || seq.i",
            "webhook_token": "'bench-token-' || seq.i",
            "recording_sid": "'RE' || seq.i",
            "call_sid": "'CA' || seq.i",
            "audio_id": "seq.i + 1",
            "text": f"CASE WHEN {rare} THEN p.text || ' {RARE_WORD}' ELSE p.text END",
            "words": f"CASE WHEN {rare} THEN {rare_words} ELSE p.words END",
            "confidence": "p.confidence",
            "audio_duration": "p.duration",
            "created_at": when,
            "updated_at": when,
            "submitted_at": when,
            "webhook_received_at": when,
            "completed_at": when,
        },
        owner_id,
        start,
        stop,
        pool_size,
    )
    _participants(connection, start, stop, four)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('audio_audioasset', 'id'), %s)", [stop + 1])
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('transcription_transcript', 'id'), %s)", [stop + 1]
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('caller_call', 'id'), max(id)) FROM caller_call"
            )


def names() -> list[str]:
    """Every person's name the generator gives, "Grace Hopper" first."""
    return [f"{first} {last}" for last in LAST for first in FIRST]


def _participants(connection, start: int, stop: int, four: str) -> None:
    """Participants "1" (a name from FIRST x LAST) and "2" (the number) of transcripts start..stop-1."""
    from django.db import transaction

    numbered = list(enumerate(names()))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_names")
        cursor.execute("CREATE TABLE bench_names (n integer PRIMARY KEY, name text)")
        cursor.executemany("INSERT INTO bench_names (n, name) VALUES (%s, %s)", numbered)
    if connection.vendor == "postgresql":
        seq = "WITH seq(i) AS (SELECT generate_series(%s, %s))"
    else:
        seq = "WITH RECURSIVE seq(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM seq WHERE i < %s)"
    table = "transcription_participant (transcript_id, key, name)"
    for first in range(start, stop, BATCH):
        last = min(stop, first + BATCH)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # Spread over the names so that neighbours differ (7919 is prime to their count; reduced first,
            # or PostgreSQL's integers overflow at a million).
            for select in (
                f"SELECT seq.i + 1, '1', b.name FROM seq "
                f"JOIN bench_names b ON b.n = ((seq.i %% {len(numbered)}) * 7919) %% {len(numbered)}",
                f"SELECT seq.i + 1, '2', '+1 415-555-' || {four} FROM seq",
            ):
                if connection.vendor == "postgresql":
                    cursor.execute(f"INSERT INTO {table} {seq} {select}", [first, last - 1])
                else:
                    cursor.execute(f"{seq} INSERT INTO {table} {select}", [first, last - 1])


def pool_of(size: int, seed: int = 6) -> list[tuple[str, list[dict]]]:
    from bench.scale import fake_transcript

    rng = random.Random(seed)
    return [fake_transcript(rng) for _ in range(size)]
