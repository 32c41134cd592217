// Run-stream reducer: de-duplication by seq, ordering, step statuses, durations, terminal detection.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  applyEvents,
  endMessage,
  formatDuration,
  formatLogLine,
  fromDocument,
  initialState,
  isTerminalEvent,
  reduce,
  stepList,
  stepStatuses,
} from "../../frontend/static/js/runs/stream.js";

const T0 = Date.parse("2026-01-02T03:04:05.000Z");
const ts = (ms) => new Date(T0 + ms).toISOString();
const ev = (seq, type, extra = {}) => ({ seq, ts: ts(seq * 100), level: "info", type, msg: `${type} ${seq}`, ...extra });

function successfulRun() {
  return [
    ev(1, "run_queued", { msg: "run queued (3 steps)" }),
    ev(2, "step_succeeded", { nodeId: "start", msg: "Start succeeded", data: {} }),
    ev(3, "step_started", { nodeId: "ping", msg: "Ping started", data: { attempt: 1 } }),
    ev(4, "log", { nodeId: "ping", msg: "POST https://hooks.example.test/x", data: {} }),
    ev(5, "step_succeeded", { nodeId: "ping", msg: "Ping succeeded in 250 ms", data: { durationMs: 250 } }),
    ev(6, "step_started", { nodeId: "post", msg: "Post started", data: { attempt: 1 } }),
    ev(7, "step_succeeded", { nodeId: "post", msg: "Post succeeded in 1234 ms", data: { durationMs: 1234 } }),
    { ...ev(8, "run_succeeded", { msg: "run succeeded" }), ts: ts(300 + 1500) },
  ];
}

test("formatDuration: Nms under a second, X.Ys from one second, one decimal", () => {
  assert.equal(formatDuration(0), "0ms");
  assert.equal(formatDuration(7), "7ms");
  assert.equal(formatDuration(999), "999ms");
  assert.equal(formatDuration(999.6), "1.0s");
  assert.equal(formatDuration(1000), "1.0s");
  assert.equal(formatDuration(1234), "1.2s");
  assert.equal(formatDuration(1250), "1.3s");
  assert.equal(formatDuration(61_000), "61.0s");
  assert.equal(formatDuration(null), "");
  assert.equal(formatDuration(undefined), "");
});

test("formatLogLine: HH:MM:SS.mmm [LEVEL] message", () => {
  const line = { ts: "2026-01-02T03:04:05.067Z", level: "warn", msg: "slow answer" };
  assert.equal(formatLogLine(line, { utc: true }), "03:04:05.067 [WARN] slow answer");
  assert.equal(formatLogLine({ ...line, level: "info" }, { utc: true }), "03:04:05.067 [INFO] slow answer");
  assert.match(formatLogLine(line), /^\d\d:\d\d:\d\d\.\d{3} \[WARN\] slow answer$/);
});

