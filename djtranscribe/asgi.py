"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djtranscribe.settings")

application = get_asgi_application()

# The app loaded once per worker: out of the garbage collector's full walks (djtranscribe/lib/heap.py).
from djtranscribe.lib.heap import settle  # noqa: E402  (after the settings are configured)

settle()
