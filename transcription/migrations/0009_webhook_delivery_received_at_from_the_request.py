# A delivery's received_at is now given by the inbox's worker (the request's time, carried in the
# task) instead of auto_now_add. Only Django's state changes: the column is the same NOT NULL
# datetime with the same index, so no table is remade (SQLite would copy every delivery).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcription", "0008_redaction"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="webhookdelivery",
                    name="received_at",
                    field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
            ],
            database_operations=[],
        ),
    ]
