/** The run page: read-only graph with live colours, steps, streaming log, outputs (JSON viewer), timeline. */

import { h, readJsonScript, s as svg } from "../lib/dom.js";
import { drawRunGraph, truncate } from "../lib/graph_svg.js";
import { streamRun } from "./client.js";
import { formatDuration } from "./format.js";
import { cancelRun, getRun } from "./requests.js";
import { applyEvents, fromDocument, stepList } from "./stream.js";
import { STATUS_LABELS, LogView, StepsView, badge, renderStatus, statusText } from "./view.js";

// ---- read-only canvas -------------------------------------------------------------------------

export class RunCanvas {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.groups = new Map();
    this.draw();
  }

  draw() {
    this.groups = drawRunGraph(this.root, this.data);
  }

  setStatuses(state) {
    for (const [id, { g, status, incoming }] of this.groups) {
      const s = state.steps[id]?.status ?? "queued";
      if (g.getAttribute("data-status") === s) continue;
      g.setAttribute("data-status", s);
      status.textContent = (STATUS_LABELS[s] ?? s).toLowerCase();
      for (const line of incoming) line.classList.toggle("is-skipped", s === "skipped");
    }
  }
}

// ---- JSON viewer ----------------------------------------------------------------------------------

const MAX_ITEMS = 200;

/** A collapsible tree of `value`; objects and arrays below `openDepth` start closed. */
export function jsonView(value, { openDepth = 1 } = {}) {
  return h("div", { class: "json-view" }, jsonNode(null, value, 0, openDepth));
}

function jsonNode(key, value, depth, openDepth) {
  const label = key === null ? [] : [h("span", { class: "jv-key" }, JSON.stringify(key)), ": "];
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    const summary = h("summary", {}, ...label, open, h("span", { class: "jv-meta" }, ` ${entries.length} ${entries.length === 1 ? "item" : "items"} `), close);
    const details = h("details", { open: depth < openDepth }, summary);
    for (const [k, v] of entries.slice(0, MAX_ITEMS)) {
      details.append(jsonNode(Array.isArray(value) ? null : k, v, depth + 1, openDepth));
    }
    if (entries.length > MAX_ITEMS) details.append(h("div", { class: "jv-row jv-meta" }, `… ${entries.length - MAX_ITEMS} more`));
    return details;
  }
  let cls = "jv-null";
  if (typeof value === "string") cls = "jv-string";
  else if (typeof value === "number") cls = "jv-number";
  else if (typeof value === "boolean") cls = "jv-bool";
  return h("div", { class: "jv-row" }, ...label, h("span", { class: cls }, JSON.stringify(value)));
}

// ---- outputs -------------------------------------------------------------------------------------

function renderOutputs(root, state, outputs) {
  const open = new Set([...root.querySelectorAll("details[data-node-id][open]")].map((d) => d.dataset.nodeId));
  const items = stepList(state).map((step) => {
    const has = Object.prototype.hasOwnProperty.call(outputs, step.nodeId) && outputs[step.nodeId] !== null;
    const details = h(
      "details",
      { dataset: { nodeId: step.nodeId }, open: open.has(step.nodeId) },
      h("summary", {}, step.name || step.nodeId, h("code", {}, step.nodeId), badge(step.status)),
      has ? jsonView(outputs[step.nodeId]) : h("p", { class: "muted small empty-output" }, step.error ? `Error: ${step.error}` : "No output."),
    );
    return details;
  });
  root.replaceChildren(...items);
}

// ---- timeline ------------------------------------------------------------------------------------

