/** The run panel's DOM: its bar (Run, Cancel, run-page link), payload editor, status line, steps list and log. */

import { h } from "../lib/dom.js";

/**
 * Fill `container` with the panel's parts and return them. A `runButton` / `cancelButton` the page
 * passes stays where it is (the panel only enables and disables it); without one the panel makes its
 * own in its bar. `payloadHidden`: the caller supplies the payload, so the editor is hidden.
 */
export function buildPanel(container, { runButton: externalRun = null, cancelButton: externalCancel = null, payloadHidden = false } = {}) {
  ensureStylesheet();
  if (!container.dataset.testid) container.dataset.testid = "run-panel";
  container.classList.add("run-panel");
  if (!container.getAttribute("role")) container.setAttribute("role", "region");
  if (!container.getAttribute("aria-label")) container.setAttribute("aria-label", "Run");

  const runButton =
    externalRun ||
    h(
      "button",
      { type: "button", class: "btn btn--primary btn--small", "data-testid": "run-button" },
      h("span", { "aria-hidden": "true" }, "▶ "),
      "Run",
    );
  const cancelButton =
    externalCancel || h("button", { type: "button", class: "btn btn--ghost btn--small", "data-testid": "cancel-button" }, "Cancel");
  runButton.disabled = false;
  cancelButton.disabled = true;
  const link = h("a", { class: "run-panel__link", hidden: true, target: "_blank", rel: "noopener" }, "Open run page");
  const payloadInput = h("textarea", {
    class: "run-payload__input",
    name: "run-payload",
    rows: "3",
    spellcheck: "false",
    "aria-label": "Run payload (a JSON object)",
  });
  payloadInput.value = "{}";
  const payloadBox = h(
    "details",
    { class: "run-payload", hidden: payloadHidden },
    h("summary", {}, "Payload"),
    h("p", { class: "muted small" }, "A JSON object; templates read it as {{payload.x}}."),
    payloadInput,
  );
  const payloadUsed = h("p", { class: "small run-payload__used", "data-testid": "payload-keys", hidden: true });
  payloadInput.before(payloadUsed);
  const status = h("div", { "data-testid": "run-status", role: "status", "aria-live": "polite" });
  const steps = h("ol", { class: "run-steps", "data-testid": "run-steps", "aria-label": "Steps" });
  const logs = h("div", {
    class: "run-logs",
    "data-testid": "run-logs",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Run log",
    tabindex: "0",
  });
  container.replaceChildren(
    h("div", { class: "run-panel__bar" }, externalRun ? null : runButton, externalCancel ? null : cancelButton, link),
    payloadBox,
    status,
    h("h3", { class: "run-panel__heading", id: "run-panel-steps" }, "Steps"),
    steps,
    h("h3", { class: "run-panel__heading" }, "Log"),
    logs,
  );
  return { runButton, cancelButton, link, payloadInput, payloadBox, payloadUsed, status, steps, logs };
}

/** The payload keys the graph reads: the box opens, names them and starts an untouched payload with them. */
export function showPayloadKeys({ payloadUsed, payloadBox, payloadInput }, keys) {
  payloadUsed.hidden = !keys.length;
  payloadUsed.textContent = keys.length ? `This workflow reads ${keys.map((k) => `payload.${k}`).join(", ")}.` : "";
  if (!keys.length) return;
  payloadBox.open = true;
  if (payloadInput.value.trim() === "{}") payloadInput.value = JSON.stringify(Object.fromEntries(keys.map((k) => [k, ""])), null, 1);
}

// The panel brings its own CSS so that a page only has to import panel.js.
function ensureStylesheet() {
  if (document.querySelector("link[data-runs-css]")) return;
  const href = new URL("../../css/runs.css", import.meta.url).href;
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href, "data-runs-css": "" }));
}
