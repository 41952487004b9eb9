"""The only code that talks to Twilio's REST API. No ORM in here.

twilio-python's default HTTP client has no timeout and, since 9.4, builds a
client from missing credentials without complaint; both are fixed here. Sessions,
timeouts and what is worth retrying come from djtranscribe.lib.http. Every
failure becomes `TwilioError`, whose message says what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from djtranscribe.lib import http
from djtranscribe.lib.redaction import redact
from transcription import vendor_values

logger = logging.getLogger(__name__)

TWILIO_API_HOST = "api.twilio.com"
TWILIO_API_ROOT = f"https://{TWILIO_API_HOST}"
MEDIA_CHUNK_SIZE = 256 * 1024

# What a user can do about the errors people meet when dialing.
ERROR_HINTS = {
    20003: "Twilio rejected the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
    21210: "TWILIO_PHONE_NUMBER is not a number on this Twilio account (or not verified): "
    "set it to one of your Twilio numbers.",
    21211: "The number to call is not a valid phone number: check the digits and the country code.",
    21217: "The number to call is not a valid phone number: check the digits and the country code.",
    21214: "Twilio cannot route a call to that number: check that it exists and can take calls.",
    21215: "Calls to that country are off for this account: turn it on under Voice > Settings > "
    "Geo permissions in the Twilio console.",
    21216: "Twilio blocked that number as a high fraud risk: it cannot be called from this account.",
    21219: "Trial accounts can only call verified numbers: verify this number in the Twilio console "
    "or upgrade the account.",
}


class TwilioError(Exception):
    """A failed Twilio request, with what to fix. `status`/`code` are Twilio's when there are any."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


# What this client may report missing: Twilio's own settings, nobody else's.
TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER")


