"""Send the bench process's requests for https://api.twilio.com to the fake Twilio media server.

The app's `open_media` refuses any URL that is not https://api.twilio.com and sends credentials
only there; that check stays as it is. Instead, every `requests.Session` made in a bench process
gets a transport adapter mounted for https://api.twilio.com/ that delivers the request to the fake
(plain HTTP on 127.0.0.1) and hands the response back under the original URL, so auth stripping on
redirects behaves exactly as it would against Twilio.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

TWILIO_PREFIX = "https://api.twilio.com/"


class FakeTwilioAdapter(HTTPAdapter):
    def __init__(self, target: str):
        super().__init__()
        parts = urlsplit(target)
        self._scheme, self._netloc = parts.scheme, parts.netloc

    def send(self, request, **kwargs):
        original_url = request.url
        routed = request.copy()
        parts = urlsplit(original_url)
        routed.url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, ""))
        response = super().send(routed, **kwargs)
        response.request = request
        response.url = original_url
        return response


_installed: list[str] = []


def _patch(target: str):
    """Make every new Session mount the adapter; answer the original __init__ to restore."""
    original_init = requests.Session.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.mount(TWILIO_PREFIX, FakeTwilioAdapter(target))

    requests.Session.__init__ = init
    return original_init


def install(target: str) -> None:
    """Route api.twilio.com to `target` for the rest of this process (bench settings call this)."""
    if not _installed:
        _installed.append(target)
        _patch(target)


@contextmanager
def routed(target: str):
    """Route api.twilio.com to `target` inside the block only (for the bench's tests)."""
    original_init = _patch(target)
    try:
        yield
    finally:
        requests.Session.__init__ = original_init
