"""Schedules: API validation, the PeriodicTask kept in sync, pause, ticks on a frozen clock, missed ticks,
one run per tick under racing beats, and a locked vault recorded instead of a run."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from backend.runs.models import Run
from backend.triggers.models import Schedule
from backend.triggers.schedule_services import schedule_fire, task_name

pytestmark = pytest.mark.usefixtures("discard_dispatch")
T = datetime(2026, 6, 1, 7, 0, 0, tzinfo=UTC)  # 09:00 in Paris


def _put(api: APIClient, workflow: Any, **body: Any) -> Any:
    return api.put(f"/v1/workflows/{workflow.pk}/schedule", body, format="json")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"cron": "0 25 * * *"}, "cron", "field hour"),
        ({"cron": "0 9 * *"}, "cron", "5 fields"),
        ({"cron": "0 9 * * *", "timezone": "Paris"}, "timezone", "IANA"),
        ({"interval": {"every": 0, "unit": "minutes"}}, "interval.every", "1 to"),
        ({"interval": {"every": 5, "unit": "seconds"}}, "interval.unit", "minutes or hours"),
        ({"cron": "* * * * *", "interval": {"every": 5}}, "cron", "exactly one"),
        ({}, "cron", "exactly one"),
    ],
)
def test_schedule_api_invalid_is_400_naming_the_field(
    api: APIClient, workflow: Any, body: dict[str, Any], field: str, words: str
) -> None:
    response = _put(api, workflow, **body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["details"] and words in error["message"]
    assert not Schedule.objects.exists() and not PeriodicTask.objects.exists()


def test_schedule_api_cron_keeps_one_periodic_task_in_sync(api: APIClient, workflow: Any) -> None:
    body = _put(api, workflow, cron="0 9 * * 1-5", timezone="Europe/Paris").json()
    assert body["kind"] == "cron" and body["enabled"] and len(body["nextRuns"]) == 3
    schedule = Schedule.objects.get()
    task = PeriodicTask.objects.get(name=task_name(schedule.pk))
    assert task.task == "workers.fire_schedule" and json.loads(task.args) == [str(schedule.pk)] and task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "9", "1-5")
    assert str(task.crontab.timezone) == "Europe/Paris" and task.interval is None
    _put(api, workflow, interval={"every": 2, "unit": "hours"})
    task.refresh_from_db()
    assert task.crontab is None and (task.interval.every, task.interval.period) == (2, "hours")
    paused = _put(api, workflow, interval={"every": 2, "unit": "hours"}, enabled=False).json()
    task.refresh_from_db()
    assert not task.enabled and paused["nextRuns"] == [] and PeriodicTask.objects.count() == 1
    assert api.get(f"/v1/workflows/{workflow.pk}/schedule").json()["enabled"] is False
    assert api.delete(f"/v1/workflows/{workflow.pk}/schedule").status_code == 204
    assert not PeriodicTask.objects.exists() and not Schedule.objects.exists()


def test_schedule_fire_starts_one_run_for_its_tick(api: APIClient, workflow: Any) -> None:
    _put(api, workflow, cron="0 9 * * *", timezone="Europe/Paris")
    schedule = Schedule.objects.get()
    run = schedule_fire(schedule_id=schedule.pk, now=T + timedelta(seconds=2))
    assert run is not None and run.trigger == "schedule" and run.payload == {}
    assert run.trigger_data == {"scheduledAt": "2026-06-01T07:00:00.000Z", "firedAt": "2026-06-01T07:00:02.000Z",
                                "cron": "0 9 * * *", "timezone": "Europe/Paris"}  # fmt: skip
    again = schedule_fire(schedule_id=schedule.pk, now=T + timedelta(seconds=20))
    assert again is not None and again.pk == run.pk and Run.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.last_run_id == run.pk and schedule.last_tick == T


def test_schedule_fire_interval_floors_to_its_slot(api: APIClient, workflow: Any) -> None:
    _put(api, workflow, interval={"every": 15, "unit": "minutes"})
    schedule = Schedule.objects.get()
    first = schedule_fire(schedule_id=schedule.pk, now=T + timedelta(minutes=3))
    same = schedule_fire(schedule_id=schedule.pk, now=T + timedelta(minutes=14, seconds=59))
    nxt = schedule_fire(schedule_id=schedule.pk, now=T + timedelta(minutes=15))
    assert first is not None and same is not None and nxt is not None
    assert first.pk == same.pk != nxt.pk
    assert first.trigger_data["scheduledAt"] == "2026-06-01T07:00:00.000Z"
    assert first.trigger_data["interval"] == {"every": 15, "unit": "minutes"}


def test_schedule_fire_paused_starts_nothing(api: APIClient, workflow: Any) -> None:
    _put(api, workflow, cron="* * * * *", enabled=False)
    assert schedule_fire(schedule_id=Schedule.objects.get().pk, now=T) is None
    assert not Run.objects.exists()


def test_schedule_missed_tick_is_skipped_or_caught_up(api: APIClient, workflow: Any, settings: Any) -> None:
    _put(api, workflow, cron="0 9 * * *", timezone="Europe/Paris")
    schedule = Schedule.objects.get()
    late = T + timedelta(hours=3)  # beat came back at noon: the 09:00 tick was missed
    assert schedule_fire(schedule_id=schedule.pk, now=late) is None and not Run.objects.exists()
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "SCHEDULE_MISSED": "catch_up_last"}
    caught = schedule_fire(schedule_id=schedule.pk, now=late)
    assert caught is not None and caught.trigger_data["scheduledAt"] == "2026-06-01T07:00:00.000Z"
    assert schedule_fire(schedule_id=schedule.pk, now=late + timedelta(minutes=1)).pk == caught.pk  # type: ignore[union-attr]
    assert Run.objects.count() == 1


def test_schedule_fire_with_a_locked_vault_records_last_error(api: APIClient, user: Any) -> None:
    from backend.workflows.services import workflow_create
    from tests.support.graphs import builder_file, chain, http_node, start_node

    api.post("/v1/credentials", {"name": "notion", "kind": "bearer_token", "value": "sk_" + "n" * 24}, format="json")
    api.put("/v1/vault/passphrase", {"passphrase": "correct horse battery"}, format="json")
    nodes = [start_node(), http_node("secret", "http://127.0.0.1:9/x", auth={"credentialName": "notion"})]
    locked = workflow_create(owner=user, name="Locked", graph=builder_file(nodes, chain("start", "secret")))
    _put(api, locked, cron="* * * * *")
    assert schedule_fire(schedule_id=Schedule.objects.get().pk, now=T) is None
    body = api.get(f"/v1/workflows/{locked.pk}/schedule").json()
    assert "vault locked" in body["lastError"] and body["lastRunId"] is None and not Run.objects.exists()


def test_schedule_fire_of_a_deleted_workflow_removes_its_periodic_task(api: APIClient, workflow: Any) -> None:
    _put(api, workflow, cron="* * * * *")
    schedule_id = Schedule.objects.get().pk
    workflow.delete()
    assert PeriodicTask.objects.filter(name=task_name(schedule_id)).exists()
    assert schedule_fire(schedule_id=schedule_id, now=T) is None
    assert not PeriodicTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_schedule_two_beats_firing_one_tick_make_one_run(user: Any, discard_dispatch: None) -> None:
    from backend.triggers.schedule_services import schedule_put
    from backend.workflows.services import workflow_create
    from tests.triggers.conftest import hook_graph

    workflow = workflow_create(owner=user, name="Raced", graph=hook_graph())
    schedule = schedule_put(workflow=workflow, options={"cron": "*/5 * * * *"})
    barrier, results = threading.Barrier(4), []

    def fire(offset_s: int) -> None:
        barrier.wait()
        try:
            results.append(schedule_fire(schedule_id=schedule.pk, now=T + timedelta(seconds=offset_s)))
        finally:
            connection.close()

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4 and len({r.pk for r in results if r is not None}) == 1
    assert Run.objects.filter(trigger="schedule").count() == 1