export function renderTimeline(root, state, now = Date.now()) {
  const steps = stepList(state).filter((s) => s.startedAt);
  if (!steps.length) {
    root.replaceChildren(h("p", { class: "muted small" }, "No step has started yet."));
    return;
  }
  const t = (iso) => Date.parse(iso);
  const start = Math.min(...steps.map((s) => t(s.startedAt)));
  const ends = steps.map((s) => (s.finishedAt ? t(s.finishedAt) : state.terminal ? t(state.finishedAt ?? s.startedAt) : now));
  const end = Math.max(start + 1, ...ends);
  const span = end - start;
  const [labelW, chartW, rowH, top] = [150, 620, 24, 22];
  const width = labelW + chartW + 70;
  const height = top + steps.length * rowH + 6;
  const x = (ms) => labelW + ((ms - start) / span) * chartW;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => [
    svg("line", { class: "tl-grid", x1: labelW + f * chartW, x2: labelW + f * chartW, y1: top - 4, y2: height }),
    svg("text", { class: "tl-axis", x: labelW + f * chartW, y: 12, "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" }, `+${formatDuration(f * span)}`),
  ]);
  const rows = steps.map((s, i) => {
    const y = top + i * rowH;
    const x0 = x(t(s.startedAt));
    const x1 = Math.max(x0 + 2, x(ends[i]));
    const took = s.durationMs ?? (s.finishedAt ? t(s.finishedAt) - t(s.startedAt) : null);
    const text = took === null ? "running" : formatDuration(took);
    return svg(
      "g",
      { "data-node-id": s.nodeId },
      svg("text", { class: "tl-label", x: labelW - 8, y: y + 15, "text-anchor": "end" }, truncate(s.name || s.nodeId, 20)),
      svg(
        "rect",
        { class: "tl-bar", x: x0, y: y + 4, width: x1 - x0, height: rowH - 9, rx: 3, "data-status": s.status },
        svg("title", {}, `${s.name || s.nodeId}: ${s.status}, started +${formatDuration(t(s.startedAt) - start)}, ${text}`),
      ),
      svg("text", { class: "tl-axis", x: x1 + 6, y: y + 15 }, text),
    );
  });
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "When each step started and ended" }, ...grid.flat(), ...rows);
  root.replaceChildren(chart);
}

// ---- page ----------------------------------------------------------------------------------------

function boot() {
  const doc = readJsonScript("run-doc");
  const canvasData = readJsonScript("run-canvas-data");
  if (!doc) return;
  const runId = doc.id;
  let state = fromDocument(doc);
  let mode = state.terminal ? "done" : "connecting";
  let note = null;
  let outputs = Object.fromEntries((doc.steps ?? []).map((s) => [s.nodeId, s.output ?? null]));

  const statusNode = document.querySelector("[data-testid=run-status]");
  const cancelButton = document.querySelector("[data-testid=cancel-button]");
  const durationNode = document.querySelector("[data-testid=run-duration]");
  const steps = new StepsView(document.querySelector("[data-testid=run-steps]"));
  const logs = new LogView(document.querySelector("[data-testid=run-logs]"));
  const canvasRoot = document.getElementById("run-canvas");
  const canvas = canvasRoot && canvasData ? new RunCanvas(canvasRoot, canvasData) : null;
  const timeline = document.getElementById("run-timeline");
  const outputsRoot = document.getElementById("run-outputs");

  function render() {
    steps.render(state);
    logs.render(state);
    canvas?.setStatuses(state);
    renderTimeline(timeline, state);
    renderOutputs(outputsRoot, state, outputs);
    renderStatus(statusNode, { status: state.status, text: statusText(state, mode) + (note && !state.terminal ? ` — ${note}` : "") });
    if (cancelButton) cancelButton.disabled = state.terminal;
    if (durationNode && state.terminal && state.durationMs !== null) durationNode.textContent = formatDuration(state.durationMs);
  }

  let refreshTimer = null;
  function refreshOutputs() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      try {
        const fresh = await getRun(runId);
        if (!fresh) return;
        outputs = Object.fromEntries((fresh.steps ?? []).map((s) => [s.nodeId, s.output ?? null]));
        if (fresh.durationMs !== null && fresh.durationMs !== undefined && state.terminal) state = { ...state, durationMs: fresh.durationMs };
        render();
      } catch {
        /* outputs stay as they were */
      }
    }, 300);
  }

  render();
  if (state.terminal) return;

  const ticker = setInterval(() => {
    if (state.terminal) clearInterval(ticker);
    else renderTimeline(timeline, state);
  }, 1000);

  streamRun(runId, {
    after: state.lastSeq,
    onEvents: (events) => {
      state = applyEvents(state, events);
      render();
      if (events.some((e) => !["log", "run_queued", "step_started"].includes(e.type))) refreshOutputs();
    },
    onMode: (next) => {
      mode = next;
      render();
    },
    onError: (message) => {
      note = message;
      render();
    },
  });

  cancelButton?.addEventListener("click", async () => {
    cancelButton.disabled = true;
    try {
      await cancelRun(runId);
    } catch (err) {
      note = `Cancel failed: ${err.message}`;
      cancelButton.disabled = false;
      render();
    }
  });
}

boot();
