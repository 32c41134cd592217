/** The builder's History panel: a saved workflow's versions (view read-only, restore) and its failure workflow. */

import { api, items } from "../lib/api.js";
import { confirmDialog } from "../lib/dialog.js";
import { $, h } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import * as G from "./graph.js";
import { importDocument } from "./io.js";
import { importOptions, isDirty } from "./store.js";
import { previewSvg } from "./version_preview.js";

const PAGE_SIZE = 50;

/** "2026-12-05 20:41" in the reader's time zone, from an ISO date. */
export function whenText(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The builder state of a workflow document (`{name, description, vars, graph}`), as a load from the server makes it. */
export function stateFromDocument(doc, options) {
  const result = importDocument(doc.graph, options);
  const state = result.ok ? result.state : G.emptyState(doc.name);
  state.meta = { name: doc.name, description: doc.description || "" };
  state.vars = { ...(doc.vars || {}) };
  return state;
}

/** The History actions of the builder `app` (its `store`, `toolbar`, `canvas` and edit actions). */
export function historyActions(app) {
  const { store } = app;
  // The open panel's parts; null while it is closed.
  let view = null;

  const base = () => `/v1/workflows/${encodeURIComponent(store.workflowId)}`;

  async function toggleHistory() {
    if (view) return closeHistory();
    if (!store.workflowId) {
      toast("Save the workflow first: versions are kept for saved workflows.", { kind: "info" });
      return;
    }
    openPanel();
    await Promise.all([loadVersions(1), loadFailureChoice()]);
  }

  function closeHistory() {
    view?.root.remove();
    view = null;
    app.toolbar.buttons.history?.setAttribute("aria-expanded", "false");
  }

  function openPanel() {
    const list = h("ol", { class: "history-list", "data-testid": "history-list", "aria-label": "Versions, newest first" });
    const more = h("button", { type: "button", class: "btn btn--small btn--ghost", hidden: true, text: "Older versions" });
    const select = h("select", { "data-testid": "failure-workflow-select", "aria-label": "When this workflow fails, run" });
    const preview = h("section", { class: "history-preview", "data-testid": "version-preview", hidden: true, "aria-label": "Version preview" });
    const close = h("button", { type: "button", class: "icon-btn", "aria-label": "Close history", "data-testid": "history-close", text: "×", onClick: closeHistory });
    const root = h(
      "aside",
      { class: "history-panel", "data-testid": "history-panel", "aria-label": "Workflow history" },
      h("header", { class: "history-panel__head" }, h("h2", { text: "History" }), close),
      h("label", { class: "history-failure" }, h("span", { text: "When this workflow fails, run:" }), select),
      preview,
      list,
      more,
    );
    select.addEventListener("change", () => setFailureWorkflow(select.value || null));
    root.addEventListener("keydown", (e) => e.key === "Escape" && closeHistory());
    $(".builder__body").append(root);
    view = { root, list, more, select, preview, page: 1 };
    more.addEventListener("click", () => loadVersions(view.page + 1));
    app.toolbar.buttons.history?.setAttribute("aria-expanded", "true");
  }

  async function loadVersions(page) {
    const mine = view;
    let body;
    try {
      body = await api(`${base()}/versions?page=${page}&page_size=${PAGE_SIZE}`);
    } catch (err) {
      toast(err.message, { kind: "error", title: "Could not load the history" });
      return;
    }
    if (mine !== view) return;
    if (page === 1) view.list.replaceChildren();
    const newest = page === 1 ? body.results[0]?.number : view.newest;
    view.newest = newest;
    view.page = page;
    view.list.append(...body.results.map((v) => versionRow(v, v.number === newest)));
    view.more.hidden = !body.next;
  }

  function versionRow(v, current) {
    const who = v.createdBy ? `by ${v.createdBy}` : "";
    const viewBtn = h("button", { type: "button", class: "btn btn--small btn--ghost", "data-action": "view", text: "View", onClick: () => showVersion(v.number) });
    const restoreBtn = h("button", { type: "button", class: "btn btn--small", "data-action": "restore", text: "Restore", disabled: current, title: current ? "This is the current version" : null, onClick: () => restoreVersion(v.number) });
    return h(
      "li",
      { class: "history-item", "data-version": String(v.number), "data-testid": "history-item" },
      h("div", { class: "history-item__title" }, h("strong", { text: `Version ${v.number}` }), current ? h("span", { class: "history-item__current", text: "current" }) : null),
      h("div", { class: "history-item__summary", text: v.summary }),
      h("div", { class: "history-item__meta muted small" }, h("time", { datetime: v.createdAt, text: whenText(v.createdAt) }), who ? ` · ${who}` : ""),
      h("div", { class: "history-item__actions" }, viewBtn, restoreBtn),
    );
  }

  /** Draw version `number` read-only in the panel; the canvas keeps the current graph, so "Back" only hides it. */
  async function showVersion(number) {
    const mine = view;
    let doc;
    try {
      doc = await api(`${base()}/versions/${number}`);
    } catch (err) {
      toast(err.message, { kind: "error", title: "Could not load the version" });
      return;
    }
    if (mine !== view) return;
    const back = h("button", { type: "button", class: "btn btn--small btn--ghost", "data-testid": "version-preview-back", text: "Back to current", onClick: hidePreview });
    const restore = h("button", { type: "button", class: "btn btn--small", text: "Restore this version", disabled: number === view.newest, onClick: () => restoreVersion(number) });
    view.preview.replaceChildren(
      h("p", { class: "history-preview__title" }, h("strong", { text: `Version ${number}` }), " (read-only preview)"),
      h("p", { class: "muted small", text: doc.summary }),
      previewSvg(doc.graph, `Read-only graph of version ${number}`),
      h("div", { class: "history-item__actions" }, back, restore),
    );
    view.preview.hidden = false;
  }

  function hidePreview() {
    if (!view) return;
    view.preview.hidden = true;
    view.preview.replaceChildren();
  }

  async function restoreVersion(number) {
    const lost = isDirty(store) ? " Your unsaved changes on the canvas are replaced." : "";
    const ok = await confirmDialog({
      title: `Restore version ${number}?`,
      message: `The workflow takes version ${number}'s graph and variables; this is kept as a new version, so nothing is lost.${lost}`,
      confirmLabel: "Restore",
      danger: false,
    });
    if (!ok) return;
    let doc;
    try {
      doc = await api(`${base()}/versions/${number}/restore`, { method: "POST" });
    } catch (err) {
      toast(err.message, { kind: "error", title: "Restore failed" });
      return;
    }
    // One undoable step, saved as it is: the server already holds it.
    app.commit(stateFromDocument(doc, importOptions(store)), { select: { nodes: [], edges: [] } });
    store.savedJson = JSON.stringify(store.state);
    app.updateToolbar();
    app.autosave();
    app.canvas.setStatuses({});
    app.canvas.fitView();
    toast(`Restored version ${number} as version ${doc.version}.`, { kind: "success" });
    if (view) {
      hidePreview();
      await loadVersions(1);
    }
  }

  async function loadFailureChoice() {
    const mine = view;
    try {
      const [doc, list] = await Promise.all([api(base()), api("/v1/workflows?pageSize=200")]);
      if (mine !== view) return;
      const options = items(list).map((w) => h("option", { value: w.id, text: w.id === store.workflowId ? `${w.name} (this workflow)` : w.name }));
      view.select.replaceChildren(h("option", { value: "", text: "Nothing" }), ...options);
      view.select.value = doc.failureWorkflowId || "";
    } catch (err) {
      toast(err.message, { kind: "error", title: "Could not load your workflows" });
    }
  }

  async function setFailureWorkflow(id) {
    try {
      const doc = await api(base(), { method: "PATCH", body: { failureWorkflowId: id } });
      const chosen = view?.select.selectedOptions[0]?.textContent || "";
      toast(doc.failureWorkflowId ? `When this workflow fails, “${chosen}” runs.` : "No workflow runs when this one fails.", { kind: "success" });
    } catch (err) {
      toast(err.message, { kind: "error", title: "Not saved" });
      await loadFailureChoice();
    }
  }

  /** Reload an open panel's list (after a save, which may have made a version). */
  async function refreshHistory() {
    if (view) await loadVersions(1);
  }

  return { toggleHistory, closeHistory, refreshHistory };
}
