"""Part 5: transcript search with the full-text index, against the old scan, at growing row counts.

    python -m bench.search [--levels 10000,100000] [--million] [--runs 20]

Fills a fresh bench database with part 3's realistic transcripts (bench.scale.fill: the index is
kept by its triggers during bulk_create, as in production), then at each level measures three
queries — a rare word, a common word and a phrase — three ways:

- page: the transcript list `/transcription/?q=...` through Django's test client (status counts,
  the first 25 hits ranked, snippets and moments), p50/p95 over --runs;
- index: the database work alone (count + first 25 ranked ids), p50/p95;
- scan: the old search's database work (`icontains` per word, count + newest 25), p50/p95.

--million adds a 1,000,000-row level (minutes of filling, a database of several GiB).
Writes bench/out/search.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

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


def rare_word(pool: list) -> str:
    """A word (a reference number) said in exactly one transcript of the pool."""
    seen = Counter(word for text, _ in pool for word in set(text.replace(",", " ").split()))
    return min(word for word, n in seen.items() if n == 1 and word.isdigit() and len(word) == 5)


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
    from search.engine import Search
    from transcription.models import Transcript

    search = Search.parse(text)

    def run():
        found = search.filter(Transcript.objects.all())
        found.count()
        list(found.order_by(*search.order_by).values_list("pk", flat=True)[:PAGE])

    return run


def page(client, text: str):
    def run():
        response = client.get("/transcription/", {"q": text})
        assert response.status_code == 200, response.status_code

    return run


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="10000,100000")
    parser.add_argument("--million", action="store_true", help="add a 1,000,000-row level (slow)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")] + ([1_000_000] if args.million else [])

    from bench.scale import POOL_SIZE, fake_transcript, fill, fresh_database

    db, user, client = fresh_database("search.sqlite3")
    from django.db import connection

    from search.engine import Search
    from transcription.models import Transcript

    rng = random.Random(6)
    pool = [fake_transcript(rng) for _ in range(POOL_SIZE)]
    queries = {"rare word": rare_word(pool), "common word": COMMON_WORD, "phrase": PHRASE}

    results: dict = {
        "target_p95_ms": TARGET_P95_MS,
        "runs": args.runs,
        "database": connection.vendor,
        "queries": queries,
        "levels": {},
    }
    done = 0
    for rows in levels:
        started = time.perf_counter()
        fill(done, rows, user, pool, rng)
        done = rows
        level = {"rows": rows, "fill_seconds": round(time.perf_counter() - started, 1), "queries": {}}
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize") if connection.vendor == "sqlite" else cursor.execute("ANALYZE")
        for label, text in queries.items():
            matches = Search.parse(text).filter(Transcript.objects.all()).count()
            figures = {
                "matches": matches,
                "page": timed(page(client, text), args.runs),
                "index": timed(indexed(text), args.runs),
                # The scan grows with the rows: fewer runs at a million keep the part bounded.
                "scan": timed(old_scan(text), args.runs if rows < 1_000_000 else 3),
            }
            level["queries"][label] = figures
            print(
                f"  {rows:>8} rows  {label:<12} {matches:>7} hits  page p50 {figures['page']['p50_ms']:7.1f}"
                f" p95 {figures['page']['p95_ms']:7.1f}  index p50 {figures['index']['p50_ms']:7.1f}"
                f"  scan p50 {figures['scan']['p50_ms']:7.1f} ms",
                flush=True,
            )
        results["levels"][str(rows)] = level
    results["db_mib"] = round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20, 1)
    common.write_result("search", results)
    return results


if __name__ == "__main__":
    main()


def table_rows(search: dict) -> list[tuple[str, str, str, str]]:
    """The runner's table rows for this part: per query, the largest level against the smallest."""
    levels = list(search["levels"].values())
    small, big = levels[0], levels[-1]
    rows = [
        (
            f"5 search fill {big['rows']:,} transcripts (index by triggers)",
            f"{big['fill_seconds']} s for the last level, database {search['db_mib']:.0f} MiB",
            "",
            "",
        )
    ]
    for label, figures in big["queries"].items():
        a, b = small["queries"][label], figures
        growth = b["index"]["p50_ms"] / max(a["index"]["p50_ms"], 0.1)
        speedup = b["scan"]["p50_ms"] / max(b["index"]["p50_ms"], 0.1)
        rows.append(
            (
                f"5 search {label} {search['queries'][label]}: {small['rows']:,} -> {big['rows']:,} rows",
                f"page p50/p95 {a['page']['p50_ms']:.1f}/{a['page']['p95_ms']:.1f} -> "
                f"{b['page']['p50_ms']:.1f}/{b['page']['p95_ms']:.1f} ms; index p50 "
                f"{a['index']['p50_ms']:.1f} -> {b['index']['p50_ms']:.1f} ms ({growth:.1f}x); "
                f"old scan p50 {a['scan']['p50_ms']:.1f} -> {b['scan']['p50_ms']:.1f} ms "
                f"({speedup:.0f}x the index); {b['matches']:,} hits",
                f"page p95 < {search['target_p95_ms']:.0f} ms",
                verdict(b["page"]["p95_ms"] < search["target_p95_ms"]),
            )
        )
    return rows


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
