"""Run.steps_failed: the failure count the last finishing step closes the run by."""

from __future__ import annotations

from django.db import migrations, models

# Runs in flight when this is applied may already have failed steps: count them, or the last
# finish would close such a run as succeeded.
BACKFILL = """
UPDATE runs_run SET steps_failed = (
  SELECT COUNT(*) FROM runs_step WHERE runs_step.run_id = runs_run.id AND runs_step.status = 'failed'
) WHERE status IN ('queued', 'running')
"""


class Migration(migrations.Migration):
    dependencies = [("runs", "0002_run_active_index")]

    operations = [
        migrations.AddField(model_name="run", name="steps_failed", field=models.IntegerField(default=0)),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
