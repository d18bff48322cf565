'use strict';
// install hands over to a real node-gyp build: --build-from-source, --fallback-to-build
// after a failed download, and after a downloaded binary that does not load.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runCli, copyFixture, tmpdir } = require('./helpers/run');
const { startServer } = require('./helpers/servers');
const { makeTestCA } = require('./helpers/tls');
const { makeTarball } = require('./helpers/tarballs');

const ROOT = path.join(__dirname, '..');
let ca;
let server;
let work;

before(async () => {
  ca = makeTestCA();
  work = tmpdir('pregyp-fallback-');
  const garbage = makeTarball(path.join(work, 'garbage.tar.gz'), [
    { name: 'x/', type: 'dir' },
    { name: 'x/hello.node', type: 'file', content: 'this is not a shared library' },
  ]);
  server = await startServer({ tls: true, routes: { '/garbage/hello.tar.gz': { body: fs.readFileSync(garbage) } } });
});
after(() => server && server.close());

function addon(host, packageName = 'hello.tar.gz') {
  const dir = copyFixture('hello-addon');
  const file = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  pkg.binary.host = host;
  pkg.binary.package_name = packageName;
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
  return dir;
}

const env = (extra = {}) => ({ NODE_EXTRA_CA_CERTS: ca.caFile, PREGYP_CACHE: path.join(work, 'cache'), ...extra });

function greet(dir) {
  const r = spawnSync(process.execPath, ['-e', `const p = require(${JSON.stringify(ROOT)}).find(${JSON.stringify(path.join(dir, 'package.json'))}); console.log(require(p).hello())`], { encoding: 'utf8' });
  return r.stdout.trim() || r.stderr;
}

test('--fallback-to-build after a 404 says why and ends with a working build', async () => {
  const dir = addon(`${server.url}/missing/`);
  const r = await runCli(['install', '--fallback-to-build'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /Tried to download\(404\): https:\/\/127\.0\.0\.1:\d+\/missing\/hello\.tar\.gz/);
  assert.match(r.stderr, /Pre-built binaries not found for hello-addon@1\.0\.0 and node@[\d.]+ \(node-v\d+ ABI, \w+\) \(falling back to source compile with node-gyp\)/);
  assert.strictEqual(greet(dir), 'world');
});

test('a downloaded binary that does not load falls back to a build', async () => {
  const dir = addon(`${server.url}/garbage/`);
  const r = await runCli(['install', '--fallback-to-build'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /the downloaded binary does not load on this machine/);
  assert.strictEqual(greet(dir), 'world');
});

test('--build-from-source (flag, package name, PREGYP_BUILD_FROM_SOURCE) never downloads', async () => {
  for (const [args, extra] of [
    [['install', '--build-from-source'], {}],
    [['install', '--build-from-source=hello-addon'], {}],
    [['install'], { PREGYP_BUILD_FROM_SOURCE: 'other,hello-addon' }],
    [['install'], { npm_config_build_from_source: 'true' }],
  ]) {
    const before = server.requests.length;
    const dir = addon(`${server.url}/garbage/`);
    const r = await runCli(args, { cwd: dir, env: env(extra) });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(server.requests.length, before, `${args} ${JSON.stringify(extra)} must not download`);
    assert.strictEqual(greet(dir), 'world');
  }
});

test('npm 11 `--fallback-to-build=false` (an empty npm_config value) disables the fallback', async () => {
  const dir = addon(`${server.url}/missing/`);
  const r = await runCli(['install', '--fallback-to-build'], { cwd: dir, env: env({ npm_config_fallback_to_build: '' }) });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /no prebuilt binary at .*missing\/hello\.tar\.gz/);
  assert.ok(!fs.existsSync(path.join(dir, 'build')), 'no build attempted');
});

test('an unloadable download never replaces a working binding, even when the build then fails', async () => {
  const dir = addon(`${server.url}/garbage/`);
  const r0 = await runCli(['install', '--build-from-source'], { cwd: dir, env: env() });
  assert.strictEqual(r0.code, 0, r0.stderr);
  assert.strictEqual(greet(dir), 'world');
  fs.rmSync(path.join(dir, 'binding.gyp')); // the fallback build will fail
  const r = await runCli(['install', '--update-binary', '--fallback-to-build'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /the downloaded binary does not load on this machine/);
  assert.strictEqual(greet(dir), 'world', 'the working binding is still there');
});
