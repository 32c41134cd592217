/** The Credentials page's vault card: passphrase state, set / change / remove, unlock / lock, forgotten. */

import { api } from "../lib/api.js";
import { field, openDialog } from "../lib/dialog.js";
import { h } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { FORGOTTEN_WARNING, passphraseDialog, unlockVaultDialog } from "../lib/vault_dialog.js";

const RESET_CONFIRMATION = "delete my protected credentials";

/**
 * Draw the card into `container` and keep it current.
 * @param {HTMLElement} container
 * @param {{onChange?: () => void}} [hooks] `onChange`: the credential list needs a reload
 */
export function mountVaultCard(container, { onChange = () => {} } = {}) {
  const act = (label, testid, handler, danger = false) =>
    h("button", { type: "button", class: `btn btn--small ${danger ? "btn--danger-ghost" : "btn--ghost"}`, "data-testid": testid, text: label, onClick: handler });

  async function refresh() {
    let state;
    try {
      state = await api("/v1/vault");
    } catch (err) {
      container.replaceChildren(h("p", { class: "muted", text: `Could not load the vault: ${err.message}` }));
      return;
    }
    container.replaceChildren(...render(state));
  }

  function render(state) {
    if (!state.passphraseSet) {
      return [
        h("p", { "data-testid": "vault-state", text: "No vault passphrase: credentials are encrypted with the server's keys." }),
        h("p", { class: "muted", text: `A passphrase adds a lock only you can open. ${FORGOTTEN_WARNING}` }),
        h("div", { class: "actions" }, act("Set a passphrase", "vault-set", () => after(passphraseDialog(), "Vault passphrase set."))),
      ];
    }
    const until = state.unlockedUntil ? new Date(state.unlockedUntil).toLocaleTimeString() : "";
    const text = state.unlocked ? `Unlocked in this session until ${until}.` : "Locked: runs that need a protected credential ask for the passphrase.";
    return [
      h("p", { "data-testid": "vault-state", text: `${state.protectedCredentials} credential(s) protected by your passphrase. ${text}` }),
      h(
        "div",
        { class: "actions" },
        state.unlocked ? act("Lock", "vault-lock", lock) : act("Unlock", "vault-unlock-button", () => after(unlockVaultDialog(), "Vault unlocked.")),
        act("Change passphrase", "vault-change", () => after(passphraseDialog({ change: true }), "Vault passphrase changed.")),
        act("Remove passphrase", "vault-remove", removePassphrase),
        act("Forgot the passphrase…", "vault-reset", reset, true),
      ),
    ];
  }

  async function after(pending, message) {
    if (await pending) {
      toast(message, { kind: "success" });
      onChange();
    }
    refresh();
  }

  async function lock() {
    await api("/v1/vault/lock", { method: "POST" }).catch((err) => toast(err.message, { kind: "error" }));
    refresh();
  }

  function removePassphrase() {
    const pending = openDialog({
      title: "Remove the vault passphrase",
      description: "Your credentials go back to being encrypted with the server's keys.",
      submitLabel: "Remove passphrase",
      build: (body) => body.append(field({ label: "Current passphrase", name: "current", type: "password", autocomplete: "current-password" })),
      onSubmit: async (body) => {
        const input = body.querySelector("[name=current]");
        const currentPassphrase = input.value;
        input.value = "";
        await api("/v1/vault/passphrase", { method: "DELETE", body: { currentPassphrase } });
        return true;
      },
    });
    after(pending, "Vault passphrase removed.");
  }

  function reset() {
    const pending = openDialog({
      title: "Forgot the passphrase?",
      description: `Without it, the protected credentials cannot be opened. Resetting deletes them and the passphrase; create them again under the same names and your workflows keep working. Type “${RESET_CONFIRMATION}” to go on.`,
      submitLabel: "Delete and reset",
      danger: true,
      build: (body) => body.append(field({ label: "Confirmation", name: "confirm" })),
      onSubmit: async (body) => {
        const confirm = body.querySelector("[name=confirm]").value.trim();
        const answer = await api("/v1/vault/reset", { method: "POST", body: { confirm } });
        return answer.deletedCredentials;
      },
    });
    pending.then((names) => names && toast(`Vault reset; deleted: ${names.join(", ") || "none"}.`, { kind: "success" }));
    after(pending, "Create the deleted credentials again to use them.");
  }

  refresh();
  return { refresh };
}
