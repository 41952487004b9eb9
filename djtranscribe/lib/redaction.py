"""Secrets blanked out of text: log lines (tracebacks included), access logs and vendor error messages.

The one place that knows which settings are secrets, and what a token in a path looks like
(AssemblyAI webhooks, share links). The app never logs or shows a secret on purpose; this is for the
library, exception or vendor answer that one day echoes one back, and for request logs, which name
every path.
"""

import base64
import logging
import re

REDACTED = "[redacted]"
MASK = "[token]"
# Any ".../webhook/<segment>" (whatever the mount point): the token in AssemblyAI's webhook URL
# names one transcript, and a log reader must not be able to replay it.
_WEBHOOK_PATH = re.compile(r"(/webhook/)[^/?#\s\"']+")
# A share link's token (sharing/urls.py: /s/<token>/) is the whole key to a transcript.
_SHARE_PATH = re.compile(r"(/s/)[^/?#\s\"']+")
# A personal API token (api/tokens.py: "djt_" and 40 URL-safe characters), wherever it appears (a
# header echoed into an exception, a command's output captured into a log), and any Bearer credential.
_API_TOKEN = re.compile(r"\bdjt_[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"(\bBearer\s+)[^\s\"',;]+", re.IGNORECASE)
# A Slack incoming webhook's path (/services/T…/B…/secret) is its credential (notify's Slack kind);
# urllib3 names it in its debug log of each request.
_SLACK_PATH = re.compile(r"(/services/)T[A-Z0-9]+/B[A-Z0-9]+/[^/?#\s\"']+")
SECRET_SETTINGS = (
    "TWILIO_AUTH_TOKEN",
    "ASSEMBLYAI_KEY",
    "ASSEMBLYAI_WEBHOOK_SECRET",
    "SECRET_KEY",
    "OUTBOUND_WEBHOOK_SECRET",
    "AWS_SECRET_ACCESS_KEY",  # the recordings bucket's key (audio.storage)
    "AWS_SESSION_TOKEN",
)


def secret_values() -> list[str]:
    """The configured secrets, and the Basic auth header value that carries Twilio's token."""
    from django.conf import settings

    if not settings.configured:
        return []
    values = [str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS]
    values += [str(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", None) or []]  # earlier keys
    sid, token = getattr(settings, "TWILIO_ACCOUNT_SID", ""), getattr(settings, "TWILIO_AUTH_TOKEN", "")
    if sid and token:
        values.append(base64.b64encode(f"{sid}:{token}".encode()).decode())
    # Very short values would blank out ordinary words; they are no secret anyway.
    return sorted({value for value in values if len(value) >= 8}, key=len, reverse=True)


def redact(text: str, values: list[str] | None = None, *, also: tuple[str | None, ...] = ()) -> str:
    """`text` with every configured secret (or the given `values`), and `also`, as [redacted].

    `also` is for a credential given to a client directly rather than through settings.
    """
    candidates = list(secret_values() if values is None else values)
    candidates += [value for value in also if value and len(value) >= 8 and value not in candidates]
    for value in sorted(candidates, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def mask_tokens(text: str) -> str:
    """`text` with the token segment of every webhook path and share link, every Slack webhook's
    secret path, every API token and every Bearer credential replaced by [token]."""
    text = _SHARE_PATH.sub(r"\g<1>" + MASK, _WEBHOOK_PATH.sub(r"\g<1>" + MASK, text))
    text = _SLACK_PATH.sub(r"\g<1>" + MASK, text)
    return _BEARER.sub(r"\g<1>" + MASK, _API_TOKEN.sub(MASK, text))


def _clean(text: str, values: list[str]) -> str:
    return mask_tokens(redact(text, values) if values else text)


class RedactSecrets(logging.Filter):
    """Rewrite a record's message and traceback with secrets as [redacted] and webhook tokens as [token].

    On the console handler and on django.request/django.server themselves (they do not propagate).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        values = secret_values()
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a bad format string is logging's problem, not ours)
            return True
        cleaned = _clean(message, values)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _clean(record.exc_text, values)
        if record.stack_info:
            record.stack_info = _clean(record.stack_info, values)
        return True
