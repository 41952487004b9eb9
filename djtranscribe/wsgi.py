"""WSGI entry point (gunicorn djtranscribe.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djtranscribe.settings")

application = get_wsgi_application()

# The app loaded once per worker: out of the garbage collector's full walks (djtranscribe/lib/heap.py).
from djtranscribe.lib.heap import settle  # noqa: E402  (after the settings are configured)

settle()
