"""What a failed dial answers over HTTP, decided once for the dial page and the home page's form."""

from .dial_policy import DialRateLimited, DialRefused
from .phone import InvalidNumber
from .twilio_client import MissingSettings, TwilioError

# Everything services.call_place raises on purpose (DialRefused is an InvalidNumber,
# MissingSettings a TwilioError).
DIAL_ERRORS = (InvalidNumber, TwilioError)


def http_status(exc: Exception) -> int:
    """403/429 for the dial policy, 400 for a bad number or a call Twilio refused, 503 for missing
    settings, 502 when Twilio failed or could not be reached."""
    if isinstance(exc, DialRefused):
        return exc.status
    if isinstance(exc, InvalidNumber):
        return 400
    if isinstance(exc, MissingSettings):
        return 503
    if isinstance(exc, TwilioError):
        return 502 if exc.status is None or exc.status >= 500 else 400
    raise TypeError(f"not a dial error: {exc!r}")


def http_headers(exc: Exception) -> dict[str, str]:
    """Retry-After for a rate-limited dial; nothing otherwise."""
    if isinstance(exc, DialRateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def is_twilio_failure(exc: Exception) -> bool:
    """A failure worth a log line: Twilio itself failed (not a refusal or a missing setting)."""
    return isinstance(exc, TwilioError) and not isinstance(exc, MissingSettings)
