"""Recreate the SQLite index triggers after transcription.0006_sample: adding a NOT NULL column
makes Django remake transcription_transcript on SQLite, which drops the triggers on it (the
post_migrate hook in search/apps.py is not sent for an app without a models module)."""

from django.db import migrations


def ensure(apps, schema_editor):
    # Nothing now: the index reads tables of two apps (transcripts, calls' notes), so it is made by
    # the post_migrate hook (search/apps.py) once every migration of the run has been applied; made
    # halfway, its triggers would break a later table remake.
    pass


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index"), ("transcription", "0006_sample")]
    operations = [migrations.RunPython(ensure, migrations.RunPython.noop, elidable=False)]
