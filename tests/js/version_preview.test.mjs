// History panel: a version's graph laid out for the read-only preview, and the run start paths.
import assert from "node:assert/strict";
import { test } from "node:test";

import { previewLayout } from "../../frontend/static/js/builder/version_preview.js";
import { startPath, startRun } from "../../frontend/static/js/runs/requests.js";

test("a version's nodes are moved to the margin and keep their labels and edges", () => {
  const graph = {
    nodes: [
      { id: "start", type: "start", position: { x: -100, y: 40 }, data: {} },
      { id: "fetch", type: "http", position: { x: 140, y: 10 }, data: { label: "Fetch" } },
    ],
    edges: [
      { id: "e1", source: "start", target: "fetch", sourceHandle: null },
      { id: "e2", source: "fetch", target: "gone" },
    ],
  };
  const layout = previewLayout(graph);
  assert.deepEqual(layout.nodes, [
    { id: "start", label: "start", x: 24, y: 54 },
    { id: "fetch", label: "Fetch", x: 264, y: 24 },
  ]);
  assert.deepEqual(layout.edges, [{ source: "start", target: "fetch", sourceHandle: null }]);
  assert.ok(layout.width >= 264 + layout.nodeWidth && layout.height >= 54 + layout.nodeHeight);
});

test("an empty version lays out to an empty picture", () => {
  const layout = previewLayout({ nodes: [], edges: [] });
  assert.deepEqual([layout.nodes, layout.edges, layout.width, layout.height], [[], [], 200, 80]);
});

test("a saved workflow is started at its own URL, a bare graph at /v1/runs", async () => {
  assert.equal(startPath("7f1e"), "/v1/workflows/7f1e/runs");
  assert.equal(startPath(null), "/v1/runs");
  const urls = [];
  const fetchImpl = async (url) => (urls.push(url), { ok: true, status: 201, json: async () => ({ runId: "r1" }) });
  await startRun({ payload: {} }, { path: startPath("7f1e"), fetchImpl, key: "k" });
  assert.deepEqual(urls, ["/v1/workflows/7f1e/runs"]);
});

test("a restored workflow document becomes the canvas state with its name, description and vars", async () => {
  const { stateFromDocument, whenText } = await import("../../frontend/static/js/builder/history_panel.js");
  const doc = {
    name: "Nightly",
    description: "d",
    vars: { a: 1 },
    graph: { nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 }, data: {} }], edges: [] },
  };
  const state = stateFromDocument(doc, { kinds: ["start"] });
  assert.deepEqual(state.nodes.map((n) => n.id), ["start"]);
  assert.deepEqual([state.meta, state.vars], [{ name: "Nightly", description: "d" }, { a: 1 }]);
  assert.match(whenText("2026-12-05T20:41:07.512Z"), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  assert.equal(whenText("not a date"), "");
});
