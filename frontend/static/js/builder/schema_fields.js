/** Inspector form controls for one node config field, chosen from the field's JSON Schema (condition, list, enum, boolean, number, object, text). */

import { h } from "../lib/dom.js";
import { conditionEditor } from "./condition_editor.js";
import { credentialTemplatePicker } from "./credential_field.js";
import { fieldWrap, jsonProblem, kvEditor, nextFieldId } from "./fields.js";
import { isUrlLike } from "./io_config.js";
import { listEditor } from "./list_editor.js";

/** Resolve `$ref` and `anyOf: [X, null]` to X. */
export function resolveSchema(schema, root) {
  let current = schema || {};
  for (let i = 0; i < 5; i++) {
    if (current.$ref) {
      const name = current.$ref.split("/").pop();
      current = { ...(root.$defs?.[name] || root.definitions?.[name] || {}), ...omit(current, ["$ref"]) };
    } else if (Array.isArray(current.anyOf)) {
      const options = current.anyOf.filter((s) => s.type !== "null");
      const rest = omit(current, ["anyOf"]);
      current = options.length === 1 ? { ...options[0], ...rest, nullable: true } : { type: "string", ...rest };
    } else break;
  }
  return current;
}

function omit(obj, keys) {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}

/**
 * The labelled control for config field `key`; `set(key, value, {step})` records an edit (undefined drops it; `step`: an undo step of its own).
 * `ctx`: `credentials()` lists the credentials, `onNewCredential(name)` opens the create dialog,
 * `rerender()` redraws the form once a new credential exists, `root` is the kind's whole schema
 * (for the `$ref`s of list entries).
 */
export function fieldFor(ctx, key, prop, value, required, set) {
  const id = nextFieldId();
  const title = prop.title || key;
  const hint = prop.description || "";
  if (prop["x-widget"] === "condition") return conditionEditor({ id, key, title, hint, value, required, set });
  if (prop["x-widget"] === "credential-template") return credentialTemplatePicker(ctx, { id, key, title, prop, value, set });
  if (prop.type === "array") {
    const resolve = (schema) => resolveSchema(schema, ctx.root || {});
    return listEditor(ctx, { id, key, title, hint, prop, value, required, set, fieldFor, resolve });
  }
  if (key === "auth" || (prop.type === "object" && prop.properties?.credentialName)) {
    return credentialPicker(ctx, id, value, set);
  }
  if (Array.isArray(prop.enum)) {
    const select = h(
      "select",
      { id, name: key },
      prop.enum.map((v) => h("option", { value: v, text: String(v), selected: (value ?? prop.default) === v })),
    );
    select.addEventListener("change", () => set(key, select.value));
    return fieldWrap({ id, label: title, control: select, hint, required }).wrap;
  }
  if (prop.type === "boolean") {
    const box = h("input", { id, name: key, type: "checkbox", checked: value ?? prop.default ?? false });
    box.addEventListener("change", () => set(key, box.checked));
    return fieldWrap({ id, label: title, control: box, hint, inline: true }).wrap;
  }
  if (prop.type === "number" || prop.type === "integer") {
    const input = h("input", { id, name: key, type: "number", inputmode: "decimal", value: value ?? "", placeholder: prop.default !== undefined ? String(prop.default) : "", min: prop.minimum, max: prop.maximum, step: prop.type === "integer" ? 1 : "any" });
    const f = fieldWrap({ id, label: title, control: input, hint, required });
    input.addEventListener("input", () => {
      if (input.value === "") {
        f.setError(null);
        set(key, undefined);
        return;
      }
      const n = Number(input.value);
      const problem = numberProblem(n, prop);
      f.setError(problem);
      if (!problem) set(key, n);
    });
    return f.wrap;
  }
  if (prop.type === "object" && prop.additionalProperties && prop.additionalProperties.type === "string") {
    let f;
    const editor = kvEditor({
      name: key,
      label: key === "headers" ? "Header" : title,
      value: value || {},
      keyPlaceholder: key === "headers" ? "Content-Type" : "name",
      valuePlaceholder: key === "headers" ? "application/json" : "value",
      addLabel: key === "headers" ? "+ Add header" : "+ Add",
      onChange: (obj, error) => {
        f.setError(error);
        if (!error) set(key, Object.keys(obj).length ? obj : undefined);
      },
    });
    editor.id = id;
    f = fieldWrap({ id, label: title, control: editor, hint });
    return f.wrap;
  }
  if (prop.type === "object") {
    return jsonObjectEditor(id, key, title, hint, value, set);
  }
  if (key === "body") return bodyEditor(id, key, title, hint, value, set);
  const isUrl = key === "url" || /url/i.test(title);
  const input = h("input", { id, name: key, type: "text", inputmode: isUrl ? "url" : null, value: value ?? "", placeholder: isUrl ? "https://api.example.com/…" : prop.default ?? "", autocomplete: "off", spellcheck: "false" });
  const f = fieldWrap({ id, label: title, control: input, hint, required });
  const check = () => {
    const v = input.value;
    let problem = null;
    if (required && !v.trim()) problem = `${title} is required.`;
    else if (isUrl && v.trim() && !isUrlLike(v.trim())) problem = "Enter an absolute http(s) URL, e.g. https://api.example.com/items";
    f.setError(problem);
  };
  input.addEventListener("input", () => {
    check();
    set(key, input.value === "" && !required ? undefined : input.value);
  });
  check();
  return f.wrap;
}