class MissingSettings(TwilioError):
    """Twilio settings that must be set before talking to Twilio are empty."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__("Missing settings: " + ", ".join(names) + ". Set them in .env (see .env.example).")


def missing_settings(*names: str) -> list[str]:
    """The settings among `names` (Twilio's own when none is given) that are empty."""
    return [name for name in names or TWILIO_SETTINGS if not getattr(settings, name, "")]


def require_settings(*names: str) -> None:
    missing = missing_settings(*names)
    if missing:
        raise MissingSettings(missing)


@dataclass(frozen=True)
class PlacedCall:
    sid: str
    status: str
    to: str
    from_number: str


@dataclass(frozen=True)
class RecordingInfo:
    sid: str
    call_sid: str
    account_sid: str
    status: str
    duration: int | None
    channels: int | None
    source: str
    error_code: str
    start_time: Any

    @property
    def media_url(self) -> str:
        return f"{TWILIO_API_ROOT}/2010-04-01/Accounts/{self.account_sid}/Recordings/{self.sid}"


class _HttpClient(TwilioHttpClient):
    """twilio-python's HTTP client on a session from djtranscribe.lib.http, (connect, read) timeout."""

    def __init__(self, timeout: float):
        super().__init__(timeout=timeout)
        self.session = http.session(timeout=timeout)
        self.timeout = http.timeouts(timeout)


def get_client() -> Client:
    """A Twilio client with credentials checked and a timeout on every request."""
    require_settings("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    return Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=_HttpClient(settings.TWILIO_TIMEOUT),
    )


def _translate(exc: Exception, action: str) -> TwilioError:
    if isinstance(exc, TwilioRestException):
        code = exc.code
        hint = ERROR_HINTS.get(code) if code else None
        if hint is None and exc.status == 401:
            hint = ERROR_HINTS[20003]
        vendor_message = redact(exc.msg or "no message")  # shown on pages: never echo a secret back
        message = f"Twilio refused to {action}: {vendor_message}"
        if code:
            message += f" (error {code})"
        if hint:
            message += f". {hint}"
        return TwilioError(
            message, status=exc.status, code=code, retryable=http.is_retryable_status(exc.status)
        )
    if isinstance(exc, requests.Timeout):
        return TwilioError(
            f"Twilio did not answer within {settings.TWILIO_TIMEOUT:g} s while trying to {action}.",
            retryable=http.is_retryable_exception(exc),
        )
    if isinstance(exc, requests.RequestException):
        return TwilioError(
            f"Could not reach Twilio to {action} ({type(exc).__name__}).",
            retryable=http.is_retryable_exception(exc),
        )
    # The base TwilioException, e.g. 'Unable to fetch page' from list().
    return TwilioError(f"Twilio could not {action}: {exc}")


def place_call(*, to: str, from_number: str, url: str, **options: Any) -> PlacedCall:
    """Ask Twilio to place a call. Never retried here: a retry could ring a phone twice."""
    require_settings("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    try:
        call = get_client().calls.create(to=to, from_=from_number, url=url, **options)
    except (TwilioException, requests.RequestException) as exc:
        raise _translate(exc, "place the call") from None
    return PlacedCall(sid=call.sid, status=call.status or "queued", to=to, from_number=from_number)


def _recording_info(r: Any) -> RecordingInfo:
    # Checked like every vendor number: anything but a sane whole number is stored as unknown.
    duration = vendor_values.whole_seconds(r.duration, allow_unknown=True)
    channels = vendor_values.channel_count(r.channels)
    return RecordingInfo(
        sid=r.sid,
        call_sid=r.call_sid or "",
        account_sid=r.account_sid or settings.TWILIO_ACCOUNT_SID,
        status=r.status or "",
        duration=duration,
        channels=channels,
        source=r.source or "",
        error_code=str(r.error_code or ""),
        start_time=r.start_time,
    )


def list_recordings(call_sid: str) -> list[RecordingInfo]:
    """The recordings Twilio holds for one call, oldest first."""
    try:
        recordings = get_client().recordings.list(call_sid=call_sid)
    except (TwilioException, requests.RequestException) as exc:
        raise _translate(exc, f"list the recordings of call {call_sid}") from None
    infos = [_recording_info(r) for r in recordings]
    infos.sort(key=lambda info: (info.start_time is None, info.start_time or 0, info.sid))
    return infos


def fetch_recording(recording_sid: str) -> RecordingInfo:
    """One recording's metadata."""
    try:
        recording = get_client().recordings(recording_sid).fetch()
    except (TwilioException, requests.RequestException) as exc:
        raise _translate(exc, f"fetch recording {recording_sid}") from None
    return _recording_info(recording)


def delete_recording(recording_sid: str) -> None:
    """Delete a recording at Twilio (after its transcript is safely stored)."""
    try:
        get_client().recordings(recording_sid).delete()
    except TwilioRestException as exc:
        if exc.status == 404:
            return  # already gone
        raise _translate(exc, f"delete recording {recording_sid}") from None
    except (TwilioException, requests.RequestException) as exc:
        raise _translate(exc, f"delete recording {recording_sid}") from None


def is_twilio_media_url(url: str) -> bool:
    """https://api.twilio.com/... as requests parses it: no userinfo, no other port or host."""
    return vendor_values.https_host(url) == TWILIO_API_HOST


class _TwilioOnlyAuth(requests.auth.AuthBase):
    """Basic auth that is sent only to api.twilio.com, never to where a redirect leads."""

    def __init__(self, username: str, password: str):
        self._basic = requests.auth.HTTPBasicAuth(username, password)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if vendor_values.https_host(request.url) == TWILIO_API_HOST:
            return self._basic(request)
        request.headers.pop("Authorization", None)
        return request


def open_media(
    url: str, *, headers: dict[str, str] | None = None, session: requests.Session | None = None
) -> requests.Response:
    """GET a recording's media from Twilio with Basic auth, streamed.

    Redirects are followed (Twilio answers media with a redirect to its storage);
    the credentials go only to api.twilio.com. The caller must close the response.
    """
    if not is_twilio_media_url(url):
        raise TwilioError(f"Not a Twilio media URL: {url}")
    require_settings("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    session = session or http.session(timeout=settings.TWILIO_TIMEOUT)
    # requests re-applies session auth on redirects only to the same host; a
    # per-request AuthBase would be re-run, so it strips itself off other hosts.
    try:
        response = session.get(
            url,
            auth=_TwilioOnlyAuth(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            headers=headers or {},
            stream=True,
            timeout=http.timeouts(settings.TWILIO_TIMEOUT),
            allow_redirects=True,
        )
    except requests.RequestException as exc:
        raise _translate(exc, "download the recording") from None
    if response.status_code >= 400 and response.status_code != 416:
        status = response.status_code
        response.close()
        if status == 401:
            message = (
                "Twilio answered 401 to the recording download: check TWILIO_ACCOUNT_SID and "
                "TWILIO_AUTH_TOKEN (media URLs need HTTP auth on this account)."
            )
        elif status == 404:
            message = (
                "Twilio answered 404 to the recording download: the recording was deleted or never existed."
            )
        else:
            message = f"Twilio answered {status} to the recording download."
        verdict = http.classify(status=status, headers=response.headers)
        raise TwilioError(
            message, status=status, retryable=verdict.retryable, retry_after=verdict.retry_after
        )
    return response


def iter_media(url: str) -> Iterator[bytes]:
    """Yield a recording's bytes chunk by chunk; memory does not grow with its size."""
    response = open_media(url)
    try:
        yield from response.iter_content(chunk_size=MEDIA_CHUNK_SIZE)
    except requests.RequestException as exc:
        raise _translate(exc, "download the recording") from None
    finally:
        response.close()


def start_call_recording(call_sid: str, *, status_callback: str) -> str:
    """Record an answered call, both legs on their own channel (keypress consent: once all agreed).

    Returns the recording's SID. Not retried: a second request would start a second recording.
    """
    try:
        recording = (
            get_client()
            .calls(call_sid)
            .recordings.create(
                recording_channels="dual",
                recording_status_callback=status_callback,
                recording_status_callback_method="POST",
                recording_status_callback_event=["completed", "absent"],
            )
        )
    except (TwilioException, requests.RequestException) as exc:
        raise _translate(exc, f"start recording call {call_sid}") from None
    return recording.sid


@dataclass(frozen=True)
class IncomingNumber:
    sid: str
    phone_number: str
    voice_url: str
    voice_method: str
    status_callback: str


def _incoming_number(number: Any, phone_number: str = "") -> IncomingNumber:
    return IncomingNumber(
        sid=number.sid,
        phone_number=number.phone_number or phone_number,
        voice_url=number.voice_url or "",
        voice_method=number.voice_method or "",
        status_callback=number.status_callback or "",
    )


def find_incoming_number(phone_number: str) -> IncomingNumber:
    """The account's own number `phone_number` (IncomingPhoneNumbers). Raises TwilioError when absent."""
    try:
        found = get_client().incoming_phone_numbers.list(phone_number=phone_number, limit=2)
    except (TwilioException, requests.RequestException) as exc:
        # A failed list() page is the base TwilioException, its response as the second argument.
        response = exc.args[1] if len(getattr(exc, "args", ())) > 1 else None
        if getattr(response, "status_code", None) == 401:
            raise TwilioError(
                f"Twilio refused to look up {phone_number}. {ERROR_HINTS[20003]}", status=401
            ) from None
        raise _translate(exc, f"look up the number {phone_number}") from None
    if not found:
        raise TwilioError(
            f"{phone_number} is not a number of this Twilio account: set TWILIO_PHONE_NUMBER to one of "
            "the numbers under Phone Numbers > Active numbers in the Twilio console.",
            status=404,
        )
    return _incoming_number(found[0], phone_number)


def set_voice_url(number_sid: str, *, voice_url: str, status_callback: str) -> IncomingNumber:
    """Point a number's "A call comes in" webhook at `voice_url` and its call status callback (POST)."""
    try:
        number = (
            get_client()
            .incoming_phone_numbers(number_sid)
            .update(
                voice_url=voice_url,
                voice_method="POST",
                status_callback=status_callback,
                status_callback_method="POST",
            )
        )
    except (TwilioException, requests.RequestException) as exc:
        raise _translate(exc, f"update the number {number_sid}") from None
    return _incoming_number(number)
