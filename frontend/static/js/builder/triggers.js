/** Builder "Triggers" panel: a saved workflow's webhook and schedule, in one dialog opened from the toolbar. */

import { h } from "../lib/dom.js";
import { scheduleSection } from "./triggers_schedule.js";
import { webhookSection } from "./triggers_webhook.js";

/** Put the Triggers button first in the toolbar's Workflow group (before Save). */
export function mountTriggers(app, toolbarRoot) {
  const button = h("button", {
    type: "button",
    class: "tb-btn",
    "data-testid": "triggers-button",
    title: "Start this workflow from a webhook or on a schedule",
    text: "Triggers",
  });
  button.addEventListener("click", () => openTriggers(app));
  const group = toolbarRoot.querySelector('[aria-label="Workflow"]');
  if (group) group.prepend(button);
  else toolbarRoot.append(button);
}

/** Open the panel; its two sections load and save through /v1/workflows/<id>/webhook and …/schedule. */
export async function openTriggers(app) {
  const id = app.store.workflowId;
  const body = h("div", { class: "triggers" });
  const close = h("button", { type: "button", class: "btn btn--ghost", "data-testid": "triggers-close", text: "Close" });
  const dialog = h(
    "dialog",
    { class: "dialog dialog--wide", "aria-labelledby": "triggers-title", "data-testid": "triggers-panel" },
    h(
      "div",
      { class: "dialog__form" },
      h("h2", { class: "dialog__title", id: "triggers-title", text: "Triggers" }),
      h("p", { class: "dialog__desc", text: "Start this workflow when a service calls its webhook URL, or on a schedule." }),
      body,
      h("div", { class: "dialog__actions" }, close),
    ),
  );
  const finish = () => {
    dialog.close();
    dialog.remove();
  };
  close.addEventListener("click", finish);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    finish();
  });
  document.body.append(dialog);
  dialog.showModal();
  if (!id) {
    body.append(h("p", { class: "muted", "data-testid": "triggers-unsaved", text: "Save the workflow first: webhooks and schedules belong to a saved workflow." }));
    return dialog;
  }
  const nodes = (app.store.state.nodes || []).map((n) => ({ value: n.id, label: n.data?.label || n.id }));
  body.append(await webhookSection(id, nodes), await scheduleSection(id));
  return dialog;
}
