/** Inspector editor for a list field (a switch's cases, a transform's set/rename/drop): one sub-form per entry, with add, remove and move up/down. */

// Each entry of a list of objects is a sub-form whose fields are the inspector's usual per-field
// controls (passed in as `fieldFor`, so a case's condition gets the condition editor and a list in an
// entry gets its own list editor); an entry of a list of plain values is one such control. The
// controls' `name`s are prefixed with the entry's place (`cases[0].name`). Typing in an entry keeps
// the form in place; adding, removing or moving entries redraws the list.

import { h } from "../lib/dom.js";
import { fieldWrap } from "./fields.js";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** A new entry for `item` (a resolved JSON Schema): its defaults, "" for a required text field, an empty group of rules for a condition. */
export function newEntry(item, resolve) {
  if (!(item.type === "object" || item.properties)) return item.default ?? (item.type === "number" || item.type === "integer" ? 0 : "");
  const entry = {};
  const required = new Set(item.required || []);
  for (const [key, raw] of Object.entries(item.properties || {})) {
    const prop = resolve(raw);
    if (prop.default !== undefined) entry[key] = structuredClone(prop.default);
    else if (prop["x-widget"] === "condition") entry[key] = { match: "all", rules: [] };
    else if (required.has(key) && prop.type === "string") entry[key] = "";
  }
  return entry;
}

/**
 * The list field `key`; `set(key, value)` records an edit (undefined drops an empty optional list).
 * `fieldFor(ctx, key, prop, value, required, set)` draws one sub-field; `resolve(schema)` resolves
 * `$ref`s against the node kind's schema.
 */
export function listEditor(ctx, { id, key, title, hint = "", prop, value, required = false, set, fieldFor, resolve }) {
  const item = resolve(prop.items || {});
  const objects = item.type === "object" || Boolean(item.properties);
  const noun = String(title).replace(/s$/i, "") || "Item";
  const entries = Array.isArray(value) ? structuredClone(value) : [];
  const body = h("div", { class: "list-editor__items" });
  const add = h("button", { type: "button", class: "btn btn--small btn--ghost", text: `+ Add ${noun.toLowerCase()}`, "aria-label": `Add ${noun.toLowerCase()}` });
  const control = h("div", { class: "list-editor", id, "data-list": key, role: "group", "aria-label": title }, body, add);
  const f = fieldWrap({ id, label: title, control, hint, required });

  const emit = (opts) => set(key, entries.length || required ? structuredClone(entries) : undefined, opts);
  const change = (mutate, focus = null) => {
    mutate();
    emit({ step: true });
    draw();
    if (focus) body.querySelector(focus)?.focus();
  };

  function subFields(i) {
    const entry = isObject(entries[i]) ? entries[i] : {};
    const needed = new Set(item.required || []);
    const setSub = (sub, v, opts) => {
      const next = { ...(isObject(entries[i]) ? entries[i] : {}) };
      if (v === undefined) delete next[sub];
      else next[sub] = v;
      entries[i] = next;
      emit(opts);
    };
    return Object.entries(item.properties || {}).map(([sub, raw]) => fieldFor(ctx, sub, resolve(raw), entry[sub], needed.has(sub), setSub));
  }

  function entryView(i) {
    const n = i + 1;
    const btn = (text, label, action, disabled = false) =>
      h("button", { type: "button", class: "icon-btn", text, title: label, "aria-label": `${label} ${noun.toLowerCase()} ${n}`, "data-action": action, disabled, onClick: () => act(action, i) });
    const head = h(
      "div",
      { class: "list-editor__head" },
      h("span", { class: "list-editor__title", text: `${noun} ${n}` }),
      btn("↑", "Move up", "up", i === 0),
      btn("↓", "Move down", "down", i === entries.length - 1),
      btn("×", "Remove", "remove"),
    );
    const fields = objects ? subFields(i) : [fieldFor(ctx, `${key}.${i}`, item, entries[i], true, (_, v, opts) => ((entries[i] = v ?? ""), emit(opts)))];
    const view = h("div", { class: "list-editor__entry", "data-entry": i }, head, ...fields.filter(Boolean));
    for (const el of view.querySelectorAll(".field [name]")) {
      if (objects) el.setAttribute("name", `${key}[${i}].${el.getAttribute("name")}`);
      else el.setAttribute("name", `${key}[${i}]`);
    }
    return view;
  }

  function act(action, i) {
    const j = action === "up" ? i - 1 : i + 1;
    if (action === "remove") change(() => entries.splice(i, 1));
    else change(() => ([entries[i], entries[j]] = [entries[j], entries[i]]), `[data-entry="${j}"] [data-action="${action}"]:not([disabled])`);
  }

  function draw() {
    body.replaceChildren(...entries.map((_, i) => entryView(i)));
    if (!entries.length) body.append(h("p", { class: "muted small", text: `No ${noun.toLowerCase()} yet.` }));
  }

  add.addEventListener("click", () => change(() => entries.push(newEntry(item, resolve)), `[data-entry="${entries.length}"] input, [data-entry="${entries.length}"] select`));
  draw();
  return f.wrap;
}
