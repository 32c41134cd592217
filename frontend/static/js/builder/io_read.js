/** Validation of a builder file into builder state; every error names its place as `{path, message}`. */

import { configErrors, isNumber, isObject, typeName } from "./io_config.js";

export const FILE_VERSION = 1;

const TOP_LEVEL = new Set(["nodes", "edges", "meta", "metadata", "vars"]);
const META_KEYS = new Set(["name", "version", "exportedAt", "description"]);
const METADATA_KEYS = ["name", "description", "version", "createdAt", "updatedAt"];
const EDGE_KEYS = ["id", "source", "target", "sourceHandle", "targetHandle", "type", "data"];
const VAR_NAME = /^[A-Za-z0-9_$-]{1,100}$/;

/**
 * Validate a builder file and turn it into builder state.
 * @param {any} doc
 * @param {{kinds?: string[], configKeys?: Record<string, string[]>}} [options]
 * @returns {{ok: boolean, errors: {path, message}[], warnings: string[], state?: object}}
 */
export function readBuilderFile(doc, { kinds = ["start", "http"], configKeys = {}, draft = false } = {}) {
  const errors = [];
  const warnings = [];
  const add = (path, message) => errors.push({ path, message });
  if (!isObject(doc)) {
    return { ok: false, errors: [{ path: "", message: `A workflow file must be a JSON object, not ${typeName(doc)}` }], warnings };
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) add(key, `Unknown top-level key \`${key}\` (allowed: nodes, edges, meta, metadata, vars)`);
  }
  const meta = readMeta(doc.meta, add);
  const metadata = readMetadata(doc.metadata, add);
  let vars = {};
  if ("vars" in doc) {
    if (!isObject(doc.vars)) add("vars", "`vars` must be an object of name → value");
    else {
      for (const key of Object.keys(doc.vars)) {
        if (!VAR_NAME.test(key)) add(`vars.${key}`, `Variable name \`${key}\` must be 1-100 letters, digits, _, - or $`);
      }
      vars = { ...doc.vars };
    }
  }
  for (const key of ["nodes", "edges"]) {
    if (!(key in doc)) add(key, `\`${key}\` is required (a list)`);
    else if (!Array.isArray(doc[key])) add(key, `\`${key}\` must be a list, not ${typeName(doc[key])}`);
  }
  const nodes = [];
  const ids = new Set();
  (Array.isArray(doc.nodes) ? doc.nodes : []).forEach((raw, index) => {
    const node = readNode(raw, index, { kinds, configKeys, draft, add });
    if (!node) return;
    if (ids.has(node.id)) add(`nodes[${index}].id`, `node "${node.id}" (nodes[${index}]): the id is used twice`);
    ids.add(node.id);
    nodes.push(node);
  });
  const edges = [];
  (Array.isArray(doc.edges) ? doc.edges : []).forEach((raw, index) => {
    const edge = readEdge(raw, index, add);
    if (!edge) return;
    for (const end of ["source", "target"]) {
      if (!ids.has(edge[end])) warnings.push(`edge "${edge.id}" (edges[${index}]): ${end} "${edge[end]}" is not a node`);
    }
    edges.push(edge);
  });
  if (errors.length) return { ok: false, errors, warnings };
  const state = {
    nodes,
    edges,
    meta: { name: meta.name || metadata.name || "Untitled", description: meta.description || metadata.description || "" },
    vars,
  };
  return { ok: true, errors, warnings, state };
}

function readMeta(value, add) {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    add("meta", "`meta` must be an object");
    return {};
  }
  for (const key of Object.keys(value)) {
    if (!META_KEYS.has(key)) add(`meta.${key}`, `Unknown key \`meta.${key}\` (allowed: name, version, exportedAt, description)`);
  }
  const version = "version" in value ? value.version : FILE_VERSION;
  if (version !== FILE_VERSION) add("meta.version", `\`meta.version\` must be the number 1, got ${JSON.stringify(version)}`);
  for (const key of ["name", "description", "exportedAt"]) {
    if (key in value && typeof value[key] !== "string") add(`meta.${key}`, `\`meta.${key}\` must be a string`);
  }
  if (typeof value.exportedAt === "string" && Number.isNaN(Date.parse(value.exportedAt))) {
    add("meta.exportedAt", `\`meta.exportedAt\` is not an ISO date-time: ${JSON.stringify(value.exportedAt)}`);
  }
  return value;
}

