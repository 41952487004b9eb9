"""Send the bench process's requests for https://api.twilio.com to the fake Twilio media server.

The app's `open_media` refuses any URL that is not https://api.twilio.com and sends credentials
only there; that check stays as it is. Instead, the bench plugs a transport adapter into the app's
one network seam (`djtranscribe.lib.http.install_fake`): every session the app makes mounts it for
https://api.twilio.com/, delivers the request to the fake (plain HTTP on 127.0.0.1) and hands the
response back under the original URL, so auth stripping on redirects behaves exactly as it would
against Twilio. Nothing in `requests` itself is patched.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from requests.adapters import HTTPAdapter

from djtranscribe.lib import http

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


def install(target: str) -> None:
    """Route api.twilio.com to `target` for the rest of this process (bench settings call this)."""
    http.install_fake(TWILIO_PREFIX, lambda: FakeTwilioAdapter(target))


def routed(target: str):
    """Route api.twilio.com to `target` inside the block only (for the bench's tests)."""
    return http.faked(TWILIO_PREFIX, lambda: FakeTwilioAdapter(target))
