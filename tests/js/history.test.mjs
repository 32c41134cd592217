import { test } from "node:test";
import assert from "node:assert/strict";
import { History } from "../../frontend/static/js/builder/history.js";

test("undo and redo walk back and forth", () => {
  const h = new History();
  let state = 0;
  for (let i = 1; i <= 5; i++) {
    h.record(state);
    state = i;
  }
  state = h.undo(state);
  state = h.undo(state);
  assert.equal(state, 3);
  state = h.redo(state);
  assert.equal(state, 4);
  assert.equal(h.canRedo, true);
  h.record(state);
  state = 99;
  assert.equal(h.canRedo, false, "a new change drops the redo stack");
  assert.equal(h.undo(state), 4);
});

test("keeps at least 100 steps", () => {
  const h = new History();
  let state = 0;
  for (let i = 1; i <= 150; i++) {
    h.record(state);
    state = i;
  }
  let undone = 0;
  while (h.canUndo) {
    state = h.undo(state);
    undone++;
  }
  assert.ok(undone >= 100);
  assert.equal(state, 0);
});

test("limit drops the oldest", () => {
  const h = new History({ limit: 3 });
  let state = 0;
  for (let i = 1; i <= 5; i++) {
    h.record(state);
    state = i;
  }
  while (h.canUndo) state = h.undo(state);
  assert.equal(state, 2);
});

test("changes with the same key inside the window coalesce", () => {
  let now = 0;
  const h = new History({ now: () => now, windowMs: 1000 });
  h.record("a", "url");
  now = 500;
  h.record("ab", "url");
  now = 900;
  h.record("abc", "url");
  assert.equal(h.undo("abcd"), "a");
  assert.equal(h.canUndo, false);
  now = 5000;
  h.record("x", "url");
  now = 7000;
  h.record("xy", "url");
  assert.equal(h.past.length, 2, "outside the window: two steps");
});

test("nothing to undo or redo gives null", () => {
  const h = new History();
  assert.equal(h.undo(1), null);
  assert.equal(h.redo(1), null);
});
