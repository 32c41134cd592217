"""PostgreSQL single-statement forms of the hot writes: storing a new run, a step's claim, its success.

Each is one data-modifying CTE run in autocommit: atomic as a single statement, with the same
guards as the general ORM path in services.py and step_services.py (which SQLite and the failure
paths use), but one round trip instead of five or six. The guards stay on the step's own columns, so
PostgreSQL re-checks them after waiting on a concurrent writer's row lock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from backend.core.lookups import STATUS_GUARD_SQL
from backend.core.prepared import prepared_cursor
from backend.core.rows import from_row
from backend.events.publisher import EventDraft
from backend.runs.models import Run, RunEvent, Step

_STEP = Step._meta.db_table
_RUN = Run._meta.db_table
_EVENT = RunEvent._meta.db_table
_STEP_COLUMNS = [f.column for f in Step._meta.concrete_fields]
# Status guards are an expression only the primary key can serve (backend/core/lookups.py).
# A finish that takes the run's last remaining step while it is active closes it.
_CLOSING = f"steps_remaining <= 1 AND {STATUS_GUARD_SQL} IN ('queued', 'running')"
# The run's terminal event, from a CTE `r` that returned the closed run's id, event_seq and status.
_TERMINAL_EVENT = f"""INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, r.event_seq, %(now)s, CASE WHEN r.status = 'failed' THEN 'error' ELSE 'info' END, '',
         'run_' || r.status, 'run ' || r.status, '{{}}'::jsonb
  FROM r"""  # noqa: S608 - identifiers come from our own models

CLAIM_SQL = f"""
WITH s AS (
  UPDATE {_STEP} SET status = 'running', attempt = attempt + 1, started_at = %(now)s, heartbeat_at = now()
  WHERE id = %(step_id)s AND {STATUS_GUARD_SQL} = 'queued'
  RETURNING {", ".join(_STEP_COLUMNS)}
), r AS (
  UPDATE {_RUN} SET status = 'running', started_at = COALESCE(started_at, %(now)s), event_seq = event_seq + 1
  WHERE id = (SELECT run_id FROM s) AND {STATUS_GUARD_SQL} IN ('queued', 'running')
  RETURNING id, owner_id, workflow_id, status, payload, variables, event_seq, started_at
), e AS (
  INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, r.event_seq, %(now)s, 'info', s.node_id, 'step_started',
         COALESCE(NULLIF(s.label, ''), s.node_id) || ' started', jsonb_build_object('attempt', s.attempt)
  FROM r, s
)
SELECT {", ".join(f"s.{c}" for c in _STEP_COLUMNS)},
       r.id, r.owner_id, r.workflow_id, r.status, r.payload::text, r.variables::text, r.event_seq, r.started_at
