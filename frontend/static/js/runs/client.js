/** Run event client: the websocket with `?after=<lastSeq>`, reconnects with backoff, and the polling fallback. */

// Reconnects start from the last seq seen; polling takes over when a socket cannot open. Stops at the
// terminal event.

import { isTerminalEvent, TERMINAL_STATUSES } from "./stream.js";

export const POLL_FIRST_DELAY_MS = 1500;
export const POLL_GROWTH = 1.2;
export const POLL_MAX_DELAY_MS = 5000;
export const POLL_MAX_POLLS = 30;
export const POLLING_TIMEOUT_MESSAGE =
  "polling timeout: the run had not finished after 30 polls; reload the page to keep watching";

const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 8000;
const MAX_RECONNECTS = 6;
const CLOSE_NORMAL = 1000;
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_NOT_FOUND = 4404;
const EVENTS_PAGE = 1000;

/** The wait before each poll: 0, then 1.5 s growing ×1.2 up to 5 s; 30 polls in all. */
export function pollDelays(count = POLL_MAX_POLLS) {
  const delays = [];
  let next = POLL_FIRST_DELAY_MS;
  for (let i = 0; i < count; i += 1) {
    if (i === 0) {
      delays.push(0);
    } else {
      delays.push(Math.round(next));
      next = Math.min(next * POLL_GROWTH, POLL_MAX_DELAY_MS);
    }
  }
  return delays;
}

/** The wait before websocket reconnect number `attempt` (1-based): 0.5 s doubling up to 8 s. */
export function reconnectDelay(attempt) {
  return Math.min(RECONNECT_BASE_MS * 2 ** Math.max(0, attempt - 1), RECONNECT_MAX_MS);
}

export function socketUrl(runId, after, loc = globalThis.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/runs/${encodeURIComponent(runId)}/?after=${after}`;
}

/**
 * Stream the events of run `runId` after `after`.
 *
 * Callbacks: onEvents(events[]) for each batch (in seq order, never a seq <= one already given),
 * onMode("connecting" | "live" | "reconnecting" | "polling" | "done" | "stopped"),
 * onError(message, {fatal}) for a polling timeout, a missing run or a give-up.
 * Returns {stop(), lastSeq()}.
 */
export function streamRun(runId, options = {}) {
  const {
    after = 0,
    onEvents = () => {},
    onMode = () => {},
    onError = () => {},
    WebSocketImpl = globalThis.WebSocket,
    fetchImpl = (...args) => globalThis.fetch(...args),
    setTimeoutImpl = (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeoutImpl = (id) => globalThis.clearTimeout(id),
    location: loc = globalThis.location,
    useSocket = true,
  } = options;

  let lastSeq = after;
  let finished = false;
  let socket = null;
  let timer = null;
  let reconnects = 0;
  let polls = 0;
  let pollAbort = null;

  const setMode = (mode) => {
    try {
      onMode(mode);
    } catch (err) {
      console.error(err);
    }
  };

  function deliver(events) {
    const fresh = events.filter((e) => e && typeof e.seq === "number" && e.seq > lastSeq);
    if (!fresh.length) return false;
    fresh.sort((a, b) => a.seq - b.seq);
    lastSeq = fresh[fresh.length - 1].seq;
    const end = fresh.findIndex(isTerminalEvent);
    onEvents(end >= 0 ? fresh.slice(0, end + 1) : fresh);
    if (end >= 0) finish("done");
    return end >= 0;
  }

  function finish(mode) {
    if (finished) return;
    finished = true;
    if (timer !== null) clearTimeoutImpl(timer);
    timer = null;
    if (pollAbort) pollAbort.abort();
    if (socket) {
      const s = socket;
      socket = null;
      s.onopen = s.onmessage = s.onerror = s.onclose = null;
      try {
        s.close(CLOSE_NORMAL);
      } catch {
        /* already closed */
      }
    }
    setMode(mode);
  }

  function schedule(fn, ms) {
    if (finished) return;
    timer = setTimeoutImpl(() => {
      timer = null;
      if (!finished) fn();
    }, ms);
  }

  // --- websocket --------------------------------------------------------------------------------

  function connect() {
    if (finished) return;
    let opened = false;
    let ws;
    try {
      ws = new WebSocketImpl(socketUrl(runId, lastSeq, loc));
    } catch {
      startPolling();
      return;
    }
    socket = ws;
    setMode(reconnects ? "reconnecting" : "connecting");
    ws.onopen = () => {
      opened = true;
      reconnects = 0;
      setMode("live");
    };
    ws.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      deliver([event]);
    };
    ws.onerror = () => {};
    ws.onclose = (close) => {
      if (socket !== ws || finished) return;
      socket = null;
      if (close.code === CLOSE_NOT_FOUND || close.code === CLOSE_UNAUTHORIZED) {
        onError(close.code === CLOSE_NOT_FOUND ? "run not found" : "not signed in", { fatal: true });
        finish("stopped");
        return;
      }
      if (!opened && reconnects === 0) {
        startPolling(); // the very first socket never opened: this server has no websocket
        return;
      }
      reconnects += 1;
      if (reconnects > MAX_RECONNECTS) {
        startPolling();
        return;
      }
      setMode("reconnecting");
      schedule(connect, reconnectDelay(reconnects));
    };
  }

  // --- polling ----------------------------------------------------------------------------------

  const delays = pollDelays();

  function startPolling() {
    if (finished) return;
    setMode("polling");
    schedule(poll, delays[0]);
  }

  async function poll() {
    polls += 1;
    try {
      for (let page = 0; page < 50 && !finished; page += 1) {
        pollAbort = typeof AbortController === "function" ? new AbortController() : null;
        const url = `/v1/runs/${encodeURIComponent(runId)}/events?after=${lastSeq}`;
        const response = await fetchImpl(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: pollAbort ? pollAbort.signal : undefined,
        });
        if (finished) return;
        if (response.status === 404 || response.status === 401 || response.status === 403) {
          onError(response.status === 404 ? "run not found" : "not signed in", { fatal: true });
          finish("stopped");
          return;
        }
        if (!response.ok) break;
        const body = await response.json();
        if (finished) return;
        const events = Array.isArray(body.events) ? body.events : [];
        if (deliver(events)) return;
        if (!events.length && TERMINAL_STATUSES.includes(body.status)) {
          finish("done"); // ended, and every event was already delivered
          return;
        }
        if (events.length < EVENTS_PAGE) break; // a full page means more are waiting now
      }
    } catch (err) {
      if (finished) return;
      // A network error counts as a poll; the schedule carries on.
    } finally {
      pollAbort = null;
    }
    if (finished) return;
    if (polls >= delays.length) {
      onError(POLLING_TIMEOUT_MESSAGE, { fatal: false });
      finish("stopped");
      return;
    }
    schedule(poll, delays[polls]);
  }

  if (useSocket && typeof WebSocketImpl === "function") connect();
  else startPolling();

  return {
    stop: () => finish("stopped"),
    lastSeq: () => lastSeq,
  };
}
