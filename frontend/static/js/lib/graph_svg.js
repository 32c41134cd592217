/** The one SVG graph renderer (edges, nodes, arrow markers) behind the builder canvas and the run page's graph. */

// Both pages draw a graph the same way: every edge is a horizontal S-curve from its source's output
// port (the right middle, or the port its `sourceHandle` names) to the left middle of its target box,
// drawn under the nodes; every node is a `g.node` translated to its position and carrying
// `data-node-id` and `data-status`. A node with named outputs (`outputs`: node id → names) draws one
// labelled port per name, stacked on its right side, and grows when they need the room. An edge into
// a skipped node is dimmed (`is-skipped`). What differs is the skin: the builder's editable node
// (kind colour, ports, status badge, selection) and the run page's compact box (title, id, status
// text), both below. Drawing is a full redraw: graphs are small.

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

/** A box's height with `count` named output ports: at least `h`, and 20 units a port. */
export function boxHeight(h, count = 0) {
  return Math.max(h, (count + 1) * 20);
}

/** Where output `handle` leaves a box of height `h` with outputs `names`: evenly stacked; the middle for none. */
export function portY(names, handle, h) {
  const i = names ? names.indexOf(handle) : -1;
  return i < 0 ? h / 2 : (h * (i + 1)) / (names.length + 1);
}

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
 * The drawable edges with their paths, port to box. `at(node)` is where a node's box is, `outputs`
 * its named outputs by id; `gapOut` and `gapIn` keep the line off the ports. An edge whose source or
 * target is not a node is left out.
 */
function edgePaths(nodes, edges, { at, w, h, outputs = {}, gapOut = 0, gapIn = 0, bend }) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = [];
  for (const edge of edges) {
    const a = byId.get(edge.source);
    const b = byId.get(edge.target);
    if (!a || !b) continue;
    const p = at(a);
    const q = at(b);
    const names = outputs[a.id] || [];
    const y1 = p.y + portY(names, edge.sourceHandle, boxHeight(h, names.length));
    const y2 = q.y + boxHeight(h, (outputs[b.id] || []).length) / 2;
    out.push({ edge, a, b, d: curve(p.x + w + gapOut, y1, q.x - gapIn, y2, bend) });
  }
  return out;
}

/** One port per output name on the right edge `x` of a box of height `h`, each labelled beside it. */
function namedPorts(names, x, h, { r, attrs = () => ({}) }) {
  return names.flatMap((name) => {
    const y = portY(names, name, h);
    return [
      s("circle", { class: "port port--out port--named", cx: x, cy: y, r, "data-port": "out", "data-handle": name, ...attrs(name) }),
      s("text", { class: "port__label", x: x + r + 4, y: y - r, "data-handle": name }, truncate(name, 14)),
    ];
  });
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
 * node id → run status and → save/compile message; `outputs` node id → named outputs.
 */
export function drawEditorGraph({ edgeLayer, nodeLayer }, { state, kinds, selection, statuses, problems, outputs = {}, overrides = null }) {
  const at = (n) => (overrides && overrides[n.id]) || n.position;
  const paths = edgePaths(state.nodes, state.edges, { at, w: NODE_W, h: NODE_H, outputs, gapOut: 6, gapIn: 7, bend: 40 });
  edgeLayer.replaceChildren(...paths.map((path) => editorEdge(path, selection.edges.has(path.edge.id), statuses[path.b.id] === "skipped")));
  nodeLayer.replaceChildren(
    ...state.nodes.map((n) =>
      editorNode(n, at(n), {
        kind: kinds[n.type] || { label: n.type, color: "#64748b" },
        selected: selection.nodes.has(n.id),
        status: statuses[n.id] || "idle",
        problem: problems[n.id],
        names: outputs[n.id] || [],
        clip: clipFor(nodeLayer, boxHeight(NODE_H, (outputs[n.id] || []).length)),
      }),
    ),
  );
}

/** The accent's clip path for a node box `height` tall (made on first use for a grown box). */
function clipFor(layer, height) {
  if (height === NODE_H) return "node-clip";
  const id = `node-clip-${height}`;
  const defs = layer.ownerSVGElement?.querySelector("defs");
  if (defs && !defs.querySelector(`#${id}`)) defs.append(s("clipPath", { id }, s("rect", { width: NODE_W, height, rx: 12 })));
  return id;
}

function editorEdge({ edge, a, b, d }, selected, skipped) {
  const from = edge.sourceHandle ? ` (${edge.sourceHandle})` : "";
  return s(
    "g",
    { class: `edge-group${selected ? " is-selected" : ""}${skipped ? " is-skipped" : ""}`, "data-edge-id": edge.id, "data-source-handle": edge.sourceHandle ?? null },
    s("path", { class: "edge-hit", d }),
    s("path", { class: "edge", d, "marker-end": selected ? "url(#arrow-selected)" : "url(#arrow)" }),
    s("title", {}, `${a.data?.label || a.id}${from} → ${b.data?.label || b.id}`),
  );
}

function editorNode(n, p, { kind, selected, status, problem, names, clip }) {
  const label = n.data?.label || kind.label || n.id;
  const hh = boxHeight(NODE_H, names.length);
  const outPorts = names.length
    ? namedPorts(names, NODE_W, hh, { r: 6, attrs: (name) => ({ "aria-label": `Connect from ${label} (${name})` }) })
    : [s("circle", { class: "port port--out", cx: NODE_W, cy: NODE_H / 2, r: 6, "data-port": "out", "aria-label": `Connect from ${label}` })];
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
    s("rect", { class: "node__shadow", x: 0, y: 2, width: NODE_W, height: hh, rx: 12 }),
    s("rect", { class: "node__box", width: NODE_W, height: hh, rx: 12 }),
    s("rect", { class: "node__accent", x: 0, y: 0, width: 4, height: hh, "clip-path": `url(#${clip})` }),
    s("circle", { class: "node__icon-bg", cx: 30, cy: NODE_H / 2, r: 15 }),
    s("text", { class: "node__icon", x: 30, y: NODE_H / 2 + 5, "text-anchor": "middle" }, n.type === "start" ? "▶" : n.type === "http" ? "⇄" : "◆"),
    s("text", { class: "node__label", x: 54, y: 30 }, truncate(label, 20)),
    s("text", { class: "node__kind", x: 54, y: 50 }, truncate(`${kind.label} · ${n.id}`, 24)),
    noteText(n.data?.config?.note, hh),
    statusBadge(status),
    n.type === "start" ? null : s("circle", { class: "port port--in", cx: 0, cy: hh / 2, r: 6, "data-port": "in" }),
    ...outPorts,
    s("title", {}, problem ? `${label}: ${problem}` : `${label} (${n.id})`),
  );
}

