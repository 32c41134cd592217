/** The Triggers panel's webhook section: enable, copy the URL, signature preset and secret, dedup, respond mode. */

import { api } from "../lib/api.js";
import { field } from "../lib/dialog.js";
import { h } from "../lib/dom.js";
import { checkbox, section } from "./triggers_ui.js";

const PRESETS = [
  { value: "none", label: "No signature check" },
  { value: "github", label: "GitHub (X-Hub-Signature-256)" },
  { value: "stripe", label: "Stripe (Stripe-Signature)" },
  { value: "generic", label: "HMAC-SHA256 hex in a header" },
];
const RESPOND = [
  { value: "immediately", label: "At once: 202 with the run id" },
  { value: "result", label: "With a step's output when the run ends" },
];

export async function webhookSection(workflowId, nodes) {
  const path = `/v1/workflows/${workflowId}/webhook`;
  const { el, content, say } = section("Webhook", "triggers-webhook");
  let hook = null;
  try {
    hook = await api(path);
  } catch (err) {
    if (err.status !== 404) say(err.message, "error");
  }
  const render = () => content.replaceChildren(...(hook ? form() : [enableButton()]));

  const enableButton = () => {
    const button = h("button", { type: "button", class: "btn btn--primary", "data-testid": "webhook-enable", text: "Enable webhook" });
    button.addEventListener("click", () => save({ enabled: true }));
    return h("div", {}, h("p", { class: "field__hint", text: "A POST to the webhook's URL starts a run; its body becomes the payload." }), button);
  };

  const save = async (options) => {
    try {
      hook = await api(path, { method: "PUT", body: options });
      render();
      say(hook.newSecret ? "" : "Webhook saved.");
      if (hook.newSecret) showSecret(hook.newSecret);
    } catch (err) {
      say(err.message, "error");
    }
  };

  const showSecret = (secret) => {
    const box = h("input", { type: "text", readonly: true, value: secret, "data-testid": "webhook-new-secret" });
    content.prepend(h("div", { class: "field triggers__secret" }, h("p", { class: "field__label", text: "Signing secret (shown once: copy it into the sender now)" }), box));
  };

  const form = () => {
    const url = h("input", { type: "text", readonly: true, value: hook.url, "data-testid": "webhook-url", "aria-label": "Webhook URL" });
    const copy = h("button", { type: "button", class: "btn btn--small", "data-testid": "webhook-copy", text: "Copy" });
    copy.addEventListener("click", async () => {
      url.select();
      try {
        await navigator.clipboard.writeText(hook.url);
        say("URL copied.");
      } catch {
        say("Select the URL and copy it (the browser refused clipboard access).");
      }
    });
    const regenerate = h("button", { type: "button", class: "btn btn--small btn--ghost", "data-testid": "webhook-regenerate", text: "New URL" });
    regenerate.addEventListener("click", async () => {
      if (!window.confirm("Make a new URL? The current one stops working at once.")) return;
      try {
        hook = await api(`${path}/regenerate`, { method: "POST" });
        render();
        say("New URL made; the old one now answers 404.");
      } catch (err) {
        say(err.message, "error");
      }
    });
    const enabled = checkbox("Enabled", "enabled", hook.enabled, "webhook-enabled");
    const preset = field({ label: "Signature", name: "signature", value: hook.signature, options: PRESETS });
    const header = field({ label: "Signature header", name: "signatureHeader", value: hook.signature === "generic" ? hook.signatureHeader : "", placeholder: "X-Signature" });
    const secret = field({ label: "Secret", name: "secret", type: "password", autocomplete: "new-password", placeholder: hook.secretSet ? `set (${hook.secretPreview})` : "made up for you if left empty", hint: "Write-only: leave empty to keep the current one." });
    const dedup = field({ label: "Deduplication header", name: "dedupHeader", value: hook.dedupHeader, placeholder: "Idempotency-Key", hint: "A repeated value answers with the first run instead of starting another." });
    const respond = field({ label: "Respond", name: "respond", value: hook.respond, options: RESPOND });
    const node = field({ label: "Answer with the output of", name: "respondNode", value: hook.respondNode, options: [{ value: "", label: "the last step that succeeded" }, ...nodes] });
    const timeout = field({ label: "Wait at most (seconds, 1–30)", name: "respondTimeoutS", type: "number", value: String(hook.respondTimeoutS) });
    const pick = (f) => f.querySelector("input, select");
    const sync = () => {
      header.hidden = pick(preset).value !== "generic";
      secret.hidden = pick(preset).value === "none";
      node.hidden = timeout.hidden = pick(respond).value !== "result";
    };
    pick(preset).addEventListener("change", sync);
    pick(respond).addEventListener("change", sync);
    sync();
    const saveButton = h("button", { type: "button", class: "btn btn--primary", "data-testid": "webhook-save", text: "Save webhook" });
    saveButton.addEventListener("click", () => {
      const options = {
        enabled: enabled.input.checked,
        signature: pick(preset).value,
        signatureHeader: pick(header).value.trim(),
        dedupHeader: pick(dedup).value.trim(),
        respond: pick(respond).value,
        respondNode: pick(node).value,
        respondTimeoutS: Number(pick(timeout).value) || 10,
      };
      if (pick(secret).value) options.secret = pick(secret).value;
      save(options);
    });
    const remove = h("button", { type: "button", class: "btn btn--danger-ghost btn--small", "data-testid": "webhook-remove", text: "Remove webhook" });
    remove.addEventListener("click", async () => {
      if (!window.confirm("Remove the webhook? Its URL stops working.")) return;
      try {
        await api(path, { method: "DELETE" });
        hook = null;
        render();
        say("Webhook removed.");
      } catch (err) {
        say(err.message, "error");
      }
    });
    return [
      h("div", { class: "field" }, h("span", { class: "field__label", text: "URL (POST)" }), h("div", { class: "triggers__row" }, url, copy, regenerate)),
      enabled.el, preset, header, secret, dedup, respond, node, timeout,
      h("div", { class: "triggers__row" }, saveButton, remove),
    ];
  };
  render();
  return el;
}
