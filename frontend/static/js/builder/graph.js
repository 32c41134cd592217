/** Pure graph model of the builder: immutable state in, new state out. No DOM here. */

// State: {nodes: Node[], edges: Edge[], meta: {name, description}, vars: {}}
// Node:  {id, type, position: {x, y}, data: {label, config}}
// Edge:  {id, source, target, sourceHandle, targetHandle, data}

export const GRID = 16;
export const DUPLICATE_OFFSET = 40;

/** @param {number} value */
export function snap(value, grid = GRID) {
  return Math.round(value / grid) * grid;
}

/** An empty workflow. */
export function emptyState(name = "Untitled") {
  return { nodes: [], edges: [], meta: { name, description: "" }, vars: {} };
}

const DEFAULT_CONFIG = {
  start: () => ({}),
  http: () => ({ method: "GET", url: "" }),
};

const DEFAULT_LABEL = { start: "Start", http: "HTTP Request" };

export function hasStart(state) {
  return state.nodes.some((n) => n.type === "start");
}

export function getNode(state, id) {
  return state.nodes.find((n) => n.id === id) || null;
}

/** A fresh id `<type>-<n>` not used by any node of the state. */
export function nextId(state, type, taken = new Set()) {
  const used = new Set([...state.nodes.map((n) => n.id), ...taken]);
  if (type === "start" && !used.has("start")) return "start";
  let i = 1;
  while (used.has(`${type}-${i}`)) i += 1;
  return `${type}-${i}`;
}

/**
 * Add a node. Refuses a second start node.
 * @returns {{state: object, id?: string, error?: string}}
 */
export function addNode(state, type, position, { label, config } = {}) {
  if (type === "start" && hasStart(state)) {
    return { state, error: "Only one Start node is allowed." };
  }
  const id = nextId(state, type);
  const node = {
    id,
    type,
    position: { x: snap(position.x), y: snap(position.y) },
    data: {
      label: label ?? DEFAULT_LABEL[type] ?? type,
      config: config ?? (DEFAULT_CONFIG[type] ? DEFAULT_CONFIG[type]() : {}),
    },
  };
  return { state: { ...state, nodes: [...state.nodes, node] }, id };
}

/** Set absolute positions: `positions` maps node id → {x, y} (snapped). */
export function setPositions(state, positions) {
  let changed = false;
  const nodes = state.nodes.map((n) => {
    const p = positions[n.id];
    if (!p) return n;
    const next = { x: snap(p.x), y: snap(p.y) };
    if (next.x === n.position.x && next.y === n.position.y) return n;
    changed = true;
    return { ...n, position: next };
  });
  return changed ? { ...state, nodes } : state;
}

/** Move several nodes by (dx, dy), each snapped to the grid. */
export function moveNodes(state, ids, dx, dy) {
  const wanted = new Set(ids);
  const positions = {};
  for (const n of state.nodes) {
    if (wanted.has(n.id)) positions[n.id] = { x: n.position.x + dx, y: n.position.y + dy };
  }
  return setPositions(state, positions);
}

/** True when an edge source → target would close a cycle. */
export function wouldCycle(state, source, target) {
  if (source === target) return true;
  const out = new Map();
  for (const e of state.edges) {
    if (!out.has(e.source)) out.set(e.source, []);
    out.get(e.source).push(e.target);
  }
  const seen = new Set();
  const stack = [target];
  while (stack.length) {
    const id = stack.pop();
    if (id === source) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of out.get(id) || []) stack.push(next);
  }
  return false;
}

/**
 * Connect source → target; `sourceHandle` names the source's output (null for its one unnamed output).
 * A pair is connected once, whichever output: the engine counts each edge as one dependency.
 * @returns {{state: object, id?: string, error?: string}}
 */
