/** Inspector picker for a config field that holds `{{getCredential('name')}}`: choose or create the credential by name. */

import { h } from "../lib/dom.js";
import { fieldWrap } from "./fields.js";

const TEMPLATE = /^\{\{\s*getCredential\(\s*(?:'([^'{}]+)'|"([^"{}]+)")\s*\)\s*\}\}$/;

/** The credential name a `{{getCredential('name')}}` value names; "" for an empty value, null for any other text. */
export function credentialNameOf(value) {
  if (value === undefined || value === null || value === "") return "";
  const match = TEMPLATE.exec(String(value).trim());
  return match ? match[1] || match[2] : null;
}

export const credentialTemplate = (name) => `{{getCredential('${name}')}}`;

/**
 * A select of the user's credentials (of kind `x-credential-kind` when the schema names one) that stores
 * the chosen name as a template, and "+ New credential" to create one of that kind. A value that is
 * not such a template stays as written, shown as "custom", until another credential is picked.
 */
export function credentialTemplatePicker(ctx, { id, key, title, prop, value, set }) {
  const kind = prop["x-credential-kind"];
  const chosen = credentialNameOf(value);
  const fits = (c) => !kind || !c.kind || c.kind === kind;
  const credentials = ctx.credentials().filter(fits);
  const known = chosen && credentials.some((c) => c.name === chosen);
  const missing = (name) => `Credential "${name}" does not exist yet: create it or pick another.`;
  const select = h(
    "select",
    { id, name: key },
    h("option", { value: "", text: "Choose a credential…" }),
    credentials.map((c) => h("option", { value: c.name, selected: c.name === chosen, text: `${c.name}  ·  ${c.maskedValue || "••••"}` })),
    chosen && !known ? h("option", { value: chosen, selected: true, text: `${chosen} (missing)` }) : null,
    chosen === null ? h("option", { value: "\u0000custom", selected: true, text: "custom template (as written)" }) : null,
  );
  const create = h("button", { type: "button", class: "link-btn", text: "+ New credential", "aria-label": "New credential" });
  const control = h("div", { class: "picker" }, select, create);
  const kindText = kind ? `a ${kind} credential` : "a credential";
  const hint = `Pick ${kindText}: only its name is stored in the workflow; its value is read when the step runs.`;
  const f = fieldWrap({ id, label: title, control, hint, required: true });
  if (chosen && !known) f.setError(missing(chosen));
  select.addEventListener("change", () => {
    const name = select.value;
    if (name === "\u0000custom") return;
    f.setError(name && !ctx.credentials().some((c) => c.name === name) ? missing(name) : null);
    set(key, name ? credentialTemplate(name) : undefined);
  });
  create.addEventListener("click", async () => {
    const created = await ctx.onNewCredential(chosen && !known ? chosen : "", kind);
    if (created) {
      set(key, credentialTemplate(created.name));
      ctx.rerender();
    }
  });
  return f.wrap;
}
