"""The full-text index of transcripts: an FTS5 table on SQLite, a GIN-indexed tsvector table on
PostgreSQL, kept in step by triggers (see search/index.py). Nothing on other databases."""

from django.db import migrations


def create(apps, schema_editor):
    # Nothing now: the index reads tables of two apps (transcripts, calls' notes), so it is made by
    # the post_migrate hook (search/apps.py) once every migration of the run has been applied; made
    # halfway, its triggers would break a later table remake.
    pass


def remove(apps, schema_editor):
    from search.index import drop

    drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("transcription", "0001_initial")]
    operations = [migrations.RunPython(create, remove, elidable=False)]
