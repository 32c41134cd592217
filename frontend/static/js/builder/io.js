/**
 * Pure import/export of workflow files (compat.md §1 builder files, §2 legacy `definition.steps`).
 * Every error names its place: `{path, message}` with messages such as
 * `node "ping" (nodes[1]): config.method must be one of GET, POST, PUT, PATCH, DELETE`.
 */

export const FILE_VERSION = 1;
export const AUTOSAVE_KEY = "automateos.dev.graph";

const TOP_LEVEL = new Set(["nodes", "edges", "meta", "metadata", "vars"]);
const META_KEYS = new Set(["name", "version", "exportedAt", "description"]);
const METADATA_KEYS = ["name", "description", "version", "createdAt", "updatedAt"];
const EDGE_KEYS = ["id", "source", "target", "sourceHandle", "targetHandle", "type", "data"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const HTTP_BASE_KEYS = ["method", "url", "headers", "body", "json_body", "auth"];
/** Fields the new engine adds to http (compat §1 allows new fields with version 1). */
const HTTP_ENGINE_KEYS = ["timeout_s", "retries", "retry_backoff_s", "idempotency", "follow_redirects"];
const VAR_NAME = /^[A-Za-z0-9_$-]{1,100}$/;
const LEGACY_HTTP = new Set(["http_request_node", "http"]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const typeName = (v) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v);

/** Parse text as JSON. @returns {{ok: true, value: any} | {ok: false, errors: {path, message}[]}} */
export function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, errors: [{ path: "", message: `The file is not valid JSON: ${err.message}` }] };
  }
}

export function isLegacy(doc) {
  return isObject(doc) && "definition" in doc && !("nodes" in doc);
}

/** Is `value` an absolute http(s) URL, or a string holding a template we resolve at run time? */
export function isUrlLike(value) {
  if (typeof value !== "string" || !value.trim()) return false;
  if (value.includes("{{")) return true;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Check one node config. `extraKeys` are config fields the server's schema adds.
 * @returns {{path: string, message: string}[]} paths relative to the config (e.g. "url")
 */
export function configErrors(type, config, extraKeys = null, { draft = false } = {}) {
  const errors = [];
  const add = (path, message) => errors.push({ path, message });
  if (config === undefined) config = {};
  if (!isObject(config)) return [{ path: "", message: `config must be an object, not ${typeName(config)}` }];
  if (type === "start") {
    for (const key of Object.keys(config)) add(key, `a Start node takes no config: unknown key \`${key}\``);
    return errors;
  }
  if (type !== "http") return errors;
  const allowed = new Set([...HTTP_BASE_KEYS, ...(extraKeys || HTTP_ENGINE_KEYS)]);
  for (const key of Object.keys(config)) {
    if (!allowed.has(key)) add(key, `unknown key \`${key}\` (allowed: ${[...allowed].join(", ")})`);
  }
  if ("method" in config && !METHODS.includes(config.method)) {
    add("method", `method must be one of ${METHODS.join(", ")} (upper case), got ${JSON.stringify(config.method)}`);
  }
  // The builder's own autosave may hold a node whose URL is still to be typed: the compiler names it on save.
  if (!("url" in config) || config.url === "") {
    if (!(draft && config.url === "")) add("url", "URL is required");
  }
  else if (!isUrlLike(config.url)) add("url", `URL must be an absolute http(s) URL, got ${JSON.stringify(config.url)}`);
  if ("headers" in config) {
    if (!isObject(config.headers)) add("headers", "headers must be an object of name → text");
    else {
      for (const [name, value] of Object.entries(config.headers)) {
        if (typeof value !== "string") add(`headers.${name}`, `header \`${name}\` must be text, not ${typeName(value)}`);
      }
    }
  }
  if ("body" in config && config.body !== null && typeof config.body !== "string") {
    add("body", `body must be text, not ${typeName(config.body)}`);
  }
  if ("json_body" in config && config.json_body !== null && !isObject(config.json_body)) {
    add("json_body", `json_body must be a JSON object, not ${typeName(config.json_body)}`);
  }
  if ("auth" in config && config.auth !== null) {
    if (!isObject(config.auth) || typeof config.auth.credentialName !== "string" || !config.auth.credentialName) {
      add("auth.credentialName", "auth must be {credentialName: <name of a credential>}");
    } else {
      for (const key of Object.keys(config.auth)) {
        if (key !== "credentialName") add(`auth.${key}`, `unknown key \`auth.${key}\` (allowed: credentialName)`);
      }
    }
  }
  return errors;
}

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

/**
 * Convert a legacy `{name, definition: {steps}}` document (compat §2) into a builder file.
 * @returns {{ok: boolean, errors: {path, message}[], file?: object}}
 */
export function legacyToFile(doc) {
  const errors = [];
  const steps = isObject(doc.definition) ? doc.definition.steps : undefined;
  if (!Array.isArray(steps)) {
    return { ok: false, errors: [{ path: "definition.steps", message: "A legacy workflow needs `definition.steps` (a list)" }] };
  }
  const nodes = [{ id: "start", type: "start", position: { x: 40, y: 60 }, data: { label: "Start", config: {} } }];
  steps.forEach((step, index) => {
    const where = `definition.steps[${index}]`;
    const number = index + 1;
    if (!isObject(step)) {
      errors.push({ path: where, message: `step ${number} (${where}) must be an object` });
      return;
    }
    if (!LEGACY_HTTP.has(step.type)) {
      errors.push({
        path: `${where}.type`,
        message: `step ${number} (${where}) has unsupported type ${JSON.stringify(step.type ?? null)}; supported: http_request_node`,
      });
      return;
    }
    const config = step.config ?? {};
    if (!isObject(config)) {
      errors.push({ path: `${where}.config`, message: `step ${number} (${where}): \`config\` must be an object` });
      return;
    }
    const label = typeof step.name === "string" && step.name ? step.name : `Step ${number}`;
    nodes.push({
      id: `step-${number}`,
      type: "http",
      position: { x: 40 + 220 * number, y: 60 },
      data: { label, config: structuredClone(config) },
    });
  });
  if (errors.length) return { ok: false, errors };
  const edges = nodes.slice(1).map((n, i) => ({ id: `e-${nodes[i].id}-${n.id}`, source: nodes[i].id, target: n.id }));
  const file = { nodes, edges, meta: { name: typeof doc.name === "string" && doc.name ? doc.name : "Untitled", version: 1 }, metadata: {} };
  if (typeof doc.description === "string" && doc.description) file.meta.description = doc.description;
  if ("vars" in doc) file.vars = doc.vars;
  return { ok: true, errors, file };
}

/**
 * Read any importable document (builder or legacy) from its text.
 * @returns {{ok: boolean, errors: {path, message}[], warnings: string[], state?: object, format?: string}}
 */
export function importText(text, options = {}) {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [] };
  return importDocument(parsed.value, options);
}

