"""Part 5: transcript search with the full-text index, against the old scan, at growing row counts.

    python -m bench.search [--levels 10000,100000] [--million] [--postgres] [--runs 20]

At each level, a database of part 3's realistic transcripts (text and words JSON, each with its
recording's audio asset; the index kept by its triggers, as in production), then three queries —
a rare word, a common word and a phrase — three ways:

- page: the transcript list `/transcription/?q=...` through Django's test client (status counts,
  the first 25 hits ranked, snippets and moments), p50/p95 over --runs;
- index: the database work alone (status counts up to search.engine.COUNT_LIMIT, the first 25
  ids: ranked, or newest first past the limit), p50/p95;
- scan: the old search's database work (`icontains` per word, count + newest 25), p50/p95.

Each level runs in its own process on its own database, made by bench.searchdata (SQL, not the
ORM) and kept under bench/out/search-<rows>.sqlite3 for the next run while the migrations are the
same. --million adds a 1,000,000-row level on SQLite (about 11 GiB; made once in about 15 minutes,
then reused); --postgres runs the smaller levels on a throwaway PostgreSQL
(scripts/with-postgres.sh), made each time.
Writes bench/out/search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from bench import common

TARGET_P95_MS = 100.0
PAGE = 25
COMMON_WORD = "invoice"
PHRASE = '"call back before"'


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, runs: int) -> dict:
    function()  # warm-up: caches, first compile
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def old_scan(text: str):
    """What transcription/search.py did before the index: every word by icontains."""
    from django.db.models import Q

    from transcription.models import Transcript

    words = text.strip('"').split()
    condition = Q()
    for word in words:
        condition &= Q(text__icontains=word)

    def run():
        found = Transcript.objects.filter(condition)
        found.count()
        list(found.order_by("-created_at", "-pk").values_list("pk", flat=True)[:PAGE])

    return run


def indexed(text: str):
    """The index's database work as the list does it: status counts (bounded), the first 25 ids."""
    from search.engine import Search, count_statuses
    from transcription.models import Transcript

    search = Search.parse(text)

    def run():
        found = search.filter(Transcript.objects.all())
        _, many = count_statuses(found, ranked=search.ranked)
        list(found.order_by(*search.ordering(many=many)).values_list("pk", flat=True)[:PAGE])

    return run


def page(client, text: str):
    def run():
        response = client.get("/transcription/", {"q": text})
        assert response.status_code == 200, response.status_code

    return run


