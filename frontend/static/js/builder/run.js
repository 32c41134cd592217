/** Builder run actions: the toolbar's Run through the live run panel in the drawer, and the drawer itself. */

import { api, idempotencyKey } from "../lib/api.js";
import { $ } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { unlockVaultDialog } from "../lib/vault_dialog.js";
import * as G from "./graph.js";
import { toFile } from "./io.js";
import { fieldProblems, problemsByNode } from "./persist.js";

/**
 * The run actions of the builder `app` (its `store`, `canvas`, `inspector`, `toolbar`, `savedWorkflowId`
 * and the `booted` promise). `mountPanel` sets `app.panel`.
 */
export function runActions(app) {
  const { store } = app;
  // A Run click that waits for the page to finish loading; a second click meanwhile is dropped.
  let starting = false;

  /** The graph as the run API takes it (builder file form, with vars). */
  const runGraph = () => toFile(store.state);

  /**
   * The toolbar's Run (`run-button`): opens the run drawer and starts a run through the live panel; the
   * panel then keeps the toolbar's Run and Cancel (`cancel-button`) enabled or disabled. A click that
   * comes before the page is ready waits for it. Without the panel, it posts the run and says so.
   */
  async function run() {
    if (starting) return;
    starting = true;
    await app.booted.catch(() => {});
    starting = false;
    if (app.panel) {
      openDrawer(true);
      return app.panel.run();
    }
    const status = $("[data-testid=run-status]");
    const post = () => api("/v1/runs", { method: "POST", body: { graph: runGraph(), payload: {} }, headers: { "Idempotency-Key": idempotencyKey() } });
    try {
      const res = await post().catch(async (err) => {
        if (err.code === "vault_locked" && (await unlockVaultDialog({ reason: err.message }))) return post();
        throw err;
      });
      if (status) status.textContent = `Run ${res.runId || res.id}: ${res.status}`;
      toast(`Run started (${res.status}).`, { kind: "success" });
    } catch (err) {
      if (err.errors?.length) {
        app.canvas.setProblems(problemsByNode(store.state, err.errors));
        app.inspector.setServerProblems(fieldProblems(store.state, err.errors));
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
      app.panel = mod.mountRunPanel(container, {
        getGraph: runGraph,
        getWorkflowId: app.savedWorkflowId,
        onStepStatuses: (map) => app.canvas.setStatuses(map),
        unlockVault: (reason) => unlockVaultDialog({ reason }),
        runButton: app.toolbar.buttons.run,
        cancelButton: app.toolbar.buttons.cancel,
      });
      app.panel.setPayloadKeys?.(G.payloadKeys(store.state));
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
    if (opening) requestAnimationFrame(() => app.canvas.fitView());
    $("#run-drawer-toggle")?.setAttribute("aria-expanded", open ? "true" : "false");
  }

  return { run, mountPanel, openDrawer };
}
