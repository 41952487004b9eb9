"""Participants at a million transcripts, in plain sqlite3: LIKE '%...%' against the trigram index.

    python -m bench.peoplescan [--rows 2000000] [--runs 5]
    scripts/with-postgres.sh .venv/bin/python -m bench.peoplescan --postgres

A table of participants shaped like transcription_participant (two per transcript: a name from
bench.searchdata's FIRST x LAST, and the number as people read it), with an FTS5 trigram table
over the names kept as search/people.py keeps it, in a scratch file under bench/out/. Then the
list page's question ("up to 100 transcripts with a participant named like ...") by the old scan
and through the index, for a word nobody has, a surname many have, a full name and some digits.
No Django: the database work alone, to stand for the 1,000,000 level the search bench does not
measure by participant (about 1 minute to make, 300 MiB).

--postgres (DATABASE_URL, a throwaway server): the same table, the question as Django's icontains
asks it (`UPPER(name::text) LIKE UPPER(...)`), before and after the pg_trgm GIN index of
search/people.py on that expression.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time

from bench import common
from bench.searchdata import names as searchdata_names

QUESTIONS = {
    "a word nobody has": "invoice",
    "a name nobody has": "grace hoppers",  # every trigram of it is common
    "a surname many have": "hopper",
    "a full name": "grace hopper",
    "digits of a number": "555-0123",
}
PG_QUESTION = (
    "SELECT count(*) FROM (SELECT transcript_id FROM p WHERE UPPER(name::text) LIKE UPPER(%s) LIMIT 100) s"
)
SCAN = "SELECT count(*) FROM (SELECT transcript_id FROM p WHERE name LIKE ? LIMIT 100)"
INDEXED = (
    "SELECT count(*) FROM (SELECT transcript_id FROM p "
    "WHERE id IN (SELECT rowid FROM p_fts WHERE p_fts MATCH ?) LIMIT 100)"
)


def make(path, rows: int) -> None:
    names = searchdata_names()
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        "PRAGMA journal_mode = off; PRAGMA synchronous = off;"
        "CREATE TABLE p (id INTEGER PRIMARY KEY, transcript_id integer, key text, name text);"
        "CREATE VIRTUAL TABLE p_fts USING fts5(name, content='p', content_rowid='id', tokenize='trigram');"
        "CREATE TRIGGER p_ai AFTER INSERT ON p BEGIN "
        "INSERT INTO p_fts(rowid, name) VALUES (new.id, new.name); END;"
    )
    transcripts = rows // 2
    db.executemany(
        "INSERT INTO p (transcript_id, key, name) VALUES (?, ?, ?)",
        (
            row
            for i in range(transcripts)
            for row in (
                (i + 1, "1", names[(i * 7919) % len(names)]),
                (i + 1, "2", f"+1 415-555-{i % 10000:04d}"),
            )
        ),
    )
    db.execute("CREATE INDEX p_transcript ON p (transcript_id)")
    db.commit()
    db.close()


def timed(db, sql: str, value: str, runs: int) -> tuple[float, int]:
    found = db.execute(sql, [value]).fetchone()[0]  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        db.execute(sql, [value]).fetchone()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), found


def postgres(rows: int, runs: int) -> dict:
    """The same on PostgreSQL: the scan, then the pg_trgm index of search/people.py."""
    import os

    import psycopg

    names = searchdata_names()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        db.execute("DROP TABLE IF EXISTS p")
        db.execute(
            "CREATE TABLE p (id bigserial PRIMARY KEY, transcript_id bigint, "
            "key varchar(8), name varchar(80))"
        )
        started = time.perf_counter()
        db.execute(
            "INSERT INTO p (transcript_id, key, name) SELECT i + 1, k, CASE k WHEN '1' "
            "THEN (%s::text[])[((i %% %s) * 7919) %% %s + 1] "
            "ELSE '+1 415-555-' || lpad((i %% 10000)::text, 4, '0') END "
            "FROM generate_series(0, %s) i, (VALUES ('1'), ('2')) keys(k)",
            [names, len(names), len(names), rows // 2 - 1],
        )
        db.execute("VACUUM ANALYZE p")
        print(f"postgresql: {rows:,} participants made in {time.perf_counter() - started:.0f} s")
        scans = {label: timed(db, PG_QUESTION, f"%{text}%", runs) for label, text in QUESTIONS.items()}
        started = time.perf_counter()
        db.execute("CREATE INDEX p_name_trgm ON p USING gin ((UPPER(name::text)) gin_trgm_ops)")
        db.execute("ANALYZE p")
        print(f"  the trigram index made in {time.perf_counter() - started:.0f} s")
        results = {}
        for label, text in QUESTIONS.items():
            index, found = timed(db, PG_QUESTION, f"%{text}%", runs)
            scan, same = scans[label]
            assert same == found, (label, found, same)
            results[label] = answered(label, text, found, scan, index)
        db.execute("DROP TABLE p")
    return results


def answered(label: str, text: str, found: int, scan: float, index: float) -> dict:
    """One question's figures, printed as they come."""
    print(f"  {label:<20} {text!r:<16} {found:>3} found  scan {scan:7.1f} ms  trigram {index:6.2f} ms")
    return {"text": text, "found": found, "scan_ms": round(scan, 1), "index_ms": round(index, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000, help="participant rows (two per transcript)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="on DATABASE_URL (scripts/with-postgres.sh)")
    args = parser.parse_args()
    if args.postgres:
        results = postgres(args.rows, args.runs)
        common.write_result("peoplescan-postgresql", {"rows": args.rows, "questions": results})
        return
    common.OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = common.OUT_DIR / f"peoplescan-{args.rows}.sqlite3"
    started = time.perf_counter()
    make(path, args.rows)
    made = time.perf_counter() - started
    print(f"sqlite {sqlite3.sqlite_version}: {args.rows:,} participants made in {made:.0f} s")
    db = sqlite3.connect(path)
    results = {}
    for label, text in QUESTIONS.items():
        scan, found = timed(db, SCAN, f"%{text}%", args.runs)
        index, same = timed(db, INDEXED, f'"{text}"', args.runs)
        assert same == found, (label, found, same)
        results[label] = answered(label, text, found, scan, index)
    db.close()
    path.unlink()
    common.write_result(
        "peoplescan", {"rows": args.rows, "sqlite": sqlite3.sqlite_version, "questions": results}
    )


if __name__ == "__main__":
    main()
