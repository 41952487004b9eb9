"""The secret AssemblyAI sends back on each webhook: always present, checked in constant time.

With ASSEMBLYAI_WEBHOOK_SECRET set, every job carries that value. Without it, each job carries an
HMAC of its own webhook token keyed by SECRET_KEY, so a fresh install is authenticated with no
setting at all, and one transcript's header value says nothing about another's.
"""

import hashlib
import hmac

from django.conf import settings

# The header AssemblyAI sends back with the value given at submission.
HEADER = "X-Webhook-Secret"
_SALT = b"djtranscribe.transcription.webhook_auth:"


def header_value_for(token: str) -> str:
    """The header value AssemblyAI must send back on the webhook of the job with this token."""
    if settings.ASSEMBLYAI_WEBHOOK_SECRET:
        return settings.ASSEMBLYAI_WEBHOOK_SECRET
    return hmac.new(settings.SECRET_KEY.encode(), _SALT + token.encode(), hashlib.sha256).hexdigest()


def is_authentic(token: str, given: str) -> bool:
    """True when `given` is the header value expected for `token` (compared in constant time)."""
    return bool(given) and hmac.compare_digest(given.encode(), header_value_for(token).encode())


def submit_options(*, webhook_url: str | None, token: str) -> dict[str, str]:
    """The webhook part of a submission: the URL and the header that authenticates it, or nothing."""
    if not webhook_url:
        return {}
    return {
        "webhook_url": webhook_url,
        "webhook_auth_header_name": HEADER,
        "webhook_auth_header_value": header_value_for(token),
    }
