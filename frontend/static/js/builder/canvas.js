/**
 * SVG canvas: draws nodes and edges, and turns pointer gestures into intents (move, connect,
 * select) that main.js applies to the graph model. Rendering is a full redraw: graphs are small.
 *
 * Gestures: drag a node (snaps to 16 px; a selected group moves together), drag from an output
 * port to a node's input to connect, click to select, Shift/Ctrl/Cmd-click to add/remove,
 * Shift+drag on the background for a selection box, drag the background to pan, wheel to zoom.
 */

import { s } from "../lib/dom.js";
import { bounds, nodesInRect, snap } from "./graph.js";

export const NODE_W = 208;
export const NODE_H = 72;
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 2.5;
const CLICK_SLOP = 3;

const STATUS_TEXT = {
  idle: "idle",
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "skipped",
  cancelled: "cancelled",
};

export class Canvas {
  /**
   * @param {SVGSVGElement} svg
   * @param {{getState: () => any, kinds: () => Record<string, any>, onMove: (p: Record<string,{x:number,y:number}>) => void,
   *   onConnect: (source: string, target: string) => void, onSelect: (sel: {nodes: string[], edges: string[]}) => void}} hooks
   */
  constructor(svg, hooks) {
    this.svg = svg;
    this.hooks = hooks;
    this.view = { x: 0, y: 0, k: 1 };
    this.selection = { nodes: new Set(), edges: new Set() };
    this.statuses = {};
    this.problems = {};
    this.gesture = null;
    this.build();
    this.bind();
  }

