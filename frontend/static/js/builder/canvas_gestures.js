/** Builder canvas gestures: pointer, wheel and keyboard input turned into view changes and move/connect/select intents. */

// Drag a node (snaps to 16 px; a selected group moves together), drag from an output port (a named
// one gives the edge its `sourceHandle`) to a node's input to connect, click to select, Shift/Ctrl/Cmd-click to add/remove, Shift+drag on the
// background for a selection box, drag the background to pan, wheel to zoom.

import { NODE_H, NODE_W, boxHeight, curve, portY } from "../lib/graph_svg.js";
import { nodesInRect, snap } from "./graph.js";
import { nodeOutputs } from "./ports.js";

/** Pointer movement under this many pixels is still a click. */
const CLICK_SLOP = 3;

export class CanvasGestures {
  /** @param {import("./canvas.js").Canvas} canvas the canvas whose SVG the listeners go on */
  constructor(canvas) {
    this.canvas = canvas;
    /** The gesture in progress (pan, drag, connect or rubber band), null between gestures. */
    this.gesture = null;
    const svg = canvas.svg;
    svg.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    svg.addEventListener("pointermove", (e) => this.onPointerMove(e));
    svg.addEventListener("pointerup", (e) => this.onPointerUp(e));
    svg.addEventListener("pointercancel", () => this.endGesture());
    svg.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    svg.addEventListener("keydown", (e) => this.onKeyDown(e));
  }

  onPointerDown(e) {
    const c = this.canvas;
    if (e.button !== 0 && e.button !== 1) return;
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    const nodeEl = e.target.closest(".node");
    const edgeEl = e.target.closest(".edge-group");
    const port = e.target.closest("[data-port='out']");
    const start = { clientX: e.clientX, clientY: e.clientY, world: c.toWorld(e.clientX, e.clientY) };
    c.svg.focus({ preventScroll: true });

    if (e.button === 1 || (!nodeEl && !edgeEl && !e.shiftKey)) {
      this.gesture = { type: "pan", ...start, view: { ...c.view }, moved: false, clear: !additive && e.button === 0 };
    } else if (port && nodeEl) {
      this.gesture = { type: "connect", ...start, source: nodeEl.dataset.nodeId, handle: port.dataset.handle ?? null, moved: false };
    } else if (nodeEl) {
      const id = nodeEl.dataset.nodeId;
      let toggledOff = false;
      if (additive) {
        if (c.selection.nodes.has(id)) {
          c.selection.nodes.delete(id);
          toggledOff = true;
        } else c.selection.nodes.add(id);
        c.render();
        c.hooks.onSelect(c.selectionList());
      } else if (!c.selection.nodes.has(id)) {
        c.setSelection([id], []);
      }
      const state = c.hooks.getState();
      const ids = toggledOff ? [] : [...c.selection.nodes];
      const origin = {};
      for (const n of state.nodes) if (ids.includes(n.id)) origin[n.id] = { ...n.position };
      this.gesture = { type: "drag", ...start, id, ids, origin, moved: false, additive };
    } else if (edgeEl) {
      const id = edgeEl.dataset.edgeId;
      if (additive) {
        if (c.selection.edges.has(id)) c.selection.edges.delete(id);
        else c.selection.edges.add(id);
        c.render();
        c.hooks.onSelect(c.selectionList());
      } else {
        c.setSelection([], [id]);
      }
      this.gesture = null;
      return;
    } else {
      this.gesture = { type: "rubber", ...start, moved: false, base: c.selectionList() };
    }
    c.svg.setPointerCapture(e.pointerId);
    e.preventDefault();
  }

