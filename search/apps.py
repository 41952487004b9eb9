from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate

# The models whose tables the index's triggers read (transcripts, and calls for their notes).
INDEXED_MODELS = {("caller", "call"), ("transcription", "transcript")}


def touches_index(migration, models=INDEXED_MODELS) -> bool:
    """Whether a migration has an operation on one of `models` (a field, an index, the model itself).

    A miss is loud, not silent: the remake or ALTER it makes fails on the triggers.
    """
    for operation in migration.operations:
        if hasattr(operation, "model_name"):  # a field, an index, a constraint of that model
            names = [operation.model_name]
        else:  # the model itself: created, deleted, renamed, its table renamed
            names = [getattr(operation, attribute, None) for attribute in ("name", "old_name", "new_name")]
        if any(isinstance(name, str) and (migration.app_label, name.lower()) in models for name in names):
            return True
    return False


def drop_index_triggers(using="default", app_config=None, plan=None, **kwargs):
    """Before a migrate that changes what the indexes read: drop their triggers (see
    search.index.drop_triggers: a migration on Call or Transcript; search.people: on Participant or
    AudioAsset); the post_migrate hook below makes them again and rebuilds the indexes.

    Sent once per app with a models module (this app has none): it acts once, on the transcripts' app.
    """
    from django.db import connections

    if app_config is not None and app_config.label != "transcription":
        return

    from . import people
    from .index import drop_triggers

    plan = plan or ()
    if any(touches_index(migration) for migration, _ in plan):
        drop_triggers(connections[using])
    if any(touches_index(migration, people.MODELS) for migration, _ in plan):
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
