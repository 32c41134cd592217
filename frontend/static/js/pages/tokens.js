/** API tokens page: list (never a secret), create (the value shown once, with a copy button), revoke. */

import { allItems, api } from "../lib/api.js";
import { confirmDialog, field, openDialog } from "../lib/dialog.js";
import { $, h } from "../lib/dom.js";
import { toast } from "../lib/toast.js";

const rowsEl = $("#token-rows");
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "Never");
const cell = (text) => h("td", { colspan: 6, class: "muted", text });

async function load() {
  let list;
  try {
    list = await allItems("/v1/tokens");
  } catch (err) {
    rowsEl.replaceChildren(h("tr", {}, cell(`Could not load tokens: ${err.message}`)));
    return;
  }
  if (!list.length) {
    rowsEl.replaceChildren(h("tr", {}, cell("No tokens yet. Create one for a script or another service.")));
    return;
  }
  rowsEl.replaceChildren(...list.map(row));
}

function row(t) {
  return h(
    "tr",
    { "data-token-id": t.id },
    h("td", {}, h("span", { class: "strong", text: t.name })),
    h("td", {}, h("code", { class: "masked", text: `${t.prefix}…` })),
    h("td", { text: when(t.createdAt) }),
    h("td", { text: when(t.lastUsedAt) }),
    h("td", {}, t.revoked ? h("span", { class: "tag", "data-testid": "revoked", text: "revoked" }) : "active"),
    h(
      "td",
      { class: "actions" },
      t.revoked ? null : h("button", { type: "button", class: "btn btn--small btn--danger-ghost", "aria-label": `Revoke ${t.name}`, text: "Revoke", onClick: () => revoke(t) }),
    ),
  );
}

async function create() {
  const created = await openDialog({
    title: "New API token",
    submitLabel: "Create token",
    build: (body) => body.append(field({ label: "Name", name: "name", placeholder: "e.g. ci, zapier", hint: "To recognise it later." })),
    onSubmit: async (body) => {
      const name = body.querySelector("[name=name]").value.trim();
      if (!name) throw new Error("Name is required.");
      return api("/v1/tokens", { method: "POST", body: { name } });
    },
  });
  if (!created) return;
  await showOnce(created);
  load();
}

/** The new token's value, once: a read-only field, a copy button and a warning. Closing forgets it. */
function showOnce(created) {
  return openDialog({
    title: `Token “${created.name}” created`,
    description: "Copy it now: this is the only time it is shown. Anyone holding it can use the API as you.",
    submitLabel: "Done",
    build: (body) => {
      const value = h("input", { type: "text", readonly: true, value: created.token, class: "token-value", "aria-label": "Token value", "data-testid": "token-value", spellcheck: "false" });
      const copy = h("button", {
        type: "button",
        class: "btn btn--small",
        text: "Copy",
        onClick: async () => {
          value.select();
          try {
            await navigator.clipboard.writeText(created.token);
            toast("Token copied.", { kind: "success" });
          } catch {
            toast("Copy failed: select the value and copy it yourself.", { kind: "warning" });
          }
        },
      });
      body.append(h("p", { class: "dialog__error", role: "alert", text: "You will not see this value again." }), h("div", { class: "field token-once" }, value, copy));
    },
    onSubmit: () => true,
  });
}

async function revoke(t) {
  const ok = await confirmDialog({
    title: "Revoke token?",
    message: `“${t.name}” (${t.prefix}…) stops working at once: every request with it is refused from now on. This cannot be undone.`,
    confirmLabel: "Revoke",
  });
  if (!ok) return;
  try {
    await api(`/v1/tokens/${t.id}`, { method: "DELETE" });
    toast(`Revoked “${t.name}”.`, { kind: "success" });
    load();
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

$("#new-token").addEventListener("click", create);
load();
