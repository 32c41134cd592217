/** allItems follows a list's `next` links at the largest page size and gathers every page's results. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { allItems } from "../../frontend/static/js/lib/api.js";

test("allItems reads every page through next links", async () => {
  const asked = [];
  const pages = {
    "/v1/credentials?page_size=200": { count: 3, next: "http://x.test/v1/credentials?page=2&page_size=200", previous: null, results: [1, 2] },
    "http://x.test/v1/credentials?page=2&page_size=200": { count: 3, next: null, previous: "…", results: [3] },
  };
  const call = async (url) => {
    asked.push(url);
    return pages[url];
  };
  assert.deepEqual(await allItems("/v1/credentials", call), [1, 2, 3]);
  assert.deepEqual(asked, Object.keys(pages));
});

test("allItems keeps a query and takes a bare array as the whole list", async () => {
  const asked = [];
  const call = async (url) => {
    asked.push(url);
    return ["a"];
  };
  assert.deepEqual(await allItems("/v1/runs?status=failed", call), ["a"]);
  assert.deepEqual(asked, ["/v1/runs?status=failed&page_size=200"]);
});
