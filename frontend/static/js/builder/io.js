/** Workflow files in and out: parse, legacy `definition.steps` conversion, export, requirements. */

// Every error names its place: `{path, message}` with messages such as
// `node "ping" (nodes[1]): config.method must be one of GET, POST, PUT, PATCH, DELETE`.
// Validation lives in io_read.js (the file) and io_config.js (one node's config); callers and tests
// import all of it from here.

import { isObject } from "./io_config.js";
import { FILE_VERSION, readBuilderFile } from "./io_read.js";

export { configErrors, isUrlLike } from "./io_config.js";
export { FILE_VERSION, readBuilderFile } from "./io_read.js";

export const AUTOSAVE_KEY = "automateos.dev.graph";

const LEGACY_HTTP = new Set(["http_request_node", "http"]);

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

/**
 * Convert a legacy `{name, definition: {steps}}` document into a builder file.
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

/** The builder file for a state (the prototype's export shape). Holds credential names only, never values. */
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
