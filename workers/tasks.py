"""Celery adapters: ids in, one engine call each; plus the worker's supervision, liveness and heap hooks."""

from __future__ import annotations

from typing import Any

from celery.signals import worker_init, worker_ready, worker_shutdown

from backend.config.celery import app


@app.task(name="workers.run_step", ignore_result=True, acks_late=True)
def run_step(step_id: int) -> None:
    from workers.engine import execute_step

    execute_step(step_id)


@app.task(name="workers.resume_step", ignore_result=True, acks_late=True)
def resume_step(step_id: int) -> None:
    from backend.runs.step_services import step_resume

    step_resume(step_id=step_id)


@app.task(name="workers.fire_failure_hook", ignore_result=True, acks_late=True)
def fire_failure_hook(run_id: str) -> None:
    from django.db import close_old_connections

    from backend.runs.hook_services import failure_hook_fire

    try:
        failure_hook_fire(run_id=run_id)
    finally:
        close_old_connections()


@worker_init.connect
def _supervise(sender: Any, **_: Any) -> None:
    from workers.supervision import guard

    guard(sender)


@worker_ready.connect
def _freeze_startup_heap(**_: Any) -> None:
    import workers.engine  # noqa: F401 - the first task would import it after the freeze
    from backend.core.heap import freeze_startup_objects

    freeze_startup_objects()


@worker_ready.connect
def _start_beats(**_: Any) -> None:
    from workers import beat

    beat.start()


@worker_shutdown.connect
def _stop_beats(**_: Any) -> None:
    from workers import beat

    beat.stop()


@app.task(name="workers.fire_schedule", ignore_result=True)
def fire_schedule(schedule_id: str) -> None:
    from backend.triggers.schedule_services import schedule_fire

    schedule_fire(schedule_id=schedule_id)
