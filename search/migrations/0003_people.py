"""Trigram indexes over participants' names and audio assets' labels (search/people.py): FTS5
tables on SQLite, pg_trgm GIN indexes on PostgreSQL. Made by the post_migrate hook, like the
transcripts' index (search/apps.py); this migration marks their arrival and removes them backwards."""

from django.db import migrations


def create(apps, schema_editor):
    # Nothing now: made by the post_migrate hook once every migration of the run has been applied.
    pass


def remove(apps, schema_editor):
    from search.people import drop

    drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_after_transcript_sample")]
    operations = [migrations.RunPython(create, remove, elidable=False)]
