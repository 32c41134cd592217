/** Inspector editor for a condition field (`"x-widget": "condition"`): match all/any rule rows, or the condition as text. */

// A condition is text (`{{payload.amount}} > 100 and …`) or JSON: a rule `{left, op, right, type}`
// or a group `{match: "all"|"any", rules: [...], negate}`. The rows edit one group of rules (a lone
// rule shows as a group of one and is written back as a group); a nested group among the rules is
// kept as it is, shown as one row that can only be removed. The "Text" toggle switches to a text
// area (a text value opens in it) and converts the condition to the other form.

import { api } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { fieldWrap } from "./fields.js";

export const OPERATORS = [
  ["equals", "equals"],
  ["not_equals", "does not equal"],
  ["gt", ">"],
  ["gte", "≥"],
  ["lt", "<"],
  ["lte", "≤"],
  ["contains", "contains"],
  ["not_contains", "does not contain"],
  ["starts_with", "starts with"],
  ["ends_with", "ends with"],
  ["exists", "exists"],
  ["not_exists", "does not exist"],
  ["is_empty", "is empty"],
  ["not_empty", "is not empty"],
];
/** Operators with no right-hand side. */
export const UNARY = new Set(["exists", "not_exists", "is_empty", "not_empty"]);
export const TYPES = ["auto", "number", "string", "boolean", "date"];

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isGroup = (v) => isObject(v) && Array.isArray(v.rules);

/** A condition value as a group of rules (a lone rule is a group of one; anything else an empty group). */
export function asGroup(value) {
  if (isGroup(value)) return { match: value.match === "any" ? "any" : "all", ...value, rules: [...value.rules] };
  if (isObject(value) && "op" in value) return { match: "all", rules: [value] };
  return { match: "all", rules: [] };
}

/** One rule as written: right dropped for a unary operator, type "auto" unless chosen. */
export function cleanRule(rule) {
  const out = { ...rule, left: rule.left ?? "", op: rule.op || "equals", type: rule.type || "auto" };
  if (UNARY.has(out.op)) delete out.right;
  else out.right = rule.right ?? "";
  return out;
}

/** The condition in the other form ("text" or "rules"), as the engine reads it; throws with the reason. */
export async function convertCondition(condition, to) {
  const answer = await api("/v1/conditions/convert", { method: "POST", body: { condition, to } });
  return answer.condition;
}

/**
 * The condition field `key`; `set(key, value)` records an edit (undefined drops it).
 * @param {{id: string, key: string, title: string, hint?: string, value: any, required?: boolean, set: Function}} options
 */
