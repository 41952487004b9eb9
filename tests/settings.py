"""Settings for the tests: never a developer's .env, never their exported credentials.

DATABASE_URL is kept, so the same suite runs on SQLite (default) and PostgreSQL.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ["DJTRANSCRIBE_READ_DOTENV"] = "0"
_KEEP = {"DATABASE_URL"}
for _name in list(os.environ):
    if _name.startswith(
        (
            "TWILIO_",
            "ASSEMBLYAI_",
            "TRANSCRIPTION_",
            "DIAL_",
            "SECURE_",
            "DATA_UPLOAD_",
            "INBOUND_",
            "CONSENT_",
            "RECORDING_NOTICE",
            "OUTBOUND_",
            "HTTP_ALLOW_",
            "RECORDINGS_STORAGE",
            "AWS_",
        )
    ) or _name in {
        "SECRET_KEY",
        "DEBUG",
        "BASE_URL",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "TRUST_X_FORWARDED_PROTO",
    }:
        if _name not in _KEEP:
            del os.environ[_name]

os.environ.update(
    {
        # boto3 reads no developer's ~/.aws either (the S3 tests name their loopback server).
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "BASE_URL": "https://djt.example.com",
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "TWILIO_AUTH_TOKEN": "test-twilio-auth-token-0123456789",
        "TWILIO_PHONE_NUMBER": "+15005550006",
        "ASSEMBLYAI_KEY": "test-assemblyai-key-0123456789",
        "ASSEMBLYAI_WEBHOOK_SECRET": "test-webhook-secret-0123456789",
        # The test client speaks plain http; production's redirect to https is tested on its own.
        "SECURE_SSL_REDIRECT": "false",
    }
)

from djtranscribe.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Archived recordings go to a folder of this run, removed at exit.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="djtranscribe-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "recordings": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "recordings", "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []},
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# No collectstatic in tests: whitenoise would warn that STATIC_ROOT is missing.
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None
