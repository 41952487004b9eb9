"""The server's entry points freeze the loaded app out of the garbage collector's full walks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SHOW = """
import gc, sys
before = gc.get_freeze_count()
import {module}
# The URLconf's views are imported before the freeze, so they are among the frozen objects.
print(before, gc.get_freeze_count(), "transcription.views" in sys.modules)
"""


@pytest.mark.parametrize("module", ["djtranscribe.wsgi", "djtranscribe.asgi"])
def test_an_entry_point_loads_the_views_and_freezes_the_heap(module):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJTRANSCRIBE_READ_DOTENV": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    before, after, views_loaded = result.stdout.split()
    assert int(before) == 0
    assert int(after) > 10_000  # Django and the app, not a handful of objects
    assert views_loaded == "True"


def test_settling_collects_garbage_before_freezing_the_rest():
    import gc
    import weakref

    from djtranscribe.lib.heap import settle

    class Node:
        pass

    gc.disable()  # no automatic collection between here and settle(): only its own may free the cycle
    kept, cycle = Node(), Node()
    cycle.me = cycle  # unreachable once deleted: garbage, which a freeze would keep for ever
    kept_ref, cycle_ref = weakref.ref(kept), weakref.ref(cycle)
    del cycle
    try:
        settle()
        assert cycle_ref() is None
        assert kept_ref() is kept and gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        gc.enable()
