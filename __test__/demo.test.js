'use strict';
// `npm run demo` is the README's first command: it must pass end to end, offline.
const { test } = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { runCli } = require('./helpers/run');

test('the demo builds, packages, publishes to a local S3, installs from the bucket and calls the addon', async () => {
  const r = await runCli([], { bin: path.join(__dirname, '..', 'examples', 'demo.js'), timeout: 300_000 });
  assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /pregyp demo: all steps passed/);
  assert.match(r.stdout, /the addon says: hello, demo \(Node-API v\d+\)/);
  assert.match(r.stdout, /hello-v1\.0\.0-napi-v3-.*\.tar\.gz\.sha256/);
});