function readMetadata(value, add) {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    add("metadata", "`metadata` must be an object");
    return {};
  }
  const kept = {};
  for (const key of METADATA_KEYS) {
    if (!(key in value)) continue;
    if (typeof value[key] === "string") kept[key] = value[key];
    else add(`metadata.${key}`, `\`metadata.${key}\` must be a string`);
  }
  return kept;
}

function readNode(raw, index, { kinds, configKeys, draft, add }) {
  const where = `nodes[${index}]`;
  if (!isObject(raw)) {
    add(where, `${where} must be an object, not ${typeName(raw)}`);
    return null;
  }
  const name = typeof raw.id === "string" && raw.id ? `node "${raw.id}" (${where})` : where;
  let ok = true;
  for (const key of ["id", "type"]) {
    if (typeof raw[key] !== "string" || !raw[key]) {
      add(`${where}.${key}`, `${name}: \`${key}\` is required (a non-empty string)`);
      ok = false;
    }
  }
  if (typeof raw.type === "string" && raw.type && !kinds.includes(raw.type)) {
    add(`${where}.type`, `${name}: unknown type "${raw.type}" (known: ${kinds.join(", ")})`);
    ok = false;
  }
  const pos = raw.position;
  if (!isObject(pos) || !isNumber(pos.x) || !isNumber(pos.y)) {
    add(`${where}.position`, `${name}: \`position\` must be {x: number, y: number}`);
    ok = false;
  }
  let data = {};
  if ("data" in raw) {
    if (!isObject(raw.data)) {
      add(`${where}.data`, `${name}: \`data\` must be an object`);
      return null;
    }
    if ("label" in raw.data) {
      if (typeof raw.data.label !== "string") {
        add(`${where}.data.label`, `${name}: \`data.label\` must be a string`);
        ok = false;
      } else data.label = raw.data.label;
    }
    if ("config" in raw.data) {
      const extra = configKeys[raw.type] || null;
      for (const err of configErrors(raw.type, raw.data.config, extra, { draft })) {
        const path = err.path ? `${where}.data.config.${err.path}` : `${where}.data.config`;
        add(path, `${name}: ${err.path ? `config.${err.path}: ` : ""}${err.message}`);
        ok = false;
      }
      data.config = structuredClone(raw.data.config);
    }
  }
  if (!ok) return null;
  return { id: raw.id, type: raw.type, position: { x: pos.x, y: pos.y }, data };
}

function readEdge(raw, index, add) {
  const where = `edges[${index}]`;
  if (!isObject(raw)) {
    add(where, `${where} must be an object, not ${typeName(raw)}`);
    return null;
  }
  const name = typeof raw.id === "string" && raw.id ? `edge "${raw.id}" (${where})` : where;
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (!EDGE_KEYS.includes(key)) {
      add(`${where}.${key}`, `${name}: unknown key \`${key}\` (allowed: ${EDGE_KEYS.join(", ")})`);
      ok = false;
    }
  }
  for (const key of ["id", "source", "target"]) {
    if (typeof raw[key] !== "string" || !raw[key]) {
      add(`${where}.${key}`, `${name}: \`${key}\` is required (a non-empty string)`);
      ok = false;
    }
  }
  for (const key of ["sourceHandle", "targetHandle"]) {
    if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== "string") {
      add(`${where}.${key}`, `${name}: \`${key}\` must be a string or null`);
      ok = false;
    }
  }
  if ("type" in raw && typeof raw.type !== "string") {
    add(`${where}.type`, `${name}: \`type\` must be a string`);
    ok = false;
  }
  if ("data" in raw && !isObject(raw.data)) {
    add(`${where}.data`, `${name}: \`data\` must be an object`);
    ok = false;
  }
  if (!ok) return null;
  const edge = {};
  for (const key of EDGE_KEYS) if (key in raw) edge[key] = structuredClone(raw[key]);
  return edge;
}
