from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate

# The apps whose tables the index's triggers read (transcripts, and calls for their notes).
INDEXED_APPS = {"caller", "transcription"}


def drop_index_triggers(using="default", app_config=None, plan=None, **kwargs):
    """Before a migrate that changes the indexed apps: drop the indexes' triggers (see
    search.index.drop_triggers, search.people); the post_migrate hook below makes them again and
    rebuilds the indexes.

    Sent once per app with a models module (this app has none): it acts once, on the transcripts' app.
    """
    from django.db import connections

    if app_config is not None and app_config.label != "transcription":
        return

    from . import people
    from .index import drop_triggers

    touched = {migration.app_label for migration, _ in plan or ()}
    if touched & INDEXED_APPS:
        drop_triggers(connections[using])
    if touched & people.APPS:
        people.drop_triggers(connections[using])


def ensure_index(using="default", app_config=None, **kwargs):
    """After every migrate: recreate index triggers that a table remake (SQLite) or the hook above
    dropped, and rebuild the index when it had to; the same for the participants' indexes.

    Django sends post_migrate only for apps with a models module, which this app has not: the hook
    listens to every sender and acts once, on the transcripts' own app.
    """
    from django.db import connections

    if app_config is not None and app_config.label != "transcription":
        return

    from . import people
    from .index import ensure

    ensure(connections[using])
    people.ensure(connections[using])


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        pre_migrate.connect(drop_index_triggers, dispatch_uid="search.drop_index_triggers")
        post_migrate.connect(ensure_index, dispatch_uid="search.ensure_index")