export function importDocument(doc, options = {}) {
  if (isLegacy(doc)) {
    const legacy = legacyToFile(doc);
    if (!legacy.ok) return { ok: false, errors: legacy.errors, warnings: [] };
    return { ...readBuilderFile(legacy.file, options), format: "legacy" };
  }
  if (isObject(doc) && !("nodes" in doc) && !("edges" in doc)) {
    return {
      ok: false,
      warnings: [],
      errors: [{ path: "", message: "Not a workflow file: expected `nodes` and `edges` (or a legacy `definition.steps`)" }],
    };
  }
  return { ...readBuilderFile(doc, options), format: "builder" };
}

/** The builder file for a state (compat §1 export shape). Holds credential names only, never values. */
export function toFile(state, now = new Date()) {
  const meta = { name: state.meta?.name || "Untitled", version: FILE_VERSION, exportedAt: now.toISOString() };
  if (state.meta?.description) meta.description = state.meta.description;
  const file = { nodes: structuredClone(state.nodes), edges: structuredClone(state.edges), meta, metadata: {} };
  if (state.vars && Object.keys(state.vars).length) file.vars = structuredClone(state.vars);
  return file;
}

/** Pretty-printed file text (two spaces). */
export function fileText(file) {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** `<name in kebab case>-v1.json`, camelCase split like the prototype's helper. */
export function exportFilename(name) {
  const spaced = String(name || "").replace(/([a-z0-9])([A-Z])/g, "$1-$2");
  const slug = spaced
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100)
    .replace(/-+$/, "");
  return `${slug || "workflow"}-v${FILE_VERSION}.json`;
}

/** Credential names and variable names a graph refers to (auth, getCredential('x'), {{vars.x}}). */
export function requirements(state) {
  const credentials = new Set();
  const vars = new Set();
  const visit = (value) => {
    if (typeof value === "string") {
      for (const m of value.matchAll(/getCredential\(\s*['"]([^'"]+)['"]\s*\)/g)) credentials.add(m[1]);
      for (const m of value.matchAll(/\{\{\s*vars\.([A-Za-z0-9_$-]+)/g)) vars.add(m[1]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) Object.values(value).forEach(visit);
  };
  for (const node of state.nodes) {
    const config = node.data?.config || {};
    if (isObject(config.auth) && typeof config.auth.credentialName === "string") credentials.add(config.auth.credentialName);
    visit(config);
  }
  return { credentials: [...credentials], vars: [...vars] };
}
