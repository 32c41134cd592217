"""`manage.py run_reaper`: the recovery loop (stale heartbeats, lost messages, run deadlines)."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from backend.runs.recovery import sweep


class Command(BaseCommand):
    help = "Re-queue steps whose worker died, re-publish lost messages, fail runs past their deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one sweep, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        # SIGTERM (a deploy, Ctrl+C in `make run`) ends the loop between sweeps, exit status 0.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        interval = settings.AUTOMATEOS["REAPER_INTERVAL_S"]
        self.stdout.write(f"reaper: sweeping every {interval}s")
        while True:
            close_old_connections()
            try:
                report = sweep()
            except Exception as exc:  # a database restart must not end the loop
                self.stderr.write(f"reaper: sweep failed ({type(exc).__name__}); retrying")
            else:
                if report.any() or options["once"]:
                    self.stdout.write(f"reaper: {report}")
            if options["once"]:
                return
            time.sleep(interval)