def open_database(rows: int, pool: list) -> tuple:
    """The database of `rows` transcripts: the cached SQLite file when it was made by the same
    migrations and generator, else made now (bench.searchdata). PostgreSQL (BENCH_DATABASE_URL):
    emptied and made each time. Returns (a client logged in as a superuser, seconds spent making)."""
    db = common.OUT_DIR / f"search-{rows}.sqlite3"
    os.environ.update(BENCH_DB=str(db), DJANGO_SETTINGS_MODULE="bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import searchdata

    key = searchdata.migration_key()
    started = time.perf_counter()
    made = 0.0
    if connection.vendor == "postgresql" or searchdata.cached_key(connection) != key:
        if connection.vendor == "sqlite":
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                db.with_name(db.name + suffix).unlink(missing_ok=True)
        else:
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
        searchdata.make_pool(connection, pool)
        searchdata.generate(connection, 0, rows, user.pk, len(pool))
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize" if connection.vendor == "sqlite" else "ANALYZE")
        searchdata.remember_key(connection, key)
        made = time.perf_counter() - started
    user = get_user_model().objects.get(username="bench")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # As a gunicorn worker serves the page (djtranscribe/wsgi.py): the app frozen out of full walks.
    from djtranscribe.lib.heap import settle

    settle()
    return client, made


def measure_level(rows: int, runs: int) -> dict:
    """One level, in this process: its database, then each query three ways."""
    from bench.scale import POOL_SIZE
    from bench.searchdata import pool_of

    pool = pool_of(POOL_SIZE)
    client, made = open_database(rows, pool)
    from django.db import connection

    from bench.searchdata import RARE_WORD
    from search.engine import Search
    from transcription.models import Transcript

    queries = {"rare word": RARE_WORD, "common word": COMMON_WORD, "phrase": PHRASE}
    level = {
        "rows": rows,
        "database": connection.vendor,
        "made_seconds": round(made, 1),
        "reused": made == 0.0,
        "queries": {},
    }
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        level["db_mib"] = round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20)
    for label, text in queries.items():
        matches = Search.parse(text).filter(Transcript.objects.all()).count()
        figures = {
            "text": text,
            "matches": matches,
            "page": timed(page(client, text), runs),
            "index": timed(indexed(text), runs),
            # The scan grows with the rows: fewer runs at a million keep the part bounded.
            "scan": timed(old_scan(text), runs if rows < 1_000_000 else 2),
        }
        level["queries"][label] = figures
        print(
            f"  {connection.vendor:<10} {rows:>8} rows  {label:<12} {matches:>7} hits  page p50"
            f" {figures['page']['p50_ms']:7.1f} p95 {figures['page']['p95_ms']:7.1f}  index p50"
            f" {figures['index']['p50_ms']:7.1f}  scan p50 {figures['scan']['p50_ms']:7.1f} ms",
            flush=True,
        )
    return level


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="add a 1,000,000-row level")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--level", type=int, help="(internal) measure one level in this process")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL when it can be started")
    args = parser.parse_args()
    if args.level:
        level = measure_level(args.level, args.runs)
        common.write_result(f"search-level-{level['database']}-{args.level}", level)
        return level
    levels = [int(n) for n in args.levels.split(",")] + ([1_000_000] if args.million else [])
    results: dict = {"target_p95_ms": TARGET_P95_MS, "runs": args.runs, "databases": {}}
    databases = [("sqlite", {})]
    if args.postgres:
        databases.append(("postgresql", {}))
    for vendor, _ in databases:
        # PostgreSQL's server is thrown away after each level: a million rows would be made each run.
        for rows in levels if vendor == "sqlite" else [n for n in levels if n < 1_000_000]:
            # Each level in its own process: its own database file, Django set up on it.
            command = [common.PYTHON, "-m", "bench.search", "--level", str(rows), "--runs", str(args.runs)]
            if vendor == "postgresql":
                # A throwaway server for this level; the bench settings read BENCH_DATABASE_URL.
                relay = 'BENCH_DATABASE_URL="$DATABASE_URL" exec "$@"'
                command = ["bash", "scripts/with-postgres.sh", "bash", "-c", relay, "_", *command]
            env = common.bench_env()
            subprocess.run(command, cwd=common.ROOT, env=env, check=True)
            out = common.OUT_DIR / f"search-level-{vendor}-{rows}.json"
            results["databases"].setdefault(vendor, {})[str(rows)] = json.loads(out.read_text())
    common.write_result("search", results)
    return results


if __name__ == "__main__":
    main()


def table_rows(search: dict) -> list[tuple[str, str, str, str]]:
    """The runner's table rows for this part: per database and query, the largest level against the
    smallest (targets: p95 < 100 ms, the largest at most 2x the smallest, 20x faster than the scan)."""
    rows = []
    target = search["target_p95_ms"]
    for vendor, by_rows in search["databases"].items():
        levels = list(by_rows.values())
        small, big = levels[0], levels[-1]
        made = ", ".join(
            f"{level['rows']:,}: {'cached' if level['reused'] else str(level['made_seconds']) + ' s'}"
            + (f" ({level['db_mib']:,} MiB)" if "db_mib" in level else "")
            for level in levels
        )
        rows.append((f"5 search {vendor}: databases made (bench.searchdata) or reused", made, "", ""))
        for label, b in big["queries"].items():
            a = small["queries"][label]
            growth = b["page"]["p50_ms"] / max(a["page"]["p50_ms"], 0.1)
            speedup = b["scan"]["p50_ms"] / max(b["index"]["p50_ms"], 0.1)
            ok = b["page"]["p95_ms"] < target and growth <= 2 and speedup >= 20
            rows.append(
                (
                    f"5 search {vendor} {label} {b['text']}: {small['rows']:,} -> {big['rows']:,} rows",
                    f"page p50/p95 {a['page']['p50_ms']:.1f}/{a['page']['p95_ms']:.1f} -> "
                    f"{b['page']['p50_ms']:.1f}/{b['page']['p95_ms']:.1f} ms ({growth:.1f}x); index p50 "
                    f"{a['index']['p50_ms']:.1f} -> {b['index']['p50_ms']:.1f} ms; old scan p50 "
                    f"{a['scan']['p50_ms']:.1f} -> {b['scan']['p50_ms']:.1f} ms ({speedup:.0f}x the index); "
                    f"{b['matches']:,} hits",
                    f"p95 < {target:.0f} ms, <= 2x, >= 20x scan",
                    verdict(ok),
                )
            )
    return rows


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
