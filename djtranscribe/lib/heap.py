"""A server process's long-lived objects, kept out of the garbage collector's way.

Python's cyclic collector walks every tracked object in a full (generation 2) collection. After
start-up that is mostly the app itself: Django, the models, the URLconf and the views it imports,
about 130,000 objects that live as long as the process. A large page allocates hundreds of
thousands of short-lived objects (a 3-hour transcript: 30,000 words), which sets off full
collections in the middle of the response: 50-80 ms each, a third of the page's time
(bench/RESULTS.md, issue 13). Frozen (`gc.freeze`), the start-up objects are no longer walked; a
full collection then takes about 2 ms. Garbage made later is collected as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Load the URLconf (and with it the views), collect once, and freeze what is left."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imported for its side effect: the views load
    gc.collect()
    gc.freeze()
