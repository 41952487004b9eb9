"""Where archived recordings are kept, read strictly from the environment: a folder, or an S3 bucket.

    RECORDINGS_STORAGE_URL=s3://bucket/prefix?endpoint_url=https://s3.example.com&region=eu-west-1

or the variables django-storages users already know (AWS_STORAGE_BUCKET_NAME, AWS_LOCATION,
AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_S3_ADDRESSING_STYLE): they fill in what the URL leaves
out, and a value given both ways must agree. `file:///srv/recordings` names a folder; nothing at all
means MEDIA_ROOT/recordings.

Keys come only from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role, when both are
unset): a URL with a key in it is refused, because URLs end up in logs and error messages. For the
same reason no message here repeats a query-string value.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import env_str

FOLDER_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "audio.storage.S3RecordingsStorage"

# S3's own rule for bucket names (3-63 lower-case letters, digits, dots and hyphens).
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
PREFIX_RE = re.compile(r"[A-Za-z0-9!_.*'()=+,;@-]+(/[A-Za-z0-9!_.*'()=+,;@-]+)*\Z")
REGION_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,40}\Z")
ADDRESSING_STYLES = ("path", "virtual", "auto")

# Query parameters of the URL → the storage's option.
URL_PARAMETERS = {
    "endpoint_url": "endpoint_url",
    "region": "region_name",
    "region_name": "region_name",
    "addressing_style": "addressing_style",
}
# The usual AWS_* variables → the storage's option.
ENV_VARIABLES = {
    "AWS_STORAGE_BUCKET_NAME": "bucket_name",
    "AWS_LOCATION": "location",
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_S3_ADDRESSING_STYLE": "addressing_style",
}
EXAMPLE = "s3://my-bucket/recordings?endpoint_url=https://s3.example.com&region=eu-west-1"


def _refuse(message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(message)


def _check_endpoint(value: str, source: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse(
            f"{source}: the endpoint must be an http:// or https:// URL, e.g. https://s3.example.com."
        )
    if parts.username or parts.password:
        raise _refuse(
            f"{source}: the endpoint carries credentials; put them in AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY instead."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _refuse(f"{source}: the endpoint is a scheme, host and port only (no path or query).")
    try:
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise _refuse(f"{source}: the endpoint's port is not a number.") from None
    return value.rstrip("/")


def _check(option: str, value: str, source: str) -> str:
    """`value` of `option` as the storage takes it, or ImproperlyConfigured naming `source`."""
    if option == "bucket_name":
        if not BUCKET_RE.match(value) or ".." in value:
            raise _refuse(
                f"{source}: {value!r} is not an S3 bucket name (3-63 lower-case letters, digits, "
                "dots and hyphens, starting and ending with a letter or digit)."
            )
        return value
    if option == "location":
        prefix = value.strip("/")
        if prefix and (not PREFIX_RE.match(prefix) or ".." in prefix.split("/")):
            raise _refuse(
                f"{source}: {value!r} is not a key prefix: use letters, digits and - _ . separated by /."
            )
        return prefix
    if option == "endpoint_url":
        return _check_endpoint(value, source)
    if option == "region_name":
        if not REGION_RE.match(value):
            raise _refuse(f"{source}: {value!r} is not a region name, e.g. eu-west-1 (or auto).")
        return value
    if option == "addressing_style":
        if value not in ADDRESSING_STYLES:
            raise _refuse(f"{source}: the addressing style is path, virtual or auto, not {value!r}.")
        return value
    raise AssertionError(option)


def _from_url(url: str) -> tuple[str, dict[str, str]]:
    """('folder', {'location': ...}) or ('s3', options) from RECORDINGS_STORAGE_URL."""
    name = "RECORDINGS_STORAGE_URL"
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.query:
            raise _refuse(f"{name}: a folder is written file:///absolute/path, e.g. file:///srv/recordings.")
        return "folder", {"location": parts.path}
    if parts.scheme != "s3":
        raise _refuse(
            f"{name} must start with s3:// (a bucket) or file:/// (a folder), e.g. {EXAMPLE}; "
            f"{parts.scheme + '://' if parts.scheme else 'it has no scheme'} is not one of them."
        )
    if "@" in parts.netloc:
        # Not repeated: whatever stands before the @ may be a key.
        raise _refuse(
            f"{name} carries credentials before the bucket name; remove them and set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead."
        )
    if not parts.netloc:
        raise _refuse(f"{name} names no bucket: write s3://bucket/prefix, e.g. {EXAMPLE}.")
    if parts.fragment:
        raise _refuse(f"{name} has a #fragment; a bucket URL has none.")
    options = {
        "bucket_name": _check("bucket_name", parts.netloc, name),
        "location": _check("location", parts.path, name),
    }
    try:
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _refuse(f"{name}: the query string is not name=value pairs joined by &.") from None
    for key, value in query:
        if key not in URL_PARAMETERS:
            raise _refuse(
                f"{name}: unknown parameter {key!r}; it accepts {', '.join(sorted(URL_PARAMETERS))}. "
                "Keys belong in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
            )
        option = URL_PARAMETERS[key]
        if option in options:
            raise _refuse(f"{name}: {key} is given twice.")
        if not value.strip():
            raise _refuse(f"{name}: {key} is empty.")
        options[option] = _check(option, value.strip(), f"{name} ({key})")
    return "s3", options


def _credentials() -> dict[str, str]:
    key_id, secret = env_str("AWS_ACCESS_KEY_ID"), env_str("AWS_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key_id else "AWS_ACCESS_KEY_ID"
        raise _refuse(
            f"{missing} is not set but its partner is: set both, or neither to use the machine's role."
        )
    found = {"access_key": key_id, "secret_key": secret, "security_token": env_str("AWS_SESSION_TOKEN")}
    return {option: value for option, value in found.items() if value}


def recordings_storage(default_folder: Path) -> dict:
    """The STORAGES["recordings"] entry the environment asks for (ImproperlyConfigured if unreadable)."""
    url = env_str("RECORDINGS_STORAGE_URL")
    kind, options = _from_url(url) if url else ("", {})
    from_env = {
        option: _check(option, env_str(variable), variable)
        for variable, option in ENV_VARIABLES.items()
        if env_str(variable)
    }
    if kind == "folder":
        if from_env:
            raise _refuse(
                f"RECORDINGS_STORAGE_URL names a folder but {', '.join(sorted(_names(from_env)))} "
                "name a bucket: keep one."
            )
        return {"BACKEND": FOLDER_BACKEND, "OPTIONS": {"location": options["location"], "base_url": None}}
    if not kind and "bucket_name" not in from_env:
        if from_env:
            raise _refuse(
                f"{', '.join(sorted(_names(from_env)))} set, but no bucket: set AWS_STORAGE_BUCKET_NAME "
                f"or RECORDINGS_STORAGE_URL (e.g. {EXAMPLE})."
            )
        return {"BACKEND": FOLDER_BACKEND, "OPTIONS": {"location": default_folder, "base_url": None}}
    for option, value in from_env.items():
        if option in options and options[option] != value:
            variable = next(name for name, known in ENV_VARIABLES.items() if known == option)
            raise _refuse(
                f"RECORDINGS_STORAGE_URL and {variable} disagree ({options[option]!r} and {value!r}): "
                "keep one."
            )
        options.setdefault(option, value)
    options.setdefault("location", "")
    return {"BACKEND": S3_BACKEND, "OPTIONS": {**options, **_credentials()}}


def _names(options: dict[str, str]) -> list[str]:
    return [name for name, option in ENV_VARIABLES.items() if option in options]


def describe(storage: dict) -> str:
    """Where recordings go, in words for a status line (never a key)."""
    options = storage.get("OPTIONS", {})
    if storage.get("BACKEND") == S3_BACKEND:
        where = f"s3://{options['bucket_name']}/{options.get('location', '')}".rstrip("/")
        return where + (f" at {options['endpoint_url']}" if options.get("endpoint_url") else "")
    return f"the folder {options.get('location')}"
