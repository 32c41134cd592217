/** Builder persistence: save to the API, autosave to localStorage, restore on load, and server problems mapped to nodes. */

import { api, ApiError } from "../lib/api.js";
import { toast } from "../lib/toast.js";
import { showImportErrors } from "./files.js";
import * as G from "./graph.js";
import { AUTOSAVE_KEY, fileText, importDocument, importText, toFile } from "./io.js";
import { importOptions, isDirty } from "./store.js";

/** localStorage key of `{id, dirty}`: which saved workflow the autosaved graph belongs to. */
const WORKFLOW_KEY = "automateos.dev.workflow";

/** Server errors by node id (`nodes[1]…` → {ping: message}). */
export function problemsByNode(state, errors) {
  const map = {};
  for (const e of errors) {
    const m = /^nodes\[(\d+)\]/.exec(e.path || "");
    const node = m ? state.nodes[Number(m[1])] : null;
    if (node) map[node.id] = e.message;
  }
  return map;
}

/** Server errors by node id and config field (`nodes[1].data.config.url` → {ping: {url: message}}). */
export function fieldProblems(state, errors) {
  const map = {};
  for (const e of errors) {
    const m = /^nodes\[(\d+)\]\.(?:data\.)?config\.([A-Za-z_]+)/.exec(e.path || "");
    const node = m ? state.nodes[Number(m[1])] : null;
    if (node) (map[node.id] ||= {})[m[2]] = e.message;
  }
  return map;
}

/** The save actions of the builder `app` (its `store`, `canvas`, `inspector`, `refresh` and `updateToolbar`). */
export function saveActions(app) {
  const { store } = app;
  // The pending autosave: one per page, kept here rather than in the store because only this closure uses it.
  let autosaveTimer = null;

  function scheduleAutosave() {
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(autosave, 250);
  }

  /** Autosave the file form (credential names only, never a value) and which workflow it belongs to. */
  function autosave() {
    try {
      localStorage.setItem(AUTOSAVE_KEY, fileText(toFile(store.state)));
      localStorage.setItem(WORKFLOW_KEY, JSON.stringify({ id: store.workflowId, dirty: isDirty(store) }));
    } catch {
      /* storage full or disabled: nothing to do */
    }
  }

  async function save() {
    if (store.saving) return;
    const { state } = store;
    const name = (state.meta.name || "").trim() || "Untitled";
    const body = { name, description: state.meta.description || "", vars: state.vars || {}, graph: toFile(state) };
    store.saving = true;
    app.updateToolbar();
    try {
      const doc = store.workflowId
        ? await api(`/v1/workflows/${store.workflowId}`, { method: "PUT", body })
        : await api(store.namedByFile ? "/v1/workflows?onNameTaken=rename" : "/v1/workflows", { method: "POST", body });
      store.workflowId = doc.id;
      store.namedByFile = false;
      if (doc.name !== name) toast(`“${name}” was taken, so this workflow is saved as “${doc.name}”.`, { kind: "info" });
      if (doc.name !== store.state.meta.name) {
        store.state = { ...store.state, meta: { ...store.state.meta, name: doc.name } };
        app.refresh();
      }
      store.savedJson = JSON.stringify(store.state);
      if (location.pathname !== `/builder/${doc.id}/`) window.history.replaceState(null, "", `/builder/${doc.id}/`);
      document.title = `${doc.name} · AutomateOS`;
      app.inspector.setServerProblems({});
      app.refreshHistory?.(); // an open History panel lists the version this save made
      toast(`Saved “${doc.name}”.`, { kind: "success" });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        toast(`A workflow named “${name}” already exists. Rename this one in the inspector (click the empty canvas).`, { kind: "error", title: "Name taken" });
      } else if (err instanceof ApiError && err.errors.length) {
        app.canvas.setProblems(problemsByNode(store.state, err.errors));
        app.inspector.setServerProblems(fieldProblems(store.state, err.errors));
        showImportErrors("Cannot save: the workflow has problems", err.errors);
      } else {
        toast(err.message, { kind: "error", title: "Save failed" });
      }
    } finally {
      store.saving = false;
      app.updateToolbar();
      autosave();
    }
  }

  /** A saved workflow's id for its run (saving the canvas first when it changed); null for an unsaved graph. */
  async function savedWorkflowId() {
    if (!store.workflowId) return null;
    if (isDirty(store)) await save();
    if (isDirty(store)) throw new Error("save the workflow first (see the message above)");
    return store.workflowId;
  }

  /** The graph to start from: the server's workflow (or this tab's unsaved edits of it), else the autosave, else empty. */
  function restore() {
    const fromServer = app.boot.workflow;
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(WORKFLOW_KEY) || "null");
    } catch {
      saved = null;
    }
    const draftText = localStorage.getItem(AUTOSAVE_KEY);
    const draft = draftText && !app.boot.fresh ? importText(draftText, { ...importOptions(store), draft: true }) : null;
    if (fromServer) {
      const result = importDocument(fromServer.graph, importOptions(store));
      const server = result.ok ? result.state : G.emptyState(fromServer.name);
      server.meta = { name: fromServer.name, description: fromServer.description || "" };
      server.vars = { ...(fromServer.vars || {}) };
      store.state = server;
      store.savedJson = JSON.stringify(store.state);
      if (draft && draft.ok && saved && saved.id === fromServer.id && saved.dirty) {
        store.state = draft.state;
        toast("Restored your unsaved changes to this workflow.", { kind: "info" });
      }
      return;
    }
    if (draft && draft.ok) {
      store.state = draft.state;
      store.workflowId = saved && saved.id ? saved.id : null;
      store.savedJson = saved && saved.dirty ? "" : JSON.stringify(store.state);
      if (store.workflowId) window.history.replaceState(null, "", `/builder/${store.workflowId}/`);
      return;
    }
    store.state = G.emptyState();
    store.savedJson = JSON.stringify(store.state);
  }

  return { scheduleAutosave, autosave, save, savedWorkflowId, restore };
}
