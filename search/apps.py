from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_index(using="default", app_config=None, **kwargs):
    """After every migrate: recreate index triggers that a table remake dropped (SQLite).

    Django sends post_migrate only for apps with a models module, which this app has not: the hook
    listens to every sender and acts once, on the transcripts' own app.
    """
    from django.db import connections

    if app_config is not None and app_config.label != "transcription":
        return

    from .index import ensure

    ensure(connections[using])


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        post_migrate.connect(ensure_index, dispatch_uid="search.ensure_index")
