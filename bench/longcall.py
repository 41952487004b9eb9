"""Part 6: a 3-hour two-party call (about 30,000 words) against a 1-minute one, server and browser.

    python -m bench.longcall [--hours 3] [--runs 10] [--no-browser]

- server: the transcript page through Django's test client, p50 over --runs, and each export;
- browser: the page in Chromium (Playwright, Debian's chromium) from gunicorn on loopback: the
  Performance API's navigation timing (DOMContentLoaded, when the deferred scripts have run and the
  page answers input, and load);
- playback highlight: the page's own timeupdate handler driven across the call (the player's clock
  stubbed, "follow playback" on), each step followed by a forced style and layout: ms per frame.

Writes bench/out/longcall.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench import common

TARGET_RENDER_RATIO = 10.0
TARGET_INTERACTIVE_MS = 1000.0
TARGET_FRAME_MS = 4.0
WORDS_PER_SECOND = 2.8  # 30,000 words in 3 hours of two people talking, pauses included
VOCABULARY = (
    "so the invoice was sent on tuesday and I think we need to call back before friday because "
    "the customer asked about a refund for the order that never arrived yes of course let me check "
    "that for you one moment please okay I can see the account here the payment went through"
).split()


def conversation(seconds: float, rng: random.Random) -> list[dict]:
    """Two channels taking turns of 3 to 40 words, word times in ms, a few doubtful words."""
    words, at, channel = [], 0.0, 1
    while at < seconds:
        for _ in range(rng.randint(3, 40)):
            length = rng.uniform(0.18, 0.45)
            text = rng.choice(VOCABULARY)
            words.append(
                {
                    "text": text,
                    "start": round(at * 1000),
                    "end": round((at + length) * 1000),
                    "confidence": round(rng.uniform(0.45, 1.0), 3),
                    "channel": str(channel),
                }
            )
            at += length + rng.uniform(0.0, 0.05)
        at += rng.uniform(0.2, 1.2)
        channel = 3 - channel
    # Sentences end now and then (paragraphs, captions).
    for index in range(11, len(words), 12):
        words[index]["text"] += "."
    return words


def make_call(seconds: float, rng: random.Random, owner):
    from django.utils import timezone

    from transcription.models import Transcript

    words = conversation(seconds, rng)
    return Transcript.objects.create(
        status="completed",
        text=" ".join(w["text"] for w in words),
        words=words,
        audio_duration=seconds,
        # A public URL: the page shows a player (the browser never fetches it: nothing listens).
        audio_url="https://127.0.0.1:9/long-call.mp3",
        owner=owner,
        completed_at=timezone.now(),
        created_at=timezone.now(),  # the bench database keeps given timestamps (fresh_database)
        updated_at=timezone.now(),
    )


def timed(function, runs: int) -> float:
    function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def server(client, short, long_, runs: int) -> dict:
    def page(pk):
        def run():
            response = client.get(f"/transcription/{pk}/")
            assert response.status_code == 200, response.status_code
            return response

        return run

    figures = {
        "short_ms": timed(page(short.pk), runs * 3),
        "long_ms": timed(page(long_.pk), runs),
        "long_html_kib": round(len(page(long_.pk)().content) / 1024),
        "exports": {},
    }
    for kind in ("txt", "json", "srt", "vtt"):

        def export(kind=kind):
            response = client.get(f"/transcription/{long_.pk}/export.{kind}")
            assert response.status_code == 200, response.status_code
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return response.streaming, len(body)

        streamed, size = export()
        figures["exports"][kind] = {
            "ms": timed(export, max(3, runs // 2)),
            "streamed": streamed,
            "kib": round(size / 1024),
        }
    return figures


PLACES, FRAMES = 6, 240  # 4 s of playback at 60 frames a second, at six places across the call
DRIVE_HIGHLIGHT = """
([places, frames, duration]) => {
  const audio = document.getElementById("player");
  let now = 0;
  Object.defineProperty(audio, "currentTime", { get: () => now, set: (v) => { now = v; } });
  Object.defineProperty(audio, "paused", { get: () => false });
  const times = [];
  let highlighted = 0;
  for (let p = 0; p < places; p++) {
    const from = (duration - 10) * p / places;
    for (let f = 0; f < frames; f++) {
      now = from + f / 60;
      const started = performance.now();
      audio.dispatchEvent(new Event("timeupdate"));
      document.body.getBoundingClientRect();  // the style and layout the change costs
      times.push(performance.now() - started);
      if (document.querySelector("#transcript .w.now")) { highlighted++; }
    }
  }
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(times.length / 2)],
    p95: times[Math.floor(times.length * 0.95)],
    max: times[times.length - 1],
    frames: times.length,
    highlighted,
  };
}
"""
NAVIGATION = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  // words.js makes a word's span only when its turn comes near the screen (or a script needs it):
  // the words the page knows, and the spans made by load.
  return { interactive: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
           words: window.TranscriptWords ? window.TranscriptWords.count() : 0,
           spans: document.querySelectorAll("#transcript .w").length };
}
"""


