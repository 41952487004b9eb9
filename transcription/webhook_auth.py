"""The secret AssemblyAI sends back on each webhook: always present, checked in constant time.

With ASSEMBLYAI_WEBHOOK_SECRET set, every job carries that value. Without it, each job carries an
HMAC of its own webhook token keyed by SECRET_KEY, so a fresh install is authenticated with no
setting at all, and one transcript's header value says nothing about another's.
"""

import hashlib
import hmac

from django.conf import settings

from djtranscribe.lib.keys import keys

# The header AssemblyAI sends back with the value given at submission.
HEADER = "X-Webhook-Secret"
META_KEY = "HTTP_" + HEADER.upper().replace("-", "_")  # where a WSGI request holds it
_SALT = b"djtranscribe.transcription.webhook_auth:"


def header_value_for(token: str, *, key: str | None = None) -> str:
    """The header value AssemblyAI must send back on the webhook of the job with this token
    (derived under `key`, SECRET_KEY by default)."""
    if settings.ASSEMBLYAI_WEBHOOK_SECRET:
        return settings.ASSEMBLYAI_WEBHOOK_SECRET
    secret = (settings.SECRET_KEY if key is None else key).encode()
    return hmac.new(secret, _SALT + token.encode(), hashlib.sha256).hexdigest()


def is_authentic(token: str, given: str) -> bool:
    """True when `given` is the header value expected for `token` (compared in constant time).

    Jobs submitted before a SECRET_KEY rotation carry a value derived under the old key: any key
    in SECRET_KEY_FALLBACKS is accepted too (djtranscribe.lib.keys).
    """
    if not given:
        return False
    if settings.ASSEMBLYAI_WEBHOOK_SECRET:
        expected = [settings.ASSEMBLYAI_WEBHOOK_SECRET]
    else:
        expected = [header_value_for(token, key=key) for key in keys()]
    matches = [hmac.compare_digest(given.encode(), value.encode()) for value in expected]
    return any(matches)  # every value compared: the time does not say which key matched


def submit_options(*, webhook_url: str | None, token: str) -> dict[str, str]:
    """The webhook part of a submission: the URL and the header that authenticates it, or nothing."""
    if not webhook_url:
        return {}
    return {
        "webhook_url": webhook_url,
        "webhook_auth_header_name": HEADER,
        "webhook_auth_header_value": header_value_for(token),
    }
