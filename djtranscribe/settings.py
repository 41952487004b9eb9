"""Settings for djtranscribe.

Every value comes from the environment. A `.env` file beside manage.py is read
when present (python-dotenv), unless DJTRANSCRIBE_READ_DOTENV=0 (the tests set
that, so nobody's `.env` leaks into them). `.env.example` lists every variable.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from djtranscribe import rest_settings
from djtranscribe.lib.env import (
    env_bool,
    env_choice,
    env_duration,
    env_float,
    env_int,
    env_list,
    env_multichoice,
    env_optional_int,
    env_rate,
    env_str,
    env_url,
    env_webhook_secret,
)
from djtranscribe.lib.pii import ASSEMBLYAI_PII_POLICIES, DEFAULT_PII_POLICIES
from djtranscribe.lib.storage_url import recordings_storage

BASE_DIR = Path(__file__).resolve().parent.parent

if env_bool("DJTRANSCRIBE_READ_DOTENV", True):
    load_dotenv(BASE_DIR / ".env", override=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-djtranscribe-development-key-change-me"
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
# Earlier keys, still accepted after a rotation: docs/deploying.md, "Rotating SECRET_KEY".
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# Off unless asked: a server started with no environment at all is a production server.
# `make run` sets DJTRANSCRIBE_DEBUG_DEFAULT=true, so DEBUG is on for local development unless
# DEBUG itself is set (in the environment or .env), which always wins.
DEBUG = env_bool("DEBUG", env_bool("DJTRANSCRIBE_DEBUG_DEFAULT", False))
if not DEBUG and DEVELOPMENT_SECRET_KEY in (SECRET_KEY, *SECRET_KEY_FALLBACKS):
    # Sessions, password resets and signed values would be forgeable by anyone who has read this file.
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY (or SECRET_KEY_FALLBACKS) is empty or the development key, which is "
        "only for DEBUG=true. Set SECRET_KEY to a long random string, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

# The public root of this app, as Twilio and AssemblyAI reach it (the tutorial's ngrok URL).
# Callback URLs and webhook signatures are built from it, never from the request's Host header.
# Unset: where `make run` serves (it passes its HOST and PORT), else runserver's default.
BASE_URL = (
    env_str("BASE_URL") or env_str("DJTRANSCRIBE_DEFAULT_BASE_URL") or "http://127.0.0.1:8000"
).rstrip("/")
_base = urlsplit(BASE_URL)
TWIML_INSTRUCTIONS_URL = f"{BASE_URL}/record/"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
if _base.hostname and _base.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_base.hostname)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if _base.scheme and _base.netloc:
    CSRF_TRUSTED_ORIGINS.append(f"{_base.scheme}://{_base.netloc}")

# HTTPS hardening follows BASE_URL: a public https URL in production turns it all on
# (`manage.py check --deploy` is then clean); each value can still be set on its own.
_https_production = _base.scheme == "https" and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https_production)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https_production)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https_production)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https_production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https_production)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https_production)
# Behind a TLS-terminating proxy Django sees plain http; the proxy's X-Forwarded-Proto is
# trusted only when asked, since a client could send that header itself when there is no proxy.
# The same setting trusts the proxy's X-Forwarded-For for the client's address (sign-in throttling).
TRUSTED_PROXY = env_bool("TRUST_X_FORWARDED_PROTO", False)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Twilio's callbacks and AssemblyAI's webhook are a few KB: refuse far larger ones (400) unread.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)

INSTALLED_APPS = [
    "djtranscribe.admin_config.AdminConfig",  # django.contrib.admin, strict about lookups
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "audit",
    "axes",
    "csp",
    # caller first: its commands extend transcription's (transcribe, sync_transcripts) under the same names.
    "caller",
    "transcription",
    "audio",
    "sharing",
    "search",
    "notify",
    # The REST API (api/, at the top: imported by no app) and its OpenAPI schema and docs.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "djtranscribe.middleware.RefuseNulCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times in the user's zone: their profile's, else their browser's (the `tz` cookie).
    "caller.timezones.UserTimeZoneMiddleware",
    # Signing in is the default; webhooks and the login page opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "djtranscribe.middleware.ContentSecurityPolicy",  # django-csp's, the policy built once
    # Last, as django-axes asks: it turns a lockout into the "try again in N minutes" page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks the lockout before any password: its backend must come first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "djtranscribe.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "djtranscribe.wsgi.application"

# Database: a SQLite file by default; DATABASE_URL=postgres://user:pass@host/db for PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_SQLITE = DATABASE_URL.startswith("sqlite:")
# SQLite keeps its connection: closing the last one to a WAL database checkpoints and fsyncs
# (≈1.5 ms, exclusive lock); per request that halved the webhooks' throughput (bench/RESULTS.md).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600 if _SQLITE else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker write at once: WAL lets readers go on
    # during a write, IMMEDIATE takes the write lock at BEGIN (so a transaction
    # never fails half way on an upgrade), and the timeout waits for the lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")  # where collectstatic writes
# Files this app keeps (archived recordings under MEDIA_ROOT/recordings); never served as static files.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# The archive of recordings: that folder, or an S3-compatible bucket when RECORDINGS_STORAGE_URL
# (s3://bucket/prefix?endpoint_url=...&region=...) or AWS_STORAGE_BUCKET_NAME says so
# (djtranscribe/lib/storage_url.py reads them, with AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, ...).
RECORDINGS_STORAGE = recordings_storage(MEDIA_ROOT / "recordings")
# Named here only so that logs and error messages blank them out (djtranscribe.lib.redaction).
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY")
AWS_SESSION_TOKEN = env_str("AWS_SESSION_TOKEN")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "recordings": RECORDINGS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Sign-in throttling (django-axes) on /login/ and /admin/login/: AXES_FAILURE_LIMIT failures for one
# account, or (counted apart) from one address, lock it out for AXES_COOLOFF_MINUTES, right password or
# not. `manage.py axes_reset` lifts every lockout.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks, each counted on its own
# Failing again while locked out does not push the end further: "try again in N minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success must not wipe the address's failures (an attacker's own account would reset them).
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "djtranscribe.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "djtranscribe.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429  # Too Many Requests, with Retry-After: what a lockout is

# Content-Security-Policy (django-csp) on every response: this app's own files only, no inline
# scripts or styles, no plugins, never framed. Pages keep their behaviour in static .js files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "media-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGIN_URL = "login"
LOGOUT_REDIRECT_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Twilio (the tutorial's names).
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_PHONE_NUMBER = env_str("TWILIO_PHONE_NUMBER")
TWILIO_TIMEOUT = env_duration("TWILIO_TIMEOUT", 15.0, positive=True)
# Check X-Twilio-Signature on every Twilio webhook (on in DEBUG too).
TWILIO_VALIDATE_SIGNATURES = env_bool("TWILIO_VALIDATE_SIGNATURES", True)
# Delete each recording at Twilio once its transcript is completed and stored (never after an error).
TWILIO_DELETE_RECORDINGS = env_bool("TWILIO_DELETE_RECORDINGS", False)

# Dialing safely: toll fraud is the real threat of a public dial button.
# Region codes (US, GB, ...) that may be called; empty: the region of TWILIO_PHONE_NUMBER; * for any.
DIAL_ALLOWED_COUNTRIES = [code.upper() for code in env_list("DIAL_ALLOWED_COUNTRIES")]
DIAL_RATE_LIMIT = env_rate("DIAL_RATE_LIMIT", "10/hour")  # calls per user: N/second|minute|hour|day, or off
DIAL_TIME_LIMIT = env_int("DIAL_TIME_LIMIT", 3600, minimum=1)  # seconds a call may last (Twilio's time_limit)
DIAL_RING_TIMEOUT = env_int("DIAL_RING_TIMEOUT", 30, minimum=1)  # seconds to let it ring (Twilio's timeout)

# The recording notice, spoken to every party before anything of theirs is recorded (connect-me
# and inbound calls; the tutorial's own greeting already says it).
RECORDING_NOTICE = env_str("RECORDING_NOTICE") or "This call is recorded and transcribed."
RECORDING_NOTICE_LANGUAGE = env_str("RECORDING_NOTICE_LANGUAGE") or "en-US"  # <Say language>
# notice: the notice is played; keypress: each party must also press 1 to be recorded.
CONSENT_MODE = (env_str("CONSENT_MODE") or "notice").lower()
# When a party does not press 1: continue (the call goes on unrecorded) or hangup.
CONSENT_DECLINED = (env_str("CONSENT_DECLINED") or "continue").lower()
for _name, _value, _choices in (
    ("CONSENT_MODE", CONSENT_MODE, ("notice", "keypress")),
    ("CONSENT_DECLINED", CONSENT_DECLINED, ("continue", "hangup")),
):
    if _value not in _choices:
        raise ImproperlyConfigured(
            f"{_name}={_value!r} cannot be read: {_name} accepts {' or '.join(_choices)}."
        )

# Inbound calls (POST /twilio/voice/): who rings (a username, whose profile number rings, or a
# number; empty: every caller leaves a message), and how often one caller may make it ring.
INBOUND_FORWARD_TO = env_str("INBOUND_FORWARD_TO")
INBOUND_FORWARD_RATE_LIMIT = env_rate("INBOUND_FORWARD_RATE_LIMIT", "10/hour")
INBOUND_RING_SECONDS = env_int("INBOUND_RING_SECONDS", 20, minimum=5)

# AssemblyAI.
ASSEMBLYAI_KEY = env_str("ASSEMBLYAI_KEY")
ASSEMBLYAI_BASE_URL = (env_str("ASSEMBLYAI_BASE_URL") or "https://api.assemblyai.com").rstrip("/")
ASSEMBLYAI_WEBHOOK_SECRET = env_str("ASSEMBLYAI_WEBHOOK_SECRET")
ASSEMBLYAI_TIMEOUT = env_duration("ASSEMBLYAI_TIMEOUT", 30.0, positive=True)
# The largest file "Transcribe a file or a link" accepts, in megabytes.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 500, minimum=1)

# URLs a user gives the app (outbound webhooks) may not reach loopback or private addresses unless
# this is on (self-hosting on one network); metadata and link-local addresses stay refused.
HTTP_ALLOW_PRIVATE_URLS = env_bool("HTTP_ALLOW_PRIVATE_URLS", False)

# Outbound webhooks (notify/): beside the endpoints users manage, one may come from here; it gets
# every event, signed with this secret (whsec_..., `manage.py webhook_secret` makes one).
OUTBOUND_WEBHOOK_URL = env_url("OUTBOUND_WEBHOOK_URL")
OUTBOUND_WEBHOOK_SECRET = env_webhook_secret("OUTBOUND_WEBHOOK_SECRET")
if OUTBOUND_WEBHOOK_URL and not OUTBOUND_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "OUTBOUND_WEBHOOK_URL is set but OUTBOUND_WEBHOOK_SECRET is not: deliveries must be signed."
    )
# How long one request may take; a receiver failing every delivery this long is disabled.
OUTBOUND_WEBHOOK_TIMEOUT = env_duration("OUTBOUND_WEBHOOK_TIMEOUT", 10.0, positive=True)
OUTBOUND_WEBHOOK_DISABLE_AFTER = env_duration("OUTBOUND_WEBHOOK_DISABLE_AFTER", 3 * 86400.0, positive=True)

# The REST API (/api/v1/): requests each personal API token may make (N/second|minute|hour|day, or off).
API_THROTTLE_RATE = env_rate("API_THROTTLE_RATE", "120/minute")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 25, minimum=1)  # items per page unless ?page_size= (at most 100)
# Django REST framework and drf-spectacular: fixed choices, kept in their own module (rest_settings.py).
REST_FRAMEWORK = rest_settings.REST_FRAMEWORK
SPECTACULAR_SETTINGS = rest_settings.SPECTACULAR_SETTINGS

# Transcription pipeline.
TRANSCRIPTION_SPEECH_MODELS = env_list("TRANSCRIPTION_SPEECH_MODELS", "universal-3-pro,universal-2")
TRANSCRIPTION_KEYTERMS = env_list("TRANSCRIPTION_KEYTERMS")
# Diarization (speaker_labels) of mono recordings; two-channel ones are sent as multichannel instead.
TRANSCRIPTION_SPEAKER_LABELS = env_bool("TRANSCRIPTION_SPEAKER_LABELS", False)
TRANSCRIPTION_AUDIO_SOURCE = env_choice("TRANSCRIPTION_AUDIO_SOURCE", "upload", ("upload", "url"))
# auto: on when AssemblyAI can reach BASE_URL over https.
TRANSCRIPTION_WEBHOOKS = env_choice(
    "TRANSCRIPTION_WEBHOOKS", "auto", ("auto", "on", "off", "true", "false", "1", "0", "yes", "no")
)
TRANSCRIPTION_RETRY_DELAY = env_duration("TRANSCRIPTION_RETRY_DELAY", 10.0)
TRANSCRIPTION_MAX_ATTEMPTS = env_int("TRANSCRIPTION_MAX_ATTEMPTS", 8, minimum=1)
TRANSCRIPTION_POLL_INTERVAL = env_duration("TRANSCRIPTION_POLL_INTERVAL", 5.0)
# Words below this confidence are marked as doubtful in the admin and pages.
TRANSCRIPTION_LOW_CONFIDENCE = env_float("TRANSCRIPTION_LOW_CONFIDENCE", 0.6)

# PII redaction (README "Redacting PII"): AssemblyAI redacts the text and makes a beeped copy of the
# audio, which the worker archives in place of the original. Off by default; a person can still mark
# one call or upload "sensitive" to redact just that one.
TRANSCRIPTION_REDACT_PII = env_bool("TRANSCRIPTION_REDACT_PII", False)
TRANSCRIPTION_REDACT_PII_POLICIES = env_multichoice(
    "TRANSCRIPTION_REDACT_PII_POLICIES", DEFAULT_PII_POLICIES, ASSEMBLYAI_PII_POLICIES
)
TRANSCRIPTION_REDACT_PII_SUB = env_choice(
    "TRANSCRIPTION_REDACT_PII_SUB", "entity_name", ("entity_name", "hash")
)
# Keep the unredacted original once the redacted copy is archived (audio.play_unredacted plays it).
KEEP_UNREDACTED_AUDIO = env_bool("KEEP_UNREDACTED_AUDIO", False)

# Retention (README "Retention"): applied daily by the worker. Empty: keep.
RETENTION_AUDIO_DAYS = env_optional_int("RETENTION_AUDIO_DAYS", minimum=1)
RETENTION_TRANSCRIPT_DAYS = env_optional_int("RETENTION_TRANSCRIPT_DAYS", minimum=1)

# Background work: Django's Tasks API (django-tasks backport) on the database backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": [],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "redact_secrets": {"()": "djtranscribe.lib.redaction.RedactSecrets"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The request loggers clean their records themselves, so every handler gets masked lines.
        "django.request": {"filters": ["redact_secrets"]},
        "django.server": {"filters": ["redact_secrets"]},
        # django-axes says "AXES: BEGIN" at INFO in every process that starts (4 times in `make run`).
        "axes.apps": {"level": "WARNING"},
        # twilio-python logs every request at INFO; keep only its warnings.
        "twilio.http_client": {"level": "WARNING"},
        # boto3 (the recordings bucket) logs signing details and every request at DEBUG: never wanted.
        "botocore": {"level": "WARNING"},
        "boto3": {"level": "WARNING"},
        "s3transfer": {"level": "WARNING"},
    },
}
