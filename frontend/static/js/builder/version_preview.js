/** A read-only drawing of one workflow version's graph (builder file form), for the History panel. */

import { s } from "../lib/dom.js";
import { drawRunGraph } from "../lib/graph_svg.js";

const NODE_W = 168;
const NODE_H = 54;
const MARGIN = 24;

/**
 * The run page's layout input from a builder graph: labels, positions moved so the top-left node sits
 * at the margin, and edges with their output names. No DOM; unit-tested.
 */
export function previewLayout(graph) {
  const nodes = (graph?.nodes || []).filter((n) => n && typeof n.id === "string");
  const xs = nodes.map((n) => Number(n.position?.x) || 0);
  const ys = nodes.map((n) => Number(n.position?.y) || 0);
  const left = xs.length ? Math.min(...xs) : 0;
  const top = ys.length ? Math.min(...ys) : 0;
  const placed = nodes.map((n, i) => ({
    id: n.id,
    label: (n.data?.label || "").trim() || n.id,
    x: xs[i] - left + MARGIN,
    y: ys[i] - top + MARGIN,
  }));
  const known = new Set(placed.map((n) => n.id));
  const edges = (graph?.edges || [])
    .filter((e) => e && known.has(e.source) && known.has(e.target))
    .map((e) => ({ source: e.source, target: e.target, sourceHandle: e.sourceHandle ?? null }));
  const width = Math.max(200, ...placed.map((n) => n.x + NODE_W + MARGIN));
  const height = Math.max(80, ...placed.map((n) => n.y + NODE_H + MARGIN));
  return { nodes: placed, edges, width, height, nodeWidth: NODE_W, nodeHeight: NODE_H };
}

/** An `<svg>` showing `graph` read-only (no handlers: nothing on it can be edited). */
export function previewSvg(graph, label) {
  const root = s("svg", { class: "run-canvas history-preview__svg", role: "img", "aria-label": label, "data-testid": "version-preview-graph" });
  drawRunGraph(root, previewLayout(graph));
  return root;
}
