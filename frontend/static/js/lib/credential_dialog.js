/** "New credential" dialog: masked value input, POST /v1/credentials, resolves with the created item (no value). */

import { api } from "./api.js";
import { field, openDialog } from "./dialog.js";
import { h } from "./dom.js";

export const CREDENTIAL_KINDS = [
  { value: "bearer_token", label: "Bearer token" },
  { value: "api_key_header", label: "API key header" },
  { value: "basic_auth", label: "Basic auth (user:password)" },
  { value: "secret_text", label: "Secret text" },
];

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * @param {{name?: string, kind?: string}} [defaults]
 * @returns {Promise<object|null>} the created credential, or null when cancelled
 */
export function newCredentialDialog({ name = "", kind = "bearer_token" } = {}) {
  return openDialog({
    title: "New credential",
    description: "The value is encrypted on the server and never shown again; workflows refer to it by name.",
    submitLabel: "Create credential",
    build: (body) => {
      const header = field({ label: "Header name", name: "headerName", value: "X-API-Key", hint: "Sent as this header." });
      header.hidden = kind !== "api_key_header";
      body.append(
        field({ label: "Name", name: "name", value: name, placeholder: "slackWebhookToken", hint: "Letters, digits, '_', '.' or '-'." }),
        field({ label: "Kind", name: "kind", value: kind, options: CREDENTIAL_KINDS }),
        header,
        field({ label: "Secret value", name: "value", type: "password", autocomplete: "new-password", placeholder: "••••••••" }),
      );
      const show = h("label", { class: "check" }, h("input", { type: "checkbox", name: "reveal" }), " Show value while typing");
      body.append(show);
      body.querySelector("[name=kind]").addEventListener("change", (e) => {
        header.hidden = e.target.value !== "api_key_header";
      });
      show.querySelector("input").addEventListener("change", (e) => {
        body.querySelector("[name=value]").type = e.target.checked ? "text" : "password";
      });
    },
    onSubmit: async (body) => {
      const get = (n) => body.querySelector(`[name=${n}]`).value;
      const payload = { name: get("name").trim(), kind: get("kind"), value: get("value") };
      if (!NAME.test(payload.name)) throw new Error("Name: use 1 to 100 letters, digits, '_', '.' or '-'.");
      if (!payload.value) throw new Error("Secret value is required.");
      if (payload.kind === "api_key_header") payload.options = { headerName: get("headerName").trim() };
      if (payload.kind === "basic_auth" && !payload.value.includes(":")) throw new Error("Basic auth values look like user:password.");
      try {
        return await api("/v1/credentials", { method: "POST", body: payload });
      } finally {
        body.querySelector("[name=value]").value = "";
      }
    },
  });
}
