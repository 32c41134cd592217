/** Run API calls shared by the builder's run panel and the run page: start (idempotent, retried), read, cancel. */

import { csrfToken, errorMessage, idempotencyKey, responseError } from "../lib/api.js";

const NETWORK_RETRIES = 3;
const RETRY_BASE_MS = 500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POST /v1/runs (or `path`, e.g. a saved workflow's /v1/workflows/<id>/runs) with one Idempotency-Key
 * for every attempt; only a network failure (fetch throwing) is retried, an HTTP answer never is.
 * Returns the parsed response body; throws an ApiError (with the API's `code`) for an error answer,
 * an Error for a network failure.
 */
export async function startRun(body, { path = "/v1/runs", key = idempotencyKey(), fetchImpl = fetch, retries = NETWORK_RETRIES, wait = sleep } = {}) {
  let lastError = null;
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (attempt) await wait(RETRY_BASE_MS * 2 ** (attempt - 1));
    let response;
    try {
      response = await fetchImpl(path, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Idempotency-Key": key,
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      lastError = err;
      continue;
    }
    if (!response.ok) throw await responseError(response);
    return response.json();
  }
  throw new Error(`network error: ${lastError && lastError.message ? lastError.message : "no response"}`);
}

/** Where a run of `workflowId` (a saved workflow: it runs as itself, its current version) or of a bare graph is started. */
export const startPath = (workflowId) => (workflowId ? `/v1/workflows/${encodeURIComponent(workflowId)}/runs` : "/v1/runs");

/** GET /v1/runs/<id>: the run document, or null when the API answers with an error (a network failure throws). */
export async function getRun(runId) {
  const response = await fetch(`/v1/runs/${runId}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  return response.ok ? response.json() : null;
}

/** POST /v1/runs/<id>/cancel; throws Error(message) when the API refuses or the network fails. */
export async function cancelRun(runId) {
  const response = await fetch(`/v1/runs/${runId}/cancel`, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  });
  if (!response.ok) throw new Error(await errorMessage(response));
}
