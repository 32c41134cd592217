"""Celery adapters: ids in, one engine call each."""

from __future__ import annotations

from backend.config.celery import app


@app.task(name="workers.run_step", ignore_result=True, acks_late=True)
def run_step(step_id: int) -> None:
    from workers.engine import execute_step

    execute_step(step_id)
