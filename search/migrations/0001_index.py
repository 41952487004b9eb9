"""The full-text index of transcripts: an FTS5 table on SQLite, a GIN-indexed tsvector table on
PostgreSQL, kept in step by triggers (see search/index.py). Nothing on other databases."""

from django.db import migrations


def create(apps, schema_editor):
    from search.index import ensure

    ensure(schema_editor.connection)


def remove(apps, schema_editor):
    from search.index import drop

    drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("transcription", "0001_initial")]
    operations = [migrations.RunPython(create, remove, elidable=False)]
