// The builder's run panel: Run (idempotent POST of the current graph), Cancel, live status, steps, log.
//
//   import { mountRunPanel } from "/static/js/runs/panel.js";
//   mountRunPanel(document.querySelector('[data-testid="run-panel"]'), {
//     getGraph: () => currentGraph(), onStepStatuses: (map) => canvas.setBadges(map) });

import { streamRun } from "./client.js";
import { applyEvents, fromDocument, initialState, stepStatuses } from "./stream.js";
import { csrfToken, errorMessage, idempotencyKey } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { LogView, StepsView, renderStatus, statusText } from "./view.js";

// The key form lives in lib/api.js; the run panel's callers and tests import it from here too.
export { idempotencyKey };

const NETWORK_RETRIES = 3;
const RETRY_BASE_MS = 500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POST /v1/runs with one Idempotency-Key for every attempt; only a network failure (fetch throwing)
 * is retried, an HTTP answer never is. Returns the parsed response body; throws Error(message).
 */
export async function startRun(body, { key = idempotencyKey(), fetchImpl = fetch, retries = NETWORK_RETRIES, wait = sleep } = {}) {
  let lastError = null;
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt) await wait(RETRY_BASE_MS * 2 ** (attempt - 1));
    let response;
    try {
      response = await fetchImpl("/v1/runs", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Idempotency-Key": key,
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      lastError = err;
      continue;
    }
    if (!response.ok) throw new Error(await errorMessage(response));
    return response.json();
  }
  throw new Error(`network error: ${lastError && lastError.message ? lastError.message : "no response"}`);
}

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
  { getGraph, getPayload = null, getWorkflowId = null, onStepStatuses = () => {}, runButton: externalRun = null, cancelButton: externalCancel = null } = {},
) {
  if (typeof getGraph !== "function") throw new TypeError("mountRunPanel needs getGraph()");
  ensureStylesheet();
  if (!container.dataset.testid) container.dataset.testid = "run-panel";
  container.classList.add("run-panel");
  if (!container.getAttribute("role")) container.setAttribute("role", "region");
  if (!container.getAttribute("aria-label")) container.setAttribute("aria-label", "Run");

  const runButton =
    externalRun ||
    h(
      "button",
      { type: "button", class: "btn btn--primary btn--small", "data-testid": "run-button" },
      h("span", { "aria-hidden": "true" }, "▶ "),
      "Run",
    );
  const cancelButton =
    externalCancel || h("button", { type: "button", class: "btn btn--ghost btn--small", "data-testid": "cancel-button" }, "Cancel");
  runButton.disabled = false;
  cancelButton.disabled = true;
  const link = h("a", { class: "run-panel__link", hidden: true, target: "_blank", rel: "noopener" }, "Open run page");
  const payloadInput = h("textarea", {
    class: "run-payload__input",
    name: "run-payload",
    rows: "3",
    spellcheck: "false",
    "aria-label": "Run payload (a JSON object)",
  });
  payloadInput.value = "{}";
  const payloadBox = h(
    "details",
    { class: "run-payload", hidden: Boolean(getPayload) },
    h("summary", {}, "Payload"),
    h("p", { class: "muted small" }, "A JSON object; templates read it as {{payload.x}}."),
    payloadInput,
  );
  const payloadUsed = h("p", { class: "small run-payload__used", "data-testid": "payload-keys", hidden: true });
  payloadInput.before(payloadUsed);
  const status = h("div", { "data-testid": "run-status", role: "status", "aria-live": "polite" });
  const steps = h("ol", { class: "run-steps", "data-testid": "run-steps", "aria-label": "Steps" });
  const logs = h("div", {
    class: "run-logs",
    "data-testid": "run-logs",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Run log",
    tabindex: "0",
  });
  container.replaceChildren(
    h("div", { class: "run-panel__bar" }, externalRun ? null : runButton, externalCancel ? null : cancelButton, link),
    payloadBox,
    status,
    h("h3", { class: "run-panel__heading", id: "run-panel-steps" }, "Steps"),
    steps,
    h("h3", { class: "run-panel__heading" }, "Log"),
    logs,
  );

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
    const body = workflowId ? { workflowId } : { graph };
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
      created = await startRun(body);
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
      const response = await fetch(`/v1/runs/${runId}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok && mine === generation) state = mergeDocument(state, await response.json());
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
      const response = await fetch(`/v1/runs/${state.runId}/cancel`, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      if (!response.ok) {
        note = `Cancel failed: ${await errorMessage(response)}`;
        cancelButton.disabled = false;
        render();
      }
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
    /** The payload keys the graph reads: the box opens, names them and starts an untouched payload with them. */
    setPayloadKeys(keys) {
      payloadUsed.hidden = !keys.length;
      payloadUsed.textContent = keys.length ? `This workflow reads ${keys.map((k) => `payload.${k}`).join(", ")}.` : "";
      if (!keys.length) return;
      payloadBox.open = true;
      if (payloadInput.value.trim() === "{}") payloadInput.value = JSON.stringify(Object.fromEntries(keys.map((k) => [k, ""])), null, 1);
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

// The panel brings its own CSS so a page only has to import this module.
function ensureStylesheet() {
  if (document.querySelector("link[data-runs-css]")) return;
  const href = new URL("../../css/runs.css", import.meta.url).href;
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href, "data-runs-css": "" }));
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
