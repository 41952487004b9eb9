"""`make bench`: run every part on loopback, print ONE table, keep it in bench/RESULTS.md.

    python -m bench [--quick]

Each part runs in its own process with a time limit (bench/web.py, pipeline.py, scale.py,
memory.py, search.py, longcall.py, editing.py) and leaves its raw figures in bench/out/<part>.json;
this runner only reads them.
--quick makes every part small (a smoke run, seconds instead of minutes; not for RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench import common

PARTS = {
    # part: (module, time limit in seconds, quick arguments)
    "web": ("bench.web", 480, ["--requests", "500", "--seconds", "5"]),
    "web-postgresql": ("bench.web", 480, ["--postgres", "--requests", "500", "--seconds", "5"]),
    "pipeline": ("bench.pipeline", 240, ["--recordings", "50", "--timeout", "30"]),
    "scale": ("bench.scale", 420, ["--rows", "3000", "--small", "300"]),
    "memory": ("bench.memory", 420, ["--megabytes", "20", "--archive-megabytes", "10,20"]),
    "search": ("bench.search", 1800, ["--levels", "300,3000", "--runs", "3"]),
    "longcall": ("bench.longcall", 300, ["--hours", "0.25", "--runs", "2"]),
    "editing": ("bench.editing", 240, ["--words", "3000", "--runs", "5"]),
}


# Arguments of a full run, where a part has more than its defaults: search at 1,000,000 rows too
# (its SQLite database is made once, about 15 minutes, and reused while the migrations are the
# same) and on PostgreSQL (a throwaway server, scripts/with-postgres.sh), part 1 on PostgreSQL.
FULL_ARGS = {"search": ["--postgres", "--million"], "web-postgresql": ["--postgres"]}


def run_part(name: str, quick: bool) -> dict:
    module, limit, quick_args = PARTS[name]
    print(f"[{name}]", flush=True)
    (common.OUT_DIR / f"{name}.json").unlink(missing_ok=True)
    try:
        subprocess.run(
            [sys.executable, "-m", module, *(quick_args if quick else FULL_ARGS.get(name, []))],
            cwd=common.ROOT,
            env=common.bench_env(),
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"stopped after its {limit} s limit"}
    except subprocess.CalledProcessError as exc:
        return {"failed": f"exited with {exc.returncode}"}
    return json.loads((common.OUT_DIR / f"{name}.json").read_text())


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def archive_rows(archive: dict | None) -> list[tuple[str, str, str, str]]:
    """Part 4's archive rows: the same memory at both sizes, for a folder and for an S3 bucket."""
    if not archive:
        return []
    small_mb, big_mb = archive["megabytes"]
    rows = []
    for storage, label in (("folder", "local folder"), ("s3", "S3 bucket (moto, loopback)")):
        figures = archive["storages"][storage]
        small, big = figures["runs"]
        ratio = figures["python_peak_ratio"]
        verified = small["verified"] and big["verified"]
        rows.append(
            (
                f"4 archive Twilio -> {label}, {small_mb} -> {big_mb} MiB",
                f"peak RSS +{small['growth_mib']:.1f} -> +{big['growth_mib']:.1f} MiB, Python peak "
                f"{small['python_peak_mib']:.1f} -> {big['python_peak_mib']:.1f} MiB = {ratio:.2f}x, "
                f"{small['seconds']} -> {big['seconds']} s, {'verified' if verified else 'NOT VERIFIED'}",
                f"< {archive['target_growth_mib']} MiB, <= {archive['target_ratio']}x",
                verdict(
                    verified
                    and big["growth_mib"] < archive["target_growth_mib"]
                    and ratio <= archive["target_ratio"]
                ),
            )
        )
    return rows