test("a full run: statuses, durations, ordered log, terminal with the end message", () => {
  const state = successfulRun().reduce(reduce, initialState({ runId: "r1" }));
  assert.deepEqual(stepStatuses(state), { start: "succeeded", ping: "succeeded", post: "succeeded" });
  assert.equal(state.steps.ping.durationMs, 250);
  assert.equal(state.steps.post.durationMs, 1234);
  assert.equal(formatDuration(state.steps.post.durationMs), "1.2s");
  assert.deepEqual(state.logs.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(state.status, "succeeded");
  assert.equal(state.terminal, true);
  assert.equal(state.lastSeq, 8);
  // started at the first step_started (seq 3, +300 ms), ended 1.5 s later
  assert.equal(state.durationMs, 1500);
  assert.equal(state.endMessage, "Run succeeded in 1.5s");
});

test("the same events twice (reconnect, poll overlap) never double a line", () => {
  const events = successfulRun();
  let state = initialState();
  state = applyEvents(state, events.slice(0, 5));
  state = applyEvents(state, events.slice(2, 7)); // overlap 3..5
  for (const e of events.slice(3, 8)) state = reduce(state, e); // overlap again, one by one
  state = reduce(state, events[0]);
  assert.deepEqual(state.logs.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(new Set(state.logs.map((l) => l.seq)).size, state.logs.length);
  assert.equal(state.status, "succeeded");
});

test("a duplicate returns the very same state object", () => {
  const state = applyEvents(initialState(), successfulRun());
  assert.equal(reduce(state, successfulRun()[3]), state);
  assert.equal(applyEvents(state, successfulRun()), state);
});

test("out-of-order delivery: log sorted by seq, an older event never rewinds a step", () => {
  const events = successfulRun();
  const shuffled = [events[4], events[7], events[2], events[0], events[6], events[1], events[5], events[3]];
  const oneByOne = shuffled.reduce(reduce, initialState());
  const batch = applyEvents(initialState(), shuffled);
  for (const state of [oneByOne, batch]) {
    assert.deepEqual(state.logs.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(state.steps.ping.status, "succeeded"); // step_started (3) after step_succeeded (5)
    assert.equal(state.steps.ping.durationMs, 250);
    assert.equal(state.steps.post.status, "succeeded");
    assert.equal(state.terminal, true);
  }
});

test("failed run: first error in the end message, skipped successor", () => {
  const events = [
    ev(1, "run_queued"),
    ev(2, "step_started", { nodeId: "ping" }),
    ev(3, "step_failed", { nodeId: "ping", level: "error", msg: "ping failed: HTTP 500 from 127.0.0.1", data: { durationMs: 40 } }),
    ev(4, "step_skipped", { nodeId: "post", level: "warn", msg: "post skipped: ping failed" }),
    ev(5, "run_failed", { level: "error", msg: "run failed" }),
  ];
  const state = applyEvents(initialState(), events);
  assert.deepEqual(stepStatuses(state), { ping: "failed", post: "skipped" });
  assert.equal(state.steps.ping.error, "HTTP 500 from 127.0.0.1");
  assert.equal(state.status, "failed");
  assert.equal(state.endMessage, "Run failed: ping: HTTP 500 from 127.0.0.1");
  assert.equal(formatLogLine(state.logs[2], { utc: true }).slice(13), "[ERROR] ping failed: HTTP 500 from 127.0.0.1");
});

test("cancelled run and terminal detection", () => {
  const state = applyEvents(initialState(), [
    ev(1, "run_queued"),
    ev(2, "step_started", { nodeId: "slow" }),
    ev(3, "step_cancelled", { nodeId: "next", level: "warn" }),
    ev(4, "run_cancelled", { level: "warn", msg: "run cancelled" }),
    ev(5, "step_cancelled", { nodeId: "slow", level: "warn", data: { durationMs: 900 } }),
  ]);
  assert.equal(state.status, "cancelled");
  assert.equal(state.endMessage, "Run cancelled");
  assert.deepEqual(stepStatuses(state), { slow: "cancelled", next: "cancelled" });
  assert.equal(isTerminalEvent(ev(9, "run_cancelled")), true);
  assert.equal(isTerminalEvent(ev(9, "run_failed")), true);
  assert.equal(isTerminalEvent(ev(9, "step_failed")), false);
  assert.equal(endMessage({ status: "running" }), null);
});

test("a requeued step goes back to queued, then runs again", () => {
  const state = applyEvents(initialState(), [
    ev(1, "step_started", { nodeId: "a", data: { attempt: 1 } }),
    ev(2, "step_requeued", { nodeId: "a", level: "warn" }),
    ev(3, "step_started", { nodeId: "a", data: { attempt: 2 } }),
  ]);
  assert.equal(state.steps.a.status, "running");
  assert.equal(state.steps.a.attempt, 2);
  assert.equal(state.status, "running");
  assert.equal(state.terminal, false);
});

test("seeded steps keep their names and graph order; events fill statuses", () => {
  let state = initialState({ steps: [{ nodeId: "start", name: "Start" }, { nodeId: "ping", name: "Ping team" }] });
  assert.deepEqual(stepStatuses(state), { start: "queued", ping: "queued" });
  state = applyEvents(state, [ev(3, "step_started", { nodeId: "ping" }), ev(2, "step_succeeded", { nodeId: "start" })]);
  assert.deepEqual(stepList(state).map((s) => [s.nodeId, s.name, s.status]), [
    ["start", "Start", "succeeded"],
    ["ping", "Ping team", "running"],
  ]);
});

test("fromDocument: a reload mid-run, then the stream after lastSeq overlapping the backlog", () => {
  const events = successfulRun();
  const doc = {
    id: "r1",
    status: "running",
    steps: [
      { nodeId: "start", name: "Start", status: "succeeded", durationMs: 0 },
      { nodeId: "ping", name: "Ping", status: "succeeded", durationMs: 250 },
      { nodeId: "post", name: "Post", status: "running", durationMs: null },
    ],
    logs: events.slice(0, 6),
    lastSeq: 6,
    startedAt: ts(300),
  };
  let state = fromDocument(doc);
  assert.equal(state.status, "running");
  assert.equal(state.terminal, false);
  assert.equal(state.lastSeq, 6);
  assert.deepEqual(stepStatuses(state), { start: "succeeded", ping: "succeeded", post: "running" });
  state = applyEvents(state, events.slice(4)); // the socket resent 5 and 6
  assert.deepEqual(state.logs.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(state.steps.post.status, "succeeded");
  assert.equal(state.endMessage, "Run succeeded in 1.5s");
});

test("fromDocument of a finished run is terminal with the server's duration", () => {
  const state = fromDocument({
    id: "r2",
    status: "failed",
    steps: [{ nodeId: "ping", name: "Ping", status: "failed", error: "HTTP 404", durationMs: 12 }],
    logs: [],
    lastSeq: 4,
    durationMs: 80,
  });
  assert.equal(state.terminal, true);
  assert.equal(state.lastSeq, 4);
  assert.equal(state.endMessage, "Run failed: Ping: HTTP 404");
});

test("run_cancelled settles a still-running step as cancelled; a later real event still wins", () => {
  let state = applyEvents(initialState(), [
    ev(1, "run_queued"),
    ev(2, "step_started", { nodeId: "slow" }),
    ev(3, "step_cancelled", { nodeId: "after", level: "warn" }),
    ev(4, "run_cancelled", { level: "warn" }),
  ]);
  assert.deepEqual(stepStatuses(state), { slow: "cancelled", after: "cancelled" });
  assert.equal(state.steps.slow.durationMs, 200); // started at +200 ms, run cancelled at +400 ms
  state = reduce(state, ev(5, "step_succeeded", { nodeId: "slow", data: { durationMs: 310 } }));
  assert.equal(state.steps.slow.status, "succeeded");
  assert.equal(state.steps.slow.durationMs, 310);
});

test("fromDocument: a step read before its success event takes the status of the later event", () => {
  const events = successfulRun();
  const state = fromDocument({
    id: "r3",
    status: "running",
    steps: [
      { nodeId: "start", name: "Start", status: "succeeded" },
      { nodeId: "ping", name: "Ping", status: "running" },
      { nodeId: "post", name: "Post", status: "queued" },
    ],
    logs: events.slice(0, 7),
    lastSeq: 7,
  });
  assert.deepEqual(stepStatuses(state), { start: "succeeded", ping: "succeeded", post: "succeeded" });
});