export function conditionEditor({ id, key, title, hint = "", value, required = false, set }) {
  let textMode = typeof value === "string";
  let text = typeof value === "string" ? value : "";
  const group = asGroup(value);

  const toggle = h("input", { type: "checkbox", name: `${key}.textMode`, checked: textMode, "aria-label": `${title}: edit as text` });
  const match = h(
    "select",
    { id, name: `${key}.match`, "aria-label": `${title}: match` },
    h("option", { value: "all", text: "all", selected: group.match === "all" }),
    h("option", { value: "any", text: "any", selected: group.match === "any" }),
  );
  const rows = h("div", { class: "cond__rules" });
  const add = h("button", { type: "button", class: "btn btn--small btn--ghost", text: "+ Add rule" });
  const rowsView = h("div", { class: "cond__rows" }, h("div", { class: "cond__match" }, "Match ", match, " of these rules"), rows, add);
  const area = h("textarea", { name: key, rows: 3, class: "code", spellcheck: "false", "aria-label": `${title} as text`, placeholder: '{{payload.amount}} > 100 and {{payload.tag}} contains "vip"' });
  area.value = text;
  const control = h("div", { class: "cond", "data-condition": key, role: "group", "aria-label": title }, rowsView, area);
  const f = fieldWrap({ id, label: title, control, hint, required });
  f.wrap.querySelector(".field__label").after(h("label", { class: "cond__toggle" }, toggle, " Text"));

  // `step`: adding or removing a rule, or switching modes, is an undo step of its own.
  const currentRows = () => ({ ...group, rules: group.rules.map((r) => (isGroup(r) ? r : cleanRule(r))) });
  const emit = (step = false) => {
    const opts = { step };
    if (textMode) return set(key, text === "" && !required ? undefined : text, opts);
    set(key, currentRows(), opts);
  };
  const showMode = () => {
    rowsView.hidden = textMode;
    area.hidden = !textMode;
  };

  function ruleRow(rule, i) {
    const n = i + 1;
    const remove = h("button", { type: "button", class: "icon-btn", text: "×", title: "Remove rule", "aria-label": `Remove rule ${n}` });
    remove.addEventListener("click", () => {
      group.rules.splice(i, 1);
      draw();
      emit(true);
    });
    if (isGroup(rule)) {
      const summary = `Nested group: ${rule.match === "any" ? "any" : "all"} of ${rule.rules.length} rule${rule.rules.length === 1 ? "" : "s"}`;
      return h("div", { class: "cond__rule cond__rule--group", "data-rule": i }, h("span", { class: "muted", text: summary }), remove);
    }
    // From the match select's name, which a list editor may have prefixed with the entry's place.
    const name = `${match.name.replace(/\.match$/, "")}.rules.${i}`;
    const left = h("input", { name: `${name}.left`, value: rule.left ?? "", placeholder: "{{payload.amount}}", "aria-label": `Rule ${n} left`, autocomplete: "off", spellcheck: "false" });
    const op = h("select", { name: `${name}.op`, "aria-label": `Rule ${n} operator` }, OPERATORS.map(([v, label]) => h("option", { value: v, text: label, selected: (rule.op || "equals") === v })));
    const right = h("input", { name: `${name}.right`, value: rule.right ?? "", placeholder: "100", "aria-label": `Rule ${n} value`, autocomplete: "off", spellcheck: "false" });
    const type = h("select", { name: `${name}.type`, "aria-label": `Rule ${n} type` }, TYPES.map((t) => h("option", { value: t, text: t, selected: (rule.type || "auto") === t })));
    right.hidden = UNARY.has(op.value);
    const update = () => {
      right.hidden = UNARY.has(op.value);
      group.rules[i] = { ...group.rules[i], left: left.value, op: op.value, right: right.value, type: type.value };
      emit();
    };
    for (const el of [left, right]) el.addEventListener("input", update);
    for (const el of [op, type]) el.addEventListener("change", update);
    return h("div", { class: "cond__rule", "data-rule": i }, left, op, right, type, remove);
  }

  function draw() {
    rows.replaceChildren(...group.rules.map(ruleRow));
    if (!group.rules.length) rows.append(h("p", { class: "muted small", text: "No rules yet: add one." }));
  }

  match.addEventListener("change", () => {
    group.match = match.value;
    emit();
  });
  add.addEventListener("click", () => {
    group.rules.push({ left: "", op: "equals", right: "", type: "auto" });
    draw();
    emit(true);
    rows.querySelector(`[data-rule="${group.rules.length - 1}"] input`)?.focus();
  });
  area.addEventListener("input", () => {
    text = area.value;
    emit();
  });
  // Switching modes carries the condition across (the server's grammar converts it); what the other
  // form cannot say keeps the current mode and says why.
  toggle.addEventListener("change", async () => {
    const wanted = toggle.checked;
    toggle.disabled = true;
    try {
      if (wanted && group.rules.length) {
        text = await convertCondition(currentRows(), "text");
        area.value = text;
      } else if (!wanted && text.trim()) {
        const rows = asGroup(await convertCondition(text, "rules"));
        Object.assign(group, rows);
        match.value = group.match;
        draw();
      }
      f.setError(null);
      textMode = wanted;
    } catch (err) {
      toggle.checked = !wanted;
      f.setError(`Kept as ${wanted ? "rows" : "text"}: ${err.message}`);
    } finally {
      toggle.disabled = false;
    }
    showMode();
    emit(true);
  });
  draw();
  showMode();
  return f.wrap;
}
