"""The browser tests skip visibly without a Chromium, except in CI where they must run."""

import pytest

from tests.browser import chromium


@pytest.fixture
def no_chromium(monkeypatch):
    monkeypatch.setattr(chromium, "chromium_path", lambda: None)


def test_without_chromium_the_browser_tests_skip_saying_how_to_get_one(no_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium.require_chromium()


def test_without_chromium_in_ci_the_browser_tests_fail(no_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, so the browser tests must run"):
        chromium.require_chromium()


def test_chromium_can_be_named_with_an_environment_variable(monkeypatch, tmp_path):
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))
    assert chromium.chromium_path() == str(fake)
