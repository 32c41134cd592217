/** Small pieces the Triggers panel's sections share: a section with its status line, a checkbox row. */

import { h } from "../lib/dom.js";

/** A section with a heading, a status line (errors and notices) and its content. */
export function section(title, testid) {
  const status = h("p", { class: "field__hint triggers__status", role: "status", "aria-live": "polite" });
  const content = h("div", { class: "triggers__content" });
  const el = h("section", { class: "triggers__section", "data-testid": testid }, h("h3", { class: "triggers__title", text: title }), content, status);
  const say = (text, kind = "info") => {
    status.textContent = text;
    status.classList.toggle("field__error", kind === "error");
  };
  return { el, content, say };
}

/** A labelled checkbox row. */
export function checkbox(label, name, checked, testid) {
  const input = h("input", { type: "checkbox", name, checked, "data-testid": testid });
  return { input, el: h("label", { class: "check" }, input, label) };
}
