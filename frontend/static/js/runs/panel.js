/** The builder's run panel: Run (idempotent POST of the current graph), Cancel, live status, steps, log. */

//   import { mountRunPanel } from "/static/js/runs/panel.js";
//   mountRunPanel(document.querySelector('[data-testid="run-panel"]'), {
//     getGraph: () => currentGraph(), onStepStatuses: (map) => canvas.setBadges(map) });

import { idempotencyKey } from "../lib/api.js";
import { streamRun } from "./client.js";
import { buildPanel, showPayloadKeys } from "./panel_view.js";
import { cancelRun, getRun, startPath, startRun } from "./requests.js";
import { applyEvents, fromDocument, initialState, stepStatuses } from "./stream.js";
import { LogView, StepsView, renderStatus, statusText } from "./view.js";

// The key form lives in lib/api.js and the POST in requests.js; the panel's tests import both from here.
export { idempotencyKey, startRun };

/**
 * Mount the panel into `container` (which gets `data-testid="run-panel"` if it has none).
 *
 * `runButton` / `cancelButton`: controls that live elsewhere on the page (the builder puts them in its
 * toolbar, so they stay visible while the panel is collapsed). The panel enables and disables them;
 * their clicks are the caller's to wire to the returned `run()` / `cancel()`. Without them the panel
 * makes its own, in its bar, carrying the `run-button` / `cancel-button` test ids.
 */
export function mountRunPanel(
  container,
  {
    getGraph,
    getPayload = null,
    getWorkflowId = null,
    onStepStatuses = () => {},
    unlockVault = null,
    runButton: externalRun = null,
    cancelButton: externalCancel = null,
  } = {},
) {
  if (typeof getGraph !== "function") throw new TypeError("mountRunPanel needs getGraph()");
  // A run refused because the vault is locked asks `unlockVault(reason)` once, then starts again:
  // the refusal stored nothing, so the same request is simply sent anew.
  async function startWithUnlock(body, path) {
    try {
      return await startRun(body, { path });
    } catch (err) {
      if (err.code !== "vault_locked" || !unlockVault || !(await unlockVault(err.message))) throw err;
      return startRun(body, { path });
    }
  }
  const { runButton, cancelButton, link, payloadInput, payloadBox, payloadUsed, status, steps, logs } = buildPanel(container, {
    runButton: externalRun,
    cancelButton: externalCancel,
    payloadHidden: Boolean(getPayload),
  });
  const stepsView = new StepsView(steps);
  const logView = new LogView(logs);
  let state = null;
  let stream = null;
  let mode = "idle";
  let note = null;
  let generation = 0;
  renderStatus(status, { status: "idle", text: "Not run yet" });

  function render() {
    if (!state) return;
    stepsView.render(state);
    logView.render(state);
    const text = statusText(state, mode) + (note && !state.terminal ? ` — ${note}` : "");
    renderStatus(status, { status: state.status, text });
    cancelButton.disabled = state.terminal || !state.runId;
    runButton.disabled = !state.terminal && mode !== "stopped";
    try {
      onStepStatuses(stepStatuses(state));
    } catch (err) {
      console.error("onStepStatuses failed", err);
    }
  }

  function fail(message) {
    runButton.disabled = false;
    cancelButton.disabled = true;
    renderStatus(status, { status: "failed", text: message });
  }

  async function run() {
    const mine = ++generation;
    if (stream) stream.stop();
    stream = null;
    note = null;
    mode = "starting";
    runButton.disabled = true;
    cancelButton.disabled = true;
    link.hidden = true;
    stepsView.clear();
    logView.clear();
    renderStatus(status, { status: "starting", text: "Starting…" });

    let graph;
    try {
      graph = getGraph();
    } catch (err) {
      fail(`Cannot run: ${err.message}`);
      return;
    }
    // A saved workflow runs as itself, so the run is recorded against it.
    let workflowId = null;
    try {
      workflowId = getWorkflowId ? await getWorkflowId() : null;
    } catch (err) {
      fail(`Cannot run: ${err.message}`);
      return;
    }
    // A saved workflow is started at its own URL (the run records its version); a bare graph at /v1/runs.
    const body = workflowId ? {} : { graph };
    let payload;
    try {
      payload = getPayload ? getPayload() : parsePayload(payloadInput.value);
    } catch (err) {
      payloadBox.open = true;
      fail(`Cannot run: ${err.message}`);
      return;
    }
    if (payload && typeof payload === "object") body.payload = payload;

    let created;
    try {
      created = await startWithUnlock(body, startPath(workflowId));
    } catch (err) {
      if (mine === generation) fail(`Run not started: ${err.message}`);
      return;
    }
    if (mine !== generation) return;
    const runId = created.runId ?? created.id;
    link.href = `/runs/${runId}/`;
    link.hidden = false;
    state = initialState({ runId, steps: seedSteps(graph) });
    render();
    await watch(runId, mine);
  }

  async function watch(runId, mine) {
    try {
      const doc = await getRun(runId);
      if (doc && mine === generation) state = mergeDocument(state, doc);
    } catch {
      /* the stream below starts from 0 and brings everything */
    }
    if (mine !== generation) return;
    mode = "connecting";
    render();
    if (state.terminal) {
      mode = "done";
      render();
      return;
    }
    stream = streamRun(runId, {
      after: state.lastSeq,
      onEvents: (events) => {
        if (mine !== generation) return;
        state = applyEvents(state, events);
        render();
      },
      onMode: (next) => {
        if (mine !== generation) return;
        mode = next;
        render();
      },
      onError: (message) => {
        if (mine !== generation) return;
        note = message;
        mode = "stopped";
        render();
      },
    });
  }

  async function cancel() {
    if (!state || !state.runId || state.terminal) return;
    cancelButton.disabled = true;
    try {
      await cancelRun(state.runId);
    } catch (err) {
      note = `Cancel failed: ${err.message}`;
      cancelButton.disabled = false;
      render();
    }
  }

  if (!externalRun) runButton.addEventListener("click", run);
  if (!externalCancel) cancelButton.addEventListener("click", cancel);

  return {
    run,
    cancel,
    getState: () => state,
    /** The payload keys the graph reads: the box opens, names them and prefills an untouched payload. */
    setPayloadKeys(keys) {
      showPayloadKeys({ payloadUsed, payloadBox, payloadInput }, keys);
    },
    destroy() {
      generation += 1;
      if (stream) stream.stop();
      container.replaceChildren();
      cancelButton.disabled = true;
      runButton.disabled = false;
    },
  };
}

/** The payload editor's text as an object ("" means {}); throws a readable Error otherwise. */
export function parsePayload(text) {
  if (!text || !text.trim()) return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`the payload is not valid JSON (${err.message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("the payload must be a JSON object, like {\"message\": \"hi\"}");
  }
  return value;
}

// Friendly names before the document arrives: builder nodes carry `data.label`, flattened ones `label`.
function seedSteps(graph) {
  const nodes = graph && Array.isArray(graph.nodes) ? graph.nodes : [];
  return nodes
    .filter((n) => n && typeof n.id === "string")
    .map((n) => ({ nodeId: n.id, name: (n.data && n.data.label) || n.label || n.id, kind: n.type }));
}

// The document's step order (topological) and names win; events already applied are kept.
function mergeDocument(state, doc) {
  const fresh = fromDocument(doc);
  return applyEvents(fresh, state.logs);
}
