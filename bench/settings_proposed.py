"""Settings the benchmark proposes for backend/config/settings.py, measurable before they land.

`AUTOMATEOS_BENCH_SETTINGS=bench.settings_proposed make bench` runs every process with these.
"""

from __future__ import annotations

from backend.config.settings import *  # noqa: F403

# Celery's Django fixup closes every DB connection before and after each task unless this is set:
# a new PostgreSQL connection (and server backend) per node. Above zero it closes them only every
# 2 x N task boundaries (a process-wide count); the engine's own close_old_connections() still
# drops broken or CONN_MAX_AGE-expired connections at the end of each task.
CELERY_DB_REUSE_MAX = 1000
