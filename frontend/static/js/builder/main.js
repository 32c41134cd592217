/** Builder page wiring: state + history, canvas, inspector, toolbar, keyboard, autosave, save, run. */

import { api, ApiError, idempotencyKey, items } from "../lib/api.js";
import { newCredentialDialog } from "../lib/credential_dialog.js";
import { confirmDialog } from "../lib/dialog.js";
import { $, h, isTyping, readJsonScript } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { Canvas } from "./canvas.js";
import * as G from "./graph.js";
import { History } from "./history.js";
import { Inspector } from "./inspector.js";
import { AUTOSAVE_KEY, exportFilename, fileText, importDocument, importText, requirements, toFile } from "./io.js";
import { buildToolbar } from "./toolbar.js";

const WORKFLOW_KEY = "automateos.dev.workflow";
const FALLBACK_KINDS = {
  start: { kind: "start", label: "Start", color: "#10b981", description: "", schema: { type: "object", properties: {} } },
  http: { kind: "http", label: "HTTP Request", color: "#6366f1", description: "", schema: { type: "object", properties: {} } },
};

const boot = readJsonScript("builder-boot") || {};
let kinds = { ...FALLBACK_KINDS };
let credentials = [];
let state = G.emptyState();
let workflowId = boot.workflow ? boot.workflow.id : null;
let savedJson = null;
let saving = false;
// A file or template names the workflow: its first save takes a free name ("Name (2)") if that one is used.
let namedByFile = false;
const history = new History();

const canvas = new Canvas($("[data-testid=canvas]"), {
  getState: () => state,
  kinds: () => kinds,
  onMove: (positions) => commit(G.setPositions(state, positions)),
  onConnect: (source, target) => {
    const r = G.connect(state, source, target);
    if (r.error) toast(r.error, { kind: "warning", title: "Cannot connect" });
    else commit(r.state);
  },
  onSelect: (selection) => inspector.show(selection),
  onView: (view) => {
    const zoom = $("#zoom-level");
    if (zoom) zoom.textContent = `${Math.round(view.k * 100)}%`;
  },
});

const inspector = new Inspector($("#inspector"), {
  getState: () => state,
  kinds: () => kinds,
  credentials: () => credentials,
  onConfig: (id, config, key) => commit(G.setNodeConfig(state, id, config), { key, source: "inspector" }),
  onLabel: (id, label) => commit(G.setNodeLabel(state, id, label), { key: `${id}.label`, source: "inspector" }),
  onMeta: (patch, key) => commit(G.setMeta(state, patch), { key, source: "inspector" }),
  onVars: (vars) => commit(G.setVars(state, vars), { key: "vars", source: "inspector" }),
  onNewCredential: (name) => createCredential(name),
  onDelete: () => deleteSelection(),
  onDuplicate: () => duplicateSelection(),
});

const toolbar = buildToolbar($("#toolbar"), {
  addStart: () => addNode("start"),
  addHttp: () => addNode("http"),
  slack: () => loadTemplate("slack-notification", "Slack"),
  notion: () => loadTemplate("notion-automation", "Notion"),
  importFile: () => $("[data-testid=import-input]").click(),
  exportFile: () => exportFile(),
  undo: () => undo(),
  redo: () => redo(),
  clear: () => clearAll(),
  save: () => save(),
  run: () => run(),
  cancel: () => panel?.cancel(),
});

// ---- state changes ---------------------------------------------------------------------------

/** Apply a new state as one undoable step. `source: "inspector"` keeps the form (and its focus) in place. */
function commit(next, { key = null, source = null, select = null } = {}) {
  if (next === state) return;
  history.record(state, key);
  state = next;
  refresh(source, select);
}

function replaceState(next, select = null) {
  state = next;
  refresh(null, select);
}

function refresh(source = null, select = null) {
  if (select) canvas.setSelection(select.nodes || [], select.edges || [], false);
  else canvas.pruneSelection();
  canvas.problems = {};
  canvas.render();
  if (source !== "inspector") inspector.show(canvas.selectionList());
  panel?.setPayloadKeys?.(G.payloadKeys(state));
  updateToolbar();
  scheduleAutosave();
}

const isDirty = () => savedJson !== null && JSON.stringify(state) !== savedJson;

function updateToolbar() {
  toolbar.update({
    hasStart: G.hasStart(state),
    canUndo: history.canUndo,
    canRedo: history.canRedo,
    empty: !state.nodes.length,
    dirty: isDirty(),
    saving,
    saved: Boolean(workflowId),
  });
}

function addNode(type) {
  const r = G.addNode(state, type, canvas.freeSpot());
  if (r.error) return toast(r.error, { kind: "warning" });
  commit(r.state, { select: { nodes: [r.id] } });
  canvas.ensureVisible(r.id);
  inspector.show(canvas.selectionList());
}

