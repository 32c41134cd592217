/** The one SVG graph renderer (edges, nodes, arrow markers) behind the builder canvas and the run page's graph. */

// Both pages draw a graph the same way: every edge is a horizontal S-curve from the right middle of
// its source box to the left middle of its target box, drawn under the nodes; every node is a
// `g.node` translated to its position and carrying `data-node-id` and `data-status`. What differs is
// the skin: the builder's editable node (kind colour, ports, status badge, selection) and the run
// page's compact box (title, id, status text), both below. Drawing is a full redraw: graphs are small.

import { s } from "./dom.js";

/** The builder's node box, in canvas units. */
export const NODE_W = 208;
export const NODE_H = 72;

const BUILDER_STATUS_TEXT = {
  idle: "idle",
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "skipped",
  cancelled: "cancelled",
};

/** A horizontal S-curve; `bend` is the least horizontal pull of its two control points. */
export function curve(x1, y1, x2, y2, bend = 40) {
  const dx = Math.max(bend, Math.abs(x2 - x1) / 2);
  return `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
}

/** `text` cut to `max` characters, the last one an ellipsis. */
export function truncate(text, max) {
  const value = String(text ?? "");
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** An arrow head for `marker-end="url(#id)"`; `pathAttrs` style it (a class, or a fill). */
export function arrowMarker(id, pathAttrs) {
  return s(
    "marker",
    { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    s("path", { d: "M 0 0 L 10 5 L 0 10 z", ...pathAttrs }),
  );
}

/**
 * The drawable edges with their paths, box to box. `at(node)` is where a node's box is; `gapOut` and
 * `gapIn` keep the line off the ports. An edge whose source or target is not a node is left out.
 */
function edgePaths(nodes, edges, { at, w, h, gapOut = 0, gapIn = 0, bend }) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = [];
  for (const edge of edges) {
    const a = byId.get(edge.source);
    const b = byId.get(edge.target);
    if (!a || !b) continue;
    const p = at(a);
    const q = at(b);
    out.push({ edge, a, b, d: curve(p.x + w + gapOut, p.y + h / 2, q.x - gapIn, q.y + h / 2, bend) });
  }
  return out;
}

/** A node's group at `p`; `attrs` may add classes after `node` and any other attribute. */
function nodeGroup(id, p, status, { class: extra = "", ...attrs }, ...children) {
  return s(
    "g",
    { class: `node${extra}`, transform: `translate(${p.x} ${p.y})`, "data-node-id": id, "data-status": status, ...attrs },
    ...children,
  );
}

// ---- the builder's canvas -------------------------------------------------------------------------

/** The builder canvas's `<defs>`: background dots, the node clip and the two arrow heads. */
export function editorDefs() {
  return s(
    "defs",
    {},
    s(
      "pattern",
      { id: "grid-dots", width: 16, height: 16, patternUnits: "userSpaceOnUse" },
      s("circle", { cx: 1, cy: 1, r: 1, class: "grid-dot" }),
    ),
    s("clipPath", { id: "node-clip" }, s("rect", { width: NODE_W, height: NODE_H, rx: 12 })),
    arrowMarker("arrow", { class: "edge-arrow" }),
    arrowMarker("arrow-selected", { class: "edge-arrow edge-arrow--selected" }),
  );
}

/**
 * Redraw a builder graph into `edgeLayer` and `nodeLayer`. `overrides` maps node id → position while
 * a drag is in progress; `selection` holds Sets of node and edge ids; `statuses` and `problems` map
 * node id → run status and → save/compile message.
 */
export function drawEditorGraph({ edgeLayer, nodeLayer }, { state, kinds, selection, statuses, problems, overrides = null }) {
  const at = (n) => (overrides && overrides[n.id]) || n.position;
  const paths = edgePaths(state.nodes, state.edges, { at, w: NODE_W, h: NODE_H, gapOut: 6, gapIn: 7, bend: 40 });
  edgeLayer.replaceChildren(...paths.map((path) => editorEdge(path, selection.edges.has(path.edge.id))));
  nodeLayer.replaceChildren(
    ...state.nodes.map((n) =>
      editorNode(n, at(n), {
        kind: kinds[n.type] || { label: n.type, color: "#64748b" },
        selected: selection.nodes.has(n.id),
        status: statuses[n.id] || "idle",
        problem: problems[n.id],
      }),
    ),
  );
}

function editorEdge({ edge, a, b, d }, selected) {
  return s(
    "g",
    { class: `edge-group${selected ? " is-selected" : ""}`, "data-edge-id": edge.id },
    s("path", { class: "edge-hit", d }),
    s("path", { class: "edge", d, "marker-end": selected ? "url(#arrow-selected)" : "url(#arrow)" }),
    s("title", {}, `${a.data?.label || a.id} → ${b.data?.label || b.id}`),
  );
}

function editorNode(n, p, { kind, selected, status, problem }) {
  const label = n.data?.label || kind.label || n.id;
  return nodeGroup(
    n.id,
    p,
    status,
    {
      class: ` node--${n.type}${selected ? " is-selected" : ""}${problem ? " has-problem" : ""}`,
      "data-kind": n.type,
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
}

function statusBadge(status) {
  const text = BUILDER_STATUS_TEXT[status] || status;
  const width = 12 + text.length * 6.2;
  return s(
    "g",
    { class: `badge badge--${status}`, transform: `translate(${NODE_W - width - 12} -9)`, "data-testid": "node-status" },
    s("rect", { width, height: 18, rx: 9 }),
    s("text", { x: width / 2, y: 12.5, "text-anchor": "middle" }, text),
  );
}

// ---- the run page's read-only graph ---------------------------------------------------------------

/**
 * Draw the run page's graph (`{nodes: [{id, label, x, y}], edges, width, height, nodeWidth,
 * nodeHeight}` laid out by the server) into the `<svg>` `root`, every node `queued`.
 * @returns {Map<string, {g: SVGGElement, status: SVGTextElement}>} each node's group and status text
 */
export function drawRunGraph(root, { nodes, edges, width, height, nodeWidth: w, nodeHeight: h }) {
  root.setAttribute("viewBox", `0 0 ${Math.max(width, 200)} ${Math.max(height, 80)}`);
  const at = (n) => n;
  const lines = edgePaths(nodes, edges, { at, w, h, bend: 30 }).map(({ d }) => s("path", { class: "edge", d, "marker-end": "url(#run-arrow)" }));
  const groups = new Map();
  const boxes = nodes.map((n) => {
    // The status shares the second line with the id, right-aligned, so it never runs into the title.
    const status = s("text", { class: "node__status", x: w - 10, y: 40, "text-anchor": "end" });
    const g = nodeGroup(
      n.id,
      at(n),
      "queued",
      {},
      s("title", {}, `${n.label} (${n.id})`),
      s("rect", { width: w, height: h, rx: 9 }),
      s("text", { class: "node__title", x: 12, y: 22 }, truncate(n.label, 19)),
      s("text", { class: "node__id", x: 12, y: 40 }, truncate(n.id, 12)),
      status,
    );
    groups.set(n.id, { g, status });
    return g;
  });
  root.replaceChildren(s("defs", {}, arrowMarker("run-arrow", { fill: "#94a3b8" })), ...lines, ...boxes);
  return groups;
}
