/** Per-kind checks of one node's config, shared by file import and the inspector's URL field. */

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const HTTP_BASE_KEYS = ["method", "url", "headers", "body", "json_body", "auth"];
/** Fields the new engine adds to http (version 1 files allow new fields). */
const HTTP_ENGINE_KEYS = ["timeout_s", "retries", "retry_backoff_s", "idempotency", "follow_redirects"];

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
export const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
export const typeName = (v) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v);

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
