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

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
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

/** `ui_<ms>_<random>` (compat §3). */
export function idempotencyKey(now = Date.now()) {
  return `ui_${now}_${Math.random().toString(36).slice(2, 10)}`;
}
