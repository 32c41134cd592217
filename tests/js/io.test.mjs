import { test } from "node:test";
import assert from "node:assert/strict";
import * as io from "../../frontend/static/js/builder/io.js";

const sample = () => ({
  nodes: [
    { id: "begin", type: "start", position: { x: 40, y: 60 }, data: { label: "Start", config: {} } },
    {
      id: "ping", type: "http", position: { x: 260, y: 60 },
      data: { label: "Ping team", config: {
        method: "POST", url: "https://hooks.example.test/T000/B000",
        headers: { "Content-Type": "application/json" }, body: "{\"text\": \"deploy finished\"}",
      } },
    },
  ],
  edges: [{ id: "e-begin-ping", source: "begin", target: "ping", sourceHandle: null, targetHandle: null, data: {} }],
  meta: { name: "Ping team", version: 1, exportedAt: "2026-01-02T03:04:05.000Z" },
  metadata: {},
});

test("a valid file imports and exports back the same nodes and edges", () => {
  const r = io.importText(JSON.stringify(sample()));
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(r.state.meta.name, "Ping team");
  const file = io.toFile(r.state, new Date("2026-02-03T04:05:06.007Z"));
  assert.deepEqual(file.nodes, sample().nodes);
  assert.deepEqual(file.edges, sample().edges);
  assert.deepEqual(file.meta, { name: "Ping team", version: 1, exportedAt: "2026-02-03T04:05:06.007Z" });
  assert.deepEqual(file.metadata, {});
  assert.equal(io.fileText(file).split("\n")[1], '  "nodes": [');
});

test("unknown node and data keys are dropped silently", () => {
  const doc = sample();
  doc.nodes[0].selected = true;
  doc.nodes[0].data.extra = 1;
  const r = io.importDocument(doc);
  assert.equal(r.ok, true);
  assert.deepEqual(r.state.nodes[0], sample().nodes[0]);
});

test("not JSON gets a clear message", () => {
  const r = io.importText("{nope");
  assert.equal(r.ok, false);
  assert.match(r.errors[0].message, /not valid JSON/);
});

