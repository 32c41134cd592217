"""`manage.py prune_runs`: delete ended runs older than the retention now (the reaper does it hourly)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backend.runs.retention import retention_cutoff, runs_prune


class Command(BaseCommand):
    help = "Delete runs that ended over AUTOMATEOS_RUN_RETENTION_DAYS (or --days) ago, with their steps and events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=float, help="keep runs that ended within this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days must be more than 0")
        cutoff = timezone.now() - timedelta(days=days) if days is not None else retention_cutoff()
        if cutoff is None:
            self.stdout.write("prune_runs: retention is off (AUTOMATEOS_RUN_RETENTION_DAYS=0); nothing deleted")
            return
        report = runs_prune(finished_before=cutoff, batch=settings.AUTOMATEOS["RETENTION_BATCH"])
        self.stdout.write(f"prune_runs: deleted {report.deleted} runs ended before {cutoff.isoformat()}")
