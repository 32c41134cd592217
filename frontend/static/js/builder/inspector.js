/**
 * Inspector panel: forms generated from each node kind's JSON Schema (GET /v1/node-types), the
 * credential picker, and, with nothing selected, the workflow's name, description and variables.
 * It never shows raw node JSON; edits go out through hooks and main.js records them in history.
 */

import { h } from "../lib/dom.js";
import { fieldWrap, jsonProblem, kvEditor, nextFieldId } from "./fields.js";
import { isUrlLike } from "./io.js";

const PRIMARY = ["method", "url", "headers", "auth", "body", "json_body"];

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

/** Show a message in a rendered field's error slot (for problems found by the server). */
function showFieldError(wrap, message) {
  const slot = wrap.querySelector(".field__error");
  if (!slot) return;
  slot.textContent = message;
  slot.hidden = false;
  wrap.classList.add("has-error");
  wrap.querySelector("input, select, textarea")?.setAttribute("aria-invalid", "true");
}

export class Inspector {
  /**
   * @param {HTMLElement} root
   * @param {{getState: () => any, kinds: () => Record<string, any>, credentials: () => any[],
   *   onConfig: (id: string, config: object, key: string) => void, onLabel: (id: string, label: string) => void,
   *   onMeta: (patch: object, key: string) => void, onVars: (vars: object) => void,
   *   onNewCredential: (name?: string) => Promise<any>, onDelete: () => void, onDuplicate: () => void}} hooks
   */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.selection = { nodes: [], edges: [] };
    /** Problems the server found on save or run, by node id then config field: shown beside the field. */
    this.serverProblems = {};
  }

  /** @param {Record<string, Record<string, string>>} problems */
  setServerProblems(problems) {
    this.serverProblems = problems || {};
    this.render();
  }

  show(selection) {
    this.selection = selection;
    this.render();
  }

  render() {
    const { nodes, edges } = this.selection;
    const state = this.hooks.getState();
    let content;
    if (nodes.length === 1 && !edges.length) {
      const node = state.nodes.find((n) => n.id === nodes[0]);
      content = node ? this.nodeForm(node) : this.workflowForm(state);
    } else if (nodes.length + edges.length > 1 || edges.length) {
      content = this.selectionSummary(state);
    } else {
      content = this.workflowForm(state);
    }
    this.root.replaceChildren(content);
  }

  // ---- workflow (nothing selected) ---------------------------------------------------------

  workflowForm(state) {
    const nameId = nextFieldId();
    const name = h("input", { id: nameId, name: "workflow.name", value: state.meta.name || "", autocomplete: "off" });
    name.addEventListener("input", () => {
      const v = name.value.trim();
      nameField.setError(v ? null : "A workflow needs a name.");
      if (v) this.hooks.onMeta({ name: name.value }, "meta.name");
    });
    const nameField = fieldWrap({ id: nameId, label: "Workflow name", control: name, required: true });
    const descId = nextFieldId();
    const desc = h("textarea", { id: descId, name: "workflow.description", rows: 3, placeholder: "What does this workflow do?" });
    desc.value = state.meta.description || "";
    desc.addEventListener("input", () => this.hooks.onMeta({ description: desc.value }, "meta.description"));
    const descField = fieldWrap({ id: descId, label: "Description", control: desc });
    const varsId = nextFieldId();
    let varsField;
    const vars = kvEditor({
      name: "vars",
      label: "Variable",
      value: state.vars,
      keyPlaceholder: "channel",
      valuePlaceholder: "#ops",
      addLabel: "+ Add variable",
      onChange: (obj, error) => {
        const bad = Object.keys(obj).find((k) => !/^[A-Za-z0-9_$-]{1,100}$/.test(k));
        const problem = error || (bad ? `"${bad}": use letters, digits, _, - or $.` : null);
        varsField.setError(problem);
        if (!problem) this.hooks.onVars(obj);
      },
    });
    vars.id = varsId;
    varsField = fieldWrap({ id: varsId, label: "Variables", control: vars, hint: "Use them in any field as {{vars.name}}. Never put secrets here: use credentials." });
    const counts = `${state.nodes.length} node${state.nodes.length === 1 ? "" : "s"}, ${state.edges.length} connection${state.edges.length === 1 ? "" : "s"}`;
    return h(
      "div",
      { class: "inspector__section" },
      h("div", { class: "inspector__head" }, h("h2", { class: "inspector__title", text: "Workflow" }), h("span", { class: "muted", text: counts })),
      nameField.wrap,
      descField.wrap,
      varsField.wrap,
      h(
        "div",
        { class: "help" },
        h("h3", { text: "Tips" }),
        h(
          "ul",
          {},
          h("li", {}, "Drag from a node's right port to another node to connect."),
          h("li", {}, "Shift-drag on the background selects several nodes; drag empty space to pan."),
          h("li", {}, h("kbd", { text: "Del" }), " delete · ", h("kbd", { text: "Ctrl D" }), " duplicate · ", h("kbd", { text: "Ctrl Z" }), " undo · ", h("kbd", { text: "Ctrl Y" }), " redo"),
        ),
      ),
    );
  }

  selectionSummary(state) {
    const { nodes, edges } = this.selection;
    const lines = [];
    for (const id of edges) {
      const e = state.edges.find((x) => x.id === id);
      if (e) lines.push(h("li", { text: `Connection ${e.source} → ${e.target}` }));
    }
    for (const id of nodes) {
      const n = state.nodes.find((x) => x.id === id);
      if (n) lines.push(h("li", { text: `${n.data?.label || n.id} (${n.id})` }));
    }
    const parts = [];
    if (nodes.length) parts.push(`${nodes.length} node${nodes.length === 1 ? "" : "s"}`);
    if (edges.length) parts.push(`${edges.length} connection${edges.length === 1 ? "" : "s"}`);
    return h(
      "div",
      { class: "inspector__section" },
      h("h2", { class: "inspector__title", text: `${parts.join(" and ")} selected` }),
      h("ul", { class: "selection-list" }, lines),
      h(
        "div",
        { class: "row" },
        nodes.length ? h("button", { type: "button", class: "btn btn--ghost", text: "Duplicate", onClick: () => this.hooks.onDuplicate() }) : null,
        h("button", { type: "button", class: "btn btn--danger-ghost", text: "Delete", onClick: () => this.hooks.onDelete() }),
      ),
    );
  }

  // ---- one node ----------------------------------------------------------------------------

  nodeForm(node) {
    const kind = this.hooks.kinds()[node.type] || { label: node.type, description: "", schema: { properties: {} } };
    const schema = kind.schema || { properties: {} };
    const config = { ...(node.data?.config || {}) };
    const labelId = nextFieldId();
    const label = h("input", { id: labelId, name: "label", value: node.data?.label ?? "", autocomplete: "off" });
    label.addEventListener("input", () => this.hooks.onLabel(node.id, label.value));
    const parts = [fieldWrap({ id: labelId, label: "Name", control: label, hint: `Node id: ${node.id}` }).wrap];

    const current = () => {
      const n = this.hooks.getState().nodes.find((x) => x.id === node.id);
      return { ...(n?.data?.config || {}) };
    };
    const set = (key, value) => {
      if (this.serverProblems[node.id]) delete this.serverProblems[node.id][key];
      const next = current();
      if (value === undefined) delete next[key];
      else next[key] = value;
      this.hooks.onConfig(node.id, next, `${node.id}.${key}`);
    };

    const props = schema.properties || {};
    const required = new Set(schema.required || []);
    const advanced = [];
    const ordered = [...PRIMARY.filter((k) => k in props), ...Object.keys(props).filter((k) => !PRIMARY.includes(k))];
    for (const key of ordered) {
      const prop = resolveSchema(props[key], schema);
      const el = this.fieldFor(key, prop, config[key], required.has(key), set, node);
      if (!el) continue;
      const serverMessage = this.serverProblems[node.id]?.[key];
      if (serverMessage) showFieldError(el, serverMessage);
      if (PRIMARY.includes(key) || required.has(key)) parts.push(el);
      else advanced.push(el);
    }
    if (advanced.length) {
      parts.push(h("details", { class: "advanced" }, h("summary", { text: "Advanced" }), ...advanced));
    }
    if (!ordered.length) parts.push(h("p", { class: "muted", text: "This node has no settings." }));
    return h(
      "div",
      { class: "inspector__section", "data-node-form": node.id },
      h(
        "div",
        { class: "inspector__head" },
        h("span", { class: "kind-chip", style: `--kind: ${kind.color || "#64748b"}`, text: kind.label }),
        h("h2", { class: "inspector__title", text: node.data?.label || node.id }),
      ),
      kind.description ? h("p", { class: "muted", text: kind.description }) : null,
      ...parts,
    );
  }

  fieldFor(key, prop, value, required, set, node) {
    const id = nextFieldId();
    const title = prop.title || key;
    const hint = prop.description || "";
    if (key === "auth" || (prop.type === "object" && prop.properties?.credentialName)) {
      return this.credentialPicker(id, value, set);
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
      return this.jsonObjectEditor(id, key, title, hint, value, set);
    }
    if (key === "body") return this.bodyEditor(id, key, title, hint, value, set, node);
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

  bodyEditor(id, key, title, hint, value, set) {
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

  jsonObjectEditor(id, key, title, hint, value, set) {
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

  credentialPicker(id, value, set) {
    const chosen = value && typeof value === "object" ? value.credentialName || "" : "";
    const credentials = this.hooks.credentials();
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
      const missing = v && !this.hooks.credentials().some((c) => c.name === v);
      f.setError(missing ? `Credential "${v}" does not exist yet: create it or pick another.` : null);
      set("auth", v ? { credentialName: v } : undefined);
    });
    create.addEventListener("click", async () => {
      const created = await this.hooks.onNewCredential(chosen && !known ? chosen : "");
      if (created) {
        set("auth", { credentialName: created.name });
        this.render();
      }
    });
    return f.wrap;
  }
}

function numberProblem(n, prop) {
  if (!Number.isFinite(n)) return "Enter a number.";
  if (prop.type === "integer" && !Number.isInteger(n)) return "Enter a whole number.";
  if (prop.minimum !== undefined && n < prop.minimum) return `At least ${prop.minimum}.`;
  if (prop.exclusiveMinimum !== undefined && n <= prop.exclusiveMinimum) return `More than ${prop.exclusiveMinimum}.`;
  if (prop.maximum !== undefined && n > prop.maximum) return `At most ${prop.maximum}.`;
  return null;
}
