/** Credentials page: list with masked previews, create (masked input), rename, replace value, delete. */

import { allItems, api } from "../lib/api.js";
import { newCredentialDialog, CREDENTIAL_KINDS } from "../lib/credential_dialog.js";
import { confirmDialog, field, openDialog, promptDialog } from "../lib/dialog.js";
import { $, h } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { mountVaultCard } from "./vault.js";

const rowsEl = $("#credential-rows");
const kindLabel = (kind) => CREDENTIAL_KINDS.find((k) => k.value === kind)?.label || kind;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "Never");

async function load() {
  let list;
  try {
    list = await allItems("/v1/credentials");
  } catch (err) {
    rowsEl.replaceChildren(h("tr", {}, h("td", { colspan: 5, class: "muted", text: `Could not load credentials: ${err.message}` })));
    return;
  }
  if (!list.length) {
    rowsEl.replaceChildren(h("tr", {}, h("td", { colspan: 5, class: "muted", text: "No credentials yet. Create one to use it in HTTP nodes." })));
    return;
  }
  rowsEl.replaceChildren(
    ...list.map((c) =>
      h(
        "tr",
        { "data-credential-id": c.id },
        h("td", {}, h("code", { class: "strong", text: c.name })),
        h("td", { text: kindLabel(c.kind) }),
        h(
          "td",
          {},
          h("code", { class: "masked", text: c.maskedValue || "••••" }),
          c.protected ? h("span", { class: "tag", "data-testid": "protected", title: "Sealed by your vault passphrase", text: "passphrase" }) : null,
        ),
        h("td", { text: when(c.lastUsedAt) }),
        h(
          "td",
          { class: "actions" },
          h("button", { type: "button", class: "btn btn--small btn--ghost", "aria-label": `Rename ${c.name}`, text: "Rename", onClick: () => rename(c) }),
          h("button", { type: "button", class: "btn btn--small btn--ghost", "aria-label": `Replace the value of ${c.name}`, text: "Replace value", onClick: () => replace(c) }),
          h("button", { type: "button", class: "btn btn--small btn--danger-ghost", "aria-label": `Delete ${c.name}`, text: "Delete", onClick: () => remove(c) }),
        ),
      ),
    ),
  );
}

async function rename(c) {
  const name = await promptDialog({
    title: "Rename credential",
    label: "Name",
    value: c.name,
    submitLabel: "Rename",
    validate: (value) => api(`/v1/credentials/${c.id}`, { method: "PATCH", body: { name: value } }),
  });
  if (name) {
    toast(`Renamed to “${name}”. Workflows that used “${c.name}” must be updated.`, { kind: "success" });
    const vault = mountVaultCard($("#vault-card"), { onChange: () => load() });
load();
  }
}

async function replace(c) {
  const done = await openDialog({
    title: `Replace the value of ${c.name}`,
    description: "The old value is overwritten. Workflows keep using this credential by name.",
    submitLabel: "Replace value",
    build: (body) => body.append(field({ label: "New secret value", name: "value", type: "password", autocomplete: "new-password" })),
    onSubmit: async (body) => {
      const input = body.querySelector("[name=value]");
      if (!input.value) throw new Error("Secret value is required.");
      try {
        await api(`/v1/credentials/${c.id}`, { method: "PATCH", body: { value: input.value } });
      } finally {
        input.value = "";
      }
      return true;
    },
  });
  if (done) {
    toast(`Value of “${c.name}” replaced.`, { kind: "success" });
    const vault = mountVaultCard($("#vault-card"), { onChange: () => load() });
load();
  }
}

async function remove(c) {
  const ok = await confirmDialog({ title: "Delete credential?", message: `“${c.name}” will be deleted. Workflows using it will fail until you create it again.`, confirmLabel: "Delete" });
  if (!ok) return;
  try {
    await api(`/v1/credentials/${c.id}`, { method: "DELETE" });
    toast(`Deleted “${c.name}”.`, { kind: "success" });
    const vault = mountVaultCard($("#vault-card"), { onChange: () => load() });
load();
  } catch (err) {
    toast(err.message, { kind: "error" });
  }
}

$("#new-credential").addEventListener("click", async () => {
  const created = await newCredentialDialog();
  if (created) {
    toast(`Credential “${created.name}” created.`, { kind: "success" });
    const vault = mountVaultCard($("#vault-card"), { onChange: () => load() });
load();
  }
});

const vault = mountVaultCard($("#vault-card"), { onChange: () => load() });
load();
