# A recording's created_at is now given by the inbox's worker (when Twilio's callback came, carried
# in the task) instead of auto_now_add. Only Django's state changes: the column is the same NOT NULL
# datetime with the same index, so no table is remade (SQLite would copy every recording).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caller", "0008_call_notes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="recording",
                    name="created_at",
                    field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
            ],
            database_operations=[],
        ),
    ]
