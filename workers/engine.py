"""Orchestration of one step: claim it, build its context, run the executor, record, fan out."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import DataError, close_old_connections, connection
from django.utils.timezone import now as _now

from backend.core.types import Uuid
from backend.events.publisher import EventDraft
from backend.runs.models import Run
from backend.runs.states import RunStatus, StepStatus
from backend.runs.step_services import (
    Claim,
    Outcome,
    descendants_of,
    step_claim,
    step_finish,
    step_park,
    succeeded_inputs,
    upstream_outputs,
)
from workers.context import PreparationError, prepare_node
from workers.executors.base import ERROR_OUTPUT, EngineLimits, NodeFailure, NodeWait
from workers.executors.registry import SPECS, executor_for
from workers.redaction import Redactor
from workers.retry import retry_at
from workers.watch import WATCHER, Watch

logger = logging.getLogger(__name__)
_STEP_REF = re.compile(r"steps\.([A-Za-z0-9_\-]+)")
# A NUL escape in JSON text, not preceded by an escaped backslash (`\\u0000` is the six characters).
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def engine_limits() -> EngineLimits:
    conf = settings.AUTOMATEOS
    return EngineLimits(
        allow_private_networks=conf["ALLOW_PRIVATE_NETWORKS"],
        http_default_timeout_s=conf["HTTP_DEFAULT_TIMEOUT_S"],
        http_max_response_bytes=conf["HTTP_MAX_RESPONSE_BYTES"],
        output_max_bytes=conf["STEP_OUTPUT_MAX_BYTES"],
        egress_allow=tuple(conf["EGRESS_ALLOW"]),
    )


def execute_step(step_id: int) -> None:
    """Run one step end to end. Safe to call twice: the claim lets only one caller through."""
    try:
        _execute(step_id)
    finally:
        # Django's request-cycle rule for a task: drop a broken connection (with the pool, closing
        # only hands it back).
        close_old_connections()


def _execute(step_id: int) -> None:
    claim = step_claim(step_id=step_id)
    if claim is None:
        return
    with WATCHER.watching(claim.step.pk, claim.attempt) as watch:
        watch.run_id = claim.run.pk
        redactor, outcome = _run_node(claim, watch.lines, watch)
    unflushed = watch.take_unflushed()
    if watch.lease_lost:
        return  # fenced off (see Watcher._fence): the reaper re-queues this step
    outcome.logs = [_redact_draft(d, redactor) for d in unflushed]
    outcome.error = outcome.error.replace("\x00", "\ufffd")
    if outcome.status == StepStatus.FAILED:
        outcome = _retry_later(claim, outcome)
    try:
        _finish(claim, outcome)
    except DataError as exc:
        # The database refused what the node produced: fail the step with that reason, rather than
        # leave it running for the reaper to send its request again.
        name = claim.step.label or claim.step.node_id
        error = f'node "{name}": its result could not be stored ({type(exc).__name__})'
        _finish(claim, Outcome(status=StepStatus.FAILED, error=error))


def _retry_later(claim: Claim, outcome: Outcome) -> Outcome:
    """A failed attempt that has retries left parks the step until its retry is due."""
    step, now = claim.step, _now()
    due = retry_at(kind=step.kind, config=step.config or {}, attempt=claim.attempt, now=now)
    if due is None:
        return outcome
    wait = (due - now).total_seconds()
    note = EventDraft(
        type="log",
        level="warn",
        node_id=step.node_id,
        message=f"{step.label or step.node_id} attempt {claim.attempt} failed: {outcome.error}; retrying in {wait:g}s",
        data={"attempt": claim.attempt},
        ts=now,
    )
    return Outcome(status=StepStatus.WAITING, resume_at=due, logs=[*outcome.logs, note])


def _finish(claim: Claim, outcome: Outcome) -> None:
    if outcome.status == StepStatus.WAITING and outcome.resume_at is not None:
        step_park(claim=claim, resume_at=outcome.resume_at, logs=outcome.logs)
        return
    successors, ports = claim.step.successors, claim.step.ports
    on_error = (claim.step.config or {}).get("on_error", "stop")
    handled = outcome.status == StepStatus.FAILED and on_error != "stop"
    failed = outcome.status != StepStatus.SUCCEEDED and not handled
    if handled:
        # The failure is the node's result: its successors read it as {{steps.<id>.error}}.
        outcome.output = {**(outcome.output or {}), "error": outcome.error}
    taken = _taken_outputs(ports, outcome, on_error=on_error, handled=handled)
    descendants = descendants_of(run_id=claim.run.pk, successors=successors) if failed else []
    live, dead = taken_successors(ports, successors, None if failed else taken)
    step_finish(claim=claim, outcome=outcome, descendants=descendants, successors=live, dead=dead, handled=handled)


def _taken_outputs(
    ports: Mapping[str, Any] | None, outcome: Outcome, *, on_error: str, handled: bool
) -> tuple[str, ...] | None:
    """The outputs a finished step takes: a handled failure its error output (or, continuing, every
    other one); a success what its executor chose, never the error output."""
    if not ports:
        return None
    if handled and on_error == "error_output":
        return (ERROR_OUTPUT,)
    chosen = outcome.ports if outcome.ports is not None and not handled else tuple(ports)
    return tuple(p for p in chosen if p != ERROR_OUTPUT)


def taken_successors(
    ports: Mapping[str, Sequence[str]] | None, successors: Sequence[str], taken: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """(successors the taken outputs lead to, the others): every successor when the node has no named
    outputs or took them all. A successor two outputs lead to is reached if either was taken."""
    if not ports or taken is None:
        return list(successors), []
    reached = {node for port in taken for node in ports.get(port, ())}
    return [n for n in successors if n in reached], [n for n in successors if n not in reached]


def _run_node(claim: Claim, logs: list[EventDraft], watch: Watch) -> tuple[Redactor, Outcome]:
    step, run = claim.step, claim.run
    limits = engine_limits()

    def log(level: str, message: str, data: Mapping[str, Any]) -> None:
        # Stamped now, when it happens: a retried step's lines are seconds apart, not all at its finish.
        logs.append(
            EventDraft(type="log", level=level, node_id=step.node_id, message=message, data=dict(data), ts=_now())
        )

    redactor = Redactor()
    name = step.label or step.node_id
    try:
        prepared = prepare_node(
            run_id=str(run.pk),
            owner_id=run.owner_id,
            node={"id": step.node_id, "kind": step.kind, "label": step.label, "config": step.config},
            payload=run.payload,
            variables=run.variables,
            trigger=run.trigger_data,
            upstream=_upstream(claim),
            limits=limits,
            idempotency_key=_idempotency_key(run_id=str(run.pk), node_id=step.node_id),
            log=log,
        )
        redactor = prepared.redactor
        watch.redact = lambda line: _redact_draft(dataclasses.replace(line, data=dict(line.data)), redactor)
        prepared.context.is_cancelled = watch.stopped.is_set
        prepared.context.abort_hooks = watch.abort_hooks
        prepared.context.resume_at = step.resume_at
        _release_pooled_connection()
        result = executor_for(step.kind).run(prepared.context)
        output = cap_output(_redacted_output(redactor, result.output), limits.output_max_bytes)
        return redactor, Outcome(status=StepStatus.SUCCEEDED, output=output, ports=result.ports)
    except NodeWait as wait:
        return redactor, Outcome(status=StepStatus.WAITING, resume_at=wait.resume_at)
    except PreparationError as exc:
        return redactor, Outcome(status=StepStatus.FAILED, error=redactor.redact_text(str(exc)))
    except NodeFailure as exc:
        status = StepStatus.CANCELLED if not watch.lease_lost and _cancelled(run.pk) else StepStatus.FAILED
        output = cap_output(_redacted_output(redactor, exc.output), limits.output_max_bytes) if exc.output else None
        return redactor, Outcome(status=status, output=output, error=redactor.redact_text(exc.message))
    except Exception as exc:
        # The exception text may carry a secret: log the type with the step, never the message.
        logger.error("node %s of run %s crashed: %s", step.node_id, run.pk, type(exc).__name__)
        return redactor, Outcome(
            status=StepStatus.FAILED, error=f'internal error in node "{name}": {type(exc).__name__}'
        )


def _release_pooled_connection() -> None:
    """Give the database connection back to the pool while the node waits on the network, so
    many threads in flight share a few connections; the finish takes one again."""
    if connection.settings_dict.get("OPTIONS", {}).get("pool") and not connection.in_atomic_block:
        connection.close()


def _upstream(claim: Claim) -> dict[str, Any]:
    """Outputs of the steps this node's templates name (`steps.<id>`), fetched in one query; a kind
    that reads its inputs (a merge) gets every dependency that succeeded, first finished first."""
    refs = set(_STEP_REF.findall(json.dumps(claim.step.config))) if claim.step.config else set()
    named = upstream_outputs(run_id=claim.run.pk, node_ids=sorted(refs))
    if not SPECS[claim.step.kind].reads_inputs:
        return named
    return {**succeeded_inputs(run_id=claim.run.pk, node_ids=claim.step.dependencies), **named}


def _idempotency_key(*, run_id: str, node_id: str) -> str:
    # Stable across retries and redeliveries of the same step, distinct across runs and nodes.
    return "aos-" + hashlib.sha256(f"{run_id}:{node_id}".encode()).hexdigest()[:32]


def _cancelled(run_id: Uuid) -> bool:
    return Run.objects.filter(pk=run_id, status__guard=RunStatus.CANCELLED).exists()


def _redacted_output(redactor: Redactor, output: Any) -> Any:
    """The output with every secret form masked; a body the transfer cut short loses a trailing
    start of a secret too (the rest of it was never read, so the redactor could not match it)."""
    redacted = redactor.redact(output)
    if isinstance(redacted, dict) and redacted.get("truncated") and isinstance(redacted.get("body"), str):
        redacted["body"] = redactor.redact_cut(redacted["body"])
    return redacted


def _redact_draft(draft: EventDraft, redactor: Redactor) -> EventDraft:
    draft.message = redactor.redact_text(draft.message).replace("\x00", "\ufffd")
    data = redactor.redact(draft.data)
    draft.data = _storable(data, json.dumps(data, default=str))
    return draft


def _storable(value: Any, text: str) -> Any:
    """`value` (serialised as `text`) as PostgreSQL can store it: it refuses NUL in text and jsonb,
    which a target's response may well contain, so NUL becomes U+FFFD."""
    if "\\u0000" not in text:
        return value
    return json.loads(_NUL_ESCAPE.sub(r"\1\\ufffd", text))


def cap_output(output: Any, max_bytes: int) -> Any:
    """Keep stored outputs bounded and storable: an oversized one becomes a truncated text preview."""
    if output is None:
        return None
    text = json.dumps(output, default=str)
    output = _storable(output, text)
    if len(text.encode()) <= max_bytes:
        return output
    return {"truncated": True, "preview": text.encode()[:max_bytes].decode("utf-8", "ignore")}
