/** Form widgets for the inspector: labelled field wrapper, key/value editor, JSON editors. */

import { h } from "../lib/dom.js";

let uid = 0;
export const nextFieldId = () => `insp-${++uid}`;

/**
 * A labelled field with a hint and an error slot (`aria-describedby` links both).
 * @returns {{wrap: HTMLElement, setError: (msg: string|null) => void}}
 */
export function fieldWrap({ id, label, hint = "", control, required = false, inline = false }) {
  const errorEl = h("p", { class: "field__error", id: `${id}-error`, role: "alert", hidden: true });
  const hintEl = hint ? h("p", { class: "field__hint", id: `${id}-hint`, text: hint }) : null;
  const described = [hintEl ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  const target = control.matches("input, select, textarea") ? control : control.querySelector("input, select, textarea");
  if (target) target.setAttribute("aria-describedby", described);
  const labelEl = h("label", { class: "field__label", for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true", text: " *" }) : null);
  const wrap = inline
    ? h("div", { class: "field field--inline" }, control, labelEl, hintEl, errorEl)
    : h("div", { class: "field" }, labelEl, control, hintEl, errorEl);
  const setError = (msg) => {
    errorEl.textContent = msg || "";
    errorEl.hidden = !msg;
    wrap.classList.toggle("has-error", Boolean(msg));
    if (target) target.setAttribute("aria-invalid", msg ? "true" : "false");
  };
  return { wrap, setError };
}

/**
 * Key/value rows editor. Calls `onChange(object, error)`; duplicate or empty keys give an error.
 * @param {{name: string, label: string, value: Record<string, any>, keyPlaceholder?: string, valuePlaceholder?: string,
 *   addLabel?: string, onChange: (obj: Record<string, any>, error: string|null) => void}} options
 */
export function kvEditor({ name, label, value, keyPlaceholder = "Name", valuePlaceholder = "Value", addLabel = "+ Add", onChange }) {
  const rows = h("div", { class: "kv__rows" });
  const root = h("div", { class: "kv", "data-kv": name, role: "group", "aria-label": label }, rows);
  const original = { ...(value || {}) };
  const emit = () => {
    const result = {};
    let error = null;
    for (const row of rows.children) {
      const k = row.querySelector(".kv__key").value.trim();
      const raw = row.querySelector(".kv__value").value;
      if (!k) {
        if (raw) error = "Every value needs a name.";
        continue;
      }
      if (k in result) error = `"${k}" is listed twice.`;
      const kept = row.dataset.original;
      // Non-text variable values are shown as JSON; they stay JSON while their text is unchanged.
      result[k] = kept !== undefined && raw === kept ? original[row.dataset.originalKey] : raw;
    }
    onChange(result, error);
  };
  const addRow = (k = "", v = "", focus = false) => {
    const index = rows.children.length + 1;
    const isText = typeof v === "string";
    const shown = isText ? v : JSON.stringify(v);
    const key = h("input", { class: "kv__key", name: `${name}.key.${index}`, value: k, placeholder: keyPlaceholder, "aria-label": `${label} name ${index}`, autocomplete: "off", spellcheck: "false" });
    const val = h("input", { class: "kv__value", name: `${name}.value.${index}`, value: shown, placeholder: valuePlaceholder, "aria-label": `${label} value ${index}`, autocomplete: "off", spellcheck: "false" });
    const remove = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove ${label.toLowerCase()} ${index}`, title: "Remove", text: "×" });
    const row = h("div", { class: "kv__row" }, key, val, remove);
    if (!isText) {
      row.dataset.original = shown;
      row.dataset.originalKey = k;
    }
    key.addEventListener("input", emit);
    val.addEventListener("input", emit);
    remove.addEventListener("click", () => {
      row.remove();
      emit();
    });
    rows.append(row);
    if (focus) key.focus();
  };
  for (const [k, v] of Object.entries(original)) addRow(k, v);
  const add = h("button", { type: "button", class: "btn btn--small btn--ghost", text: addLabel, "aria-label": addLabel.replace(/^\+\s*/, "") });
  add.addEventListener("click", () => addRow("", "", true));
  root.append(add);
  return root;
}

/** Describe a JSON.parse failure briefly. */
export function jsonProblem(text) {
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    return err.message.replace(/^JSON\.parse: /, "");
  }
}
