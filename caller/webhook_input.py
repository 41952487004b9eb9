"""What a Twilio callback must look like before anything is stored.

A valid signature proves who sent a request, not that its fields are sane: a SID with a
newline, a status Twilio never sends, or a 4,000-digit duration must get a 400, not a 500
from the database, and nothing half-written.
"""

import functools
import re
from datetime import UTC
from email.utils import parsedate_to_datetime

from djtranscribe.lib.ids import ACCOUNT_SID_RE, CALL_SID_RE, RECORDING_SID_RE

from .models import CallStatus, RecordingStatus

SECONDS_RE = re.compile(r"^[0-9]{1,9}\Z")  # fits every integer column, on every database
# Twilio's API shows -1 for a recording whose length is not known yet (stored as unknown).
RECORDING_SECONDS_RE = re.compile(r"^(-1|[0-9]{1,9})\Z")
CHANNELS_RE = re.compile(r"^[0-9]{1,2}\Z")
ERROR_CODE_RE = re.compile(r"^[0-9]{1,16}\Z")
SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}\Z")
# The statuses as tuples once: `Choices.values` builds its list anew on every call.
CALL_STATUSES = tuple(CallStatus.values)
RECORDING_STATUSES = tuple(RecordingStatus.values)


@functools.lru_cache(maxsize=64)  # the check and the fields read the same value; datetimes are immutable
def rfc2822_or_none(value: str | None):
    """Twilio's RecordingStartTime as an aware datetime; None when empty or unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    # '-0000' means "UTC, local zone unknown" and parses as naive.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check(problems: list[str], data, name: str, pattern: re.Pattern, what: str, *, required: bool) -> None:
    value = data.get(name, "")
    if value == "" and not required:
        return
    if not pattern.match(value):
        problems.append(f"{name} must be {what}")


def _check_choice(problems: list[str], data, name: str, choices) -> None:
    if data.get(name, "") not in choices:
        problems.append(f"{name} must be one of: {', '.join(choices)}")


def call_status_problems(data) -> str:
    """Why a call-status callback is unusable ('' when it is fine)."""
    problems: list[str] = []
    _check(problems, data, "CallSid", CALL_SID_RE, "'CA' followed by 32 hex digits", required=True)
    _check_choice(problems, data, "CallStatus", CALL_STATUSES)
    _check(problems, data, "CallDuration", SECONDS_RE, "a whole number of seconds", required=False)
    return "; ".join(problems)


def recording_status_problems(data) -> str:
    """Why a recording-status callback is unusable ('' when it is fine)."""
    problems: list[str] = []
    _check(problems, data, "RecordingSid", RECORDING_SID_RE, "'RE' followed by 32 hex digits", required=True)
    _check(problems, data, "CallSid", CALL_SID_RE, "'CA' followed by 32 hex digits", required=True)
    _check_choice(problems, data, "RecordingStatus", RECORDING_STATUSES)
    _check(problems, data, "AccountSid", ACCOUNT_SID_RE, "'AC' followed by 32 hex digits", required=False)
    _check(
        problems, data, "RecordingDuration", RECORDING_SECONDS_RE, "a whole number of seconds", required=False
    )
    _check(problems, data, "RecordingChannels", CHANNELS_RE, "a small whole number", required=False)
    _check(problems, data, "ErrorCode", ERROR_CODE_RE, "a numeric Twilio error code", required=False)
    _check(problems, data, "RecordingSource", SOURCE_RE, "a word such as RecordVerb", required=False)
    if data.get("RecordingStartTime") and rfc2822_or_none(data["RecordingStartTime"]) is None:
        problems.append("RecordingStartTime must be an RFC 2822 date")
    return "; ".join(problems)
