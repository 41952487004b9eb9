"""djtranscribe.lib.env: each parser's accepted forms, and a clear refusal of everything else."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from djtranscribe.lib.env import (
    env_bool,
    env_duration,
    env_float,
    env_int,
    env_list,
    env_str,
    env_url,
    env_webhook_secret,
)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "Yes", "on", "ON", " true "])
def test_env_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("DJT_FLAG", value)
    assert env_bool("DJT_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "NO", "off", "Off"])
def test_env_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("DJT_FLAG", value)
    assert env_bool("DJT_FLAG", True) is False


@pytest.mark.parametrize("value", ["ture", "flase", "2", "y", "n", "enabled", "-1", "truee"])
def test_env_bool_refuses_anything_else_naming_the_variable_and_the_accepted_forms(monkeypatch, value):
    monkeypatch.setenv("DJT_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_bool("DJT_FLAG", True)
    assert f"DJT_FLAG={value!r}" in str(raised.value)
    assert "true/false, 1/0, yes/no or on/off" in str(raised.value)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_unset_or_blank_variable_gives_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("DJT_FLAG", raising=False)
    else:
        monkeypatch.setenv("DJT_FLAG", value)
    assert env_bool("DJT_FLAG", True) is True
    assert env_int("DJT_FLAG", 7) == 7
    assert env_duration("DJT_FLAG", 2.5) == 2.5
    assert env_str("DJT_FLAG", "x") == "x"
    assert env_list("DJT_FLAG", "a,b") == ["a", "b"]


@pytest.mark.parametrize(("value", "expected"), [("42", 42), (" 42 ", 42), ("-3", -3), ("+5", 5), ("0", 0)])
def test_env_int_reads_whole_numbers(monkeypatch, value, expected):
    monkeypatch.setenv("DJT_NUMBER", value)
    assert env_int("DJT_NUMBER", 1) == expected


@pytest.mark.parametrize("value", ["4.5", "ten", "1e3", "1_000", "0x10", "12 monkeys"])
def test_env_int_refuses_what_is_not_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("DJT_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match=r"DJT_NUMBER=.*accepts a whole number"):
        env_int("DJT_NUMBER", 1)


def test_env_int_refuses_a_number_below_its_minimum(monkeypatch):
    monkeypatch.setenv("DJT_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("DJT_NUMBER", 5, minimum=1)


@pytest.mark.parametrize(("value", "expected"), [("0.6", 0.6), ("1", 1.0), ("-2.5", -2.5), ("1e-3", 0.001)])
def test_env_float_reads_numbers(monkeypatch, value, expected):
    monkeypatch.setenv("DJT_RATIO", value)
    assert env_float("DJT_RATIO", 0.5) == expected


@pytest.mark.parametrize("value", ["half", "nan", "inf", "0,6"])
def test_env_float_refuses_what_is_not_a_finite_number(monkeypatch, value):
    monkeypatch.setenv("DJT_RATIO", value)
    with pytest.raises(ImproperlyConfigured, match=r"DJT_RATIO=.*accepts a number"):
        env_float("DJT_RATIO", 0.5)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("15", 15.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("250ms", 0.25),
        ("15s", 15.0),
        ("5m", 300.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("10 S", 10.0),
    ],
)
def test_env_duration_reads_seconds_or_a_number_with_a_unit(monkeypatch, value, seconds):
    monkeypatch.setenv("DJT_TIMEOUT", value)
    assert env_duration("DJT_TIMEOUT", 30.0) == seconds


@pytest.mark.parametrize("value", ["thirty", "-5", "5 minutes", "1h30m", "5w", "s"])
def test_env_duration_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("DJT_TIMEOUT", value)
    with pytest.raises(ImproperlyConfigured, match=r"DJT_TIMEOUT=.*accepts a duration"):
        env_duration("DJT_TIMEOUT", 30.0)


def test_env_list_splits_on_commas_and_drops_blank_items(monkeypatch):
    monkeypatch.setenv("DJT_ITEMS", " a , b,, c ,")
    assert env_list("DJT_ITEMS") == ["a", "b", "c"]


def test_env_str_strips_the_value(monkeypatch):
    monkeypatch.setenv("DJT_TEXT", "  hello ")
    assert env_str("DJT_TEXT") == "hello"


def test_env_choice_reads_a_named_choice_in_any_case(monkeypatch):
    from djtranscribe.lib.env import env_choice

    monkeypatch.setenv("DJT_MODE", " URL ")
    assert env_choice("DJT_MODE", "upload", ("upload", "url")) == "url"


def test_env_choice_refuses_anything_else_naming_the_choices(monkeypatch):
    from djtranscribe.lib.env import env_choice

    monkeypatch.setenv("DJT_MODE", "uplaod")
    with pytest.raises(ImproperlyConfigured, match=r"DJT_MODE='uplaod'.*accepts upload or url"):
        env_choice("DJT_MODE", "upload", ("upload", "url"))


def test_env_duration_with_positive_refuses_zero(monkeypatch):
    monkeypatch.setenv("DJT_TIMEOUT", "0s")
    with pytest.raises(ImproperlyConfigured, match="more than 0"):
        env_duration("DJT_TIMEOUT", 30.0, positive=True)


def test_env_url_reads_an_http_url_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("OUTBOUND_WEBHOOK_URL", "https://ops.example.com/hooks")
    assert env_url("OUTBOUND_WEBHOOK_URL") == "https://ops.example.com/hooks"
    for value in ("ops.example.com/hooks", "ftp://ops.example.com/", "https://host:port/"):
        monkeypatch.setenv("OUTBOUND_WEBHOOK_URL", value)
        with pytest.raises(ImproperlyConfigured, match="OUTBOUND_WEBHOOK_URL.*http:// or https:// URL"):
            env_url("OUTBOUND_WEBHOOK_URL")


def test_env_webhook_secret_reads_a_whsec_secret(monkeypatch):
    from notify.models import new_secret

    secret = new_secret()
    monkeypatch.setenv("OUTBOUND_WEBHOOK_SECRET", secret)
    assert env_webhook_secret("OUTBOUND_WEBHOOK_SECRET") == secret


@pytest.mark.parametrize(
    "value",
    ["hunter2-not-a-secret", "whsec_short", "whsec_!!!not-base64!!!", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"],
)
def test_env_webhook_secret_refuses_a_malformed_one_without_echoing_it(monkeypatch, value):
    monkeypatch.setenv("OUTBOUND_WEBHOOK_SECRET", value)
    with pytest.raises(
        ImproperlyConfigured, match="OUTBOUND_WEBHOOK_SECRET cannot be read: it accepts whsec_"
    ) as raised:
        env_webhook_secret("OUTBOUND_WEBHOOK_SECRET")
    assert value not in str(raised.value)