def browser_figures(db, session_cookie: str, short, long_, runs: int) -> dict:
    import os

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "no Playwright (make install-dev)"}

    from tests.browser.chromium import LAUNCH_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        return {"skipped": "no Chromium (apt-get install chromium)"}
    port = common.free_port()
    env = common.bench_env(BENCH_DB=str(db), BENCH_PORT=str(port))
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    figures: dict = {}
    with common.gunicorn(port, env, workers=1), sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            context = chromium.new_context(base_url=f"http://127.0.0.1:{port}")
            context.add_cookies(
                [{"name": "sessionid", "value": session_cookie, "url": f"http://127.0.0.1:{port}"}]
            )
            # Nothing leaves loopback: the player's URL goes nowhere.
            context.route("https://**", lambda route: route.abort())
            page = context.new_page()
            for label, transcript in (("short", short), ("long", long_)):
                timings = []
                for _ in range(runs):
                    page.goto(f"/transcription/{transcript.pk}/", wait_until="load")
                    timings.append(page.evaluate(NAVIGATION))
                figures[label] = {
                    "interactive_ms": round(statistics.median(t["interactive"] for t in timings), 1),
                    "load_ms": round(statistics.median(t["load"] for t in timings), 1),
                    "words": timings[0]["words"],
                    "spans_at_load": timings[0]["spans"],
                }
                page.goto(f"/transcription/{transcript.pk}/", wait_until="load")
                frame = page.evaluate(DRIVE_HIGHLIGHT, [PLACES, FRAMES, transcript.audio_duration])
                figures[label]["frame_ms"] = {key: round(frame[key], 2) for key in ("p50", "p95", "max")}
                figures[label]["highlighted_frames"] = f"{frame['highlighted']}/{frame['frames']}"
        finally:
            chromium.close()
    return figures


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    from bench.scale import fresh_database

    db, user, client = fresh_database("longcall.sqlite3")
    rng = random.Random(13)
    short = make_call(60.0, rng, user)
    long_ = make_call(args.hours * 3600, rng, user)
    results = {
        "hours": args.hours,
        "words": {"short": len(short.words), "long": len(long_.words)},
        "targets": {
            "render_ratio": TARGET_RENDER_RATIO,
            "interactive_ms": TARGET_INTERACTIVE_MS,
            "frame_ms": TARGET_FRAME_MS,
        },
        "server": server(client, short, long_, args.runs),
    }
    print(f"  server: {results['server']}", flush=True)
    if not args.no_browser:
        from django.db import connections

        connections.close_all()
        results["browser"] = browser_figures(db, client.cookies["sessionid"].value, short, long_, args.runs)
        print(f"  browser: {results['browser']}", flush=True)
    common.write_result("longcall", results)
    return results


if __name__ == "__main__":
    main()


def table_rows(long: dict) -> list[tuple[str, str, str, str]]:
    """The runner's table rows for this part: the long call against the 1-minute one."""
    hours, targets = long["hours"], long["targets"]
    words = long["words"]
    server = long["server"]
    ratio = server["long_ms"] / max(server["short_ms"], 0.1)
    title = f"{hours:g} h ({words['long']:,} words) vs 1 min ({words['short']} words)"
    rows = [
        (
            f"6 long call server render, {title}",
            f"{server['short_ms']:.1f} -> {server['long_ms']:.1f} ms = {ratio:.1f}x, "
            f"{server['long_html_kib']:,} KiB of HTML",
            f"< {targets['render_ratio']:.0f}x",
            verdict(ratio < targets["render_ratio"]),
        )
    ]
    exports = server["exports"]
    rows.append(
        (
            f"6 long call exports, {hours:g} h",
            ", ".join(
                f"{kind} {e['kib']:,} KiB {e['ms']:.0f} ms{' streamed' if e['streamed'] else ''}"
                for kind, e in exports.items()
            ),
            "streamed",
            verdict(all(e["streamed"] for e in exports.values())),
        )
    )
    browser = long.get("browser", {"skipped": "not run (--no-browser)"})
    if "skipped" in browser:
        rows.append(("6 long call in the browser", f"not measured: {browser['skipped']}", "", ""))
        return rows
    short, big = browser["short"], browser["long"]
    rows.append(
        (
            f"6 long call interactive in Chromium (DOMContentLoaded), {title}",
            f"{short['interactive_ms']:.0f} -> {big['interactive_ms']:.0f} ms "
            f"({big['interactive_ms'] / max(short['interactive_ms'], 1):.1f}x); load {big['load_ms']:.0f} ms"
            + (
                f"; {big['spans_at_load']:,} of {big['words']:,} word spans made at load"
                if "spans_at_load" in big
                else ""
            ),
            f"< {targets['interactive_ms']:.0f} ms",
            verdict(big["interactive_ms"] < targets["interactive_ms"]),
        )
    )
    frame = big["frame_ms"]
    rows.append(
        (
            f"6 playback highlight per frame, {hours:g} h call",
            f"p50 {frame['p50']:.2f} / p95 {frame['p95']:.2f} ms (max {frame['max']:.1f} ms, a jump "
            f"to a new place scrolling); 1 min: p95 {short['frame_ms']['p95']:.2f} ms; "
            f"word highlighted in {big['highlighted_frames']} frames",
            f"p95 < {targets['frame_ms']:.0f} ms",
            verdict(frame["p95"] < targets["frame_ms"]),
        )
    )
    return rows


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
