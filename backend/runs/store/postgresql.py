"""The PostgreSQL store: each hot state change is one prepared data-modifying statement (queries.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from django.db import connections
from django.utils import timezone

from backend.core.prepared import prepared_cursor
from backend.core.rows import from_row
from backend.core.types import Uuid
from backend.events.publisher import EventDraft
from backend.runs.models import Run, Step
from backend.runs.states import RUN_ACTIVE, StepStatus
from backend.runs.store import queries
from backend.runs.store.base import Claimed, Closed, Finished, StepOutcome, skipped_drafts
from backend.runs.store.common import CommonStore
from backend.runs.store.queries import Statement


class PostgreSQLStore(CommonStore):
    """One round trip per store, claim, successful finish and close, atomic as a single statement and
    correct inside a caller's transaction too. A failure or a cancel (rarer, and with descendants to
    skip) is a short transaction of named statements."""

    def store_run(
        self, *, run: Run, steps: Sequence[Step], drafts: Sequence[EventDraft], ready_nodes: Sequence[str],
        now: datetime,
    ) -> list[int]:  # fmt: skip
        params: dict[str, Any] = {c: getattr(run, c) for c in queries.RUN_COLUMNS if c not in queries.JSON_COLUMNS}
        params.update({c: json.dumps(getattr(run, c)) for c in queries.JSON_COLUMNS})
        params.update(steps=json.dumps([_step_row(s) for s in steps]), events=drafts_json(drafts))
        params["ready"] = list(ready_nodes)
        with self._confined():
            rows = self._execute(queries.STORE_RUN, params)
        run._state.adding, run._state.db = False, self.using
        return [row[0] for row in rows]

    def claim_step(self, *, step_id: int, now: datetime) -> Claimed | None:
        rows = self._execute(queries.CLAIM, {"now": now, "step_id": step_id})
        if not rows:
            return None
        width = len(queries.STEP_COLUMNS)
        step = from_row(Step, rows[0][:width])
        run_id, owner_id, workflow_id, status, payload, variables, trigger_data, event_seq, started_at = rows[0][width:]
        if run_id is None:
            self.cancel_claimed(step=step, now=now)
            return None
        run = Run(
            id=run_id, owner_id=owner_id, workflow_id=workflow_id, status=status, payload=json.loads(payload),
            variables=json.loads(variables), trigger_data=json.loads(trigger_data), event_seq=event_seq,
            started_at=started_at,
        )  # fmt: skip
        return Claimed(step=step, run=run)

    def finish_step(self, outcome: StepOutcome) -> Finished | None:
        if outcome.dead or outcome.handled:
            return self.finish_branching(outcome)
        if outcome.status == StepStatus.SUCCEEDED:
            with self._confined():
                return self._finish_succeeded(outcome)
        with self.atomic():
            return self._finish_otherwise(outcome)

    def _finish_succeeded(self, o: StepOutcome) -> Finished | None:
        params = {
            "output": json.dumps(o.output), "now": o.now, "duration": o.duration_ms, "step_id": o.step_id,
            "attempt": o.attempt, "successors": list(o.successors), "count": len(o.drafts),
            "events": drafts_json(o.drafts),
        }  # fmt: skip
        rows = self._execute(queries.FINISH_SUCCEEDED, params)
        if not rows:
            return None
        last_seq, _remaining, status, ready, closed = rows[0]
        # The last step closed its run in the same statement; a closed or ended run enqueues nothing.
        ready = list(ready or []) if status in RUN_ACTIVE else []
        return Finished(last_seq=int(last_seq), run_status=str(status), ready=ready, closed=bool(closed))

    def _finish_otherwise(self, o: StepOutcome) -> Finished | None:
        output = None if o.output is None else json.dumps(o.output)
        params = {"status": o.status, "output": output, "error": o.error, "now": o.now, "duration": o.duration_ms,
                  "step_id": o.step_id, "attempt": o.attempt}  # fmt: skip
        if not self._execute(queries.FINISH_STEP, params):
            return None
        skipped = self._skip(o)
        counters = self.move_counters(
            run_id=o.run_id, drafts=[*o.drafts, *skipped_drafts(o, skipped)], now=o.now, done=1 + len(skipped),
            failed=int(o.status == StepStatus.FAILED),
        )  # fmt: skip
        return self.settle(run_id=o.run_id, counters=counters, ready=[], now=o.now)

    def _skip(self, o: StepOutcome) -> list[str]:
        if not o.descendants:
            return []
        rows = self._execute(queries.SKIP_QUEUED, {"run_id": str(o.run_id), "nodes": list(o.descendants), "now": o.now})
        return [node_id for node_id, _ in sorted(rows, key=lambda row: row[1])]

    def close_run(self, *, run_id: Uuid, now: datetime) -> Closed | None:
        rows = self._execute(queries.CLOSE, {"run_id": str(run_id), "now": now})
        return Closed(seq=int(rows[0][0]), status=str(rows[0][1])) if rows else None

    def append_events(self, *, run_id: Uuid, drafts: Sequence[EventDraft]) -> int:
        return int(self.move_counters(run_id=run_id, drafts=drafts, now=timezone.now(), done=0, failed=0)[0])

    def move_counters(
        self, *, run_id: Uuid, drafts: Sequence[EventDraft], now: datetime, done: int, failed: int
    ) -> tuple[Any, ...]:
        params = {"run_id": str(run_id), "count": len(drafts), "done": done, "failed": failed, "now": now,
                  "events": drafts_json(drafts)}  # fmt: skip
        rows = self._execute(queries.MOVE_COUNTERS, params)
        if not rows:
            raise LookupError(f"run {run_id} does not exist")
        return tuple(rows[0])

    def _execute(self, statement: Statement, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        with prepared_cursor(self.using) as cursor:
            cursor.execute(statement.sql, params)
            return list(cursor.fetchall())

    def _confined(self) -> AbstractContextManager[Any]:
        """A savepoint around a statement whose error the caller handles (a unique key on store, data
        PostgreSQL refuses on finish), only inside a caller's transaction: there an error would abort
        the whole transaction; in autocommit the statement is atomic on its own and costs no more."""
        return self.atomic() if connections[self.using].in_atomic_block else nullcontext()


def drafts_json(drafts: Sequence[EventDraft]) -> str:
    """Drafts as the JSON rows the statements' jsonb_to_recordset reads, numbered from 1."""
    return json.dumps(
        [
            {"i": i + 1, "ts": d.ts.isoformat() if d.ts else None, "level": d.level, "node_id": d.node_id,
             "type": d.type, "message": d.message, "data": d.data}
            for i, d in enumerate(drafts)
        ]
    )  # fmt: skip


def _step_row(step: Step) -> dict[str, Any]:
    started, finished = step.started_at, step.finished_at
    return {
        "node_id": step.node_id, "kind": step.kind, "label": step.label, "position": step.position,
        "status": step.status, "attempt": step.attempt, "config": step.config, "dependencies": step.dependencies,
        "successors": step.successors, "pending_deps": step.pending_deps, "live_inputs": step.live_inputs,
        "first_input": step.first_input,
        "ports": step.ports, "duration_ms": step.duration_ms,
        "started_at": started.isoformat() if started else None,
        "finished_at": finished.isoformat() if finished else None, "output": step.output,
    }  # fmt: skip