FROM s LEFT JOIN r ON true
"""  # noqa: S608 - identifiers come from our own models

FINISH_SQL = f"""
WITH s AS (
  UPDATE {_STEP} SET status = 'succeeded', output = %(output)s::jsonb, error = '', finished_at = %(now)s,
         duration_ms = %(duration)s
  WHERE id = %(step_id)s AND attempt = %(attempt)s AND {STATUS_GUARD_SQL} = 'running'
  RETURNING run_id
), n AS (
  -- Each successor found by one lookup of the whole (run_id, node_id) key. With `node_id = ANY(…)` the
  -- planner, whose statistics say a run has a step or two, read every step of the run by run_id and
  -- filtered: a cost per finish that grew with the graph.
  UPDATE {_STEP} SET pending_deps = pending_deps - 1,
         queued_at = CASE WHEN pending_deps = 1 THEN %(now)s ELSE queued_at END
  WHERE id IN (
    SELECT (SELECT id FROM {_STEP} WHERE run_id = (SELECT run_id FROM s) AND node_id = successor)
    FROM unnest(%(successors)s::text[]) AS successor
  )
  RETURNING id, pending_deps, status
), r AS (
  -- The last step of an active run closes it here too. Every CASE reads the run row this UPDATE
  -- locked (re-read after waiting for a concurrent finish), so steps_failed includes any failure
  -- committed meanwhile; finished_at = now marks the close for the rest of the statement.
  UPDATE {_RUN} SET
    event_seq = event_seq + %(count)s + CASE WHEN {_CLOSING} THEN 1 ELSE 0 END,
    steps_remaining = steps_remaining - 1,
    status = CASE WHEN {_CLOSING} THEN CASE WHEN steps_failed > 0 THEN 'failed' ELSE 'succeeded' END
             ELSE status END,
    error = CASE WHEN {_CLOSING} AND steps_failed > 0 THEN 'a step failed' ELSE error END,
    finished_at = CASE WHEN {_CLOSING} THEN %(now)s ELSE finished_at END
  WHERE id = (SELECT run_id FROM s)
  RETURNING id, event_seq, steps_remaining, status, finished_at IS NOT DISTINCT FROM %(now)s AS closed
), e AS (
  INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, r.event_seq - %(count)s - CASE WHEN r.closed THEN 1 ELSE 0 END + d.i, COALESCE(d.ts, %(now)s),
         d.level, d.node_id, d.type, d.message, d.data
  FROM r, jsonb_to_recordset(%(events)s::jsonb) AS d(i int, ts timestamptz, level text, node_id text, type text,
                                                       message text, data jsonb)
), t AS (
  {_TERMINAL_EVENT} WHERE r.closed
)
SELECT r.event_seq, r.steps_remaining, r.status,
       ARRAY(SELECT id FROM n WHERE pending_deps = 0 AND status = 'queued'), r.closed
FROM r
"""  # noqa: S608 - identifiers come from our own models


_RUN_COLUMNS = [
    "id", "owner_id", "workflow_id", "status", "trigger", "graph", "plan", "variables", "payload",
    "idempotency_key", "request_hash", "request_id", "error", "event_seq", "steps_remaining", "steps_failed",
    "vault_grant", "created_at",
    "updated_at", "started_at", "finished_at",
]  # fmt: skip
_JSON_COLUMNS = {"graph", "plan", "variables", "payload"}

STORE_RUN_SQL = f"""
WITH r AS (
  INSERT INTO {_RUN} ({", ".join(_RUN_COLUMNS)})
  VALUES ({", ".join(f"%({c})s::jsonb" if c in _JSON_COLUMNS else f"%({c})s" for c in _RUN_COLUMNS)})
  RETURNING id
), s AS (
  INSERT INTO {_STEP} (run_id, node_id, kind, label, position, status, attempt, config, dependencies, successors,
                       pending_deps, queued_at, started_at, finished_at, duration_ms, output, error)
  SELECT r.id, d.node_id, d.kind, d.label, d.position, d.status, d.attempt, d.config, d.dependencies, d.successors,
         d.pending_deps, %(created_at)s, d.started_at, d.finished_at, d.duration_ms, d.output, ''
  FROM r, jsonb_to_recordset(%(steps)s::jsonb) AS d(
    node_id text, kind text, label text, position int, status text, attempt int, config jsonb, dependencies jsonb,
    successors jsonb, pending_deps int, started_at timestamptz, finished_at timestamptz, duration_ms int,
    output jsonb)
  RETURNING id, node_id
), e AS (
  INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, d.i, %(created_at)s, d.level, d.node_id, d.type, d.message, d.data
  FROM r, jsonb_to_recordset(%(events)s::jsonb) AS d(i int, level text, node_id text, type text, message text,
                                                       data jsonb)
)
SELECT id FROM s WHERE node_id = ANY(%(ready)s)
"""  # noqa: S608 - identifiers come from our own models


CLOSE_SQL = f"""
WITH r AS (
  UPDATE {_RUN} SET status = CASE WHEN steps_failed > 0 THEN 'failed' ELSE 'succeeded' END, finished_at = %(now)s,
         error = CASE WHEN steps_failed > 0 THEN 'a step failed' ELSE '' END, event_seq = event_seq + 1
  WHERE id = %(run_id)s AND {STATUS_GUARD_SQL} IN ('queued', 'running')
  RETURNING id, event_seq, status
), e AS (
  {_TERMINAL_EVENT}
)
SELECT event_seq, status FROM r
"""  # noqa: S608 - identifiers come from our own models


def enabled() -> bool:
    # Outside a transaction only: inside one (a test's, a caller's) the ORM path keeps its semantics.
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def store_run(
    *, run: Run, steps: Sequence[Step], drafts: Sequence[EventDraft], ready_nodes: Sequence[str], now: datetime
) -> list[int]:
    """Insert the run, its steps and its first events; returns the ids of the steps `ready_nodes` names.

    A second run with the same owner and idempotency key raises IntegrityError, as the ORM path does.
    """
    params: dict[str, Any] = {c: getattr(run, c) for c in _RUN_COLUMNS if c not in _JSON_COLUMNS}
    params.update({c: json.dumps(getattr(run, c)) for c in _JSON_COLUMNS})
    params["steps"] = json.dumps([_step_row(step) for step in steps])
    params["events"] = _event_rows(drafts)
    params["ready"] = list(ready_nodes)
    with prepared_cursor() as cursor:
        cursor.execute(STORE_RUN_SQL, params)
        ready = [row[0] for row in cursor.fetchall()]
    run._state.adding, run._state.db = False, connection.alias
    return ready


def _event_rows(drafts: Sequence[EventDraft]) -> str:
    """Drafts as the JSON rows the statements' jsonb_to_recordset reads, numbered from 1."""
    return json.dumps(
        [
            {
                "i": i + 1,
                "ts": d.ts.isoformat() if d.ts else None,
                "level": d.level,
                "node_id": d.node_id,
                "type": d.type,
                "message": d.message,
                "data": d.data,
            }
            for i, d in enumerate(drafts)
        ]
    )


