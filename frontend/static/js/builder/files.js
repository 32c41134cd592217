/** Builder file handling: import from the file input, export as a download, load a template; and the credentials they name. */

import { allItems, api } from "../lib/api.js";
import { newCredentialDialog } from "../lib/credential_dialog.js";
import { h } from "../lib/dom.js";
import { toast } from "../lib/toast.js";
import { exportFilename, fileText, importDocument, importText, requirements, toFile } from "./io.js";
import { importOptions } from "./store.js";

/** A toast listing the `{message}` problems of a file, a template or a save. */
export function showImportErrors(title, errors) {
  toast(errors.length === 1 ? errors[0].message : `${errors.length} problems found.`, {
    kind: "error",
    title,
    details: errors.length > 1 ? errors.map((e) => e.message) : [],
    timeout: 0,
  });
}

/** The file and credential actions of the builder `app` (its `store`, `canvas` and `commit`). */
export function fileActions(app) {
  const { store } = app;

  function loadDocument(result, title, select = true) {
    if (!result.ok) {
      showImportErrors(title, result.errors);
      return false;
    }
    app.commit(result.state, { select: { nodes: [], edges: [] } });
    store.namedByFile = true;
    app.canvas.setStatuses({}); // the last run's badges belong to the graph that was replaced
    if (select) requestAnimationFrame(() => app.canvas.fitView());
    for (const w of result.warnings) toast(w, { kind: "warning" });
    return true;
  }

  async function importFromInput(input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const text = await file.text();
    const result = importText(text, importOptions(store));
    if (loadDocument(result, `Could not import ${file.name}`)) {
      const legacy = result.format === "legacy" ? " (converted from the legacy format)" : "";
      toast(`Imported “${store.state.meta.name}”${legacy}: ${store.state.nodes.length} nodes.`, { kind: "success" });
    }
  }

  function exportFile() {
    const { state } = store;
    const file = toFile(state);
    const blob = new Blob([fileText(file)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: exportFilename(state.meta.name) });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    toast(`Exported ${exportFilename(state.meta.name)}`, { kind: "success" });
  }

  async function loadTemplate(name, label) {
    let doc;
    try {
      doc = await api(`/templates/${name}.json`);
    } catch (err) {
      return toast(err.message, { kind: "error", title: `Could not load the ${label} template` });
    }
    if (!loadDocument(importDocument(doc, importOptions(store)), `The ${label} template is invalid`)) return;
    const needs = requirements(store.state);
    const missing = needs.credentials.filter((c) => !store.credentials.some((x) => x.name === c));
    const parts = [];
    if (needs.credentials.length) {
      parts.push(`credential ${needs.credentials.map((c) => `“${c}”${missing.includes(c) ? " (missing)" : ""}`).join(", ")}`);
    }
    if (needs.vars.length) parts.push(`variable ${needs.vars.map((v) => `“${v}”`).join(", ")}`);
    const setup = parts.length ? ` Set ${parts.join(" and ")} before running.` : "";
    toast(`${label} template loaded.${setup}`, { kind: "success", title: `${label} template`, timeout: parts.length ? 12000 : 4500 });
  }

  async function loadCredentials() {
    try {
      store.credentials = await allItems("/v1/credentials");
    } catch (err) {
      toast(`Could not load credentials: ${err.message}`, { kind: "warning" });
    }
  }

  async function createCredential(name = "", kind = undefined) {
    const created = await newCredentialDialog({ name, kind });
    if (!created) return null;
    await loadCredentials();
    if (!store.credentials.some((c) => c.name === created.name)) store.credentials.push(created);
    toast(`Credential “${created.name}” created.`, { kind: "success" });
    return created;
  }

  return { importFromInput, exportFile, loadTemplate, loadCredentials, createCredential };
}
