// Run panel helpers: Idempotency-Key form, payload parsing, network-only retries with the same key.
import assert from "node:assert/strict";
import { test } from "node:test";

import { idempotencyKey, parsePayload, startRun } from "../../frontend/static/js/runs/panel.js";

test("Idempotency-Key is ui_<ms>_<random>", () => {
  assert.match(idempotencyKey(), /^ui_\d{13}_[0-9a-z]{8}$/);
  assert.equal(idempotencyKey(1700000000000, () => 0.5), "ui_1700000000000_i0000000");
  assert.notEqual(idempotencyKey(), idempotencyKey());
});

test("payload: empty is {}, an object passes, anything else is a readable error", () => {
  assert.deepEqual(parsePayload(""), {});
  assert.deepEqual(parsePayload(' {"message": "hi"} '), { message: "hi" });
  assert.throws(() => parsePayload("{nope"), /not valid JSON/);
  assert.throws(() => parsePayload("[1]"), /must be a JSON object/);
  assert.throws(() => parsePayload("null"), /must be a JSON object/);
});

function recorder(outcomes) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, key: init.headers["Idempotency-Key"], body: init.body, method: init.method });
    const next = outcomes.shift();
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetchImpl };
}

const answer = (status, body) => ({ ok: status < 400, status, json: async () => body });

test("network failures are retried with the same key; the answer is returned", async () => {
  const { calls, fetchImpl } = recorder([new TypeError("Failed to fetch"), new TypeError("reset"), answer(201, { runId: "r1", status: "queued" })]);
  const waits = [];
  const body = await startRun({ graph: { nodes: [], edges: [] } }, { key: "ui_1_abc", fetchImpl, wait: async (ms) => waits.push(ms) });
  assert.deepEqual(body, { runId: "r1", status: "queued" });
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.key === "ui_1_abc" && c.url === "/v1/runs" && c.method === "POST"));
  assert.equal(new Set(calls.map((c) => c.body)).size, 1);
  assert.deepEqual(waits, [500, 1000]);
});

test("an HTTP error is never retried and its message is shown", async () => {
  const { calls, fetchImpl } = recorder([answer(500, { error: { code: "internal", message: "boom" } })]);
  await assert.rejects(startRun({ graph: {} }, { fetchImpl, wait: async () => {} }), /boom/);
  assert.equal(calls.length, 1);
});

test("giving up after the retries says it was the network", async () => {
  const { calls, fetchImpl } = recorder([1, 2, 3, 4].map(() => new TypeError("offline")));
  await assert.rejects(startRun({ graph: {} }, { fetchImpl, wait: async () => {} }), /network error: offline/);
  assert.equal(calls.length, 4);
});
