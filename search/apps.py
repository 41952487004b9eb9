from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_index(using="default", **kwargs):
    """After every migrate: recreate index triggers that a table remake dropped (SQLite)."""
    from django.db import connections

    from .index import ensure

    ensure(connections[using])


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        post_migrate.connect(ensure_index, sender=self, dispatch_uid="search.ensure_index")