  onPointerMove(e) {
    const c = this.canvas;
    const g = this.gesture;
    if (!g) return;
    const dxs = e.clientX - g.clientX;
    const dys = e.clientY - g.clientY;
    if (!g.moved && Math.hypot(dxs, dys) < CLICK_SLOP) return;
    g.moved = true;
    const world = c.toWorld(e.clientX, e.clientY);
    if (g.type === "pan") {
      c.view = { ...g.view, x: g.view.x + dxs, y: g.view.y + dys };
      c.applyView();
      c.svg.classList.add("is-panning");
    } else if (g.type === "drag") {
      const dx = world.x - g.world.x;
      const dy = world.y - g.world.y;
      g.positions = {};
      for (const [id, p] of Object.entries(g.origin)) g.positions[id] = { x: snap(p.x + dx), y: snap(p.y + dy) };
      c.render(g.positions);
    } else if (g.type === "connect") {
      const state = c.hooks.getState();
      const src = state.nodes.find((n) => n.id === g.source);
      if (!src) return;
      const names = nodeOutputs(src, c.hooks.kinds());
      const y = portY(names, g.handle, boxHeight(NODE_H, names.length));
      c.ghost.setAttribute("d", curve(src.position.x + NODE_W, src.position.y + y, world.x, world.y));
      c.ghost.setAttribute("visibility", "visible");
      this.markDropTarget(e);
    } else if (g.type === "rubber") {
      const x = Math.min(g.world.x, world.x);
      const y = Math.min(g.world.y, world.y);
      const rect = { x, y, w: Math.abs(world.x - g.world.x), h: Math.abs(world.y - g.world.y) };
      const r = c.svg.getBoundingClientRect();
      c.rubber.setAttribute("x", Math.min(g.clientX, e.clientX) - r.left);
      c.rubber.setAttribute("y", Math.min(g.clientY, e.clientY) - r.top);
      c.rubber.setAttribute("width", Math.abs(dxs));
      c.rubber.setAttribute("height", Math.abs(dys));
      c.rubber.setAttribute("visibility", "visible");
      const hit = nodesInRect(c.hooks.getState(), rect, { w: NODE_W, h: NODE_H });
      c.selection = { nodes: new Set([...g.base.nodes, ...hit]), edges: new Set(g.base.edges) };
      c.render();
    }
  }

  markDropTarget(e) {
    const c = this.canvas;
    for (const el of c.nodeLayer.querySelectorAll(".is-drop-target")) el.classList.remove("is-drop-target");
    const target = this.nodeAt(e.clientX, e.clientY);
    if (target && target !== this.gesture.source) {
      c.nodeLayer.querySelector(`[data-node-id="${CSS.escape(target)}"]`)?.classList.add("is-drop-target");
    }
  }

  nodeAt(clientX, clientY) {
    const c = this.canvas;
    const el = document.elementFromPoint(clientX, clientY);
    const nodeEl = el && el.closest ? el.closest(".node") : null;
    return nodeEl && c.svg.contains(nodeEl) ? nodeEl.dataset.nodeId : null;
  }

  onPointerUp(e) {
    const c = this.canvas;
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    if (c.svg.hasPointerCapture(e.pointerId)) c.svg.releasePointerCapture(e.pointerId);
    c.svg.classList.remove("is-panning");
    if (g.type === "pan") {
      if (!g.moved && g.clear && (c.selection.nodes.size || c.selection.edges.size)) c.setSelection([], []);
    } else if (g.type === "drag") {
      if (g.moved && g.positions) c.hooks.onMove(g.positions);
      else if (!g.moved && !g.additive) c.setSelection([g.id], []);
      else c.render();
    } else if (g.type === "connect") {
      c.ghost.setAttribute("visibility", "hidden");
      const target = this.nodeAt(e.clientX, e.clientY);
      c.render();
      if (target && target !== g.source) c.hooks.onConnect(g.source, target, g.handle);
    } else if (g.type === "rubber") {
      c.rubber.setAttribute("visibility", "hidden");
      c.render();
      c.hooks.onSelect(c.selectionList());
    }
  }

  endGesture() {
    const c = this.canvas;
    this.gesture = null;
    c.ghost.setAttribute("visibility", "hidden");
    c.rubber.setAttribute("visibility", "hidden");
    c.render();
  }

  onWheel(e) {
    const c = this.canvas;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) >= Math.abs(e.deltaX)) {
      c.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY);
    } else {
      c.view = { ...c.view, x: c.view.x - e.deltaX, y: c.view.y - e.deltaY };
      c.applyView();
    }
  }

  /** Keyboard on a focused node: Enter/Space selects, arrows move the selection by one grid step. */
  onKeyDown(e) {
    const c = this.canvas;
    const nodeEl = e.target.closest && e.target.closest(".node");
    if (nodeEl && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      c.setSelection([nodeEl.dataset.nodeId], []);
      return;
    }
    const arrows = { ArrowLeft: [-16, 0], ArrowRight: [16, 0], ArrowUp: [0, -16], ArrowDown: [0, 16] };
    if (arrows[e.key] && c.selection.nodes.size) {
      e.preventDefault();
      const [dx, dy] = arrows[e.key];
      const state = c.hooks.getState();
      const positions = {};
      for (const n of state.nodes) if (c.selection.nodes.has(n.id)) positions[n.id] = { x: n.position.x + dx, y: n.position.y + dy };
      c.hooks.onMove(positions);
    }
  }
}
