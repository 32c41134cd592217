/** The run log as a list kept sorted and unique by event `seq`: lookup, insert and merge. */

/** Is `event` a RunEvent with a numeric `seq` (anything else is ignored)? */
export function isEvent(event) {
  return Boolean(event) && typeof event.seq === "number" && Number.isFinite(event.seq);
}

/** Binary search: is an event with this `seq` already in the (sorted) log? */
export function hasSeq(logs, seq) {
  let lo = 0;
  let hi = logs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (logs[mid].seq === seq) return true;
    if (logs[mid].seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The log line kept for an event. */
export function toLine(event) {
  return {
    seq: event.seq,
    ts: event.ts,
    level: event.level || "info",
    type: event.type,
    msg: event.msg ?? "",
    nodeId: event.nodeId ?? null,
  };
}

/** The log with the event's line put in its place by `seq`. */
export function insertLog(logs, event) {
  const line = toLine(event);
  if (!logs.length || logs[logs.length - 1].seq < event.seq) return [...logs, line];
  let i = logs.length;
  while (i > 0 && logs[i - 1].seq > event.seq) i -= 1;
  return [...logs.slice(0, i), line, ...logs.slice(i)];
}

/** Two sorted line lists merged into one, in `seq` order. */
export function mergeLogs(logs, lines) {
  if (!logs.length || logs[logs.length - 1].seq < lines[0].seq) return [...logs, ...lines];
  const out = [];
  let i = 0;
  let j = 0;
  while (i < logs.length || j < lines.length) {
    if (j >= lines.length || (i < logs.length && logs[i].seq < lines[j].seq)) out.push(logs[i++]);
    else out.push(lines[j++]);
  }
  return out;
}
