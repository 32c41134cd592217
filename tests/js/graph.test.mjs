import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "../../frontend/static/js/builder/graph.js";

const size = { w: 200, h: 72 };

function startAndHttp() {
  let s = g.emptyState("Demo");
  let r = g.addNode(s, "start", { x: 41, y: 58 });
  s = r.state;
  r = g.addNode(s, "http", { x: 300, y: 60 });
  return { state: r.state, start: "start", http: r.id };
}

test("addNode snaps to the 16px grid and gives unique ids", () => {
  const { state, http } = startAndHttp();
  assert.deepEqual(state.nodes[0].position, { x: 48, y: 64 });
  assert.equal(http, "http-1");
  const again = g.addNode(state, "http", { x: 0, y: 0 });
  assert.equal(again.id, "http-2");
  assert.equal(again.state.nodes[2].data.config.method, "GET");
});

test("addNode refuses a second start", () => {
  const { state } = startAndHttp();
  const r = g.addNode(state, "start", { x: 0, y: 0 });
  assert.match(r.error, /Only one Start/);
  assert.equal(r.state, state);
});

test("connect adds an edge and refuses cycles, duplicates, self loops and edges into start", () => {
  let { state, http } = startAndHttp();
  let r = g.connect(state, "start", http);
  assert.equal(r.error, undefined);
  state = r.state;
  assert.deepEqual(state.edges[0], {
    id: `e-start-${http}`, source: "start", target: http, sourceHandle: null, targetHandle: null, data: {},
  });
  assert.match(g.connect(state, "start", http).error, /already connected/);
  assert.match(g.connect(state, http, http).error, /itself/);
  assert.match(g.connect(state, http, "start").error, /Start node has no input/);
  const b = g.addNode(state, "http", { x: 0, y: 0 });
  state = g.connect(b.state, http, b.id).state;
  assert.match(g.connect(state, b.id, http).error, /cycle/);
  assert.equal(g.wouldCycle(state, b.id, http), true);
  assert.equal(g.wouldCycle(state, "start", b.id), false);
});

test("moveNodes moves a group with snapping and keeps others", () => {
  const { state, http } = startAndHttp();
  const moved = g.moveNodes(state, ["start", http], 10, 30);
  assert.deepEqual(moved.nodes[0].position, { x: 64, y: 96 });
  assert.deepEqual(moved.nodes[1].position, { x: 320, y: 96 });
  assert.equal(g.moveNodes(state, [], 10, 10), state);
});

test("removeElements removes nodes with their edges, and edges alone", () => {
  let { state, http } = startAndHttp();
  state = g.connect(state, "start", http).state;
  const a = g.removeElements(state, [http]);
  assert.equal(a.nodes.length, 1);
  assert.equal(a.edges.length, 0);
  const b = g.removeElements(state, [], [state.edges[0].id]);
  assert.equal(b.nodes.length, 2);
  assert.equal(b.edges.length, 0);
});

test("duplicateNodes offsets by 40,40, copies inner edges and skips start", () => {
  let { state, http } = startAndHttp();
  const two = g.addNode(state, "http", { x: 600, y: 60 });
  state = g.connect(two.state, http, two.id).state;
  state = g.connect(state, "start", http).state;
  const r = g.duplicateNodes(state, ["start", http, two.id]);
  assert.equal(r.skippedStart, true);
  assert.deepEqual(r.ids, ["http-3", "http-4"]);
  const copy = g.getNode(r.state, "http-3");
  assert.deepEqual(copy.position, { x: 304 + 40, y: 64 + 40 });
  assert.equal(r.state.edges.filter((e) => e.source === "http-3" && e.target === "http-4").length, 1);
  assert.equal(r.state.nodes.filter((n) => n.type === "start").length, 1);
});

test("setNodeConfig, setNodeLabel, setMeta and setVars return new states", () => {
  const { state, http } = startAndHttp();
  const s1 = g.setNodeConfig(state, http, { method: "POST", url: "https://x.test" });
  assert.equal(g.getNode(s1, http).data.config.method, "POST");
  assert.equal(g.getNode(state, http).data.config.method, "GET");
  const s2 = g.setNodeLabel(s1, http, "Ping");
  assert.equal(g.getNode(s2, http).data.label, "Ping");
  assert.equal(g.setMeta(s2, { name: "N" }).meta.name, "N");
  assert.deepEqual(g.setVars(s2, { a: "1" }).vars, { a: "1" });
});

test("nodesInRect and bounds", () => {
  const { state } = startAndHttp();
  assert.deepEqual(g.nodesInRect(state, { x: 0, y: 0, w: 100, h: 100 }, size), ["start"]);
  assert.deepEqual(g.nodesInRect(state, { x: 0, y: 0, w: 400, h: 100 }, size), ["start", "http-1"]);
  assert.deepEqual(g.bounds(state, size), { x: 48, y: 64, w: 304 + 200 - 48, h: 72 });
  assert.equal(g.bounds(g.emptyState(), size), null);
});
