/** Modal dialogs (`role="dialog"`, focus trapped by <dialog>, Escape cancels): confirm and small forms. */

import { h } from "./dom.js";

let counter = 0;

/**
 * Open a modal. `build(form)` fills the form; `onSubmit(form)` returns a value to resolve with,
 * or throws / returns `undefined` to keep the dialog open (show the error in the form).
 * @returns {Promise<any>} resolves with the submit value, or null when cancelled
 */
export function openDialog({ title, description = "", submitLabel = "OK", danger = false, build, onSubmit }) {
  const id = `dlg-${++counter}`;
  return new Promise((resolve) => {
    const error = h("p", { class: "dialog__error", role: "alert", hidden: true });
    const cancel = h("button", { type: "button", class: "btn btn--ghost", text: "Cancel" });
    const submit = h("button", { type: "submit", class: `btn ${danger ? "btn--danger" : "btn--primary"}`, text: submitLabel });
    const form = h("form", { class: "dialog__form", method: "dialog", novalidate: true });
    const body = h("div", { class: "dialog__body" });
    form.append(
      h("h2", { class: "dialog__title", id: `${id}-title`, text: title }),
      description ? h("p", { class: "dialog__desc", id: `${id}-desc`, text: description }) : "",
      body,
      error,
      h("div", { class: "dialog__actions" }, cancel, submit),
    );
    if (build) build(body);
    const dialog = h(
      "dialog",
      { class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": `${id}-title`, "aria-describedby": description ? `${id}-desc` : null },
      form,
    );
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    cancel.addEventListener("click", () => finish(null));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(null);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        const value = onSubmit ? await onSubmit(body) : true;
        if (value !== undefined) finish(value);
      } catch (err) {
        error.textContent = err.message || String(err);
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    const first = body.querySelector("input, select, textarea") || submit;
    first.focus();
  });
}

/** Ask a yes/no question. @returns {Promise<boolean>} */
export async function confirmDialog({ title, message, confirmLabel = "Confirm", danger = true }) {
  const answer = await openDialog({ title, description: message, submitLabel: confirmLabel, danger, onSubmit: () => true });
  return answer === true;
}

/** A labelled field for dialog forms. */
export function field({ label, name, type = "text", value = "", placeholder = "", autocomplete = "off", hint = "", required = false, options = null }) {
  const inputId = `f-${++counter}`;
  const control = options
    ? h("select", { id: inputId, name }, options.map((o) => h("option", { value: o.value, selected: o.value === value, text: o.label })))
    : h("input", { id: inputId, name, type, value, placeholder, autocomplete, required, spellcheck: type === "password" ? "false" : null });
  return h(
    "div",
    { class: "field" },
    h("label", { for: inputId, class: "field__label", text: label }),
    control,
    hint ? h("p", { class: "field__hint", text: hint }) : null,
  );
}

/** Ask for one line of text (rename). @returns {Promise<string|null>} */
export function promptDialog({ title, label, value = "", submitLabel = "Save", validate = null }) {
  return openDialog({
    title,
    submitLabel,
    build: (body) => body.append(field({ label, name: "value", value })),
    onSubmit: async (body) => {
      const text = body.querySelector("input").value.trim();
      if (!text) throw new Error(`${label} is required.`);
      if (validate) await validate(text);
      return text;
    },
  });
}
