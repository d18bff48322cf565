'use strict';
// `npm run demo` is the first command of the README: it must pass end to end, offline.
const { test } = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { runCli } = require('./helpers/run');

test('the demo: S3 host with an install script, then platform packages from a local registry with scripts blocked', async () => {
  const r = await runCli([], { bin: path.join(__dirname, '..', 'examples', 'demo.js'), timeout: 300_000 });
  assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /pregyp demo: all steps passed/);
  assert.match(r.stdout, /the addon says: hello, demo \(Node-API v\d+\)/);
  assert.match(r.stdout, /hello-v1\.0\.0-napi-v3-.*\.tar\.gz\.sha256/);
  assert.match(r.stdout, /with install scripts blocked, from node_modules\/@pregyp-example\/hello-[\w-]+\/lib\/binding\/napi-v\d+\/hello\.node/);
});
