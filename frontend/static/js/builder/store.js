/** The builder page's one mutable store: node kinds, credentials, the graph state, and the saved workflow's id and save status. */

import * as G from "./graph.js";
import { History } from "./history.js";

/** The two kinds the builder knows without the server, for a page whose GET /v1/node-types failed. */
const FALLBACK_KINDS = {
  start: { kind: "start", label: "Start", color: "#10b981", description: "", schema: { type: "object", properties: {} } },
  http: { kind: "http", label: "HTTP Request", color: "#6366f1", description: "", schema: { type: "object", properties: {} } },
};

/**
 * A fresh store for the page. Everything the builder's modules change lives here, so main.js keeps no
 * state of its own; `boot` is the server's `builder-boot` data (the workflow being edited, if any).
 */
export function createStore(boot) {
  return {
    kinds: { ...FALLBACK_KINDS },
    credentials: [],
    state: G.emptyState(),
    workflowId: boot.workflow ? boot.workflow.id : null,
    /** The state as last saved or loaded (JSON); "" marks an autosave restored as unsaved, null not yet known. */
    savedJson: null,
    saving: false,
    // A file or template names the workflow: its first save takes a free name ("Name (2)") if that one is used.
    namedByFile: false,
    history: new History(),
  };
}

/** Does the graph differ from the one last saved or loaded? */
export const isDirty = (store) => store.savedJson !== null && JSON.stringify(store.state) !== store.savedJson;

/** What the file reader needs to know of the node kinds: their names and each one's config keys. */
export function importOptions(store) {
  const configKeys = {};
  for (const [kind, spec] of Object.entries(store.kinds)) {
    const props = Object.keys(spec.schema?.properties || {});
    if (props.length) configKeys[kind] = props;
  }
  return { kinds: Object.keys(store.kinds), configKeys };
}
