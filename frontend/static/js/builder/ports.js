/** Named output ports: a node's output names from its kind and config, port-aware connect, and edges kept in step with renamed or removed names. No DOM here. */

// A kind from GET /v1/node-types may name its outputs: `outputs` (static, e.g. a branch's
// ["true", "false"]) and `outputsFrom` (a config list field whose entries' `name`s come first, e.g. a
// switch's cases, then "default"). A node with named outputs draws one port per name and each edge
// leaving it names one in `sourceHandle`; a node without them has one unnamed port and edges with
// `sourceHandle: null`. When a config change renames an entry (same place in the list, new name)
// the edges on the old name follow it; edges on a name that is gone are dropped.

import * as G from "./graph.js";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The entry names of the config list `field`, one per entry ("" for an unnamed one), in order. */
function entryNames(config, field) {
  const list = isObject(config) ? config[field] : null;
  return Array.isArray(list) ? list.map((e) => (isObject(e) && e.name ? String(e.name) : "")) : [];
}

/**
 * The output names of a node of `kind` with `config`: named entries first, then the static outputs;
 * each once. With `on_error: "error_output"` an `error` output follows, and a kind without named
 * outputs shows its ordinary one as "" (its edges may keep `sourceHandle: null`).
 */
export function outputNames(kind, config) {
  if (!kind) return [];
  const named = kind.outputsFrom ? entryNames(config, kind.outputsFrom).filter(Boolean) : [];
  const names = [...new Set([...named, ...(Array.isArray(kind.outputs) ? kind.outputs.map(String) : [])])];
  if (!isObject(config) || config.on_error !== "error_output") return names;
  return [...(names.length ? names : [MAIN]), ERROR];
}

const MAIN = "";
const ERROR = "error";

/** The output names of a node of the state (`kinds` maps kind → node-type document). */
export function nodeOutputs(node, kinds) {
  return node ? outputNames(kinds[node.type], node.data?.config) : [];
}

/** Node id → its output names, for every node that has named outputs (what the canvas draws). */
export function outputsByNode(state, kinds) {
  const map = {};
  for (const n of state.nodes) {
    const names = nodeOutputs(n, kinds);
    if (names.length) map[n.id] = names;
  }
  return map;
}

/**
 * Connect `source` (from its output `handle`) to `target`. A node with named outputs needs one of
 * them; a node without takes none (`sourceHandle: null`).
 * @returns {{state: object, id?: string, error?: string}}
 */
export function connectPort(state, kinds, source, target, handle = null) {
  const names = nodeOutputs(G.getNode(state, source), kinds);
  if (names.includes(MAIN) && handle === null) handle = MAIN;
  if (names.length && !names.includes(handle)) {
    return { state, error: `Drag from one of the outputs (${names.join(", ")}) to connect.` };
  }
  return G.connect(state, source, target, names.length ? handle : null);
}

/**
 * Where each old output name went when a node's config changed: `{old: new}` for a renamed list entry
 * (same place, both named), `{old: null}` for a name that is gone. Names still present are left out.
 */
export function handleChanges(kind, before, after) {
  const oldNames = outputNames(kind, before);
  const newNames = new Set(outputNames(kind, after));
  const changes = {};
  const renamed = {};
  if (kind?.outputsFrom) {
    const was = entryNames(before, kind.outputsFrom);
    const now = entryNames(after, kind.outputsFrom);
    if (was.length === now.length) {
      was.forEach((name, i) => {
        if (name && now[i] && name !== now[i]) renamed[name] = now[i];
      });
    }
  }
  for (const name of oldNames) {
    // The ordinary output of a plain node outlives its error output: its edges stay.
    if (newNames.has(name) || name === MAIN) continue;
    changes[name] = renamed[name] ?? null;
  }
  return changes;
}

/** Apply `handleChanges` to the edges leaving `nodeId`: re-point renamed ones, drop those on a gone name. */
export function rehandleEdges(state, nodeId, changes) {
  if (!Object.keys(changes).length) return state;
  const edges = [];
  for (const e of state.edges) {
    if (e.source !== nodeId || !(e.sourceHandle in changes)) edges.push(e);
    else if (changes[e.sourceHandle] !== null) edges.push({ ...e, sourceHandle: changes[e.sourceHandle] });
  }
  return { ...state, edges };
}

/** Set a node's config and keep the edges leaving it on its outputs (see `handleChanges`). */
export function setConfigWithPorts(state, kinds, id, config) {
  const node = G.getNode(state, id);
  const next = G.setNodeConfig(state, id, config);
  if (!node) return next;
  return rehandleEdges(next, id, handleChanges(kinds[node.type], node.data?.config, config));
}

