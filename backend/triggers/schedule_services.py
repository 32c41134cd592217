"""Schedule writes, the django_celery_beat PeriodicTask kept in step with each, and a beat firing."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from backend.core.errors import ApplicationError, ValidationFailed
from backend.core.timefmt import iso_ms
from backend.core.types import Uuid
from backend.runs.models import Run
from backend.runs.services import run_start
from backend.runs.states import RunTrigger
from backend.triggers import cron
from backend.triggers.models import IntervalUnit, Schedule, ScheduleKind
from backend.workflows.models import Workflow

logger = logging.getLogger(__name__)
TASK = "workers.fire_schedule"
INTERVAL_MAX = 10_000
FIELDS = {"cron", "timezone", "interval", "enabled"}
_PERIODS = {IntervalUnit.MINUTES: IntervalSchedule.MINUTES, IntervalUnit.HOURS: IntervalSchedule.HOURS}


def task_name(schedule_id: Uuid) -> str:
    return f"automateos-schedule:{schedule_id}"


def schedule_put(*, workflow: Workflow, options: Mapping[str, Any]) -> Schedule:
    """Create or replace the workflow's schedule (a cron with a time zone, or an interval) and its
    PeriodicTask, in one transaction."""
    fields = _clean(options)
    with transaction.atomic():
        # The workflow's row lock makes two first PUTs take turns: the second updates the first's schedule.
        Workflow.objects.select_for_update().filter(pk=workflow.pk).first()
        schedule = Schedule.objects.filter(workflow=workflow).first() or Schedule(workflow=workflow)
        for name, value in fields.items():
            setattr(schedule, name, value)
        schedule.last_error = ""
        schedule.save()
        _sync_task(schedule)
    return schedule


def schedule_delete(*, schedule: Schedule) -> None:
    with transaction.atomic():
        PeriodicTask.objects.filter(name=task_name(schedule.pk)).delete()
        schedule.delete()


def _sync_task(schedule: Schedule) -> None:
    """One PeriodicTask per schedule, saved through the model so beat's DatabaseScheduler sees the change."""
    task = PeriodicTask.objects.filter(name=task_name(schedule.pk)).first() or PeriodicTask(
        name=task_name(schedule.pk), task=TASK
    )
    task.args = json.dumps([str(schedule.pk)])
    task.enabled = schedule.enabled
    if schedule.kind == ScheduleKind.CRON:
        minute, hour, day_of_month, month, day_of_week = schedule.cron.split()
        task.crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month, day_of_week=day_of_week,
            timezone=schedule.timezone,
        )  # fmt: skip
        task.interval = None
    else:
        task.interval, _ = IntervalSchedule.objects.get_or_create(
            every=schedule.interval_every, period=_PERIODS[IntervalUnit(schedule.interval_unit)]
        )
        task.crontab = None
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


def _clean(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - FIELDS)
    if unknown:
        raise ValidationFailed(
            f"unknown field(s): {', '.join(unknown)}", details={k: ["unknown field"] for k in unknown}
        )
    enabled = options.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValidationFailed("`enabled` must be true or false", details={"enabled": ["must be true or false"]})
    has_cron, has_interval = options.get("cron") not in (None, ""), options.get("interval") is not None
    if has_cron == has_interval:
        raise ValidationFailed(
            "give exactly one of `cron` or `interval`", details={"cron": ["exactly one of cron/interval"]}
        )
    if has_cron:
        expression = options["cron"]
        if not isinstance(expression, str):
            raise ValidationFailed("`cron` must be text", details={"cron": ["must be text"]})
        tz = options.get("timezone") or "UTC"
        if not isinstance(tz, str):
            raise ValidationFailed("`timezone` must be text", details={"timezone": ["must be text"]})
        cron.check_timezone(tz)
        fields = cron.check_cron(expression)
        return {"kind": ScheduleKind.CRON, "cron": " ".join(fields), "timezone": tz, "interval_every": None,
                "interval_unit": "", "enabled": enabled}  # fmt: skip
    every, unit = _interval(options["interval"])
    return {"kind": ScheduleKind.INTERVAL, "cron": "", "timezone": "UTC", "interval_every": every,
            "interval_unit": unit, "enabled": enabled}  # fmt: skip


