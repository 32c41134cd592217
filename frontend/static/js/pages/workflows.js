/** Workflow list page: rename, duplicate and delete through /v1/workflows; dates shown in local time. */

import { api } from "../lib/api.js";
import { confirmDialog, promptDialog } from "../lib/dialog.js";
import { $$ } from "../lib/dom.js";
import { toast } from "../lib/toast.js";

for (const time of $$("time[datetime]")) {
  const date = new Date(time.getAttribute("datetime"));
  if (!Number.isNaN(date.getTime())) time.textContent = date.toLocaleString();
}

async function rename(id, name) {
  const next = await promptDialog({ title: "Rename workflow", label: "Name", value: name, submitLabel: "Rename" });
  if (!next || next === name) return;
  try {
    await api(`/v1/workflows/${id}`, { method: "PATCH", body: { name: next } });
    location.reload();
  } catch (err) {
    toast(err.status === 409 ? `A workflow named “${next}” already exists.` : err.message, { kind: "error", title: "Rename failed" });
  }
}

async function duplicate(id, name) {
  try {
    const doc = await api(`/v1/workflows/${id}`);
    const existing = new Set($$("tr[data-workflow-name]").map((row) => row.dataset.workflowName));
    let copy = `${name} (copy)`;
    for (let i = 2; existing.has(copy); i++) copy = `${name} (copy ${i})`;
    await api("/v1/workflows", { method: "POST", body: { name: copy, description: doc.description || "", vars: doc.vars || {}, graph: doc.graph } });
    location.reload();
  } catch (err) {
    toast(err.message, { kind: "error", title: "Duplicate failed" });
  }
}

async function remove(id, name) {
  const ok = await confirmDialog({ title: "Delete workflow?", message: `“${name}” will be deleted. Its past runs are kept.`, confirmLabel: "Delete" });
  if (!ok) return;
  try {
    await api(`/v1/workflows/${id}`, { method: "DELETE" });
    try {
      const saved = JSON.parse(localStorage.getItem("automateos.dev.workflow") || "null");
      if (saved && saved.id === id) localStorage.removeItem("automateos.dev.workflow");
    } catch {
      /* ignore */
    }
    location.reload();
  } catch (err) {
    toast(err.message, { kind: "error", title: "Delete failed" });
  }
}

const handlers = { rename, duplicate, delete: remove };
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  const row = button && button.closest("tr[data-workflow-id]");
  if (!row) return;
  handlers[button.dataset.action]?.(row.dataset.workflowId, row.dataset.workflowName);
});
