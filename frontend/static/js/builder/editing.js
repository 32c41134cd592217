/** Builder graph edits as undoable steps: commit, undo/redo, add, delete, duplicate, clear; and the redraw after each. */

import { confirmDialog } from "../lib/dialog.js";
import { toast } from "../lib/toast.js";
import * as G from "./graph.js";
import { isDirty } from "./store.js";

/**
 * The edit actions of the builder `app` (its `store`, `canvas`, `inspector`, `toolbar`, `panel`, and
 * `scheduleAutosave` from persist.js). They read the app's parts when called, so the views may be
 * wired to them before every part exists.
 */
export function editActions(app) {
  const { store } = app;

  /** Apply a new state as one undoable step. `source: "inspector"` keeps the form (and its focus) in place. */
  function commit(next, { key = null, source = null, select = null } = {}) {
    if (next === store.state) return;
    store.history.record(store.state, key);
    store.state = next;
    refresh(source, select);
  }

  function replaceState(next, select = null) {
    store.state = next;
    refresh(null, select);
  }

  function refresh(source = null, select = null) {
    const { canvas, inspector } = app;
    if (select) canvas.setSelection(select.nodes || [], select.edges || [], false);
    else canvas.pruneSelection();
    canvas.problems = {};
    canvas.render();
    if (source !== "inspector") inspector.show(canvas.selectionList());
    app.panel?.setPayloadKeys?.(G.payloadKeys(store.state));
    updateToolbar();
    app.scheduleAutosave();
  }

  function updateToolbar() {
    app.toolbar.update({
      hasStart: G.hasStart(store.state),
      canUndo: store.history.canUndo,
      canRedo: store.history.canRedo,
      empty: !store.state.nodes.length,
      dirty: isDirty(store),
      saving: store.saving,
      saved: Boolean(store.workflowId),
    });
  }

  function addNode(type) {
    const known = type === "start" || type === "http";
    const r = G.addNode(store.state, type, app.canvas.freeSpot(), { label: known ? undefined : store.kinds[type]?.label });
    if (r.error) return toast(r.error, { kind: "warning" });
    commit(r.state, { select: { nodes: [r.id] } });
    app.canvas.ensureVisible(r.id);
    app.inspector.show(app.canvas.selectionList());
  }

  function deleteSelection() {
    const { nodes, edges } = app.canvas.selectionList();
    if (!nodes.length && !edges.length) return;
    commit(G.removeElements(store.state, nodes, edges), { select: { nodes: [], edges: [] } });
  }

  function duplicateSelection() {
    const { nodes } = app.canvas.selectionList();
    if (!nodes.length) return;
    const r = G.duplicateNodes(store.state, nodes);
    if (r.skippedStart) toast("The Start node is not duplicated: a workflow has only one.", { kind: "info" });
    if (r.ids.length) commit(r.state, { select: { nodes: r.ids } });
  }

  function undo() {
    const previous = store.history.undo(store.state);
    if (previous) replaceState(previous);
  }

  function redo() {
    const next = store.history.redo(store.state);
    if (next) replaceState(next);
  }

  async function clearAll() {
    const { state } = store;
    if (!state.nodes.length && !state.edges.length) return;
    const ok = await confirmDialog({
      title: "Clear the canvas?",
      message: `This removes all ${state.nodes.length} nodes and their connections. You can undo it.`,
      confirmLabel: "Clear canvas",
    });
    if (!ok) return;
    commit({ ...store.state, nodes: [], edges: [] }, { select: { nodes: [], edges: [] } });
    app.canvas.setStatuses({});
    app.canvas.fitView(); // an empty canvas starts at the default pan and zoom
  }

  return { commit, replaceState, refresh, updateToolbar, addNode, deleteSelection, duplicateSelection, undo, redo, clearAll };
}