test("errors name the field and the node", () => {
  const doc = sample();
  doc.nodes[1].data.config.method = "post";
  doc.nodes[1].data.config.colour = "red";
  doc.nodes[0].data.config = { x: 1 };
  doc.edges[0].animated = true;
  doc.extra = 1;
  doc.meta.version = 2;
  const r = io.importDocument(doc);
  assert.equal(r.ok, false);
  const text = r.errors.map((e) => e.message).join("\n");
  assert.match(text, /node "ping" \(nodes\[1\]\): config\.method: method must be one of GET/);
  assert.match(text, /node "ping" \(nodes\[1\]\): config\.colour: unknown key/);
  assert.match(text, /node "begin" \(nodes\[0\]\): config\.x: a Start node takes no config/);
  assert.match(text, /edge "e-begin-ping" \(edges\[0\]\): unknown key `animated`/);
  assert.match(text, /Unknown top-level key `extra`/);
  assert.match(text, /meta\.version` must be the number 1/);
  assert.ok(r.errors.some((e) => e.path === "nodes[1].data.config.method"));
});

test("http config rules: url required, json_body object, headers strings, auth shape", () => {
  const errs = (c) => io.configErrors("http", c).map((e) => e.path);
  assert.deepEqual(errs({ url: "https://a.test" }), []);
  assert.deepEqual(errs({ url: "{{vars.webhookUrl}}" }), []);
  assert.deepEqual(errs({}), ["url"]);
  assert.deepEqual(errs({ url: "/relative" }), ["url"]);
  assert.deepEqual(errs({ url: "https://a.test", json_body: [1] }), ["json_body"]);
  assert.deepEqual(errs({ url: "https://a.test", headers: { A: 1 } }), ["headers.A"]);
  assert.deepEqual(errs({ url: "https://a.test", auth: { credentialName: "x", y: 1 } }), ["auth.y"]);
  assert.deepEqual(errs({ url: "https://a.test", auth: {} }), ["auth.credentialName"]);
  assert.deepEqual(errs({ url: "https://a.test", timeout_s: 5, retries: 1 }), []);
});

test("missing nodes/edges and wrong positions are reported", () => {
  const r = io.importDocument({ nodes: [{ id: "a", type: "http", position: { x: "1", y: 2 } }], meta: {} });
  assert.equal(r.ok, false);
  const text = r.errors.map((e) => e.message).join("\n");
  assert.match(text, /`edges` is required/);
  assert.match(text, /node "a" \(nodes\[0\]\): `position` must be/);
  const other = io.importDocument({ hello: 1 });
  assert.match(other.errors[0].message, /Not a workflow file/);
  const unknownType = io.importDocument({ nodes: [{ id: "a", type: "email", position: { x: 1, y: 2 } }], edges: [] });
  assert.match(unknownType.errors[0].message, /unknown type "email"/);
});

test("edges to missing nodes import with a warning", () => {
  const doc = sample();
  doc.edges.push({ id: "e2", source: "ping", target: "ghost" });
  const r = io.importDocument(doc);
  assert.equal(r.ok, true);
  assert.match(r.warnings[0], /target "ghost" is not a node/);
});

test("legacy definition.steps converts to start → step-1 → step-2", () => {
  const legacy = {
    name: "Create task",
    definition: { steps: [
      { type: "http_request_node", config: { method: "POST", url: "https://api.example.test/tasks",
        headers: { Authorization: "Bearer {{getCredential('tasksToken')}}" }, json_body: { title: "{{payload.title}}" } } },
      { type: "http_request_node", config: { url: "https://api.example.test/done" } },
    ] },
  };
  const r = io.importDocument(legacy);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal(r.format, "legacy");
  assert.deepEqual(r.state.nodes.map((n) => n.id), ["start", "step-1", "step-2"]);
  assert.deepEqual(r.state.edges.map((e) => [e.source, e.target]), [["start", "step-1"], ["step-1", "step-2"]]);
  assert.equal(r.state.meta.name, "Create task");
  assert.deepEqual(io.requirements(r.state).credentials, ["tasksToken"]);
});

test("legacy unknown step types are named", () => {
  const r = io.importDocument({ definition: { steps: [{ type: "http_request_node", config: { url: "https://a.test" } }, { type: "email_node" }] } });
  assert.equal(r.ok, false);
  assert.match(r.errors[0].message, /step 2 \(definition\.steps\[1\]\) has unsupported type "email_node"/);
});

test("vars are read and validated", () => {
  const doc = { ...sample(), vars: { channel: "#ops", "bad name": 1 } };
  const r = io.importDocument(doc);
  assert.equal(r.ok, false);
  assert.match(r.errors[0].message, /Variable name `bad name`/);
  delete doc.vars["bad name"];
  const ok = io.importDocument(doc);
  assert.deepEqual(ok.state.vars, { channel: "#ops" });
  assert.deepEqual(io.toFile(ok.state).vars, { channel: "#ops" });
});

test("exportFilename is kebab case with -v1.json", () => {
  assert.equal(io.exportFilename("Ping the Team!"), "ping-the-team-v1.json");
  assert.equal(io.exportFilename("slackNotification"), "slack-notification-v1.json");
  assert.equal(io.exportFilename(""), "workflow-v1.json");
});

test("requirements lists credentials and vars", () => {
  const state = { nodes: [{ id: "n", type: "http", position: { x: 0, y: 0 }, data: { config: {
    url: "https://api.notion.com/v1/pages", auth: { credentialName: "notionToken" },
    json_body: { parent: { database_id: "{{vars.notionDatabaseId}}" } },
  } } }], edges: [] };
  assert.deepEqual(io.requirements(state), { credentials: ["notionToken"], vars: ["notionDatabaseId"] });
});

test("an empty URL is incomplete work in the builder's autosave, and an error in a file", () => {
  assert.deepEqual(io.configErrors("http", { url: "" }, null, { draft: true }), []);
  assert.deepEqual(io.configErrors("http", { url: "" }).map((e) => e.path), ["url"]);
  assert.deepEqual(io.configErrors("http", {}, null, { draft: true }).map((e) => e.path), ["url"]);
});
