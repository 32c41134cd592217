/** The Triggers panel's schedule section: a cron with its time zone or an interval, pause, the next three runs. */

import { api } from "../lib/api.js";
import { field } from "../lib/dialog.js";
import { h } from "../lib/dom.js";
import { checkbox, section } from "./triggers_ui.js";

const KINDS = [
  { value: "cron", label: "Cron expression" },
  { value: "interval", label: "Every N minutes or hours" },
];
const UNITS = [
  { value: "minutes", label: "minutes" },
  { value: "hours", label: "hours" },
];

/** "2026-12-07T08:00:00.000Z" → "Mon, 7 Dec 2026, 09:00 (08:00 UTC)" in the browser's zone. */
export function describeTime(iso) {
  const at = new Date(iso);
  const local = at.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  return `${local} (${iso.slice(11, 16)} UTC)`;
}

export async function scheduleSection(workflowId) {
  const path = `/v1/workflows/${workflowId}/schedule`;
  const { el, content, say } = section("Schedule", "triggers-schedule");
  let schedule = null;
  try {
    schedule = await api(path);
  } catch (err) {
    if (err.status !== 404) say(err.message, "error");
  }
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

  const render = () => {
    const s = schedule || { kind: "cron", cron: "0 9 * * 1-5", timezone: browserZone, interval: null, enabled: true, nextRuns: [] };
    const kind = field({ label: "Runs", name: "kind", value: s.kind, options: KINDS });
    const cron = field({ label: "Cron (minute hour day month weekday)", name: "cron", value: s.cron || "0 9 * * 1-5", hint: "e.g. 0 9 * * 1-5: weekdays at 9:00; */15 * * * *: every 15 minutes." });
    const zone = field({ label: "Time zone", name: "timezone", value: s.timezone || browserZone, placeholder: "Europe/Paris" });
    const every = field({ label: "Every", name: "every", type: "number", value: String(s.interval?.every || 15) });
    const unit = field({ label: "Unit", name: "unit", value: s.interval?.unit || "minutes", options: UNITS });
    const active = checkbox("Active (uncheck to pause)", "enabled", s.enabled, "schedule-enabled");
    const pick = (f) => f.querySelector("input, select");
    const sync = () => {
      const isCron = pick(kind).value === "cron";
      cron.hidden = zone.hidden = !isCron;
      every.hidden = unit.hidden = isCron;
    };
    pick(kind).addEventListener("change", sync);
    sync();
    const next = h(
      "ol",
      { class: "triggers__next", "data-testid": "schedule-next" },
      (schedule?.nextRuns || []).map((iso) => h("li", { dataset: { iso }, text: describeTime(iso) })),
    );
    const save = h("button", { type: "button", class: "btn btn--primary", "data-testid": "schedule-save", text: "Save schedule" });
    save.addEventListener("click", async () => {
      const body = { enabled: active.input.checked };
      if (pick(kind).value === "cron") Object.assign(body, { cron: pick(cron).value.trim(), timezone: pick(zone).value.trim() });
      else body.interval = { every: Number(pick(every).value), unit: pick(unit).value };
      try {
        schedule = await api(path, { method: "PUT", body });
        render();
        say(schedule.enabled ? "Schedule saved." : "Schedule paused.");
      } catch (err) {
        say(err.message, "error");
      }
    });
    const remove = h("button", { type: "button", class: "btn btn--danger-ghost btn--small", "data-testid": "schedule-remove", text: "Remove schedule", hidden: !schedule });
    remove.addEventListener("click", async () => {
      try {
        await api(path, { method: "DELETE" });
        schedule = null;
        render();
        say("Schedule removed.");
      } catch (err) {
        say(err.message, "error");
      }
    });
    const lastError = schedule?.lastError ? h("p", { class: "field__error", "data-testid": "schedule-last-error", text: `Last tick: ${schedule.lastError}` }) : null;
    const upcoming = schedule ? h("div", { class: "field" }, h("span", { class: "field__label", text: schedule.enabled ? "Next runs" : "Paused: no runs" }), next) : null;
    // replaceChildren would write a null as the text "null".
    content.replaceChildren(...[kind, cron, zone, every, unit, active.el, upcoming, lastError, h("div", { class: "triggers__row" }, save, remove)].filter(Boolean));
  };
  render();
  return el;
}