def web_rows(web: dict, prefix: str) -> list[tuple[str, str, str, str]]:
    """Part 1's rows (on SQLite, or on PostgreSQL with its own prefix)."""
    rows: list[tuple[str, str, str, str]] = []
    if "failed" in web:
        rows.append((f"{prefix} webhooks under gunicorn", web["failed"], "", "FAILED"))
    else:
        c = web["concurrency"]
        ceiling = web["ceiling_rps"]
        for key in ("ceiling", "ceiling_after"):
            s = web["scenarios"][key]
            rows.append(
                (
                    f"{prefix} {key.replace('_', ' ')} (bare view), {c} clients",
                    f"{s['rps']:.0f} req/s, p50 {s['p50_ms']:.1f} / p99 {s['p99_ms']:.1f} ms",
                    "",
                    f"{s['errors']} errors" if s["errors"] else "",
                )
            )
        for key, label in (
            ("twiml", f"{prefix} /record/ TwiML (signed)"),
            ("recording_status", f"{prefix} recording-status callback (signed, writes)"),
            ("assemblyai_webhook", f"{prefix} AssemblyAI webhook"),
            ("recording_status_worker_running", f"{prefix} recording-status callback, inbox worker running"),
            ("assemblyai_webhook_worker_running", f"{prefix} AssemblyAI webhook, inbox worker running"),
        ):
            s = web["scenarios"].get(key)
            if s is None:  # an older bench/out/ file
                continue
            if "skipped" in s:
                rows.append((label, f"not measured: {s['skipped']}", "", "round 2"))
                continue
            good = s["ratio"] >= s["target_ratio"] and s["p99_ms"] < web["p99_target_ms"] and not s["errors"]
            rows.append(
                (
                    f"{label}, {c} clients",
                    f"{s['rps']:.0f} req/s = {s['ratio']:.2f}x ceiling {ceiling:.0f}, "
                    f"p50 {s['p50_ms']:.1f} / p99 {s['p99_ms']:.1f} ms, {s['errors']} errors",
                    f">= {s['target_ratio']}x, p99 < {web['p99_target_ms']:.0f} ms, 0 errors",
                    verdict(good),
                )
            )
        per_request = web["scenarios"].get("recording_status_connection_per_request")
        if per_request:
            rows.append(
                (
                    f"{prefix} diagnosis: same callback, DB_CONN_MAX_AGE=0",
                    f"{per_request['rps']:.0f} req/s = {per_request['ratio']:.2f}x, "
                    f"p50 {per_request['p50_ms']:.1f} / p99 {per_request['p99_ms']:.1f} ms, "
                    f"{per_request['errors']} errors",
                    "",
                    "",
                )
            )
        cost = web.get("in_process_us")
        if cost:
            rows.append(
                (
                    f"{prefix} diagnosis: CPU per request in Django alone",
                    f"ceiling {cost['ceiling']} us, TwiML {cost['twiml']} us, callback "
                    f"{cost['recording_status']} us; closing + reopening SQLite {cost['open_database']} us",
                    "",
                    "",
                )
            )
        inbox = web.get("inbox")
        if inbox:
            rows.append(
                (
                    f"{prefix} worker: the inbox the callbacks and webhooks queued, drained by "
                    f"{inbox.get('workers', 1)} worker{'s' if inbox.get('workers', 1) > 1 else ''}",
                    f"{inbox['tasks']} tasks in {inbox['seconds']:.1f} s ({inbox['per_second']:.0f}/s), "
                    f"{inbox['not_successful']} not successful",
                    "all successful",
                    verdict(inbox["not_successful"] == 0),
                )
            )
        for key, label in (
            ("recording_rows", "Recordings stored"),
            ("webhook_rows", "WebhookDeliveries stored and processed"),
            ("webhook_fetches_queued", "fetch tasks queued"),
        ):
            if key in web:
                stored = web[key]
                rows.append(
                    (
                        f"{prefix} {label} for the callbacks sent",
                        f"{stored['rows_present']} / {stored['sent']}",
                        "all",
                        verdict(stored["missing"] == 0),
                    )
                )
    return rows