/** A node's note, on one line under its box (the whole of it in the tooltip). */
function noteText(note, hh) {
  if (typeof note !== "string" || !note.trim()) return null;
  return s("g", {}, s("title", {}, note), s("text", { class: "node__note", x: 4, y: hh + 16, "data-testid": "node-note" }, truncate(note.trim(), 34)));
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
 * Draw the run page's graph (`{nodes: [{id, label, x, y, outputs?}], edges: [{source, target,
 * sourceHandle?}], width, height, nodeWidth, nodeHeight}` laid out by the server) into the `<svg>`
 * `root`, every node `queued`.
 * @returns {Map<string, {g: SVGGElement, status: SVGTextElement, incoming: SVGPathElement[]}>} each
 *   node's group, status text and the edges into it
 */
export function drawRunGraph(root, { nodes, edges, width, height, nodeWidth: w, nodeHeight: h }) {
  const outputs = Object.fromEntries(nodes.filter((n) => n.outputs?.length).map((n) => [n.id, n.outputs]));
  const hOf = (n) => boxHeight(h, (outputs[n.id] || []).length);
  const right = Math.max(width, ...nodes.map((n) => n.x + w + (outputs[n.id] ? 96 : 24)));
  const bottom = Math.max(height, ...nodes.map((n) => n.y + hOf(n) + 24));
  root.setAttribute("viewBox", `0 0 ${Math.max(right, 200)} ${Math.max(bottom, 80)}`);
  const at = (n) => n;
  const incoming = new Map(nodes.map((n) => [n.id, []]));
  const lines = edgePaths(nodes, edges, { at, w, h, outputs, bend: 30 }).map(({ b, d }) => {
    const line = s("path", { class: "edge", d, "marker-end": "url(#run-arrow)", "data-target": b.id });
    incoming.get(b.id).push(line);
    return line;
  });
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
      s("rect", { width: w, height: hOf(n), rx: 9 }),
      s("text", { class: "node__title", x: 12, y: 22 }, truncate(n.label, 19)),
      s("text", { class: "node__id", x: 12, y: 40 }, truncate(n.id, 12)),
      status,
      ...namedPorts(outputs[n.id] || [], w, hOf(n), { r: 4 }),
    );
    groups.set(n.id, { g, status, incoming: incoming.get(n.id) });
    return g;
  });
  root.replaceChildren(s("defs", {}, arrowMarker("run-arrow", { fill: "#94a3b8" })), ...lines, ...boxes);
  return groups;
}
