"""Part 3: pages over a year of stored data: time and SQL queries at two row counts.

    python -m bench.scale [--rows 100000] [--small 1000]

Fills a fresh bench database with realistic calls, recordings and transcripts (text and words
JSON) by bulk_create, then measures each page with Django's test client in this process (the whole
middleware and template stack, no network): the admin changelist, an admin text search, the home
page and one transcript's page; first with --small rows, then with --rows. Writes
bench/out/scale.json.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import timedelta

from bench import common

TARGET_MS = 300.0
RUNS = 5
POOL_SIZE = 2000
SEARCH_NAME = "Okafor"

SURNAMES = (
    "Smith Johnson Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson "
    "Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker "
    "Hall Rivera Campbell Mitchell Carter Roberts Okafor Kowalski Schmidt Rossi Dubois Tanaka Silva"
).split()
PRODUCTS = "invoice order subscription delivery refund account appointment contract quote warranty".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday".split()
SENTENCES = (
    "Hello, this is {name} calling about my {product}.",
    "Thanks for calling, how can I help you today?",
    "I placed the {product} on {day} and I still have not heard back.",
    "Could you give me the reference number, please?",
    "Sure, it is {number}.",
    "Let me check that for you, one moment.",
    "I can see the {product} here, it was processed on {day}.",
    "The total comes to {amount} dollars including tax.",
    "Can you confirm the delivery address for me?",
    "Yes, it is {number} Oak Street, apartment {small}.",
    "Mr. {name} asked us to call back before {day}.",
    "I would like to change the {product} if that is possible.",
    "We can do that, there is no extra charge.",
    "Is there anything else I can help you with?",
    "No, that is all, thank you very much.",
    "Have a great day, goodbye.",
    "Sorry, could you repeat that?",
    "The line is a bit noisy, I will speak up.",
    "I will send you an email with the details of the {product}.",
    "Please call us again if the {product} does not arrive by {day}.",
)


def fake_transcript(rng: random.Random) -> tuple[str, list[dict]]:
    """A short, plausible phone conversation and its words with timings, as AssemblyAI shapes them."""
    sentences = []
    for _ in range(rng.randint(2, 20)):
        sentences.append(
            rng.choice(SENTENCES).format(
                name=rng.choice(SURNAMES),
                product=rng.choice(PRODUCTS),
                day=rng.choice(DAYS),
                number=rng.randint(1000, 99999),
                amount=f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}",
                small=rng.randint(1, 40),
            )
        )
    text = " ".join(sentences)
    words, ms = [], rng.randint(200, 1500)
    speaker = "A"
    for sentence in sentences:
        speaker = "B" if speaker == "A" else "A"
        for token in sentence.split():
            duration = rng.randint(120, 600)
            words.append(
                {
                    "text": token,
                    "start": ms,
                    "end": ms + duration,
                    "confidence": round(rng.uniform(0.45, 1.0), 4),
                    "speaker": speaker,
                }
            )
            ms += duration + rng.randint(20, 200)
        ms += rng.randint(300, 1200)
    return text, words


def fill(start: int, stop: int, user, pool: list, rng: random.Random, batch: int = 2000) -> None:
    """Rows start..stop-1: a call, its recording and its completed transcript, spread over a year."""
    from django.db import transaction
    from django.utils import timezone

    from caller.models import Call, Recording
    from transcription.models import Transcript

    now = timezone.now()
    for first in range(start, stop, batch):
        calls, recordings, transcripts = [], [], []
        for n in range(first, min(stop, first + batch)):
            when = now - timedelta(seconds=(n * 7919) % (365 * 86400))
            call_sid, recording_sid = f"CA{n:032x}", f"RE{n:032x}"
            text, words = pool[n % len(pool)]
            duration = words[-1]["end"] / 1000
            calls.append(
                Call(
                    sid=call_sid,
                    to=f"+1415555{n % 10000:04d}",
                    from_number="+15005550006",
                    status="completed",
                    duration=int(duration),
                    dialed_by=user,
                    created_at=when,
                    updated_at=when,
                )
            )
            recordings.append(
                Recording(
                    sid=recording_sid,
                    call_sid=call_sid,
                    account_sid=common.BENCH_ACCOUNT_SID,
                    status="completed",
                    duration=int(duration),
                    channels=1,
                    source="RecordVerb",
                    started_at=when,
                    created_at=when,
                    updated_at=when,
                )
            )
            transcripts.append(
                Transcript(
                    job_id=f"{n:08x}-bench-0000-0000-{rng.getrandbits(48):012x}",
                    status="completed",
                    audio_url=f"https://cdn.assemblyai.com/upload/{n:032x}",
                    audio_source="upload",
                    upload_url=f"https://cdn.assemblyai.com/upload/{n:032x}",
                    recording_sid=recording_sid,
                    call_sid=call_sid,
                    text=text,
                    words=words,
                    confidence=round(sum(w["confidence"] for w in words) / len(words), 4),
                    audio_duration=duration,
                    language_code="en_us",
                    speech_model_used="universal-3-pro",
                    speech_models=["universal-3-pro", "universal-2"],
                    webhook_token=f"bench-{n:032x}",
                    attempts=1,
                    submitted_at=when,
                    webhook_received_at=when,
                    created_at=when,
                    updated_at=when,
                    completed_at=when,
                )
            )
        with transaction.atomic():
            created = Call.objects.bulk_create(calls)
            by_sid = {call.sid: call for call in created}
            for recording in recordings:
                recording.call = by_sid[recording.call_sid]
            Recording.objects.bulk_create(recordings)
            Transcript.objects.bulk_create(transcripts)


def measure(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm-up: template loading, first-query caches
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def fresh_database(name: str):
    """A new SQLite file under bench/out, migrated, Django set up on it: (its path, a superuser,
    a client logged in as them).

    Bench-only: the models keep the generated timestamps (spread over a year) instead of "now".
    """
    db = common.OUT_DIR / name
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    os.environ.update(BENCH_DB=str(db), DJANGO_SETTINGS_MODULE="bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from caller.models import Call, Recording
    from transcription.models import Transcript

    call_command("migrate", verbosity=0)
    for model in (Call, Recording, Transcript):
        for field_name in ("created_at", "updated_at"):
            field = model._meta.get_field(field_name)
            field.auto_now = field.auto_now_add = False
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # Pages are measured in this process as a gunicorn worker serves them (djtranscribe/wsgi.py):
    # the loaded app frozen out of the collector's full walks.
    from djtranscribe.lib.heap import settle

    settle()
    return db, user, client


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", 100_000)))
    parser.add_argument("--small", type=int, default=1000)
    args = parser.parse_args()

    db, user, client = fresh_database("scale.sqlite3")
    from transcription.models import Transcript

    rng = random.Random(6)
    pool = [fake_transcript(rng) for _ in range(POOL_SIZE)]

    results: dict = {"target_ms": TARGET_MS, "runs_per_page": RUNS, "levels": {}}
    done = 0
    for rows in (args.small, args.rows):
        started = time.perf_counter()
        fill(done, rows, user, pool, rng)
        seconds = time.perf_counter() - started
        done = rows
        transcript = Transcript.objects.order_by("-created_at").first()
        matching = Transcript.objects.filter(text__icontains=SEARCH_NAME).count()
        pages = {
            "admin_changelist": "/admin/transcription/transcript/",
            "admin_search": f"/admin/transcription/transcript/?q={SEARCH_NAME}",
            "home": "/",
            "transcript_detail": transcript.get_absolute_url(),
        }
        level = {
            "rows": rows,
            "fill_seconds": round(seconds, 1),
            "search_matches": matching,
            "db_mib": round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20, 1),
            "pages": {name: measure(client, path) for name, path in pages.items()},
        }
        results["levels"][str(rows)] = level
        for name, page in level["pages"].items():
            print(
                f"  {rows:>7} rows  {name:<18} {page['median_ms']:7.1f} ms  {page['queries']:3d} queries",
                flush=True,
            )
    results["words_per_transcript_mean"] = round(statistics.mean(len(w) for _, w in pool), 1)
    common.write_result("scale", results)
    return results


if __name__ == "__main__":
    main()
