/** Toasts: short messages, each `role="status"` (errors too), dismissible, auto-hiding. */

// Errors are announced at once (`aria-live="assertive"`), the others politely.

import { h } from "./dom.js";

function region() {
  let el = document.getElementById("toasts");
  if (!el) {
    el = h("div", { id: "toasts", class: "toasts", "aria-label": "Notifications" });
    document.body.append(el);
  }
  return el;
}

/**
 * Show a toast.
 * @param {string} message
 * @param {{kind?: "info"|"success"|"warning"|"error", title?: string, details?: string[], timeout?: number}} [options]
 */
export function toast(message, { kind = "info", title = "", details = [], timeout } = {}) {
  const ms = timeout ?? (kind === "error" ? 9000 : 4500);
  const close = h("button", { type: "button", class: "toast__close", "aria-label": "Dismiss notification", text: "×" });
  const el = h(
    "div",
    { class: `toast toast--${kind}`, role: "status", "aria-live": kind === "error" ? "assertive" : "polite" },
    h(
      "div",
      { class: "toast__body" },
      title ? h("strong", { class: "toast__title", text: title }) : null,
      h("div", { class: "toast__message", text: message }),
      details.length ? h("ul", { class: "toast__details" }, details.slice(0, 8).map((d) => h("li", { text: d }))) : null,
      details.length > 8 ? h("div", { class: "toast__more", text: `… and ${details.length - 8} more` }) : null,
    ),
    close,
  );
  const remove = () => el.remove();
  close.addEventListener("click", remove);
  region().append(el);
  if (ms > 0) setTimeout(remove, ms);
  return el;
}
