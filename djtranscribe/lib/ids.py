"""What Twilio's and AssemblyAI's identifiers look like, once for the whole project.

Every pattern is anchored with `\\Z` (not `$`, which also matches before a trailing newline), so
`.match()` and `.fullmatch()` both accept exactly the id and nothing more.
"""

import re

# Twilio SIDs: a two-letter prefix and 32 lowercase hex digits.
CALL_SID_RE = re.compile(r"^CA[0-9a-f]{32}\Z")
RECORDING_SID_RE = re.compile(r"^RE[0-9a-f]{32}\Z")
ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-f]{32}\Z")
# AssemblyAI's transcript ids are uuids today; anything else would change the request path.
TRANSCRIPT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")


def is_call_sid(value: object) -> bool:
    return isinstance(value, str) and bool(CALL_SID_RE.match(value))


def is_recording_sid(value: object) -> bool:
    return isinstance(value, str) and bool(RECORDING_SID_RE.match(value))


def is_account_sid(value: object) -> bool:
    return isinstance(value, str) and bool(ACCOUNT_SID_RE.match(value))


def is_transcript_id(value: object) -> bool:
    return isinstance(value, str) and bool(TRANSCRIPT_ID_RE.match(value))