function bodyEditor(id, key, title, hint, value, set) {
  const area = h("textarea", { id, name: key, rows: 6, class: "code", spellcheck: "false", placeholder: '{"text": "Hello {{payload.name}}"}' });
  area.value = value ?? "";
  const status = h("span", { class: "json-state", "aria-live": "polite" });
  const f = fieldWrap({ id, label: title, control: area, hint });
  f.wrap.querySelector(".field__label").append(status);
  const check = () => {
    const text = area.value.trim();
    status.textContent = "";
    status.className = "json-state";
    if (!text) return f.setError(null);
    const problem = jsonProblem(text);
    if (!problem) {
      status.textContent = "✓ valid JSON";
      status.classList.add("is-ok");
      return f.setError(null);
    }
    if (/^[[{]/.test(text)) f.setError(`Invalid JSON: ${problem}. It would be sent as plain text.`);
    else {
      status.textContent = "plain text";
      f.setError(null);
    }
  };
  area.addEventListener("input", () => {
    check();
    set(key, area.value === "" ? undefined : area.value);
  });
  check();
  return f.wrap;
}

function jsonObjectEditor(id, key, title, hint, value, set) {
  const area = h("textarea", { id, name: key, rows: 6, class: "code", spellcheck: "false", placeholder: '{"title": "{{payload.title}}"}' });
  area.value = value && typeof value === "object" ? JSON.stringify(value, null, 2) : "";
  const f = fieldWrap({ id, label: title, control: area, hint });
  area.addEventListener("input", () => {
    const text = area.value.trim();
    if (!text) {
      f.setError(null);
      set(key, undefined);
      return;
    }
    const problem = jsonProblem(text);
    if (problem) return f.setError(`Invalid JSON: ${problem}`);
    const parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return f.setError(`${title} must be a JSON object {…}.`);
    f.setError(null);
    set(key, parsed);
  });
  return f.wrap;
}

function credentialPicker(ctx, id, value, set) {
  const chosen = value && typeof value === "object" ? value.credentialName || "" : "";
  const credentials = ctx.credentials();
  const known = credentials.some((c) => c.name === chosen);
  const select = h(
    "select",
    { id, name: "auth.credentialName" },
    h("option", { value: "", text: "No authentication" }),
    credentials.map((c) => h("option", { value: c.name, selected: c.name === chosen, text: `${c.name}  ·  ${c.maskedValue || "••••"}` })),
    chosen && !known ? h("option", { value: chosen, selected: true, text: `${chosen} (missing)` }) : null,
  );
  const create = h("button", { type: "button", class: "link-btn", text: "+ New credential", "aria-label": "New credential" });
  const control = h("div", { class: "picker" }, select, create);
  const f = fieldWrap({ id, label: "Credential", control, hint: "Sent as Authorization: Bearer <secret>. Only the name is stored in the workflow." });
  if (chosen && !known) f.setError(`Credential "${chosen}" does not exist yet: create it or pick another.`);
  select.addEventListener("change", () => {
    const v = select.value;
    const missing = v && !ctx.credentials().some((c) => c.name === v);
    f.setError(missing ? `Credential "${v}" does not exist yet: create it or pick another.` : null);
    set("auth", v ? { credentialName: v } : undefined);
  });
  create.addEventListener("click", async () => {
    const created = await ctx.onNewCredential(chosen && !known ? chosen : "");
    if (created) {
      set("auth", { credentialName: created.name });
      ctx.rerender();
    }
  });
  return f.wrap;
}

function numberProblem(n, prop) {
  if (!Number.isFinite(n)) return "Enter a number.";
  if (prop.type === "integer" && !Number.isInteger(n)) return "Enter a whole number.";
  if (prop.minimum !== undefined && n < prop.minimum) return `At least ${prop.minimum}.`;
  if (prop.exclusiveMinimum !== undefined && n <= prop.exclusiveMinimum) return `More than ${prop.exclusiveMinimum}.`;
  if (prop.maximum !== undefined && n > prop.maximum) return `At most ${prop.maximum}.`;
  return null;
}
