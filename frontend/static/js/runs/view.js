/** DOM views shared by the builder's run panel and the run page: status badge and line, steps list, log. */

import { h } from "../lib/dom.js";
import { formatDuration, formatLogLine, formatTime } from "./format.js";
import { stepList } from "./stream.js";

export const STATUS_LABELS = Object.freeze({
  idle: "Not run yet",
  starting: "Starting…",
  queued: "Queued",
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped",
  cancelled: "Cancelled",
});

export function badge(status) {
  return h("span", { class: `run-badge run-badge--${status}`, dataset: { status } }, STATUS_LABELS[status] ?? status);
}

/** The status line: `data-status` carries the raw status, the text says it for people. */
export function renderStatus(node, { status, text }) {
  node.dataset.status = status;
  node.className = `run-status run-status--${status}`;
  node.textContent = text;
}

/** Text of the status line for a run state (the end message once it ended). */
export function statusText(state, mode) {
  if (state.terminal) return state.endMessage ?? STATUS_LABELS[state.status];
  const base = state.status === "running" ? "Running…" : "Queued…";
  if (mode === "polling") return `${base} (polling for updates)`;
  if (mode === "reconnecting") return `${base} (reconnecting)`;
  return base;
}

/** The steps list: one `<li>` per step, keyed by node id, updated in place. */
export class StepsView {
  constructor(list, { onSelect = null } = {}) {
    this.list = list;
    this.items = new Map();
    this.onSelect = onSelect;
  }

  clear() {
    this.list.replaceChildren();
    this.items.clear();
  }

  render(state) {
    for (const step of stepList(state)) {
      let item = this.items.get(step.nodeId);
      if (!item) {
        item = h(
          "li",
          { class: "run-step", dataset: { nodeId: step.nodeId } },
          h("span", { class: "run-step__name" }),
          h("code", { class: "run-step__id" }),
          h("span", { class: "run-step__badge" }),
          h("span", { class: "run-step__duration" }),
        );
        this.items.set(step.nodeId, item);
        this.list.append(item);
      }
      if (item.dataset.status === step.status && item.dataset.duration === String(step.durationMs)) continue;
      item.dataset.status = step.status;
      item.dataset.duration = String(step.durationMs);
      item.querySelector(".run-step__name").textContent = step.name || step.nodeId;
      item.querySelector(".run-step__id").textContent = step.nodeId;
      item.querySelector(".run-step__badge").replaceChildren(badge(step.status));
      const duration = formatDuration(step.durationMs);
      const durationNode = item.querySelector(".run-step__duration");
      durationNode.textContent = duration;
      durationNode.title = duration ? `took ${duration}` : "";
      item.setAttribute(
        "aria-label",
        `${step.name || step.nodeId} (${step.nodeId}): ${STATUS_LABELS[step.status] ?? step.status}` +
          (duration ? `, ${duration}` : ""),
      );
      if (step.error && step.status === "failed") item.title = step.error;
    }
  }
}

/** The log: appends new lines, re-renders only if a line lands before one already shown. */
export class LogView {
  constructor(box) {
    this.box = box;
    this.shown = [];
  }

  clear() {
    this.box.replaceChildren();
    this.shown = [];
  }

  render(state) {
    const logs = state.logs;
    const n = this.shown.length;
    const prefixIntact = n <= logs.length && (n === 0 || logs[n - 1].seq === this.shown[n - 1]);
    const atBottom = this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < 24;
    if (!prefixIntact) this.clear();
    const fragment = document.createDocumentFragment();
    for (const line of logs.slice(this.shown.length)) {
      fragment.append(logLine(line));
      this.shown.push(line.seq);
    }
    this.box.append(fragment);
    if (atBottom) this.box.scrollTop = this.box.scrollHeight;
  }
}

function logLine(line) {
  const level = String(line.level || "info").toLowerCase();
  return h(
    "div",
    { class: `run-log run-log--${level}`, dataset: { seq: String(line.seq), level } },
    h("time", { class: "run-log__time", datetime: line.ts }, formatTime(line.ts)),
    " ",
    h("span", { class: "run-log__level" }, `[${level.toUpperCase()}]`),
    " ",
    h("span", { class: "run-log__msg" }, line.msg),
  );
}

export { formatLogLine };
