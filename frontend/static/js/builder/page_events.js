/** Builder page keys and page-lifecycle hooks: shortcuts, autosave when the page hides, the unsaved-changes prompt. */

import { isTyping } from "../lib/dom.js";
import { isDirty } from "./store.js";

/** Listen on the document and window for the builder `app` (its `store`, `canvas` and actions). */
export function bindPageEvents(app) {
  const { store } = app;

  document.addEventListener("keydown", (e) => {
    if (isTyping(e.target) || document.querySelector("dialog[open]")) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if ((e.key === "Delete" || e.key === "Backspace") && !mod) {
      e.preventDefault();
      app.deleteSelection();
    } else if (mod && key === "d") {
      e.preventDefault();
      app.duplicateSelection();
    } else if (mod && key === "z" && !e.shiftKey) {
      e.preventDefault();
      app.undo();
    } else if (mod && (key === "y" || (key === "z" && e.shiftKey))) {
      e.preventDefault();
      app.redo();
    } else if (mod && key === "s") {
      e.preventDefault();
      app.save();
    } else if (mod && key === "a") {
      e.preventDefault();
      app.canvas.setSelection(store.state.nodes.map((n) => n.id), []);
    } else if (e.key === "Escape") {
      app.canvas.setSelection([], []);
    }
  });

  // Timers can be throttled; leaving the page always writes the latest state.
  window.addEventListener("pagehide", () => app.autosave());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") app.autosave();
  });

  window.addEventListener("beforeunload", (e) => {
    if (!isDirty(store)) return;
    e.preventDefault();
    e.returnValue = "";
  });
}