export function connect(state, source, target, sourceHandle = null) {
  const from = getNode(state, source);
  const to = getNode(state, target);
  if (!from || !to) return { state, error: "Both ends of a connection must be nodes." };
  if (source === target) return { state, error: "A node cannot connect to itself." };
  if (to.type === "start") return { state, error: "The Start node has no input: nothing can connect into it." };
  if (state.edges.some((e) => e.source === source && e.target === target)) {
    return { state, error: `"${from.data.label || source}" is already connected to "${to.data.label || target}".` };
  }
  if (wouldCycle(state, source, target)) {
    return { state, error: "That connection would create a cycle; workflows must flow one way." };
  }
  let id = `e-${source}-${target}`;
  let i = 2;
  while (state.edges.some((e) => e.id === id)) id = `e-${source}-${target}-${i++}`;
  const edge = { id, source, target, sourceHandle, targetHandle: null, data: {} };
  return { state: { ...state, edges: [...state.edges, edge] }, id };
}

/** Remove nodes (and every edge touching them) and edges by id. */
export function removeElements(state, nodeIds = [], edgeIds = []) {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  if (!nodes.size && !edges.size) return state;
  return {
    ...state,
    nodes: state.nodes.filter((n) => !nodes.has(n.id)),
    edges: state.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

/**
 * Duplicate nodes at +40,+40 with the edges among them. A Start node is never duplicated.
 * @returns {{state: object, ids: string[], skippedStart: boolean}}
 */
export function duplicateNodes(state, ids) {
  const wanted = new Set(ids);
  const originals = state.nodes.filter((n) => wanted.has(n.id));
  const skippedStart = originals.some((n) => n.type === "start");
  const mapping = new Map();
  const taken = new Set();
  const copies = [];
  for (const n of originals) {
    if (n.type === "start") continue;
    const id = nextId(state, n.type, taken);
    taken.add(id);
    mapping.set(n.id, id);
    copies.push({
      ...structuredClone(n),
      id,
      position: { x: n.position.x + DUPLICATE_OFFSET, y: n.position.y + DUPLICATE_OFFSET },
    });
  }
  const edges = state.edges
    .filter((e) => mapping.has(e.source) && mapping.has(e.target))
    .map((e) => {
      const source = mapping.get(e.source);
      const target = mapping.get(e.target);
      return { ...structuredClone(e), id: `e-${source}-${target}`, source, target };
    });
  return {
    state: { ...state, nodes: [...state.nodes, ...copies], edges: [...state.edges, ...edges] },
    ids: copies.map((n) => n.id),
    skippedStart,
  };
}

/** Replace a node's config (a new object). */
export function setNodeConfig(state, id, config) {
  return {
    ...state,
    nodes: state.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)),
  };
}

export function setNodeLabel(state, id, label) {
  return {
    ...state,
    nodes: state.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, label } } : n)),
  };
}

export function setMeta(state, patch) {
  return { ...state, meta: { ...state.meta, ...patch } };
}

export function setVars(state, vars) {
  return { ...state, vars: { ...vars } };
}

/** Ids of the nodes whose boxes intersect the rectangle {x, y, w, h}. */
export function nodesInRect(state, rect, size) {
  const x2 = rect.x + rect.w;
  const y2 = rect.y + rect.h;
  return state.nodes
    .filter((n) => {
      const nx2 = n.position.x + size.w;
      const ny2 = n.position.y + size.h;
      return n.position.x < x2 && nx2 > rect.x && n.position.y < y2 && ny2 > rect.y;
    })
    .map((n) => n.id);
}

/** Bounding box of all nodes, or null for an empty graph. */
export function bounds(state, size) {
  if (!state.nodes.length) return null;
  const xs = state.nodes.map((n) => n.position.x);
  const ys = state.nodes.map((n) => n.position.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) + size.w - x, h: Math.max(...ys) + size.h - y };
}

/** Same graph content? (positions, ids, data, edges, meta, vars) */
export function sameState(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The top-level payload keys the graph's node configs read (`{{payload.x…}}`), in first-use order. */
export function payloadKeys(state) {
  const keys = [];
  for (const match of JSON.stringify(state.nodes.map((n) => n.data?.config ?? {})).matchAll(/\{\{\s*payload\.([A-Za-z0-9_$-]+)/g)) {
    if (!keys.includes(match[1])) keys.push(match[1]);
  }
  return keys;
}
