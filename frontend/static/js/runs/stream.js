/** Pure run-stream reducer: (state, event) -> state, and the queries the run views make of that state. */

// The state never depends on the order events arrive in: log lines are kept sorted and unique by
// `seq` (stream_log.js; a websocket reconnect or an overlapping poll never doubles a line), and a
// step's status only moves on an event newer than the one that last set it.

import { formatDuration } from "./format.js";
import { hasSeq, insertLog, isEvent, mergeLogs, toLine } from "./stream_log.js";

// The formatters were this module's before they moved to format.js; callers and tests import them here.
export { formatDuration, formatLogLine, formatTime } from "./format.js";

export const TERMINAL_EVENTS = Object.freeze(["run_succeeded", "run_failed", "run_cancelled"]);
export const TERMINAL_STATUSES = Object.freeze(["succeeded", "failed", "cancelled"]);

const STEP_EVENT_STATUS = Object.freeze({
  step_started: "running",
  step_succeeded: "succeeded",
  step_failed: "failed",
  step_skipped: "skipped",
  step_cancelled: "cancelled",
  step_requeued: "queued",
  step_waiting: "waiting",
});

const RUN_EVENT_STATUS = Object.freeze({
  run_succeeded: "succeeded",
  run_failed: "failed",
  run_cancelled: "cancelled",
});

/** An empty run state; `steps` may seed the list (e.g. from the graph) before any event. */
export function initialState({ runId = null, steps = [] } = {}) {
  const state = {
    runId,
    status: "queued",
    terminal: false,
    steps: {},
    order: [],
    logs: [],
    lastSeq: 0,
    createdAt: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    firstError: null,
    endMessage: null,
  };
  return steps.reduce((acc, s) => withStep(acc, s.nodeId ?? s.id, s), state);
}

/** A state seeded from a run document (`GET /v1/runs/<id>`): its steps, its logs, its status. */
export function fromDocument(doc) {
  let state = initialState({ runId: doc.id ?? doc.runId ?? null });
  const docSeq = doc.lastSeq ?? 0;
  // The server reads the steps before the events, so a step's stored status may be older than the
  // document's last event: it ranks below every event, and the events in `logs` settle it.
  for (const step of doc.steps ?? []) {
    state = withStep(state, step.nodeId, {
      name: step.name,
      kind: step.kind,
      status: step.status,
      statusSeq: 0,
      durationMs: step.durationMs ?? null,
      startedAt: step.startedAt ?? null,
      finishedAt: step.finishedAt ?? null,
      error: step.error ?? null,
      attempt: step.attempt ?? 0,
      output: step.output,
      hasOutput: Object.prototype.hasOwnProperty.call(step, "output"),
    });
  }
  state = { ...state, createdAt: doc.createdAt ?? null, startedAt: doc.startedAt ?? null };
  state = applyEvents(state, doc.logs ?? []);
  const status = doc.status ?? state.status;
  const terminal = TERMINAL_STATUSES.includes(status);
  state = {
    ...state,
    status: state.terminal ? state.status : status,
    terminal: state.terminal || terminal,
    finishedAt: state.finishedAt ?? doc.finishedAt ?? null,
    durationMs: doc.durationMs ?? state.durationMs,
    lastSeq: Math.max(state.lastSeq, docSeq),
  };
  if (!state.firstError) {
    const failed = (doc.steps ?? []).find((s) => s.status === "failed" && s.error);
    if (failed) state = { ...state, firstError: `${failed.name || failed.nodeId}: ${failed.error}` };
    else if (doc.error) state = { ...state, firstError: doc.error };
  }
  return { ...state, endMessage: state.terminal ? endMessage(state) : null };
}

