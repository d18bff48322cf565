'use strict';
// Binaries without install scripts: projects installed with npm --ignore-scripts
// (and pnpm, which skips dependency scripts) hold native packages with no binding.
// load() explains; `pregyp heal` installs every missing binding from a local HTTPS host.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { runCli, tmpdir, copyFixture, NODEDIR } = require('./helpers/run');
const { startServer } = require('./helpers/servers');
const { makeTestCA } = require('./helpers/tls');
const { makeTarball } = require('./helpers/tarballs');

const ROOT = path.join(__dirname, '..');
const REFERENCE = path.dirname(require.resolve('@mapbox/node-pre-gyp/package.json'));
// npm's node-gyp beside this Node; a Node from the registry (scripts/node-matrix.js) has no
// npm, and finds node-gyp on PATH instead.
const NODE_GYP = [path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), ...(process.env.PATH || '').split(path.delimiter).map((d) => path.join(d, 'node-gyp'))].find((p) => fs.existsSync(p));
let ca;
let server;
let work;

// A native package as published: binary block, reference-style install script, no binding.
function nativePackage(name, { style, host }) {
  const dir = path.join(work, 'src', name);
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name,
    version: '1.0.0',
    main: 'index.js',
    scripts: { install: 'node-pre-gyp install --fallback-to-build' },
    binary: { module_name: 'hello', module_path: './lib/binding/{node_abi}-{platform}-{arch}', host, package_name: `${name}-{node_abi}.tar.gz` },
  };
  const loader =
    style === 'pregyp'
      ? "require(process.env.PREGYP_UNDER_TEST || 'pregyp')"
      : "require(process.env.REFERENCE_UNDER_TEST || '@mapbox/node-pre-gyp')";
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  // pregyp's style is load() (it explains a missing binding); the reference's is require(find()).
  const body =
    style === 'pregyp'
      ? `module.exports = ${loader}.load(__dirname);\n`
      : `module.exports = require(${loader}.find(require('path').join(__dirname, 'package.json')));\n`;
  fs.writeFileSync(path.join(dir, 'index.js'), body);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
  return path.join(work, `${name}-1.0.0.tgz`);
}

function consumer(deps, pm = 'npm') {
  const dir = tmpdir('pregyp-consumer-');
  const dependencies = Object.fromEntries(deps.map((t) => [path.basename(t).replace('-1.0.0.tgz', ''), `file:${t}`]));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }));
  const args = pm === 'npm' ? ['npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund']] : ['npx', ['--yes', 'pnpm@10', 'install', '--ignore-scripts']];
  const r = spawnSync(args[0], args[1], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { dir, ok: r.status === 0, output: r.stdout + r.stderr };
}

const env = () => ({ NODE_EXTRA_CA_CERTS: ca.caFile, PREGYP_CACHE: path.join(work, 'cache'), PREGYP_UNDER_TEST: ROOT, REFERENCE_UNDER_TEST: REFERENCE });

