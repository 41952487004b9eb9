"""Finding the Chromium the browser tests drive: Debian's package, never `playwright install`."""

import os
import shutil

import pytest

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_GET_ONE = (
    "no Chromium found: `sudo apt-get install chromium` (Debian/Ubuntu) or set CHROMIUM=/path/to/chromium "
    "to run the browser tests"
)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_chromium() -> str:
    """The Chromium to drive. Without one, skip the whole module (one line in the summary);
    under CI=true, fail instead: there the browser tests must run."""
    path = chromium_path()
    if path is None:
        if in_ci():
            pytest.fail(f"CI=true, so the browser tests must run, but {HOW_TO_GET_ONE}.", pytrace=False)
        pytest.skip(HOW_TO_GET_ONE, allow_module_level=True)
    return path
