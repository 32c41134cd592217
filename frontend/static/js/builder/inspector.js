/** Inspector panel: the selected node's schema form, a multi-selection summary, or the workflow's name, description and variables. */

// Forms come from each node kind's JSON Schema (GET /v1/node-types; the per-field controls are in
// schema_fields.js). It never shows raw node JSON; edits go out through hooks and main.js records
// them in history.

import { h } from "../lib/dom.js";
import { fieldWrap, kvEditor, nextFieldId } from "./fields.js";
import { fieldFor, resolveSchema } from "./schema_fields.js";

// Still exported here: the resolver was the inspector's before the field controls moved out.
export { resolveSchema };

const PRIMARY = ["method", "url", "headers", "auth", "body", "json_body"];

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
    this.fieldContext = {
      credentials: () => this.hooks.credentials(),
      onNewCredential: (name, kind) => this.hooks.onNewCredential(name, kind),
      rerender: () => this.render(),
    };
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
          h("li", {}, "Drag from a node's right port to another node to connect; a node with named outputs (true/false, cases) has one port per output."),
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
    // Edits of one field within a moment are one undo step (typing), unless `step` says the edit is one
    // of its own (adding, removing or moving a list entry or a rule).
    const set = (key, value, { step = false } = {}) => {
      if (this.serverProblems[node.id]) delete this.serverProblems[node.id][key];
      const next = current();
      if (value === undefined) delete next[key];
      else next[key] = value;
      this.hooks.onConfig(node.id, next, step ? null : `${node.id}.${key}`);
    };

    const props = schema.properties || {};
    const required = new Set(schema.required || []);
    const advanced = [];
    const ordered = [...PRIMARY.filter((k) => k in props), ...Object.keys(props).filter((k) => !PRIMARY.includes(k))];
    const ctx = { ...this.fieldContext, root: schema };
    for (const key of ordered) {
      const prop = resolveSchema(props[key], schema);
      const el = fieldFor(ctx, key, prop, config[key], required.has(key), set);
      if (!el) continue;
      const serverMessage = this.serverProblems[node.id]?.[key];
      if (serverMessage) showFieldError(el, serverMessage);
      // A condition and the list that names the outputs are what such a node is for: never tucked away.
      if (PRIMARY.includes(key) || required.has(key) || key === kind.outputsFrom || prop["x-widget"] === "condition") parts.push(el);
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
}