function load(dir, name) {
  return spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(name)}).hello())`], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env() } });
}

before(async () => {
  ca = makeTestCA();
  work = tmpdir('pregyp-heal-');
  // A real binding, built once with node-gyp, served for every package.
  const addon = copyFixture('hello-addon');
  const out = path.join(addon, 'out');
  execFileSync(process.execPath, [NODE_GYP, 'rebuild', '--module_name=hello', `--module_path=${out}`, ...(NODEDIR ? [`--nodedir=${NODEDIR}`] : [])], { cwd: addon, stdio: 'ignore' });
  const abi = `node-v${process.versions.modules}`;
  const tarball = makeTarball(path.join(work, 'bin.tar.gz'), [
    { name: 'x/', type: 'dir' },
    { name: 'x/hello.node', type: 'file', content: fs.readFileSync(path.join(out, 'hello.node')), mode: 0o755 },
  ]);
  const body = fs.readFileSync(tarball);
  server = await startServer({ tls: true, routes: { [`/native-a-${abi}.tar.gz`]: { body }, [`/native-b-${abi}.tar.gz`]: { body } } });
});

after(() => server && server.close());

test('npm --ignore-scripts: load() explains, heal installs every binding, then has nothing to do', async () => {
  const host = server.url + '/';
  const a = nativePackage('native-a', { style: 'pregyp', host });
  const b = nativePackage('native-b', { style: 'reference', host });
  const c = consumer([a, b]);
  assert.ok(c.ok, c.output);
  const beforeA = load(c.dir, 'native-a');
  assert.notStrictEqual(beforeA.status, 0);
  assert.match(beforeA.stderr, /native-a@1\.0\.0: native binding not found at .*node_modules\/native-a\/lib\/binding/);
  assert.match(beforeA.stderr, /fix: npx pregyp heal/);
  // Its install script was blocked (--ignore-scripts here; npm 12 by default): the message
  // names npm's approval command, and heal as the way without any script.
  assert.match(beforeA.stderr, /install script: npm blocks dependencies' install scripts unless approved: npm install-scripts approve native-a; or run `npx pregyp heal`, which fetches the verified binary without running any script/);
  assert.notStrictEqual(load(c.dir, 'native-b').status, 0);
  const explained = await runCli(['explain'], { cwd: path.join(c.dir, 'node_modules', 'native-a'), env: env() });
  assert.match(explained.stdout, /  install script: npm blocks dependencies' install scripts unless approved: npm install-scripts approve native-a; or run `npx pregyp heal`/);
  const explainedJson = JSON.parse((await runCli(['explain', '--json'], { cwd: path.join(c.dir, 'node_modules', 'native-a'), env: env() })).stdout);
  assert.match(explainedJson.blocked_script, /^npm blocks .*npm install-scripts approve native-a/);

  const dry = await runCli(['heal', '--dry-run'], { cwd: c.dir, env: env() });
  assert.strictEqual(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /would install native-a@1\.0\.0 \(missing\) from https:\/\/127\.0\.0\.1:\d+\/native-a-node-v\d+\.tar\.gz/);
  assert.match(dry.stdout, /would install native-b@1\.0\.0 \(missing\)/);
  assert.ok(!fs.existsSync(path.join(c.dir, 'node_modules/native-a/lib')), '--dry-run changes nothing');
  // --json (and the API) give one shape whatever happened: healed, would_install, already_working, left_alone.
  const dryJson = await runCli(['heal', '--dry-run', '--json'], { cwd: c.dir, env: env() });
  assert.strictEqual(dryJson.code, 0, dryJson.stderr);
  const plan = JSON.parse(dryJson.stdout);
  assert.deepStrictEqual(Object.keys(plan).sort(), ['already_working', 'healed', 'left_alone', 'would_install']);
  assert.deepStrictEqual(plan.would_install.map((p) => [p.name, p.state]).sort(), [['native-a', 'missing'], ['native-b', 'missing']]);
  assert.deepStrictEqual([plan.healed, plan.already_working, plan.left_alone], [[], 0, []]);

  const healed = await runCli(['heal'], { cwd: c.dir, env: env() });
  assert.strictEqual(healed.code, 0, healed.stderr);
  assert.match(healed.stderr, /native-a, native-b: install script\(s\) did not run \(npm blocks dependencies' scripts unless approved: npm install-scripts approve native-a; npm install-scripts approve native-b\); heal mends them without running their scripts \(a verified download where there is one, else a node-gyp build\)/);
  assert.match(healed.stdout, /native-a@1\.0\.0\s+node-pre-gyp\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.match(healed.stdout, /native-b@1\.0\.0\s+node-pre-gyp\s+missing\s+(remote|cache)\s+\d+ms\s+healed/);
  assert.strictEqual(load(c.dir, 'native-a').stdout.trim(), 'world');
  assert.strictEqual(load(c.dir, 'native-b').stdout.trim(), 'world');

  const requests = server.requests.length;
  const again = await runCli(['heal'], { cwd: c.dir, env: env() });
  assert.strictEqual(again.code, 0, again.stderr);
  assert.match(again.stdout, /nothing to heal: 2 native package\(s\)/);
  const againJson = JSON.parse((await runCli(['heal', '--json'], { cwd: c.dir, env: env() })).stdout);
  assert.deepStrictEqual(againJson, { healed: [], would_install: [], already_working: 2, left_alone: [] });
  assert.strictEqual(server.requests.length, requests, 'second run downloads nothing');
});

test('a binding that does not load is replaced', async () => {
  const host = server.url + '/';
  const c = consumer([nativePackage('native-a', { style: 'pregyp', host })]);
  assert.ok(c.ok, c.output);
  const modDir = path.join(c.dir, 'node_modules/native-a/lib/binding', `node-v${process.versions.modules}-${process.platform}-${process.arch}`);
  fs.mkdirSync(modDir, { recursive: true });
  fs.writeFileSync(path.join(modDir, 'hello.node'), 'not an ELF file');
  const r = await runCli(['heal'], { cwd: c.dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stdout, /native-a@1\.0\.0\s+node-pre-gyp\s+broken\s+\w+\s+\d+ms\s+healed/);
  assert.strictEqual(load(c.dir, 'native-a').stdout.trim(), 'world');
});

test('a package with no binary for this target fails alone, with a non-zero exit', async () => {
  const host = server.url + '/';
  const a = nativePackage('native-a', { style: 'pregyp', host });
  const missing = nativePackage('native-c', { style: 'pregyp', host });
  const c = consumer([a, missing]);
  assert.ok(c.ok, c.output);
  const r = await runCli(['heal'], { cwd: c.dir, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stdout, /native-a@1\.0\.0\s+node-pre-gyp\s+missing\s+\w+\s+\d+ms\s+healed/);
  assert.match(r.stdout, /native-c@1\.0\.0\s+node-pre-gyp\s+missing\s+-\s+\d+ms\s+FAILED: no prebuilt binary at .*native-c-node-v\d+\.tar\.gz \(HTTP 404/);
  assert.match(r.stdout, /native-c@1\.0\.0 .*\(run: npm rebuild native-c\)/, "a package heal cannot mend comes with the command a person would run");
  assert.match(r.stderr, /1 of 2 package\(s\) still have no working binding/);
  assert.strictEqual(load(c.dir, 'native-a').stdout.trim(), 'world', 'the others are healed');
  // --json says the same to a tool: the result first, then the error and exit 1.
  const j = await runCli(['heal', '--json'], { cwd: c.dir, env: env() });
  assert.strictEqual(j.code, 1);
  const failed = JSON.parse(j.stdout).healed.find((p) => p.name === 'native-c@1.0.0');
  assert.strictEqual(failed.ok, false);
  assert.match(failed.error, /no prebuilt binary at .*native-c-node-v\d+\.tar\.gz/);
  assert.match(j.stderr, /1 of 1 package\(s\) still have no working binding \(see the JSON above\)/);
});

test('pnpm layout (.pnpm store, symlinks): heal finds and installs the binding', async (t) => {
  const host = server.url + '/';
  const c = consumer([nativePackage('native-a', { style: 'pregyp', host })], 'pnpm');
  if (!c.ok) {
    t.skip(`pnpm could not be obtained from the registry: ${c.output.split('\n').slice(-3).join(' ')}`);
    return;
  }
  assert.ok(fs.existsSync(path.join(c.dir, 'node_modules/.pnpm')), 'pnpm layout');
  const before = load(c.dir, 'native-a');
  assert.notStrictEqual(before.status, 0);
  assert.match(before.stderr, /install script: pnpm blocks dependencies' install scripts unless approved: pnpm approve-builds; or run `npx pregyp heal`/);
  const r = await runCli(['heal'], { cwd: c.dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /native-a: install script\(s\) did not run \(pnpm blocks dependencies' scripts unless approved: pnpm approve-builds\)/);
  assert.strictEqual(load(c.dir, 'native-a').stdout.trim(), 'world');
});

// The host runs in this process: a child that downloads must not block its event loop.
function nodeAsync(args, opts) {
  return new Promise((resolve) => {
    const child = require('node:child_process').spawn(process.execPath, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('opt-in install on first use: find(pkg, { install: true }), load(dir, { install: true }), PREGYP_INSTALL_ON_FIND', async () => {
  const host = server.url + '/';
  const c = consumer([nativePackage('native-a', { style: 'pregyp', host })]);
  assert.ok(c.ok, c.output);
  const pkgJson = path.join(c.dir, 'node_modules/native-a/package.json');
  const script = `const p = require(${JSON.stringify(ROOT)}).find(${JSON.stringify(pkgJson)}, { install: true }); console.log(require(p).hello())`;
  const r = await nodeAsync(['-e', script], { encoding: 'utf8', env: { ...process.env, ...env() } });
  assert.strictEqual(r.stdout.trim(), 'world', r.stderr);
  // load() takes the same option.
  const c3 = consumer([nativePackage('native-a', { style: 'pregyp', host })]);
  const dir3 = path.join(c3.dir, 'node_modules/native-a');
  const r3 = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(ROOT)}).load(${JSON.stringify(dir3)}, { install: true }).hello())`], { encoding: 'utf8', env: { ...process.env, ...env() } });
  assert.strictEqual(r3.stdout.trim(), 'world', r3.stderr);
  // The environment variable does the same for code that calls load() (native-a's
  // index.js) or find() without options.
  const c2 = consumer([nativePackage('native-a', { style: 'pregyp', host })]);
  const r2 = spawnSync(process.execPath, ['-e', "console.log(require('native-a').hello())"], { cwd: c2.dir, encoding: 'utf8', env: { ...process.env, ...env(), PREGYP_INSTALL_ON_FIND: '1' } });
  assert.strictEqual(r2.stdout.trim(), 'world', r2.stderr);
});