function deleteSelection() {
  const { nodes, edges } = canvas.selectionList();
  if (!nodes.length && !edges.length) return;
  commit(G.removeElements(state, nodes, edges), { select: { nodes: [], edges: [] } });
}

function duplicateSelection() {
  const { nodes } = canvas.selectionList();
  if (!nodes.length) return;
  const r = G.duplicateNodes(state, nodes);
  if (r.skippedStart) toast("The Start node is not duplicated: a workflow has only one.", { kind: "info" });
  if (r.ids.length) commit(r.state, { select: { nodes: r.ids } });
}

function undo() {
  const previous = history.undo(state);
  if (previous) replaceState(previous);
}

function redo() {
  const next = history.redo(state);
  if (next) replaceState(next);
}

async function clearAll() {
  if (!state.nodes.length && !state.edges.length) return;
  const ok = await confirmDialog({
    title: "Clear the canvas?",
    message: `This removes all ${state.nodes.length} nodes and their connections. You can undo it.`,
    confirmLabel: "Clear canvas",
  });
  if (!ok) return;
  commit({ ...state, nodes: [], edges: [] }, { select: { nodes: [], edges: [] } });
  canvas.setStatuses({});
  canvas.fitView(); // an empty canvas starts at the default pan and zoom
}

// ---- files and templates ---------------------------------------------------------------------

function importOptions() {
  const configKeys = {};
  for (const [kind, spec] of Object.entries(kinds)) {
    const props = Object.keys(spec.schema?.properties || {});
    if (props.length) configKeys[kind] = props;
  }
  return { kinds: Object.keys(kinds), configKeys };
}

function showImportErrors(title, errors) {
  toast(errors.length === 1 ? errors[0].message : `${errors.length} problems found.`, {
    kind: "error",
    title,
    details: errors.length > 1 ? errors.map((e) => e.message) : [],
    timeout: 0,
  });
}

function loadDocument(result, title, select = true) {
  if (!result.ok) {
    showImportErrors(title, result.errors);
    return false;
  }
  commit(result.state, { select: { nodes: [], edges: [] } });
  namedByFile = true;
  canvas.setStatuses({}); // the last run's badges belong to the graph that was replaced
  if (select) requestAnimationFrame(() => canvas.fitView());
  for (const w of result.warnings) toast(w, { kind: "warning" });
  return true;
}

async function importFromInput(input) {
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  const text = await file.text();
  const result = importText(text, importOptions());
  if (loadDocument(result, `Could not import ${file.name}`)) {
    const legacy = result.format === "legacy" ? " (converted from the legacy format)" : "";
    toast(`Imported “${state.meta.name}”${legacy}: ${state.nodes.length} nodes.`, { kind: "success" });
  }
}

function exportFile() {
  const file = toFile(state);
  const blob = new Blob([fileText(file)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: exportFilename(state.meta.name) });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  toast(`Exported ${exportFilename(state.meta.name)}`, { kind: "success" });
}

async function loadTemplate(name, label) {
  let doc;
  try {
    doc = await api(`/templates/${name}.json`);
  } catch (err) {
    return toast(err.message, { kind: "error", title: `Could not load the ${label} template` });
  }
  if (!loadDocument(importDocument(doc, importOptions()), `The ${label} template is invalid`)) return;
  const needs = requirements(state);
  const missing = needs.credentials.filter((c) => !credentials.some((x) => x.name === c));
  const parts = [];
  if (needs.credentials.length) {
    parts.push(`credential ${needs.credentials.map((c) => `“${c}”${missing.includes(c) ? " (missing)" : ""}`).join(", ")}`);
  }
  if (needs.vars.length) parts.push(`variable ${needs.vars.map((v) => `“${v}”`).join(", ")}`);
  const setup = parts.length ? ` Set ${parts.join(" and ")} before running.` : "";
  toast(`${label} template loaded.${setup}`, { kind: "success", title: `${label} template`, timeout: parts.length ? 12000 : 4500 });
}

// ---- credentials -----------------------------------------------------------------------------

async function loadCredentials() {
  try {
    credentials = items(await api("/v1/credentials"));
  } catch (err) {
    toast(`Could not load credentials: ${err.message}`, { kind: "warning" });
  }
}

async function createCredential(name = "") {
  const created = await newCredentialDialog({ name });
  if (!created) return null;
  await loadCredentials();
  if (!credentials.some((c) => c.name === created.name)) credentials.push(created);
  toast(`Credential “${created.name}” created.`, { kind: "success" });
  return created;
}

// ---- save, autosave, run ---------------------------------------------------------------------

