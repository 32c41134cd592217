import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "../../frontend/static/js/builder/graph.js";
import * as p from "../../frontend/static/js/builder/ports.js";
import { boxHeight, portY } from "../../frontend/static/js/lib/graph_svg.js";

const KINDS = {
  start: { kind: "start", outputs: [], outputsFrom: null },
  http: { kind: "http", outputs: [], outputsFrom: null },
  branch: { kind: "branch", outputs: ["true", "false"], outputsFrom: null },
  switch: { kind: "switch", outputs: ["default"], outputsFrom: "cases" },
  old: { kind: "old" }, // a kind document from before named outputs
};

const cases = (...names) => ({ cases: names.map((name) => ({ name, condition: "" })), mode: "first" });

/** start → switch-1, plus http-1 … http-n, the switch with the given cases. */
function withSwitch(config, targets = 3) {
  let s = g.addNode(g.emptyState(), "start", { x: 0, y: 0 }).state;
  s = g.addNode(s, "switch", { x: 240, y: 0 }, { config }).state;
  for (let i = 0; i < targets; i++) s = g.addNode(s, "http", { x: 480, y: i * 100 }).state;
  return g.connect(s, "start", "switch-1").state;
}

test("outputNames: static outputs, config list names first, none for a plain or old kind", () => {
  assert.deepEqual(p.outputNames(KINDS.branch, {}), ["true", "false"]);
  assert.deepEqual(p.outputNames(KINDS.switch, cases("vip", "big")), ["vip", "big", "default"]);
  assert.deepEqual(p.outputNames(KINDS.switch, {}), ["default"]);
  assert.deepEqual(p.outputNames(KINDS.switch, { cases: [{ name: "" }, "junk", { name: "a" }, { name: "a" }] }), ["a", "default"]);
  assert.deepEqual(p.outputNames(KINDS.http, { url: "x" }), []);
  assert.deepEqual(p.outputNames(KINDS.old, {}), []);
  assert.deepEqual(p.outputNames(undefined, {}), []);
});

test("outputsByNode lists only nodes with named outputs", () => {
  const s = withSwitch(cases("vip"), 1);
  assert.deepEqual(p.outputsByNode(s, KINDS), { "switch-1": ["vip", "default"] });
});

test("connectPort: a named output gives the edge its sourceHandle; a plain node gives null", () => {
  let s = withSwitch(cases("vip"));
  const r = p.connectPort(s, KINDS, "switch-1", "http-1", "vip");
  assert.equal(r.error, undefined);
  s = r.state;
  assert.equal(s.edges.find((e) => e.target === "http-1").sourceHandle, "vip");
  assert.equal(s.edges.find((e) => e.target === "switch-1").sourceHandle, null);
  // a plain node's handle is ignored
  const plain = p.connectPort(s, KINDS, "http-1", "http-2", "true");
  assert.equal(plain.state.edges.at(-1).sourceHandle, null);
});

test("connectPort refuses a node with named outputs without one of its names, and a pair twice", () => {
  const s = withSwitch(cases("vip"));
  assert.match(p.connectPort(s, KINDS, "switch-1", "http-1", null).error, /one of the outputs \(vip, default\)/);
  assert.match(p.connectPort(s, KINDS, "switch-1", "http-1", "nope").error, /one of the outputs/);
  const once = p.connectPort(s, KINDS, "switch-1", "http-1", "vip").state;
  assert.match(p.connectPort(once, KINDS, "switch-1", "http-1", "default").error, /already connected/);
});

test("handleChanges: a renamed case maps old → new, a removed one → null, a moved one is unchanged", () => {
  const k = KINDS.switch;
  assert.deepEqual(p.handleChanges(k, cases("vip", "big"), cases("gold", "big")), { vip: "gold" });
  assert.deepEqual(p.handleChanges(k, cases("vip", "big"), cases("big")), { vip: null });
  assert.deepEqual(p.handleChanges(k, cases("vip", "big"), cases("big", "vip")), {});
  assert.deepEqual(p.handleChanges(k, cases("vip"), cases("")), { vip: null });
  assert.deepEqual(p.handleChanges(KINDS.branch, {}, { condition: "x" }), {});
  assert.deepEqual(p.handleChanges(KINDS.http, {}, { url: "x" }), {});
});

test("setConfigWithPorts re-points edges of a renamed case and drops those of a removed one", () => {
  let s = withSwitch(cases("vip", "big"));
  s = p.connectPort(s, KINDS, "switch-1", "http-1", "vip").state;
  s = p.connectPort(s, KINDS, "switch-1", "http-2", "big").state;
  s = p.connectPort(s, KINDS, "switch-1", "http-3", "default").state;
  const renamed = p.setConfigWithPorts(s, KINDS, "switch-1", cases("gold", "big"));
  assert.equal(renamed.nodes.find((n) => n.id === "switch-1").data.config.cases[0].name, "gold");
  assert.deepEqual(renamed.edges.filter((e) => e.source === "switch-1").map((e) => [e.target, e.sourceHandle]), [
    ["http-1", "gold"],
    ["http-2", "big"],
    ["http-3", "default"],
  ]);
  const removed = p.setConfigWithPorts(renamed, KINDS, "switch-1", cases("big"));
  assert.deepEqual(removed.edges.filter((e) => e.source === "switch-1").map((e) => e.sourceHandle), ["big", "default"]);
  assert.equal(removed.edges.length, 3); // start → switch stays
  const moved = p.setConfigWithPorts(s, KINDS, "switch-1", cases("big", "vip"));
  assert.deepEqual(moved.edges, s.edges);
});

test("duplicating a switch and its target keeps the edge's sourceHandle", () => {
  let s = withSwitch(cases("vip"), 1);
  s = p.connectPort(s, KINDS, "switch-1", "http-1", "vip").state;
  const r = g.duplicateNodes(s, ["switch-1", "http-1"]);
  assert.equal(r.state.edges.at(-1).sourceHandle, "vip");
});

test("port geometry: ports stack evenly on the right; a box grows for many of them", () => {
  assert.equal(portY([], null, 72), 36);
  assert.equal(portY(["true", "false"], "true", 72), 24);
  assert.equal(portY(["true", "false"], "false", 72), 48);
  assert.equal(portY(["true", "false"], "gone", 72), 36);
  assert.equal(boxHeight(72, 2), 72);
  assert.equal(boxHeight(72, 6), 140);
});

test("export and import round-trip each edge's sourceHandle", async () => {
  const io = await import("../../frontend/static/js/builder/io.js");
  let s = withSwitch(cases("vip"), 2);
  s = p.connectPort(s, KINDS, "switch-1", "http-1", "vip").state;
  s = p.connectPort(s, KINDS, "switch-1", "http-2", "default").state;
  const text = io.fileText(io.toFile(s));
  const back = io.importText(text, { kinds: Object.keys(KINDS), draft: true });
  assert.equal(back.ok, true, JSON.stringify(back.errors));
  assert.deepEqual(back.state.edges.map((e) => e.sourceHandle), [null, "vip", "default"]);
});

test("an error output: a plain node gets its ordinary output and `error`; turning it off keeps ordinary edges", () => {
  const http = { kind: "http", outputs: [], outputsFrom: null };
  assert.deepEqual(p.outputNames(http, { on_error: "error_output" }), ["", "error"]);
  assert.deepEqual(p.outputNames({ outputs: ["true", "false"] }, { on_error: "error_output" }), ["true", "false", "error"]);
  assert.deepEqual(p.outputNames(http, { on_error: "continue" }), []);
  assert.deepEqual(p.handleChanges(http, { on_error: "error_output" }, {}), { error: null });
});