def rows_for(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, verdict) for the table."""
    rows: list[tuple[str, str, str, str]] = []
    rows += web_rows(results["web"], "1")
    rows += web_rows(results.get("web-postgresql", {"failed": "not run"}), "1 PostgreSQL:")
    pipeline = results["pipeline"]
    if "skipped" in pipeline or "failed" in pipeline:
        status = "round 2" if "skipped" in pipeline else "FAILED"
        rows.append(
            ("2 pipeline, 1,000 recordings", pipeline.get("skipped") or pipeline["failed"], "", status)
        )
    else:
        n = pipeline["recordings"]
        rows.append(
            (
                f"2 pipeline, {n} recordings end to end",
                f"{pipeline['completed']} completed in {pipeline['wall_seconds']} s "
                f"({pipeline['recordings_per_second']}/s), app overhead "
                f"{pipeline['app_overhead_ms_per_recording']} ms/recording",
                f"{n} in < {pipeline['target_seconds']:.0f} s",
                verdict(not pipeline["timed_out"] and pipeline["completed"] == n),
            )
        )
    scale = results["scale"]
    if "failed" in scale:
        rows.append(("3 pages over stored data", scale["failed"], "", "FAILED"))
    else:
        levels = list(scale["levels"].values())
        small, big = levels[0], levels[-1]
        rows.append(
            (
                f"3 fill {big['rows']:,} transcripts (bulk_create)",
                f"{big['fill_seconds']} s, database {big['db_mib']:.0f} MiB",
                "",
                "",
            )
        )
        for page in big["pages"]:
            a, b = small["pages"][page], big["pages"][page]
            same = a["queries"] == b["queries"]
            rows.append(
                (
                    f"3 {page.replace('_', ' ')}: {small['rows']:,} -> {big['rows']:,} rows",
                    f"{a['median_ms']:.1f} -> {b['median_ms']:.1f} ms, "
                    f"{a['queries']} -> {b['queries']} queries",
                    f"< {scale['target_ms']:.0f} ms, same queries",
                    verdict(same and b["median_ms"] < scale["target_ms"]),
                )
            )
    memory = results["memory"]
    if "failed" in memory:
        rows.append(("4 memory of a relay", memory["failed"], "", "FAILED"))
    else:
        mib = memory["recording_bytes"] / 2**20
        for mode, label in (("streamed", "app's streamed relay"), ("whole", "whole file in memory")):
            r = memory["relays"][mode]
            rows.append(
                (
                    f"4 {label}, {mib:.0f} MiB recording",
                    f"peak RSS +{r['growth_mib']:.1f} MiB, {r['seconds']} s, "
                    f"{'complete' if r['complete'] else 'INCOMPLETE'}",
                    f"< {memory['target_growth_mib']} MiB" if mode == "streamed" else "(comparison)",
                    verdict(r["growth_mib"] < memory["target_growth_mib"] and r["complete"])
                    if mode == "streamed"
                    else "",
                )
            )
        rows += archive_rows(memory.get("archive"))
    search = results["search"]
    if "failed" in search:
        rows.append(("5 transcript search", search["failed"], "", "FAILED"))
    else:
        from bench.search import table_rows

        rows += table_rows(search)
    longcall = results["longcall"]
    if "failed" in longcall:
        rows.append(("6 long call", longcall["failed"], "", "FAILED"))
    else:
        from bench.longcall import table_rows as longcall_rows

        rows += longcall_rows(longcall)
    editing = results["editing"]
    if "failed" in editing:
        rows.append(("7 save a correction", editing["failed"], "", "FAILED"))
    else:
        from bench.editing import table_rows as editing_rows

        rows += editing_rows(editing)
    return rows


def table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("Figure", "Measured", "Target", "Verdict")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict:
    import django

    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    import sqlite3

    import gunicorn

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=common.ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 2**20, 1),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "sqlite": sqlite3.sqlite_version,
        "commit": commit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=sorted(PARTS), action="append", help="run only these parts")
    args = parser.parse_args()
    common.OUT_DIR.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = time.perf_counter()
    results = {}
    for name in PARTS:
        if args.only and name not in args.only:
            path = common.OUT_DIR / f"{name}.json"
            results[name] = json.loads(path.read_text()) if path.exists() else {"failed": "not run"}
        else:
            results[name] = run_part(name, args.quick)
    info["bench_seconds"] = round(time.perf_counter() - started)
    text = table(rows_for(results))
    print()
    print(text)
    machine_line = (
        f"{info['date']}; {info['nproc']} CPUs ({info['cpu']}), {info['memory_gib']} GiB; "
        f"load {info['load_average_at_start']} at start; Python {info['python']}, Django {info['django']}, "
        f"gunicorn {info['gunicorn']}, SQLite {info['sqlite']}; commit {info['commit']}; "
        f"{info['bench_seconds']} s"
    )
    print(f"\n{machine_line}")
    common.write_result("summary", {"machine": info, "results": results})
    if args.quick or args.only:
        print("(quick/partial run: bench/RESULTS.md left as it was)")
        return
    results_md = common.ROOT / "bench" / "RESULTS.md"
    notes_marker = "<!-- notes -->"
    notes = ""
    if results_md.exists() and notes_marker in results_md.read_text():
        notes = results_md.read_text().split(notes_marker, 1)[1]
    results_md.write_text(
        "# Latest benchmark figures\n\n"
        "Written by `make bench` (bench/__main__.py); the notes below the table are kept by hand.\n\n"
        f"Machine: {machine_line}\n\n{text}\n\n{notes_marker}{notes}"
    )


if __name__ == "__main__":
    main()