def _step_row(step: Step) -> dict[str, Any]:
    started, finished = step.started_at, step.finished_at
    return {
        "node_id": step.node_id, "kind": step.kind, "label": step.label, "position": step.position,
        "status": step.status, "attempt": step.attempt, "config": step.config, "dependencies": step.dependencies,
        "successors": step.successors, "pending_deps": step.pending_deps, "duration_ms": step.duration_ms,
        "started_at": started.isoformat() if started else None,
        "finished_at": finished.isoformat() if finished else None, "output": step.output,
    }  # fmt: skip


def claim(*, step_id: int, now: datetime) -> tuple[Step, Run | None] | None:
    """The claimed step and its (now running) run; the run is None when it is no longer active."""
    with prepared_cursor() as cursor:
        cursor.execute(CLAIM_SQL, {"now": now, "step_id": step_id})
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(_STEP_COLUMNS)
    step = from_row(Step, row[:width])
    run_id, owner_id, workflow_id, status, payload, variables, event_seq, started_at = row[width:]
    if run_id is None:
        return step, None
    run = Run(
        id=run_id, owner_id=owner_id, workflow_id=workflow_id, status=status, payload=json.loads(payload),
        variables=json.loads(variables), event_seq=event_seq, started_at=started_at,
    )  # fmt: skip
    return step, run


def finish_succeeded(
    *, step_id: int, attempt: int, output: Any, duration_ms: int, now: datetime, successors: Sequence[str],
    drafts: Sequence[EventDraft],
) -> tuple[int, int, str, list[int], bool] | None:  # fmt: skip
    """(last event seq, steps remaining, run status, ready successor ids, whether this closed the run),
    or None when stale."""
    params = {
        "output": json.dumps(output), "now": now, "duration": duration_ms, "step_id": step_id,
        "attempt": attempt, "successors": list(successors), "count": len(drafts), "events": _event_rows(drafts),
    }  # fmt: skip
    with prepared_cursor() as cursor:
        cursor.execute(FINISH_SQL, params)  # type: ignore[arg-type]
        row = cursor.fetchone()
    if row is None:
        return None
    return int(row[0]), int(row[1]), str(row[2]), list(row[3] or []), bool(row[4])


def close_run(*, run_id: Any, now: datetime) -> tuple[int, str] | None:
    """(terminal event seq, final status) when this call closed the run; None when it was not active.

    Failed or not comes from the run's steps_failed, which every failure moved under this row's lock.
    """
    with prepared_cursor() as cursor:
        cursor.execute(CLOSE_SQL, {"run_id": str(run_id), "now": now})
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None
