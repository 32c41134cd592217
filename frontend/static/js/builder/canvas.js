/** Builder canvas: the SVG's layers, pan and zoom, selection, and the node/edge drawing of lib/graph_svg.js. */

// Pointer and keyboard gestures live in canvas_gestures.js; they turn into intents (move, connect,
// select) that main.js applies to the graph model.

import { s } from "../lib/dom.js";
import { NODE_H, NODE_W, drawEditorGraph, editorDefs } from "../lib/graph_svg.js";
import { CanvasGestures } from "./canvas_gestures.js";
import { bounds, snap } from "./graph.js";
import { outputsByNode } from "./ports.js";

// Still exported from the canvas module, though the box size now belongs to the shared renderer.
export { NODE_H, NODE_W };
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 2.5;

export class Canvas {
  /**
   * @param {SVGSVGElement} svg
   * @param {{getState: () => any, kinds: () => Record<string, any>, onMove: (p: Record<string,{x:number,y:number}>) => void,
   *   onConnect: (source: string, target: string, handle: string|null) => void, onSelect: (sel: {nodes: string[], edges: string[]}) => void}} hooks
   */
  constructor(svg, hooks) {
    this.svg = svg;
    this.hooks = hooks;
    this.view = { x: 0, y: 0, k: 1 };
    this.selection = { nodes: new Set(), edges: new Set() };
    this.statuses = {};
    this.problems = {};
    this.build();
    this.gestures = new CanvasGestures(this);
  }

  build() {
    const svg = this.svg;
    svg.replaceChildren();
    const defs = editorDefs();
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
    drawEditorGraph(this, {
      state,
      kinds,
      outputs: outputsByNode(state, kinds),
      selection: this.selection,
      statuses: this.statuses,
      problems: this.problems,
      overrides,
    });
  }
}