test('install on first use builds from source where nothing can be downloaded (no install script needed)', () => {
  // The fixture's host (127.0.0.1:1) refuses connections and it has no platform package.
  const dir = copyFixture('hello-addon');
  const r = spawnSync(process.execPath, ['-e', "console.log(require('./').hello())"], { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env(), PREGYP_INSTALL_ON_FIND: '1', ...(NODEDIR ? { npm_config_nodedir: NODEDIR } : {}) } });
  assert.strictEqual(r.stdout.trim().split('\n').pop(), 'world', r.stderr);
  assert.match(r.stderr, /pregyp: no binding installed for .*hello-addon \(no platform package fits, or scripts and optional dependencies were left out\); installing it now \(PREGYP_INSTALL_ON_FIND\): download, else build from source/);
  assert.ok(fs.existsSync(path.join(dir, 'build')), 'built with node-gyp');
});

test('explain: evaluated target, hosts, cache, binding state and build possibility', async () => {
  const host = server.url + '/';
  const c = consumer([nativePackage('native-a', { style: 'pregyp', host })]);
  assert.ok(c.ok, c.output);
  const dir = path.join(c.dir, 'node_modules/native-a');
  const own = { ...env(), PREGYP_CACHE: path.join(work, 'cache-explain') };
  const e = { ...own, npm_config_hello_binary_host_mirror: 'https://mirror.example/' };
  const text = await runCli(['explain'], { cwd: dir, env: e });
  assert.strictEqual(text.code, 0, text.stderr);
  assert.match(text.stdout, /^native-a@1\.0\.0 in /);
  assert.match(text.stdout, /host: {5}https:\/\/mirror\.example\/ \(mirror, used\)/);
  assert.match(text.stdout, /install would: download https:\/\/mirror\.example\/native-a-node-v\d+\.tar\.gz/);
  const r = await runCli(['explain', '--json'], { cwd: dir, env: own });
  const j = JSON.parse(r.stdout);
  assert.strictEqual(j.exists, false);
  assert.strictEqual(j.target.napi_version, Number(process.versions.napi));
  assert.strictEqual(j.target.platform, process.platform);
  assert.strictEqual(j.build.binding_gyp, false);
  assert.strictEqual(j.build.possible, false);
  assert.strictEqual(j.cache.hit, null);
  assert.match(j.install_would, /^download https:\/\/127\.0\.0\.1/);
  assert.strictEqual((await runCli(['install'], { cwd: dir, env: own })).code, 0);
  const after = JSON.parse((await runCli(['explain', '--json'], { cwd: dir, env: own })).stdout);
  assert.strictEqual(after.exists, true);
  assert.strictEqual(after.loads, true);
  assert.match(after.install_would, /^nothing/);
  assert.ok(after.cache.hit && after.cache.hit.sha256.length === 64);
});
