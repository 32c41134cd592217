/** Fetch wrapper for the /v1 API with the session cookie and CSRF header; errors become ApiError. */

export class ApiError extends Error {
  /** @param {number} status @param {{code?: string, message?: string, details?: any}} body */
  constructor(status, body = {}) {
    super(body.message || `Request failed (${status})`);
    this.status = status;
    this.code = body.code || "error";
    this.details = body.details || null;
  }

  /** The `details.errors` list of a compiler/file error, if any. */
  get errors() {
    return Array.isArray(this.details?.errors) ? this.details.errors : [];
  }
}

/** The csrftoken cookie, else the form's or the meta tag's token: Django wants it in `X-CSRFToken` on unsafe methods. */
export function csrfToken() {
  // Node tests import modules that call this; there is no document there.
  if (typeof document === "undefined") return "";
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const meta = document.querySelector("meta[name=csrf-token]");
  return meta ? meta.content : "";
}

/**
 * Call the API. Body objects are sent as JSON.
 * @param {string} path
 * @param {{method?: string, body?: any, headers?: Record<string,string>}} [options]
 */
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (!["GET", "HEAD", "OPTIONS"].includes(method)) init.headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { code: "network", message: `Network error: ${err.message}` });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : { message: data?.detail || `Request failed (${response.status})` };
    throw new ApiError(response.status, error);
  }
  return data;
}

/** A list endpoint's items whether it answers `[...]` or `{results: [...]}`. */
export function items(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.results)) return data.results;
  return [];
}

/**
 * Every item of a paginated list (`{count, next, previous, results}`), following `next` links page by
 * page at the largest page size. `call` is `api` (a parameter so node tests can pass a stand-in).
 */
export async function allItems(path, call = api) {
  const found = [];
  let next = `${path}${path.includes("?") ? "&" : "?"}page_size=200`;
  while (next) {
    const page = await call(next);
    found.push(...items(page));
    next = page && !Array.isArray(page) ? page.next : null;
  }
  return found;
}

/** `ui_<ms>_<8 base-36 chars>`: the prototype's Idempotency-Key form (padded: a short random still gives 8). */
export function idempotencyKey(now = Date.now(), random = Math.random) {
  return `ui_${now}_${random().toString(36).slice(2, 10).padEnd(8, "0")}`;
}

/** `{"error": {"message"}}` of a fetch Response that failed, or `HTTP <status>`. */
/** The API's error answer as an ApiError (its `code` says what to do, e.g. `vault_locked`). */
export async function responseError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  const error = body && body.error ? body.error : {};
  return new ApiError(response.status, { ...error, message: error.message || `HTTP ${response.status}` });
}

export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    /* not JSON */
  }
  return `HTTP ${response.status}`;
}
