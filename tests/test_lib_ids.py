"""djtranscribe.lib.ids: each id pattern accepts exactly the id, never a trailing newline."""

import pytest

from djtranscribe.lib import ids

CASES = [
    (ids.CALL_SID_RE, ids.is_call_sid, "CA" + "0123456789abcdef" * 2),
    (ids.RECORDING_SID_RE, ids.is_recording_sid, "RE" + "0123456789abcdef" * 2),
    (ids.ACCOUNT_SID_RE, ids.is_account_sid, "AC" + "0123456789abcdef" * 2),
    (ids.TRANSCRIPT_ID_RE, ids.is_transcript_id, "5551722-f677-48a6-b9c1-5fd3a2c13a6f"),
]


@pytest.mark.parametrize(("pattern", "check", "value"), CASES)
def test_it_accepts_a_well_formed_id(pattern, check, value):
    assert pattern.match(value) and check(value)


@pytest.mark.parametrize(("pattern", "check", "value"), CASES)
def test_it_refuses_the_id_with_a_trailing_newline(pattern, check, value):
    assert pattern.match(value + "\n") is None
    assert not check(value + "\n")


@pytest.mark.parametrize(("pattern", "check", "value"), CASES[:3])
@pytest.mark.parametrize(
    "change", [lambda v: v[:-1], lambda v: v + "0", lambda v: v.upper(), lambda v: "x" + v]
)
def test_a_twilio_sid_must_have_its_prefix_and_32_lowercase_hex_digits(pattern, check, value, change):
    assert not check(change(value))


def test_the_checks_refuse_what_is_not_a_string():
    assert not ids.is_call_sid(None)
    assert not ids.is_transcript_id(["abc"])


def test_a_transcript_id_cannot_carry_a_path():
    assert not ids.is_transcript_id("../v2/upload")