function withStep(state, nodeId, fields) {
  if (!nodeId) return state;
  const prev = state.steps[nodeId];
  const step = {
    nodeId,
    name: nodeId,
    kind: null,
    status: "queued",
    statusSeq: 0,
    durationMs: null,
    startedAt: null,
    finishedAt: null,
    error: null,
    attempt: 0,
    ...prev,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
  if (fields.label && !fields.name) step.name = fields.label;
  return {
    ...state,
    steps: { ...state.steps, [nodeId]: step },
    order: prev ? state.order : [...state.order, nodeId],
  };
}

/** Apply one RunEvent `{seq, ts, level, type, msg, nodeId?, data?}`; a seen `seq` changes nothing. */
export function reduce(state, event) {
  if (!isEvent(event) || hasSeq(state.logs, event.seq)) return state;
  return applyMeta({ ...state, logs: insertLog(state.logs, event) }, event);
}

/** Apply a list of events (any order, duplicates allowed): one merge of the log, then the steps. */
export function applyEvents(state, events) {
  const fresh = new Map();
  for (const event of events ?? []) {
    if (isEvent(event) && !fresh.has(event.seq) && !hasSeq(state.logs, event.seq)) fresh.set(event.seq, event);
  }
  if (!fresh.size) return state;
  const batch = [...fresh.values()].sort((a, b) => a.seq - b.seq);
  const logs = mergeLogs(state.logs, batch.map(toLine));
  return batch.reduce(applyMeta, { ...state, logs });
}

// Everything an event changes except the log itself.
function applyMeta(state, event) {
  let next = { ...state, lastSeq: Math.max(state.lastSeq, event.seq) };
  const stepStatus = STEP_EVENT_STATUS[event.type];
  if (stepStatus && event.nodeId) next = applyStepEvent(next, event, stepStatus);

  if (event.type === "run_queued") {
    next = { ...next, createdAt: next.createdAt ?? event.ts };
  }
  if (event.type === "step_started" && !next.terminal) {
    next = { ...next, status: "running", startedAt: next.startedAt ?? event.ts };
  }
  if ((event.type === "step_failed" || event.type === "run_failed") && !next.firstError) {
    next = { ...next, firstError: errorText(event, next) };
  }
  if (event.type === "run_cancelled") next = settleCancelled(next, event);
  const runStatus = RUN_EVENT_STATUS[event.type];
  if (runStatus) {
    const startedAt = next.startedAt ?? next.createdAt ?? event.ts;
    const durationMs = Math.max(0, Date.parse(event.ts) - Date.parse(startedAt)) || 0;
    next = { ...next, status: runStatus, terminal: true, finishedAt: event.ts, startedAt, durationMs };
    next = { ...next, endMessage: endMessage(next) };
  }
  return next;
}

function applyStepEvent(state, event, status) {
  const prev = state.steps[event.nodeId];
  const newer = !prev || event.seq > prev.statusSeq;
  const fields = {};
  if (newer) {
    fields.status = status;
    fields.statusSeq = event.seq;
  }
  if (event.type === "step_started") {
    if (event.data && typeof event.data.attempt === "number" && newer) fields.attempt = event.data.attempt;
    if (newer) {
      fields.startedAt = event.ts;
      fields.finishedAt = null;
      fields.durationMs = null;
    } else if (!prev.startedAt) {
      fields.startedAt = event.ts; // an older start arriving late fills the gap, never rewinds a finish
    }
  } else if (status !== "queued" && newer) {
    fields.finishedAt = event.ts;
    const ms = event.data && typeof event.data.durationMs === "number" ? event.data.durationMs : null;
    if (ms !== null) fields.durationMs = ms;
    else if (prev?.startedAt && status !== "skipped") {
      fields.durationMs = Math.max(0, Date.parse(event.ts) - Date.parse(prev.startedAt));
    }
    if (status === "failed") fields.error = stripPrefix(event.msg, prev?.name ?? event.nodeId, "failed");
  }
  return withStep(state, event.nodeId, fields);
}

// The stream ends at run_cancelled, but a step that was running records its own step_cancelled a
// moment later: show it cancelled now (a later real event, if one arrives, still wins by seq).
function settleCancelled(state, event) {
  let next = state;
  for (const id of state.order) {
    const step = state.steps[id];
    if ((step.status !== "running" && step.status !== "queued") || step.statusSeq > event.seq) continue;
    const fields = { status: "cancelled", statusSeq: event.seq };
    if (step.startedAt && !step.finishedAt) {
      fields.finishedAt = event.ts;
      fields.durationMs = Math.max(0, Date.parse(event.ts) - Date.parse(step.startedAt)) || 0;
    }
    next = withStep(next, id, fields);
  }
  return next;
}


function stripPrefix(msg, name, word) {
  const text = msg ?? "";
  const prefix = `${name} ${word}: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

function errorText(event, state) {
  if (event.type === "run_failed") return stripPrefix(event.msg, "run", "failed");
  const name = state.steps[event.nodeId]?.name ?? event.nodeId;
  return `${name}: ${stripPrefix(event.msg, name, "failed")}`;
}

/** "Run succeeded in 1.2s", "Run failed: <first error>", "Run cancelled" (null while active). */
export function endMessage(state) {
  if (state.status === "succeeded") {
    return state.durationMs === null || state.durationMs === undefined
      ? "Run succeeded"
      : `Run succeeded in ${formatDuration(state.durationMs)}`;
  }
  if (state.status === "failed") return state.firstError ? `Run failed: ${state.firstError}` : "Run failed";
  if (state.status === "cancelled") return "Run cancelled";
  return null;
}

/** `{nodeId: status}` for the canvas badges. */
export function stepStatuses(state) {
  return Object.fromEntries(state.order.map((id) => [id, state.steps[id].status]));
}

/** Steps in their first-seen order. */
export function stepList(state) {
  return state.order.map((id) => state.steps[id]);
}

export function isTerminalEvent(event) {
  return Boolean(event) && TERMINAL_EVENTS.includes(event.type);
}
