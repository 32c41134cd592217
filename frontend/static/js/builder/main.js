/** Builder page entry: creates the store, the views and the actions, wires the page's controls, then loads. */

import { allItems } from "../lib/api.js";
import { $, readJsonScript } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { Canvas } from "./canvas.js";
import { editActions } from "./editing.js";
import { fileActions } from "./files.js";
import * as G from "./graph.js";
import { historyActions } from "./history_panel.js";
import { Inspector } from "./inspector.js";
import { bindPageEvents } from "./page_events.js";
import { connectPort, setConfigWithPorts } from "./ports.js";
import { saveActions } from "./persist.js";
import { runActions } from "./run.js";
import { createStore } from "./store.js";
import { buildToolbar } from "./toolbar.js";
import { mountTriggers } from "./triggers.js";

/**
 * Build the page. `app` carries the store, the views and every action; the modules get it and read
 * its parts when they run, which lets the views' hooks name actions made after them.
 */
function init() {
  const boot = readJsonScript("builder-boot") || {};
  const store = createStore(boot);
  const app = { boot, store, panel: null };

  app.canvas = new Canvas($("[data-testid=canvas]"), {
    getState: () => store.state,
    kinds: () => store.kinds,
    onMove: (positions) => app.commit(G.setPositions(store.state, positions)),
    onConnect: (source, target, handle) => {
      const r = connectPort(store.state, store.kinds, source, target, handle);
      if (r.error) toast(r.error, { kind: "warning", title: "Cannot connect" });
      else app.commit(r.state);
    },
    onSelect: (selection) => app.inspector.show(selection),
    onView: (view) => {
      const zoom = $("#zoom-level");
      if (zoom) zoom.textContent = `${Math.round(view.k * 100)}%`;
    },
  });

  app.inspector = new Inspector($("#inspector"), {
    getState: () => store.state,
    kinds: () => store.kinds,
    credentials: () => store.credentials,
    onConfig: (id, config, key) => app.commit(setConfigWithPorts(store.state, store.kinds, id, config), { key, source: "inspector" }),
    onLabel: (id, label) => app.commit(G.setNodeLabel(store.state, id, label), { key: `${id}.label`, source: "inspector" }),
    onMeta: (patch, key) => app.commit(G.setMeta(store.state, patch), { key, source: "inspector" }),
    onVars: (vars) => app.commit(G.setVars(store.state, vars), { key: "vars", source: "inspector" }),
    onNewCredential: (name, kind) => app.createCredential(name, kind),
    onDelete: () => app.deleteSelection(),
    onDuplicate: () => app.duplicateSelection(),
  });

  app.toolbar = buildToolbar($("#toolbar"), {
    addStart: () => app.addNode("start"),
    addHttp: () => app.addNode("http"),
    slack: () => app.loadTemplate("slack-notification", "Slack"),
    notion: () => app.loadTemplate("notion-automation", "Notion"),
    importFile: () => $("[data-testid=import-input]").click(),
    exportFile: () => app.exportFile(),
    undo: () => app.undo(),
    redo: () => app.redo(),
    clear: () => app.clearAll(),
    save: () => app.save(),
    history: () => app.toggleHistory(),
    run: () => app.run(),
    cancel: () => app.panel?.cancel(),
  });

  mountTriggers(app, $("#toolbar"));
  Object.assign(app, editActions(app), fileActions(app), saveActions(app), runActions(app), historyActions(app));
  bindPageEvents(app);
  app.booted = load(app);
}

/** Fetch the node kinds and credentials, restore the graph, draw it, and mount the run panel. */
async function load(app) {
  const { boot, store, canvas } = app;
  // A fresh builder drops `?new=1` so that a reload restores the autosave instead of starting over.
  if (boot.fresh) window.history.replaceState(null, "", "/builder/");
  app.toolbar.setTemplates(boot.templates, (name, title) => app.loadTemplate(name, title));
  try {
    const types = await allItems("/v1/node-types");
    if (types.length) store.kinds = Object.fromEntries(types.map((t) => [t.kind, t]));
    app.toolbar.setKinds(store.kinds, (kind) => app.addNode(kind));
  } catch (err) {
    toast(`Could not load node types: ${err.message}`, { kind: "warning" });
  }
  await app.loadCredentials();
  app.restore();
  canvas.render();
  canvas.fitView();
  app.inspector.show(canvas.selectionList());
  app.updateToolbar();
  app.autosave();
  $("[data-testid=import-input]").addEventListener("change", (e) => app.importFromInput(e.target));
  $("#zoom-in").addEventListener("click", () => canvas.zoomIn());
  $("#zoom-out").addEventListener("click", () => canvas.zoomOut());
  $("#zoom-fit").addEventListener("click", () => canvas.fitView());
  $("#run-drawer-toggle")?.addEventListener("click", () => app.openDrawer(!$("#run-drawer").classList.contains("is-open")));
  await app.mountPanel();
  document.body.dataset.builderReady = "true";
}

init();
