// The credential picker's reading and writing of `{{getCredential('name')}}` values.
import assert from "node:assert/strict";
import { test } from "node:test";

import { credentialNameOf, credentialTemplate } from "../../frontend/static/js/builder/credential_field.js";

test("credentialNameOf reads the name in either quote style, with spaces", () => {
  assert.equal(credentialNameOf("{{getCredential('slackWebhook')}}"), "slackWebhook");
  assert.equal(credentialNameOf('{{ getCredential( "ops.hook" ) }}'), "ops.hook");
});

test("credentialNameOf: empty is no choice, other text is custom", () => {
  assert.equal(credentialNameOf(""), "");
  assert.equal(credentialNameOf(undefined), "");
  assert.equal(credentialNameOf("https://hooks.slack.test/x"), null);
  assert.equal(credentialNameOf("{{vars.hook}}"), null);
});

test("credentialTemplate writes what credentialNameOf reads", () => {
  assert.equal(credentialNameOf(credentialTemplate("a-b_c")), "a-b_c");
});