let autosaveTimer = null;
function scheduleAutosave() {
  clearTimeout(autosaveTimer);
  autosaveTimer = setTimeout(autosave, 250);
}

/** Autosave the file form (credential names only, never a value) and which workflow it belongs to. */
function autosave() {
  try {
    localStorage.setItem(AUTOSAVE_KEY, fileText(toFile(state)));
    localStorage.setItem(WORKFLOW_KEY, JSON.stringify({ id: workflowId, dirty: isDirty() }));
  } catch {
    /* storage full or disabled: nothing to do */
  }
}

function problemsByNode(errors) {
  const map = {};
  for (const e of errors) {
    const m = /^nodes\[(\d+)\]/.exec(e.path || "");
    const node = m ? state.nodes[Number(m[1])] : null;
    if (node) map[node.id] = e.message;
  }
  return map;
}

/** Server errors by node id and config field (`nodes[1].data.config.url` → {ping: {url: message}}). */
function fieldProblems(errors) {
  const map = {};
  for (const e of errors) {
    const m = /^nodes\[(\d+)\]\.(?:data\.)?config\.([A-Za-z_]+)/.exec(e.path || "");
    const node = m ? state.nodes[Number(m[1])] : null;
    if (node) (map[node.id] ||= {})[m[2]] = e.message;
  }
  return map;
}

async function save() {
  if (saving) return;
  const name = (state.meta.name || "").trim() || "Untitled";
  const body = { name, description: state.meta.description || "", vars: state.vars || {}, graph: toFile(state) };
  saving = true;
  updateToolbar();
  try {
    const doc = workflowId
      ? await api(`/v1/workflows/${workflowId}`, { method: "PUT", body })
      : await api(namedByFile ? "/v1/workflows?onNameTaken=rename" : "/v1/workflows", { method: "POST", body });
    workflowId = doc.id;
    namedByFile = false;
    if (doc.name !== name) toast(`“${name}” was taken, so this workflow is saved as “${doc.name}”.`, { kind: "info" });
    if (doc.name !== state.meta.name) {
      state = { ...state, meta: { ...state.meta, name: doc.name } };
      refresh();
    }
    savedJson = JSON.stringify(state);
    if (location.pathname !== `/builder/${doc.id}/`) window.history.replaceState(null, "", `/builder/${doc.id}/`);
    document.title = `${doc.name} · AutomateOS`;
    inspector.setServerProblems({});
    toast(`Saved “${doc.name}”.`, { kind: "success" });
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      toast(`A workflow named “${name}” already exists. Rename this one in the inspector (click the empty canvas).`, { kind: "error", title: "Name taken" });
    } else if (err instanceof ApiError && err.errors.length) {
      canvas.setProblems(problemsByNode(err.errors));
      inspector.setServerProblems(fieldProblems(err.errors));
      showImportErrors("Cannot save: the workflow has problems", err.errors);
    } else {
      toast(err.message, { kind: "error", title: "Save failed" });
    }
  } finally {
    saving = false;
    updateToolbar();
    autosave();
  }
}

/** The graph as the run API takes it (builder file form, with vars). */
const runGraph = () => toFile(state);

/** A saved workflow's id for its run (saving the canvas first when it changed); null for an unsaved graph. */
async function savedWorkflowId() {
  if (!workflowId) return null;
  if (isDirty()) await save();
  if (isDirty()) throw new Error("save the workflow first (see the message above)");
  return workflowId;
}

let panel = null;
let starting = false;

/**
 * The toolbar's Run (`run-button`): opens the run drawer and starts a run through the live panel; the
 * panel then keeps the toolbar's Run and Cancel (`cancel-button`) enabled or disabled. A click that
 * comes before the page is ready waits for it. Without the panel, it posts the run and says so.
 */
async function run() {
  if (starting) return;
  starting = true;
  await booted.catch(() => {});
  starting = false;
  if (panel) {
    openDrawer(true);
    return panel.run();
  }
  const status = $("[data-testid=run-status]");
  try {
    const res = await api("/v1/runs", { method: "POST", body: { graph: runGraph(), payload: {} }, headers: { "Idempotency-Key": idempotencyKey() } });
    if (status) status.textContent = `Run ${res.runId || res.id}: ${res.status}`;
    toast(`Run started (${res.status}).`, { kind: "success" });
  } catch (err) {
    if (err.errors?.length) {
      canvas.setProblems(problemsByNode(err.errors));
      inspector.setServerProblems(fieldProblems(err.errors));
    }
    toast(err.message, { kind: "error", title: "Run not started", details: (err.errors || []).map((e) => e.message) });
  }
}