  build() {
    const svg = this.svg;
    svg.replaceChildren();
    const defs = s(
      "defs",
      {},
      s(
        "pattern",
        { id: "grid-dots", width: 16, height: 16, patternUnits: "userSpaceOnUse" },
        s("circle", { cx: 1, cy: 1, r: 1, class: "grid-dot" }),
      ),
      s("clipPath", { id: "node-clip" }, s("rect", { width: NODE_W, height: NODE_H, rx: 12 })),
      s(
        "marker",
        { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "edge-arrow" }),
      ),
      s(
        "marker",
        { id: "arrow-selected", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "edge-arrow edge-arrow--selected" }),
      ),
    );
    this.background = s("rect", { class: "canvas-bg", width: "100%", height: "100%", fill: "url(#grid-dots)" });
    this.viewport = s("g", { class: "viewport" });
    this.edgeLayer = s("g", { class: "edges" });
    this.ghost = s("path", { class: "edge edge--ghost", visibility: "hidden" });
    this.nodeLayer = s("g", { class: "nodes" });
    this.viewport.append(this.edgeLayer, this.ghost, this.nodeLayer);
    this.rubber = s("rect", { class: "rubber-band", visibility: "hidden" });
    svg.append(defs, this.background, this.viewport, this.rubber);
    this.applyView();
  }

  bind() {
    this.svg.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    this.svg.addEventListener("pointermove", (e) => this.onPointerMove(e));
    this.svg.addEventListener("pointerup", (e) => this.onPointerUp(e));
    this.svg.addEventListener("pointercancel", () => this.endGesture());
    this.svg.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    this.svg.addEventListener("keydown", (e) => this.onKeyDown(e));
  }

  // ---- coordinates -------------------------------------------------------------------------

  /** Client point → canvas (world) coordinates. */
  toWorld(clientX, clientY) {
    const r = this.svg.getBoundingClientRect();
    return { x: (clientX - r.left - this.view.x) / this.view.k, y: (clientY - r.top - this.view.y) / this.view.k };
  }

  /** Where a new node should go: right of the one selected node, else the middle of the view; never on another node. */
  freeSpot() {
    const r = this.svg.getBoundingClientRect();
    const centre = this.toWorld(r.left + r.width / 2 - (NODE_W * this.view.k) / 2, r.top + r.height / 2 - (NODE_H * this.view.k) / 2);
    const state = this.hooks.getState();
    const selected = state.nodes.filter((n) => this.selection.nodes.has(n.id));
    const anchor = selected.length === 1 ? selected[0] : null;
    let spot = anchor ? { x: anchor.position.x + NODE_W + 64, y: anchor.position.y } : { x: snap(centre.x), y: snap(centre.y) };
    const taken = (p) => state.nodes.some((n) => Math.abs(n.position.x - p.x) < NODE_W && Math.abs(n.position.y - p.y) < NODE_H + 16);
    for (let i = 0; i < 50 && taken(spot); i++) spot = { x: spot.x, y: spot.y + NODE_H + 32 };
    return spot;
  }

  applyView() {
    const { x, y, k } = this.view;
    this.viewport.setAttribute("transform", `translate(${x} ${y}) scale(${k})`);
    const pattern = this.svg.querySelector("#grid-dots");
    pattern.setAttribute("patternTransform", `translate(${x} ${y}) scale(${k})`);
    this.svg.dataset.zoom = k.toFixed(2);
    if (this.hooks.onView) this.hooks.onView(this.view);
  }

  zoomAt(factor, clientX, clientY) {
    const r = this.svg.getBoundingClientRect();
    const px = clientX === undefined ? r.width / 2 : clientX - r.left;
    const py = clientY === undefined ? r.height / 2 : clientY - r.top;
    const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.view.k * factor));
    const ratio = k / this.view.k;
    this.view = { k, x: px - (px - this.view.x) * ratio, y: py - (py - this.view.y) * ratio };
    this.applyView();
  }

  /** Pan so that a node is in view (after adding one off-screen). */
  ensureVisible(id) {
    const node = this.hooks.getState().nodes.find((n) => n.id === id);
    const r = this.svg.getBoundingClientRect();
    if (!node || !r.width) return;
    const x = node.position.x * this.view.k + this.view.x;
    const y = node.position.y * this.view.k + this.view.y;
    const margin = 24;
    if (x >= margin && y >= margin && x + NODE_W * this.view.k <= r.width - margin && y + NODE_H * this.view.k <= r.height - margin) return;
    this.view = { ...this.view, x: r.width / 2 - (node.position.x + NODE_W / 2) * this.view.k, y: r.height / 2 - (node.position.y + NODE_H / 2) * this.view.k };
    this.applyView();
  }

  zoomIn() {
    this.zoomAt(1.2);
  }

  zoomOut() {
    this.zoomAt(1 / 1.2);
  }

  /** Fit every node in view (zoom never above 1.25). */
  fitView() {
    const box = bounds(this.hooks.getState(), { w: NODE_W, h: NODE_H });
    const r = this.svg.getBoundingClientRect();
    if (!box || !r.width || !r.height) {
      this.view = { x: 40, y: 40, k: 1 };
    } else {
      const pad = 64;
      const k = Math.min(1.25, Math.max(MIN_ZOOM, Math.min((r.width - pad * 2) / box.w, (r.height - pad * 2) / box.h)));
      this.view = { k, x: (r.width - box.w * k) / 2 - box.x * k, y: (r.height - box.h * k) / 2 - box.y * k };
    }
    this.applyView();
  }

  // ---- state in ----------------------------------------------------------------------------

  setStatuses(map) {
    this.statuses = { ...(map || {}) };
    this.render();
  }

  /** Mark nodes with a problem (save/compile errors): node id → message. */
  setProblems(map) {
    this.problems = { ...(map || {}) };
    this.render();
  }

  setSelection(nodes = [], edges = [], notify = true) {
    this.selection = { nodes: new Set(nodes), edges: new Set(edges) };
    this.render();
    if (notify) this.hooks.onSelect(this.selectionList());
  }

  selectionList() {
    return { nodes: [...this.selection.nodes], edges: [...this.selection.edges] };
  }

  /** Drop selected ids that no longer exist (after undo, delete, import). */
  pruneSelection() {
    const state = this.hooks.getState();
    const nodeIds = new Set(state.nodes.map((n) => n.id));
    const edgeIds = new Set(state.edges.map((e) => e.id));
    const nodes = [...this.selection.nodes].filter((id) => nodeIds.has(id));
    const edges = [...this.selection.edges].filter((id) => edgeIds.has(id));
    const changed = nodes.length !== this.selection.nodes.size || edges.length !== this.selection.edges.size;
    this.selection = { nodes: new Set(nodes), edges: new Set(edges) };
    return changed;
  }

  // ---- drawing -----------------------------------------------------------------------------

  /** Redraw. `overrides` maps node id → position while a drag is in progress. */
  render(overrides = null) {
    const state = this.hooks.getState();
    const kinds = this.hooks.kinds();
    const pos = (n) => (overrides && overrides[n.id]) || n.position;
    const byId = new Map(state.nodes.map((n) => [n.id, n]));

    const edges = [];
    for (const e of state.edges) {
      const a = byId.get(e.source);
      const b = byId.get(e.target);
      if (!a || !b) continue;
      const p = pos(a);
      const q = pos(b);
      const d = curve(p.x + NODE_W + 6, p.y + NODE_H / 2, q.x - 7, q.y + NODE_H / 2);
      const selected = this.selection.edges.has(e.id);
      edges.push(
        s(
          "g",
          { class: `edge-group${selected ? " is-selected" : ""}`, "data-edge-id": e.id },
          s("path", { class: "edge-hit", d }),
          s("path", { class: "edge", d, "marker-end": selected ? "url(#arrow-selected)" : "url(#arrow)" }),
          s("title", {}, `${a.data?.label || a.id} → ${b.data?.label || b.id}`),
        ),
      );
    }
    this.edgeLayer.replaceChildren(...edges);

    const nodes = state.nodes.map((n) => {
      const p = pos(n);
      const kind = kinds[n.type] || { label: n.type, color: "#64748b" };
      const selected = this.selection.nodes.has(n.id);
      const status = this.statuses[n.id] || "idle";
      const problem = this.problems[n.id];
      const label = n.data?.label || kind.label || n.id;
      const g = s(
        "g",
        {
          class: `node node--${n.type}${selected ? " is-selected" : ""}${problem ? " has-problem" : ""}`,
          transform: `translate(${p.x} ${p.y})`,
          "data-node-id": n.id,
          "data-kind": n.type,
          "data-status": status,
          tabindex: 0,
          role: "button",
          "aria-pressed": selected ? "true" : "false",
          "aria-label": `${kind.label} node ${label}${problem ? ` (problem: ${problem})` : ""}`,
          style: `--kind: ${kind.color || "#64748b"}`,
        },
        s("rect", { class: "node__shadow", x: 0, y: 2, width: NODE_W, height: NODE_H, rx: 12 }),
        s("rect", { class: "node__box", width: NODE_W, height: NODE_H, rx: 12 }),
        s("rect", { class: "node__accent", x: 0, y: 0, width: 4, height: NODE_H, "clip-path": "url(#node-clip)" }),
        s("circle", { class: "node__icon-bg", cx: 30, cy: NODE_H / 2, r: 15 }),
        s("text", { class: "node__icon", x: 30, y: NODE_H / 2 + 5, "text-anchor": "middle" }, n.type === "start" ? "▶" : n.type === "http" ? "⇄" : "◆"),
        s("text", { class: "node__label", x: 54, y: 30 }, truncate(label, 20)),
        s("text", { class: "node__kind", x: 54, y: 50 }, truncate(`${kind.label} · ${n.id}`, 24)),
        statusBadge(status),
        n.type === "start" ? null : s("circle", { class: "port port--in", cx: 0, cy: NODE_H / 2, r: 6, "data-port": "in" }),
        s("circle", { class: "port port--out", cx: NODE_W, cy: NODE_H / 2, r: 6, "data-port": "out", "aria-label": `Connect from ${label}` }),
        s("title", {}, problem ? `${label}: ${problem}` : `${label} (${n.id})`),
      );
      return g;
    });
    this.nodeLayer.replaceChildren(...nodes);
  }

  // ---- gestures ----------------------------------------------------------------------------

  onPointerDown(e) {
    if (e.button !== 0 && e.button !== 1) return;
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    const nodeEl = e.target.closest(".node");
    const edgeEl = e.target.closest(".edge-group");
    const port = e.target.closest("[data-port='out']");
    const start = { clientX: e.clientX, clientY: e.clientY, world: this.toWorld(e.clientX, e.clientY) };
    this.svg.focus({ preventScroll: true });

    if (e.button === 1 || (!nodeEl && !edgeEl && !e.shiftKey)) {
      this.gesture = { type: "pan", ...start, view: { ...this.view }, moved: false, clear: !additive && e.button === 0 };
    } else if (port && nodeEl) {
      this.gesture = { type: "connect", ...start, source: nodeEl.dataset.nodeId, moved: false };
    } else if (nodeEl) {
      const id = nodeEl.dataset.nodeId;
      let toggledOff = false;
      if (additive) {
        if (this.selection.nodes.has(id)) {
          this.selection.nodes.delete(id);
          toggledOff = true;
        } else this.selection.nodes.add(id);
        this.render();
        this.hooks.onSelect(this.selectionList());
      } else if (!this.selection.nodes.has(id)) {
        this.setSelection([id], []);
      }
      const state = this.hooks.getState();
      const ids = toggledOff ? [] : [...this.selection.nodes];
      const origin = {};
      for (const n of state.nodes) if (ids.includes(n.id)) origin[n.id] = { ...n.position };
      this.gesture = { type: "drag", ...start, id, ids, origin, moved: false, additive };
    } else if (edgeEl) {
      const id = edgeEl.dataset.edgeId;
      if (additive) {
        if (this.selection.edges.has(id)) this.selection.edges.delete(id);
        else this.selection.edges.add(id);
        this.render();
        this.hooks.onSelect(this.selectionList());
      } else {
        this.setSelection([], [id]);
      }
      this.gesture = null;
      return;
    } else {
      this.gesture = { type: "rubber", ...start, moved: false, base: this.selectionList() };
    }
    this.svg.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  onPointerMove(e) {
    const g = this.gesture;
    if (!g) return;
    const dxs = e.clientX - g.clientX;
    const dys = e.clientY - g.clientY;
    if (!g.moved && Math.hypot(dxs, dys) < CLICK_SLOP) return;
    g.moved = true;
    const world = this.toWorld(e.clientX, e.clientY);
    if (g.type === "pan") {
      this.view = { ...g.view, x: g.view.x + dxs, y: g.view.y + dys };
      this.applyView();
      this.svg.classList.add("is-panning");
    } else if (g.type === "drag") {
      const dx = world.x - g.world.x;
      const dy = world.y - g.world.y;
      g.positions = {};
      for (const [id, p] of Object.entries(g.origin)) g.positions[id] = { x: snap(p.x + dx), y: snap(p.y + dy) };
      this.render(g.positions);
    } else if (g.type === "connect") {
      const state = this.hooks.getState();
      const src = state.nodes.find((n) => n.id === g.source);
      if (!src) return;
      this.ghost.setAttribute("d", curve(src.position.x + NODE_W, src.position.y + NODE_H / 2, world.x, world.y));
      this.ghost.setAttribute("visibility", "visible");
      this.markDropTarget(e);
    } else if (g.type === "rubber") {
      const x = Math.min(g.world.x, world.x);
      const y = Math.min(g.world.y, world.y);
      const rect = { x, y, w: Math.abs(world.x - g.world.x), h: Math.abs(world.y - g.world.y) };
      const r = this.svg.getBoundingClientRect();
      this.rubber.setAttribute("x", Math.min(g.clientX, e.clientX) - r.left);
      this.rubber.setAttribute("y", Math.min(g.clientY, e.clientY) - r.top);
      this.rubber.setAttribute("width", Math.abs(dxs));
      this.rubber.setAttribute("height", Math.abs(dys));
      this.rubber.setAttribute("visibility", "visible");
      const hit = nodesInRect(this.hooks.getState(), rect, { w: NODE_W, h: NODE_H });
      this.selection = { nodes: new Set([...g.base.nodes, ...hit]), edges: new Set(g.base.edges) };
      this.render();
    }
  }

  markDropTarget(e) {
    for (const el of this.nodeLayer.querySelectorAll(".is-drop-target")) el.classList.remove("is-drop-target");
    const target = this.nodeAt(e.clientX, e.clientY);
    if (target && target !== this.gesture.source) {
      this.nodeLayer.querySelector(`[data-node-id="${CSS.escape(target)}"]`)?.classList.add("is-drop-target");
    }
  }

  nodeAt(clientX, clientY) {
    const el = document.elementFromPoint(clientX, clientY);
    const nodeEl = el && el.closest ? el.closest(".node") : null;
    return nodeEl && this.svg.contains(nodeEl) ? nodeEl.dataset.nodeId : null;
  }

  onPointerUp(e) {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    if (this.svg.hasPointerCapture(e.pointerId)) this.svg.releasePointerCapture(e.pointerId);
    this.svg.classList.remove("is-panning");
    if (g.type === "pan") {
      if (!g.moved && g.clear && (this.selection.nodes.size || this.selection.edges.size)) this.setSelection([], []);
    } else if (g.type === "drag") {
      if (g.moved && g.positions) this.hooks.onMove(g.positions);
      else if (!g.moved && !g.additive) this.setSelection([g.id], []);
      else this.render();
    } else if (g.type === "connect") {
      this.ghost.setAttribute("visibility", "hidden");
      const target = this.nodeAt(e.clientX, e.clientY);
      this.render();
      if (target && target !== g.source) this.hooks.onConnect(g.source, target);
    } else if (g.type === "rubber") {
      this.rubber.setAttribute("visibility", "hidden");
      this.render();
      this.hooks.onSelect(this.selectionList());
    }
  }

  endGesture() {
    this.gesture = null;
    this.ghost.setAttribute("visibility", "hidden");
    this.rubber.setAttribute("visibility", "hidden");
    this.render();
  }

  onWheel(e) {
    e.preventDefault();
    if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) >= Math.abs(e.deltaX)) {
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY);
    } else {
      this.view = { ...this.view, x: this.view.x - e.deltaX, y: this.view.y - e.deltaY };
      this.applyView();
    }
  }

  /** Keyboard on a focused node: Enter/Space selects, arrows move the selection by one grid step. */
  onKeyDown(e) {
    const nodeEl = e.target.closest && e.target.closest(".node");
    if (nodeEl && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      this.setSelection([nodeEl.dataset.nodeId], []);
      return;
    }
    const arrows = { ArrowLeft: [-16, 0], ArrowRight: [16, 0], ArrowUp: [0, -16], ArrowDown: [0, 16] };
    if (arrows[e.key] && this.selection.nodes.size) {
      e.preventDefault();
      const [dx, dy] = arrows[e.key];
      const state = this.hooks.getState();
      const positions = {};
      for (const n of state.nodes) if (this.selection.nodes.has(n.id)) positions[n.id] = { x: n.position.x + dx, y: n.position.y + dy };
      this.hooks.onMove(positions);
    }
  }
}

function curve(x1, y1, x2, y2) {
  const dx = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
}

function truncate(text, max) {
  const value = String(text);
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

function statusBadge(status) {
  const text = STATUS_TEXT[status] || status;
  const width = 12 + text.length * 6.2;
  return s(
    "g",
    { class: `badge badge--${status}`, transform: `translate(${NODE_W - width - 12} -9)`, "data-testid": "node-status" },
    s("rect", { width, height: 18, rx: 9 }),
    s("text", { x: width / 2, y: 12.5, "text-anchor": "middle" }, text),
  );
}