def _interval(value: Any) -> tuple[int, str]:
    if not isinstance(value, dict) or set(value) - {"every", "unit"}:
        raise ValidationFailed(
            '`interval` must look like {"every": 15, "unit": "minutes"}', details={"interval": ["invalid"]}
        )
    every, unit = value.get("every"), value.get("unit", "minutes")
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= INTERVAL_MAX:
        raise ValidationFailed(
            f"`interval.every` must be a whole number from 1 to {INTERVAL_MAX}", details={"interval.every": ["invalid"]}
        )
    if unit not in IntervalUnit.values:
        raise ValidationFailed(
            "`interval.unit` must be minutes or hours", details={"interval.unit": list(IntervalUnit.values)}
        )
    return every, str(unit)


def schedule_tick(schedule: Schedule, now: datetime) -> datetime:
    if schedule.kind == ScheduleKind.CRON:
        return cron.cron_tick(schedule.cron, schedule.timezone, now)
    return cron.interval_tick(_every_s(schedule), now)


def _every_s(schedule: Schedule) -> int:
    return int(schedule.interval_every or 1) * cron.UNIT_SECONDS[schedule.interval_unit]


def next_run_times(schedule: Schedule, now: datetime, count: int = 3) -> list[datetime]:
    if schedule.kind == ScheduleKind.CRON:
        return cron.next_cron_times(schedule.cron, schedule.timezone, now, count)
    return cron.next_interval_times(_every_s(schedule), now, count)


def schedule_fire(*, schedule_id: Uuid, now: datetime | None = None) -> Run | None:
    """Beat's firing: start the run of the tick `now` belongs to, once however many beats fire it.

    The idempotency key names the tick, so a second firing of it returns the first run. A cron
    firing later than the grace after its tick (beat was down) follows AUTOMATEOS_SCHEDULE_MISSED.
    """
    schedule = Schedule.objects.select_related("workflow__owner").filter(pk=schedule_id).first()
    if schedule is None:
        # Its workflow was deleted (the cascade does not reach beat's table): stop the firings.
        PeriodicTask.objects.filter(name=task_name(schedule_id)).delete()
        return None
    if not schedule.enabled:
        return None
    now = now or timezone.now()
    tick = schedule_tick(schedule, now)
    late_s = (now - tick).total_seconds()
    missed = schedule.kind == ScheduleKind.CRON and late_s > settings.AUTOMATEOS["SCHEDULE_GRACE_S"]
    if missed and settings.AUTOMATEOS["SCHEDULE_MISSED"] == "skip":
        logger.info("schedule %s: tick %s missed (%.0f s late), skipped", schedule.pk, iso_ms(tick), late_s)
        return None
    return _start(schedule, tick, now)


def _start(schedule: Schedule, tick: datetime, now: datetime) -> Run | None:
    data: dict[str, Any] = {"scheduledAt": iso_ms(tick), "firedAt": iso_ms(now), "timezone": schedule.timezone}
    if schedule.kind == ScheduleKind.CRON:
        data["cron"] = schedule.cron
    else:
        data["interval"] = {"every": schedule.interval_every, "unit": schedule.interval_unit}
    done = Schedule.objects.filter(pk=schedule.pk)
    try:
        run, created = run_start(
            owner=schedule.workflow.owner,
            workflow_id=schedule.workflow_id,
            payload={},
            trigger=RunTrigger.SCHEDULE,
            trigger_data=data,
            idempotency_key=f"schedule:{schedule.pk}:{iso_ms(tick)}",
        )
    except ApplicationError as exc:
        # Nobody is there to read an error (a locked vault, a graph that no longer compiles): keep it.
        done.update(last_tick=tick, last_fired_at=now, last_error=exc.message[:2000])
        return None
    if created:
        done.update(last_tick=tick, last_fired_at=now, last_run_id=run.pk, last_error="")
    return run
