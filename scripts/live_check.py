"""`make live-check`: run the two starter workflows against the real Slack and Notion.

Needs SLACK_WEBHOOK (an incoming-webhook URL) and/or NOTION_TOKEN + NOTION_DATABASE_ID in the
environment; says plainly what it skipped otherwise. Secrets come through the operator map
(AUTOMATEOS_ENV_CREDENTIALS), so nothing is stored. No test depends on this script.
"""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
os.environ["AUTOMATEOS_ENV_CREDENTIALS"] = "slackWebhook:SLACK_WEBHOOK,notionToken:NOTION_TOKEN"


class RunHere:
    """Runs steps in this process as they become ready: no worker needs to be running."""

    def __init__(self) -> None:
        self.queue: deque[int] = deque()

    def enqueue(self, step_ids: Sequence[int]) -> None:
        self.queue.extend(step_ids)


def _run(name: str, file: str, payload: dict[str, Any], variables: dict[str, Any] | None = None) -> bool:
    from django.contrib.auth import get_user_model

    from backend.runs.models import Run
    from backend.runs.services import run_start
    from workers.engine import execute_step

    graph = json.loads((REPO / "examples" / file).read_text())
    graph["vars"] = {**graph.get("vars", {}), **(variables or {})}
    user, _ = get_user_model().objects.get_or_create(username="live-check")
    here = RunHere()
    from backend.runs import dispatch

    previous = dispatch.set_dispatcher(here)
    try:
        run, _ = run_start(owner=user, graph=graph, payload=payload, trigger="live-check")
        while here.queue:
            execute_step(here.queue.popleft())
    finally:
        dispatch.set_dispatcher(previous)
    run = Run.objects.get(pk=run.pk)
    print(f"{name}: run {run.pk} {run.status}")
    for event in run.events.order_by("seq"):
        print(f"  [{event.level.upper()}] {event.message}")
    return run.status == "succeeded"


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results: list[bool] = []
    if os.environ.get("SLACK_WEBHOOK"):
        results.append(_run("slack", "slack-notification.json", {"message": "AutomateOS live check"}))
    else:
        print("slack: SKIPPED (set SLACK_WEBHOOK to an incoming-webhook URL to run it)")
    if os.environ.get("NOTION_TOKEN") and os.environ.get("NOTION_DATABASE_ID"):
        variables = {"notionDatabaseId": os.environ["NOTION_DATABASE_ID"]}
        payload = {"title": "AutomateOS live check", "status": "Done"}
        results.append(_run("notion", "notion-automation.json", payload, variables))
    else:
        print("notion: SKIPPED (set NOTION_TOKEN and NOTION_DATABASE_ID to run it)")
    if not results:
        print("live-check: nothing was run")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
