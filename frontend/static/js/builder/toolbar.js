/** Builder toolbar: the prototype's labels plus Undo, Redo, Save, Run and Cancel, enabled or disabled from state. */

// Run (`run-button`) and Cancel (`cancel-button`) live here, always visible; the run panel
// enables and disables them while a run goes.

import { h, s } from "../lib/dom.js";

/** Line icons drawn as SVG, so they render on systems without an emoji font. */
const svgIcon = (...paths) =>
  s("svg", { class: "tb-svg", viewBox: "0 0 16 16", width: "14", height: "14", "aria-hidden": "true", focusable: "false" },
    ...paths.map((d) => s("path", { d, fill: "none", stroke: "currentColor", "stroke-width": "1.5", "stroke-linecap": "round", "stroke-linejoin": "round" })));
const MEGAPHONE = () => svgIcon("M2 6.5v3h2.5L10 13V3L4.5 6.5z", "M12.5 5.5a3.5 3.5 0 0 1 0 5");
const PAGE = () => svgIcon("M4 1.5h5.5L12.5 4.5v10h-8.5z", "M9.5 1.5v3h3", "M6 8h4.5M6 10.5h4.5");

/**
 * @param {HTMLElement} root
 * @param {Record<string, () => void>} actions addStart, addHttp, slack, notion, importFile, exportFile, undo, redo, clear, save, history, run, cancel
 */
export function buildToolbar(root, actions) {
  const button = (label, action, { title = "", cls = "tb-btn", testid = null, icon = null } = {}) => {
    const el = h("button", { type: "button", class: cls, title: title || null, "data-testid": testid, "data-action": action }, icon ? (typeof icon === "string" ? h("span", { class: "tb-icon", "aria-hidden": "true", text: icon }) : icon) : null, label);
    el.addEventListener("click", () => actions[action]());
    return el;
  };
  const b = {
    addStart: button("+ Start", "addStart", { title: "Add the Start node (only one per workflow)" }),
    addHttp: button("+ HTTP", "addHttp", { title: "Add an HTTP Request node" }),
    slack: button("Slack Template", "slack", { title: "Load the Slack notification template", icon: MEGAPHONE() }),
    notion: button("Notion Template", "notion", { title: "Load the Notion database template", icon: PAGE() }),
    importFile: button("Import", "importFile", { title: "Import a workflow file (.json)" }),
    exportFile: button("Export", "exportFile", { title: "Download this workflow as a file", testid: "export-btn" }),
    undo: button("Undo", "undo", { title: "Undo (Ctrl/Cmd+Z)", icon: "↶" }),
    redo: button("Redo", "redo", { title: "Redo (Ctrl/Cmd+Y or Ctrl/Cmd+Shift+Z)", icon: "↷" }),
    clear: button("Clear", "clear", { title: "Remove every node and connection", cls: "tb-btn tb-btn--danger" }),
    save: button("Save", "save", { title: "Save to your workflows (Ctrl/Cmd+S)", cls: "tb-btn tb-btn--secondary" }),
    history: button("History", "history", { title: "Versions of this saved workflow, and what runs when it fails", cls: "tb-btn tb-btn--secondary", testid: "history-button" }),
    run: button("Run", "run", { title: "Run this workflow now", cls: "tb-btn tb-btn--primary", testid: "run-button", icon: "▶" }),
    cancel: button("Cancel", "cancel", { title: "Cancel the active run", cls: "tb-btn tb-btn--secondary", testid: "cancel-button", icon: "■" }),
  };
  const group = (label, ...els) => h("div", { class: "tb-group", role: "group", "aria-label": label }, ...els);
  const saveState = h("span", { class: "save-state", "aria-live": "polite" });
  // Every other node kind (branch, switch, …) is in a menu, so the toolbar keeps to one line.
  const moreList = h("div", { class: "tb-menu__list", role: "group", "aria-label": "More node kinds" });
  const more = h("details", { class: "tb-menu", hidden: true }, h("summary", { class: "tb-btn", title: "Add another kind of node", text: "+ Node ▾" }), moreList);
  const addGroup = group("Add nodes", b.addStart, b.addHttp, more);
  // Every starter workflow of examples/ besides the two above.
  const templateList = h("div", { class: "tb-menu__list", role: "group", "aria-label": "More templates" });
  const templates = h("details", { class: "tb-menu", hidden: true }, h("summary", { class: "tb-btn", title: "Load another starter workflow", text: "More ▾" }), templateList);
  document.addEventListener("pointerdown", (e) => {
    if (more.open && !more.contains(e.target)) more.open = false;
    if (templates.open && !templates.contains(e.target)) templates.open = false;
  });
  root.replaceChildren(
    addGroup,
    group("Templates", b.slack, b.notion, templates),
    group("File", b.importFile, b.exportFile),
    group("History", b.undo, b.redo),
    group("Canvas", b.clear),
    h("div", { class: "tb-spacer" }),
    saveState,
    group("Workflow", b.save, b.history, b.run, b.cancel),
  );
  b.cancel.disabled = true; // until a run is active
  b.history.hidden = true; // until the workflow is saved: only a saved one has versions
  b.history.setAttribute("aria-expanded", "false");
  root.setAttribute("role", "toolbar");
  root.setAttribute("aria-label", "Builder toolbar");

  return {
    buttons: b,
    /** The "+ Node" menu: one "+ Label" button for each kind besides Start and HTTP; `add(kind)` adds one. */
    setKinds(kinds, add) {
      const others = Object.entries(kinds).filter(([kind]) => kind !== "start" && kind !== "http");
      moreList.replaceChildren(
        ...others.map(([kind, spec]) =>
          h("button", { type: "button", class: "tb-btn", "data-kind": kind, text: `+ ${spec.label || kind}`, title: spec.description || null, onClick: () => ((more.open = false), add(kind)) }),
        ),
      );
      more.hidden = !others.length;
    },
    /** The Templates menu: one button per starter workflow (`{name, title, description}`); `load(name, title)` opens one. */
    setTemplates(list, load) {
      const shown = (list || []).filter((t) => t.name !== "slack-notification" && t.name !== "notion-automation");
      templateList.replaceChildren(
        ...shown.map((t) =>
          h("button", { type: "button", class: "tb-btn", "data-template": t.name, text: t.title, title: t.description || null, onClick: () => ((templates.open = false), load(t.name, t.title)) }),
        ),
      );
      templates.hidden = !shown.length;
    },
    /** @param {{hasStart: boolean, canUndo: boolean, canRedo: boolean, empty: boolean, dirty: boolean, saving: boolean, saved: boolean}} s */
    update(s) {
      b.addStart.disabled = s.hasStart;
      b.addStart.title = s.hasStart ? "A workflow has one Start node, and this one has it" : "Add the Start node (only one per workflow)";
      b.undo.disabled = !s.canUndo;
      b.redo.disabled = !s.canRedo;
      b.clear.disabled = s.empty;
      b.save.disabled = s.saving;
      b.history.hidden = !s.saved;
      saveState.textContent = s.saving ? "Saving…" : s.dirty ? "Unsaved changes" : s.saved ? "All changes saved" : "";
      saveState.classList.toggle("is-dirty", s.dirty && !s.saving);
    },
  };
}
