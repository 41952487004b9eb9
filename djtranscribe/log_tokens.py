"""Webhook tokens out of request logs: a path like /transcription/webhook/<token>/ is logged masked.

The token in AssemblyAI's webhook URL names one transcript; a log reader must not be able to
replay it. django.request, django.server (runserver's access log) and gunicorn's access log
(djtranscribe/gunicorn_logging.py) all pass through `mask_tokens`.
"""

import logging
import re

MASK = "[token]"
# Any ".../webhook/<segment>" (whatever the mount point); the segment is what new_webhook_token makes
# or anything else a client sent there, percent-encoded or not.
_WEBHOOK_PATH = re.compile(r"(/webhook/)[^/?#\s\"']+")
# A share link's token (sharing/urls.py: /s/<token>/) is the whole key to a transcript.
_SHARE_PATH = re.compile(r"(/s/)[^/?#\s\"']+")


def mask_tokens(text: str) -> str:
    """`text` with the token segment of every webhook path and share link replaced by [token]."""
    return _SHARE_PATH.sub(r"\g<1>" + MASK, _WEBHOOK_PATH.sub(r"\g<1>" + MASK, text))


class MaskWebhookTokens(logging.Filter):
    """Rewrite a record's message with webhook tokens masked; the request it carries is left alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a bad format string is logging's problem, not ours)
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
