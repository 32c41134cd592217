"""Drop the single-column foreign-key indexes that a composite index already leads with.

Every insert and every non-HOT update maintains each index of its table; these three answered no
lookup the composite ones (run_owner_created, step_unique_node_per_run, runevent_unique_seq) do
not. Only the indexes go: Django's AlterField would also drop and re-validate the foreign keys.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name Django gave it in 0001_initial)
_INDEXES = [
    ("runs_run", "owner_id", "runs_run_owner_id_b1defaec"),
    ("runs_runevent", "run_id", "runs_runevent_run_id_8bd13aa7"),
    ("runs_step", "run_id", "runs_step_run_id_2764751d"),
]

# (model, foreign key, related_name, target) whose index goes
_FIELDS = [
    ("run", "owner", "runs", settings.AUTH_USER_MODEL),
    ("runevent", "run", "events", "runs.run"),
    ("step", "run", "steps", "runs.run"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0003_run_steps_failed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in _INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name=name,
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name=related, to=to
                    ),
                )
                for model, name, related, to in _FIELDS
            ],
        )
    ]
