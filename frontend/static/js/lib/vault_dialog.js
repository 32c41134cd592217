/** The vault's passphrase dialogs: unlock (asked when a run needs a protected credential), set, change. */

import { api } from "./api.js";
import { field, openDialog } from "./dialog.js";

export const FORGOTTEN_WARNING =
  "Nobody can recover a forgotten passphrase, not even the server's administrator: the credentials it protects " +
  "would have to be deleted and their values entered again.";

/** Read a password input and clear it at once, so the value does not stay in the page. */
function take(body, name) {
  const input = body.querySelector(`[name=${name}]`);
  const value = input ? input.value : "";
  if (input) input.value = "";
  return value;
}

/**
 * Ask for the passphrase and unlock the vault for this login session.
 * @param {{reason?: string}} [options] `reason`: what needs it (the locked error's message)
 * @returns {Promise<boolean>} true once unlocked, false when cancelled
 */
export async function unlockVaultDialog({ reason = "" } = {}) {
  const done = await openDialog({
    title: "Unlock your vault",
    description: `${reason ? `${reason}. ` : ""}Enter your vault passphrase; runs you start in this session can then use your protected credentials.`,
    submitLabel: "Unlock",
    build: (body) => {
      body.dataset.testid = "vault-unlock";
      body.append(field({ label: "Vault passphrase", name: "passphrase", type: "password", autocomplete: "current-password", required: true }));
    },
    onSubmit: async (body) => {
      const passphrase = take(body, "passphrase");
      if (!passphrase) throw new Error("Vault passphrase is required.");
      await api("/v1/vault/unlock", { method: "POST", body: { passphrase } });
      return true;
    },
  });
  return done === true;
}

/**
 * Set a first passphrase (`current` false) or change it (`current` true).
 * @returns {Promise<boolean>}
 */
export async function passphraseDialog({ change = false } = {}) {
  const done = await openDialog({
    title: change ? "Change the vault passphrase" : "Set a vault passphrase",
    description: change
      ? "The credentials stay as they are; only the key that opens them is locked under the new passphrase. Your other sessions are locked."
      : `Your credentials will be encrypted under a key that only this passphrase opens. ${FORGOTTEN_WARNING}`,
    submitLabel: change ? "Change passphrase" : "Set passphrase",
    build: (body) => {
      body.dataset.testid = "vault-passphrase";
      if (change) body.append(field({ label: "Current passphrase", name: "current", type: "password", autocomplete: "current-password" }));
      body.append(
        field({ label: "New passphrase", name: "passphrase", type: "password", autocomplete: "new-password", hint: "At least 8 characters." }),
        field({ label: "Repeat the new passphrase", name: "repeat", type: "password", autocomplete: "new-password" }),
      );
    },
    onSubmit: async (body) => {
      const current = change ? take(body, "current") : null;
      const passphrase = take(body, "passphrase");
      const repeat = take(body, "repeat");
      if (passphrase.length < 8) throw new Error("The new passphrase needs at least 8 characters.");
      if (passphrase !== repeat) throw new Error("The two new passphrases differ.");
      await api("/v1/vault/passphrase", { method: "PUT", body: change ? { passphrase, currentPassphrase: current } : { passphrase } });
      return true;
    },
  });
  return done === true;
}
