/** Pure undo/redo over immutable states. */

// `record(previous, key)` is called with the state *before* a change. Consecutive changes with the
// same coalescing key within `windowMs` (typing in one field) become one step.

export const DEFAULT_LIMIT = 200;

export class History {
  /** @param {{limit?: number, windowMs?: number, now?: () => number}} [options] */
  constructor({ limit = DEFAULT_LIMIT, windowMs = 1000, now = () => Date.now() } = {}) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
    this.past = [];
    this.future = [];
    this.lastKey = null;
    this.lastAt = 0;
  }

  /** Remember `previous` as the state to go back to. */
  record(previous, key = null) {
    const at = this.now();
    if (key !== null && key === this.lastKey && at - this.lastAt <= this.windowMs && this.past.length) {
      this.lastAt = at;
      this.future = [];
      return;
    }
    this.past.push(previous);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
    this.lastKey = key;
    this.lastAt = at;
  }

  get canUndo() {
    return this.past.length > 0;
  }

  get canRedo() {
    return this.future.length > 0;
  }

  /** @returns the state to show, or null when there is nothing to undo. */
  undo(current) {
    if (!this.past.length) return null;
    this.future.push(current);
    this.lastKey = null;
    return this.past.pop();
  }

  /** @returns the state to show, or null when there is nothing to redo. */
  redo(current) {
    if (!this.future.length) return null;
    this.past.push(current);
    this.lastKey = null;
    return this.future.pop();
  }

  clear() {
    this.past = [];
    this.future = [];
    this.lastKey = null;
  }
}
