"""Settings for the benchmarks: the app's own settings, fixed fake credentials, a bench database.

Every bench process (gunicorn, db_worker, the relay subprocess, the data generator) runs with
DJANGO_SETTINGS_MODULE=bench.settings; the runner passes what differs per run in BENCH_* variables.
"""

import os
from pathlib import Path

from bench.common import (
    BENCH_ACCOUNT_SID,
    BENCH_ASSEMBLYAI_KEY,
    BENCH_AUTH_TOKEN,
    BENCH_WEBHOOK_SECRET,
    OUT_DIR,
)

OUT_DIR.mkdir(exist_ok=True)

# Fixed fake credentials: the bench never talks to the real Twilio or AssemblyAI, and a developer's
# .env (real keys) must not leak into it. TRANSCRIPTION_* knobs pass through: the bench sets them
# (bench.common.bench_env drops the developer's own).
os.environ["DJTRANSCRIBE_READ_DOTENV"] = "0"
for _name in list(os.environ):
    # AWS_* and RECORDINGS_STORAGE_URL too: a developer's real bucket must never receive bench files.
    if _name.startswith(("TWILIO_", "ASSEMBLYAI_", "DIAL_", "AWS_", "RECORDINGS_STORAGE")) or _name in {
        "SECRET_KEY",
        "BASE_URL",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
    }:
        del os.environ[_name]

BENCH_PORT = int(os.environ.get("BENCH_PORT") or 8765)
BENCH_DB = Path(os.environ.get("BENCH_DB") or OUT_DIR / "bench.sqlite3")

os.environ.update(
    {
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        # Twilio signs the URL it calls: here that is the bench's gunicorn on loopback.
        "BASE_URL": f"http://127.0.0.1:{BENCH_PORT}",
        # BENCH_DATABASE_URL: a PostgreSQL server for the parts that run on it (scripts/with-postgres.sh).
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{BENCH_DB}",
        "TWILIO_ACCOUNT_SID": BENCH_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": BENCH_AUTH_TOKEN,
        "TWILIO_PHONE_NUMBER": "+15005550006",
        "ASSEMBLYAI_KEY": BENCH_ASSEMBLYAI_KEY,
        "ASSEMBLYAI_WEBHOOK_SECRET": BENCH_WEBHOOK_SECRET,
        "ASSEMBLYAI_BASE_URL": os.environ.get("BENCH_ASSEMBLYAI_URL") or "http://127.0.0.1:9",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL") or "WARNING",
        # boto3 reads no developer's ~/.aws either.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)
# The archive benchmark (bench/archive.py) on moto's S3 server on loopback.
if os.environ.get("BENCH_S3_URL"):
    os.environ.update(
        {
            "RECORDINGS_STORAGE_URL": os.environ["BENCH_S3_URL"],
            "AWS_ACCESS_KEY_ID": "bench-key-id",
            "AWS_SECRET_ACCESS_KEY": "bench-secret-access-key-0123456789",
        }
    )

from djtranscribe.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Archived recordings go under the bench's output folder, never into a developer's media/.
MEDIA_ROOT = OUT_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "recordings": RECORDINGS_STORAGE  # noqa: F405  (the loopback bucket, from BENCH_S3_URL)
    if os.environ.get("BENCH_S3_URL")
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "recordings", "base_url": None},
    },
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True  # the browser figures (part 6) load the page's CSS and scripts
STATIC_ROOT = None
LOGGING["loggers"]["django"]["level"] = "WARNING"  # noqa: F405

# Route https://api.twilio.com to the fake Twilio media server in every bench process, without
# touching the app's own "credentials only to api.twilio.com" check (see bench/twilio_route.py).
if os.environ.get("BENCH_TWILIO_MEDIA_URL"):
    from bench.twilio_route import install as _install_twilio_route

    _install_twilio_route(os.environ["BENCH_TWILIO_MEDIA_URL"])
