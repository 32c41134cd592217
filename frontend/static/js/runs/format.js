/** Run panel and run page formatting: step durations, log timestamps, one log line as text. */

/** `Nms` under a second, else `X.Ys` (one decimal); "" for a missing value. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(Number(ms))) return "";
  const rounded = Math.max(0, Math.round(Number(ms)));
  if (rounded < 1000) return `${rounded}ms`;
  return `${(rounded / 1000).toFixed(1)}s`;
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** `HH:MM:SS.mmm` of an ISO timestamp, in local time (or UTC with `{utc: true}`). */
export function formatTime(iso, { utc = false } = {}) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return "--:--:--.---";
  const [h, m, s, ms] = utc
    ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms, 3)}`;
}

/** `HH:MM:SS.mmm [LEVEL] message`. */
export function formatLogLine(line, options = {}) {
  return `${formatTime(line.ts, options)} [${String(line.level || "info").toUpperCase()}] ${line.msg ?? ""}`;
}
