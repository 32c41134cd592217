// The schedule section's next-run line: the browser's local time, then the UTC time the API gave.
import assert from "node:assert/strict";
import { test } from "node:test";

import { describeTime } from "../../frontend/static/js/builder/triggers_schedule.js";

test("describeTime ends with the UTC hour and minute of the ISO time", () => {
  const text = describeTime("2026-03-09T13:00:00.000Z");
  assert.match(text, /\(13:00 UTC\)$/);
  assert.match(text, /2026/);
});
