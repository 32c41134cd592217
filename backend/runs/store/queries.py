"""The PostgreSQL store's statements, each named and documented: what it changes, its guard, its index."""

from __future__ import annotations

from dataclasses import dataclass

from backend.core.lookups import guarded
from backend.runs.models import Run, RunEvent, Step


@dataclass(frozen=True)
class Statement:
    """One named statement. Run through `prepared_cursor`, PostgreSQL parses and plans it once per
    connection; its parameters are `%(name)s` placeholders."""

    name: str
    doc: str
    sql: str


_STEP = Step._meta.db_table
_RUN = Run._meta.db_table
_EVENT = RunEvent._meta.db_table
STEP_COLUMNS = [f.column for f in Step._meta.concrete_fields]
RUN_COLUMNS = [
    "id", "owner_id", "workflow_id", "status", "trigger", "trigger_data", "workflow_version", "graph", "plan",
    "variables", "payload",
    "idempotency_key", "request_hash", "request_id", "error", "event_seq", "steps_remaining", "steps_failed",
    "vault_grant", "created_at", "updated_at", "started_at", "finished_at",
]  # fmt: skip
JSON_COLUMNS = {"graph", "plan", "variables", "payload", "trigger_data"}

# A status compared as an expression no index covers (the `status__guard` lookup's form): each
# guarded row is reached through its key, and PostgreSQL re-checks the expression after waiting on
# a concurrent writer's row lock, as it would the column.
_STATUS = guarded("status")
_ACTIVE = f"{_STATUS} IN ('queued', 'running')"
# A finish that takes the run's last remaining step while it is active closes it.
_CLOSING = f"steps_remaining <= 1 AND {_ACTIVE}"
# The step ids of `%(nodes)s` in the run `{run}`, each found by one lookup of the whole
# (run_id, node_id) key. With `node_id = ANY(…)` the planner, whose statistics say a run has a step
# or two, read every step of the run by run_id and filtered: a cost per finish that grew with the graph.
_NODES_OF = """SELECT (SELECT id FROM {step} WHERE run_id = {run} AND node_id = node)
    FROM unnest(%({nodes})s::text[]) AS node"""
# Drafts numbered from 1, as `drafts_json` writes them.
_DRAFTS = """jsonb_to_recordset(%(events)s::jsonb) AS d(i int, ts timestamptz, level text, node_id text, type text,
                                                     message text, data jsonb)"""
# The run's terminal event, from a CTE `r` that returned the closed run's id, event_seq and status.
_TERMINAL_EVENT = f"""INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, r.event_seq, %(now)s, CASE WHEN r.status = 'failed' THEN 'error' ELSE 'info' END, '',
         'run_' || r.status, 'run ' || r.status, '{{}}'::jsonb
  FROM r"""  # noqa: S608 - identifiers come from our own models

STORE_RUN = Statement(
    "store_run",
    """Inserts a run, its steps and its first events; returns the ids of the steps `ready` names.
    No guard: a second run with the same owner and idempotency key fails on
    run_unique_idempotency_key_per_owner. Reads no index.""",
    f"""
WITH r AS (
  INSERT INTO {_RUN} ({", ".join(RUN_COLUMNS)})
  VALUES ({", ".join(f"%({c})s::jsonb" if c in JSON_COLUMNS else f"%({c})s" for c in RUN_COLUMNS)})
  RETURNING id
), s AS (
  INSERT INTO {_STEP} (run_id, node_id, kind, label, position, status, attempt, config, dependencies, successors,
                       pending_deps, live_inputs, first_input, ports, queued_at, started_at, finished_at,
                       duration_ms, output, error)
  SELECT r.id, d.node_id, d.kind, d.label, d.position, d.status, d.attempt, d.config, d.dependencies, d.successors,
         d.pending_deps, d.live_inputs, d.first_input, d.ports, %(created_at)s, d.started_at, d.finished_at,
         d.duration_ms, d.output, ''
  FROM r, jsonb_to_recordset(%(steps)s::jsonb) AS d(
    node_id text, kind text, label text, position int, status text, attempt int, config jsonb, dependencies jsonb,
    successors jsonb, pending_deps int, live_inputs int, first_input boolean, ports jsonb, started_at timestamptz,
    finished_at timestamptz, duration_ms int, output jsonb)
  RETURNING id, node_id
), e AS (
  INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, d.i, %(created_at)s, d.level, d.node_id, d.type, d.message, d.data
  FROM r, jsonb_to_recordset(%(events)s::jsonb) AS d(i int, level text, node_id text, type text, message text,
                                                       data jsonb)
)
SELECT id FROM s WHERE node_id = ANY(%(ready)s)
""",  # noqa: S608 - identifiers come from our own models
)