/** Mount the live run panel in the drawer, driven by the toolbar's Run and Cancel. */
async function mountPanel() {
  const container = $("[data-testid=run-panel]");
  try {
    const mod = await import("../runs/panel.js");
    if (typeof mod.mountRunPanel !== "function") return;
    panel = mod.mountRunPanel(container, {
      getGraph: runGraph,
      getWorkflowId: savedWorkflowId,
      onStepStatuses: (map) => canvas.setStatuses(map),
      runButton: toolbar.buttons.run,
      cancelButton: toolbar.buttons.cancel,
    });
    panel.setPayloadKeys?.(G.payloadKeys(state));
  } catch (err) {
    console.warn("run panel not available", err);
  }
}

function openDrawer(open) {
  const drawer = $("#run-drawer");
  if (!drawer) return;
  const opening = open && !drawer.classList.contains("is-open");
  drawer.classList.toggle("is-open", open);
  // The open drawer takes height from the canvas: refit so that no node is left under it.
  if (opening) requestAnimationFrame(() => canvas.fitView());
  $("#run-drawer-toggle")?.setAttribute("aria-expanded", open ? "true" : "false");
}

// ---- keyboard --------------------------------------------------------------------------------

document.addEventListener("keydown", (e) => {
  if (isTyping(e.target) || document.querySelector("dialog[open]")) return;
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if ((e.key === "Delete" || e.key === "Backspace") && !mod) {
    e.preventDefault();
    deleteSelection();
  } else if (mod && key === "d") {
    e.preventDefault();
    duplicateSelection();
  } else if (mod && key === "z" && !e.shiftKey) {
    e.preventDefault();
    undo();
  } else if (mod && (key === "y" || (key === "z" && e.shiftKey))) {
    e.preventDefault();
    redo();
  } else if (mod && key === "s") {
    e.preventDefault();
    save();
  } else if (mod && key === "a") {
    e.preventDefault();
    canvas.setSelection(state.nodes.map((n) => n.id), []);
  } else if (e.key === "Escape") {
    canvas.setSelection([], []);
  }
});

// Timers can be throttled; leaving the page always writes the latest state.
window.addEventListener("pagehide", () => autosave());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") autosave();
});

window.addEventListener("beforeunload", (e) => {
  if (!isDirty()) return;
  e.preventDefault();
  e.returnValue = "";
});

// ---- boot ------------------------------------------------------------------------------------

function restore() {
  const fromServer = boot.workflow;
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(WORKFLOW_KEY) || "null");
  } catch {
    saved = null;
  }
  const draftText = localStorage.getItem(AUTOSAVE_KEY);
  const draft = draftText && !boot.fresh ? importText(draftText, { ...importOptions(), draft: true }) : null;
  if (fromServer) {
    const result = importDocument(fromServer.graph, importOptions());
    const server = result.ok ? result.state : G.emptyState(fromServer.name);
    server.meta = { name: fromServer.name, description: fromServer.description || "" };
    server.vars = { ...(fromServer.vars || {}) };
    state = server;
    savedJson = JSON.stringify(state);
    if (draft && draft.ok && saved && saved.id === fromServer.id && saved.dirty) {
      state = draft.state;
      toast("Restored your unsaved changes to this workflow.", { kind: "info" });
    }
    return;
  }
  if (draft && draft.ok) {
    state = draft.state;
    workflowId = saved && saved.id ? saved.id : null;
    savedJson = saved && saved.dirty ? "" : JSON.stringify(state);
    if (workflowId) window.history.replaceState(null, "", `/builder/${workflowId}/`);
    return;
  }
  state = G.emptyState();
  savedJson = JSON.stringify(state);
}

async function init() {
  // A fresh builder drops `?new=1` so that a reload restores the autosave instead of starting over.
  if (boot.fresh) window.history.replaceState(null, "", "/builder/");
  try {
    const types = items(await api("/v1/node-types"));
    if (types.length) kinds = Object.fromEntries(types.map((t) => [t.kind, t]));
  } catch (err) {
    toast(`Could not load node types: ${err.message}`, { kind: "warning" });
  }
  await loadCredentials();
  restore();
  canvas.render();
  canvas.fitView();
  inspector.show(canvas.selectionList());
  updateToolbar();
  autosave();
  $("[data-testid=import-input]").addEventListener("change", (e) => importFromInput(e.target));
  $("#zoom-in").addEventListener("click", () => canvas.zoomIn());
  $("#zoom-out").addEventListener("click", () => canvas.zoomOut());
  $("#zoom-fit").addEventListener("click", () => canvas.fitView());
  $("#run-drawer-toggle")?.addEventListener("click", () => openDrawer(!$("#run-drawer").classList.contains("is-open")));
  await mountPanel();
  document.body.dataset.builderReady = "true";
}

const booted = init();
