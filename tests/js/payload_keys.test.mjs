import assert from "node:assert/strict";
import { test } from "node:test";

import { addNode, emptyState, payloadKeys } from "../../frontend/static/js/builder/graph.js";

test("payloadKeys lists the payload keys node configs read, once each, in order", () => {
  let state = emptyState();
  state = addNode(state, "http", { x: 0, y: 0 }, { config: { url: "https://x.test/{{payload.id}}", body: '{"t": "{{ payload.title }} {{payload.id}}"}' } }).state;
  state = addNode(state, "http", { x: 0, y: 0 }, { config: { url: "https://x.test/", json_body: { a: "{{payload.meta.tag}}", b: "{{vars.x}}" } } }).state;
  assert.deepEqual(payloadKeys(state), ["id", "title", "meta"]);
});

test("payloadKeys is empty when nothing reads the payload, and a new HTTP node has no URL", () => {
  const { state, id } = addNode(emptyState(), "http", { x: 0, y: 0 });
  assert.deepEqual(payloadKeys(state), []);
  assert.equal(state.nodes.find((n) => n.id === id).data.config.url, "");
});