CLAIM = Statement(
    "claim",
    """Step queued → running with attempt + 1 and a heartbeat from the database clock (which the
    reaper reads); its run queued/running → running with one event reserved, and that event
    (step_started). Returns the step's columns and the run's fields a node needs (never the plan); the
    run's are NULL when it is not active. Guards: the step's own status (re-checked after a lock wait,
    so a duplicate delivery claims nothing), then the run's status. Index: runs_step_pkey, runs_run_pkey.""",
    f"""
WITH s AS (
  UPDATE {_STEP} SET status = 'running', attempt = attempt + 1, started_at = %(now)s, heartbeat_at = now()
  WHERE id = %(step_id)s AND {_STATUS} = 'queued'
  RETURNING {", ".join(STEP_COLUMNS)}
), r AS (
  UPDATE {_RUN} SET status = 'running', started_at = COALESCE(started_at, %(now)s), event_seq = event_seq + 1
  WHERE id = (SELECT run_id FROM s) AND {_ACTIVE}
  RETURNING id, owner_id, workflow_id, status, payload, variables, trigger_data, event_seq, started_at
), e AS (
  INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, r.event_seq, %(now)s, 'info', s.node_id, 'step_started',
         COALESCE(NULLIF(s.label, ''), s.node_id) || ' started', jsonb_build_object('attempt', s.attempt)
  FROM r, s
)
SELECT {", ".join(f"s.{c}" for c in STEP_COLUMNS)},
       r.id, r.owner_id, r.workflow_id, r.status, r.payload::text, r.variables::text, r.trigger_data::text,
       r.event_seq, r.started_at
FROM s LEFT JOIN r ON true
""",  # noqa: S608 - identifiers come from our own models
)

FINISH_SUCCEEDED = Statement(
    "finish_succeeded",
    """Step running → succeeded with its output; each successor's pending count down by one and its
    delivered inputs up by one (queued_at stamped when it reaches zero, for the lost-message
    watchdog); the run's counters moved, the drafts stored, and the run closed (with its terminal
    event last) when this was its last step. Returns (last event seq, steps remaining, run status,
    successors now ready, closed). Guards: the step's
    attempt and status; the close's `steps_remaining <= 1` and active status, read from the run row this
    statement locked (re-read after waiting on a concurrent finish), so steps_failed includes a failure
    committed meanwhile. Locks step → successors → run. Index: runs_step_pkey,
    step_unique_node_per_run, runs_run_pkey.""",
    f"""
WITH s AS (
  UPDATE {_STEP} SET status = 'succeeded', output = %(output)s::jsonb, error = '', finished_at = %(now)s,
         duration_ms = %(duration)s
  WHERE id = %(step_id)s AND attempt = %(attempt)s AND {_STATUS} = 'running'
  RETURNING run_id
), n AS (
  UPDATE {_STEP} SET pending_deps = pending_deps - 1, live_inputs = live_inputs + 1,
         queued_at = CASE WHEN pending_deps = 1 THEN %(now)s ELSE queued_at END
  WHERE id IN ({_NODES_OF.format(step=_STEP, run="(SELECT run_id FROM s)", nodes="successors")})
  RETURNING id, pending_deps, status, live_inputs, first_input
), r AS (
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
  FROM r, {_DRAFTS}
), t AS (
  {_TERMINAL_EVENT} WHERE r.closed
)
SELECT r.event_seq, r.steps_remaining, r.status,
       ARRAY(SELECT id FROM n WHERE status = 'queued' AND (pending_deps = 0 OR (first_input AND live_inputs = 1))),
       r.closed
FROM r
""",  # noqa: S608 - identifiers come from our own models
)

FINISH_STEP = Statement(
    "finish_step",
    """Step running → failed or cancelled with its error (and any partial output). Returns the run id.
    Guard: the step's attempt and status, so a stale attempt or a step the reaper re-queued writes
    nothing. Index: runs_step_pkey.""",
    f"""
UPDATE {_STEP} SET status = %(status)s, output = %(output)s::jsonb, error = %(error)s, finished_at = %(now)s,
       duration_ms = %(duration)s
WHERE id = %(step_id)s AND attempt = %(attempt)s AND {_STATUS} = 'running'
RETURNING run_id
""",  # noqa: S608 - identifiers come from our own models
)

SKIP_QUEUED = Statement(
    "skip_queued",
    """Queued steps among `nodes` of the run → skipped; returns exactly the rows it moved (node_id,
    position). Guard: the step's own status: of two failing parents of one join, the second waits on
    the first's row lock, re-checks `queued` and moves nothing, so the join is skipped and counted
    once. Index: step_unique_node_per_run, then runs_step_pkey.""",
    f"""
UPDATE {_STEP} SET status = 'skipped', finished_at = %(now)s
WHERE id IN ({_NODES_OF.format(step=_STEP, run="%(run_id)s", nodes="nodes")}) AND {_STATUS} = 'queued'
RETURNING node_id, position
""",  # noqa: S608 - identifiers come from our own models
)

MOVE_COUNTERS = Statement(
    "move_counters",
    """The run's event counter up by the number of drafts, steps_remaining down by `done` and
    steps_failed up by `failed`, under one row lock; stores the drafts numbered up to the new counter.
    Returns (event_seq, steps_remaining, status); no row when the run does not exist. No guard: counters
    move whatever the run's status. Index: runs_run_pkey.""",
    f"""
WITH r AS (
  UPDATE {_RUN} SET event_seq = event_seq + %(count)s, steps_remaining = steps_remaining - %(done)s,
         steps_failed = steps_failed + %(failed)s
  WHERE id = %(run_id)s
  RETURNING id, event_seq, steps_remaining, status
), e AS (
  INSERT INTO {_EVENT} (run_id, seq, ts, level, node_id, type, message, data)
  SELECT r.id, r.event_seq - %(count)s + d.i, COALESCE(d.ts, %(now)s), d.level, d.node_id, d.type, d.message, d.data
  FROM r, {_DRAFTS}
)
SELECT event_seq, steps_remaining, status FROM r
""",  # noqa: S608 - identifiers come from our own models
)

CLOSE = Statement(
    "close",
    """Run queued/running → succeeded, or failed when steps_failed (which every failure moved under
    this row's lock) says so, with its terminal event. Returns (terminal event seq, status) when this
    call closed the run. Guard: the run's active status, so a run closes once. Index: runs_run_pkey.""",
    f"""
WITH r AS (
  UPDATE {_RUN} SET status = CASE WHEN steps_failed > 0 THEN 'failed' ELSE 'succeeded' END, finished_at = %(now)s,
         error = CASE WHEN steps_failed > 0 THEN 'a step failed' ELSE '' END, event_seq = event_seq + 1
  WHERE id = %(run_id)s AND {_ACTIVE}
  RETURNING id, event_seq, status
), e AS (
  {_TERMINAL_EVENT}
)
SELECT event_seq, status FROM r
""",  # noqa: S608 - identifiers come from our own models
)


def token_lookup() -> Statement:
    """Built on first use: the user model is only known once the apps are loaded."""
    from django.contrib.auth import get_user_model

    from backend.accounts.models import ApiToken
    from backend.core.rows import columns

    user_model = get_user_model()
    user_pk = user_model._meta.pk.column if user_model._meta.pk else "id"
    return Statement(
        "token_lookup",
        """The unrevoked API token with lookup `%(lookup)s` and its user, in one query: it runs on every
        API request. Changes nothing. Reads accounts_apitoken's unique lookup index, then the user by
        its primary key.""",
        f"""
SELECT {columns(ApiToken, "t")}, {columns(user_model, "u")}
FROM {ApiToken._meta.db_table} t JOIN {user_model._meta.db_table} u ON u.{user_pk} = t.user_id
WHERE t.lookup = %(lookup)s AND t.revoked_at IS NULL
""",  # noqa: S608 - identifiers come from our own models
    )
