'use strict';
// `pregyp install` against real HTTP(S) servers on 127.0.0.1: success paths,
// faults, integrity, cache, proxy, and malicious archives.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { runCli, tmpdir } = require('./helpers/run');
const { startServer, startConnectProxy } = require('./helpers/servers');
const { makeTestCA } = require('./helpers/tls');
const { makeTarball, makeGzipBomb, sha256File } = require('./helpers/tarballs');

const TARBALL = 'hello-v1.0.0.tar.gz';
let ca;
let work;
let good; // a valid tarball
let goodSha;
let v2; // another valid tarball
const servers = [];

before(async () => {
  ca = makeTestCA();
  work = tmpdir('pregyp-install-');
  good = makeTarball(path.join(work, 'good.tar.gz'), [
    { name: 'binding/', type: 'dir' },
    { name: 'binding/hello.node', type: 'file', content: 'BINARY-V1' },
    { name: 'binding/extra/readme.txt', type: 'file', content: 'hi' },
  ]);
  goodSha = await sha256File(good);
  v2 = makeTarball(path.join(work, 'v2.tar.gz'), [
    { name: 'binding/', type: 'dir' },
    { name: 'binding/hello.node', type: 'file', content: 'BINARY-V2' },
  ]);
});

after(() => Promise.all(servers.map((s) => s.close())));

async function server(routes, tls = true) {
  const s = await startServer({ tls, routes });
  servers.push(s);
  return s;
}

// A package whose binary lives at <host>/<TARBALL>, installed into lib/binding.
function makePackage(host, extraBinary = {}) {
  // Each package sits alone in its own folder, so "nothing written beside it" is checkable.
  const dir = path.join(tmpdir('pregyp-pkg-'), 'pkg');
  fs.mkdirSync(dir);
  const pkg = {
    name: 'hello-pkg',
    version: '1.0.0',
    main: 'index.js',
    binary: { module_name: 'hello', module_path: './lib/binding/', host, package_name: TARBALL, ...extraBinary },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'user file');
  return dir;
}

function env(extra = {}) {
  return { NODE_EXTRA_CA_CERTS: ca.caFile, PREGYP_CACHE: path.join(work, `cache-${Math.random()}`), npm_config_fetch_retry_mintimeout: '10', ...extra };
}

const binding = (dir) => path.join(dir, 'lib', 'binding', 'hello.node');
const read = (dir) => fs.readFileSync(binding(dir), 'utf8');

// Everything in the package folder, to prove a failed install changed nothing.
const { snapshot } = require('./helpers/layouts');

test('installs over https, prints the reference success line, then skips', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  const e = env();
  const r = await runCli(['install'], { cwd: dir, env: e });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(r.stdout.trim(), `[hello-pkg] Success: "${binding(dir)}" is installed via remote`);
  assert.strictEqual(read(dir), 'BINARY-V1');
  assert.strictEqual(fs.readFileSync(path.join(dir, 'lib/binding/extra/readme.txt'), 'utf8'), 'hi');
  const again = await runCli(['install'], { cwd: dir, env: e });
  assert.strictEqual(again.code, 0);
  assert.match(again.stdout, /already installed/);
  assert.strictEqual(s.requests.filter((q) => q.url === `/${TARBALL}`).length, 1);
});

test('module_path: other files in it stay; the package itself is never a target', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  fs.mkdirSync(path.join(dir, 'lib/binding'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lib/binding/user.js'), 'keep me');
  fs.writeFileSync(binding(dir), 'OLD');
  const r = await runCli(['install', '--update-binary'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir), 'BINARY-V1');
  assert.strictEqual(fs.readFileSync(path.join(dir, 'lib/binding/user.js'), 'utf8'), 'keep me');
  for (const modulePath of ['./', '../']) {
    const bad = makePackage(s.url + '/', {});
    const pkgFile = path.join(bad, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    pkg.binary.module_path = modulePath;
    fs.writeFileSync(pkgFile, JSON.stringify(pkg));
    const before = snapshot(bad);
    const r2 = await runCli(['install'], { cwd: bad, env: env() });
    assert.strictEqual(r2.code, 1, modulePath);
    assert.match(r2.stderr, /package\.json: invalid `binary\.module_path`: resolves to .* which contains the package itself/);
    assert.deepStrictEqual(snapshot(bad), before);
  }
});

test('cache: reinstall comes from the cache; --offline works from it and fails clearly without it', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  const e = env();
  assert.strictEqual((await runCli(['install'], { cwd: dir, env: e })).code, 0);
  fs.rmSync(path.join(dir, 'lib'), { recursive: true });
  const r = await runCli(['install', '--json'], { cwd: dir, env: e });
  assert.strictEqual(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout);
  assert.strictEqual(data.source, 'cache');
  assert.strictEqual(data.sha256, goodSha);
  assert.strictEqual(s.requests.filter((q) => q.url === `/${TARBALL}`).length, 1, 'no second download');
  fs.rmSync(path.join(dir, 'lib'), { recursive: true });
  assert.strictEqual((await runCli(['install', '--offline'], { cwd: dir, env: e })).code, 0);
  assert.strictEqual(read(dir), 'BINARY-V1');
  const miss = await runCli(['install', '--offline'], { cwd: makePackage(s.url + '/'), env: env() });
  assert.strictEqual(miss.code, 1);
  assert.match(miss.stderr, /offline: .*hello-v1\.0\.0\.tar\.gz is not in the cache/);
});

test('a corrupt cache entry heals itself', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  const e = env();
  assert.strictEqual((await runCli(['install'], { cwd: dir, env: e })).code, 0);
  const blob = path.join(e.PREGYP_CACHE, 'content', goodSha);
  fs.writeFileSync(blob, 'garbage');
  fs.rmSync(path.join(dir, 'lib'), { recursive: true });
  const r = await runCli(['install', '--json'], { cwd: dir, env: e });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(JSON.parse(r.stdout).source, 'remote');
  assert.match(r.stderr, /corrupt/);
  assert.strictEqual(await sha256File(blob), goodSha, 'cache repaired');
});

test('per-module mirror (every dash as underscore) replaces the host', async () => {
  const real = await server({});
  const mirror = await server({ [`/mirror/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(real.url + '/');
  const r = await runCli(['install'], { cwd: dir, env: env({ npm_config_hello_binary_host_mirror: mirror.url + '/mirror/' }) });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir), 'BINARY-V1');
  assert.strictEqual(real.requests.length, 0);
  // The global mirror variable works for every package.
  const dir2 = makePackage(real.url + '/');
  const r2 = await runCli(['install'], { cwd: dir2, env: env({ PREGYP_BINARY_HOST_MIRROR: mirror.url + '/mirror/' }) });
  assert.strictEqual(r2.code, 0, r2.stderr);
});

test('a malformed PREGYP_MIRROR fails the commands that download, naming it, and no other', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  const e = env();
  assert.strictEqual((await runCli(['install'], { cwd: dir, env: e })).code, 0);
  const bad = { ...e, PREGYP_MIRROR: 'https://github.com/' };
  const before = snapshot(dir);
  const r = await runCli(['install', '--update-binary'], { cwd: dir, env: bad });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /invalid setting in PREGYP_MIRROR entry 1: `https:\/\/github\.com\/` is not FROM=TO/);
  assert.deepStrictEqual(snapshot(dir), before, 'the failed install left the binding as it was');
  // Commands that fetch nothing do not read the setting.
  for (const args of [['reveal', 'module_name'], ['clean', '--dry-run'], ['package', '--dry-run']]) {
    const ok = await runCli(args, { cwd: dir, env: bad });
    assert.strictEqual(ok.code, 0, `${args.join(' ')}: ${ok.stderr}`);
    assert.doesNotMatch(ok.stderr, /PREGYP_MIRROR/);
  }
  assert.deepStrictEqual(snapshot(dir), before);
  // An install that finds its binding in place fetches nothing either.
  const skip = await runCli(['install'], { cwd: dir, env: bad });
  assert.strictEqual(skip.code, 0, skip.stderr);
});

test('404: one clear line naming the URL, exit 1, nothing created', async () => {
  const s = await server({});
  const dir = makePackage(s.url + '/');
  const before = snapshot(dir);
  const r = await runCli(['install'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, new RegExp(`no prebuilt binary at ${s.url}/hello-v1\\.0\\.0\\.tar\\.gz \\(HTTP 404`));
  assert.deepStrictEqual(snapshot(dir), before);
  assert.ok(!fs.existsSync(path.join(dir, 'lib')), 'no empty folders left behind');
  assert.strictEqual(s.requests.filter((q) => q.url === `/${TARBALL}`).length, 1, '404 is not retried');
});

test('500 then 200 succeeds after a retry', async () => {
  const s = await server({ [`/${TARBALL}`]: { sequence: [{ status: 500 }, { body: fs.readFileSync(good) }] } });
  const dir = makePackage(s.url + '/');
  const r = await runCli(['install', '--verbose'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /attempt 1\/4 failed: download of .* failed: HTTP 500/);
  assert.strictEqual(s.requests.filter((q) => q.url === `/${TARBALL}`).length, 2);
});

test('connection reset and truncation mid-body are retried; with no retries they fail clearly', async () => {
  const body = fs.readFileSync(good);
  for (const fault of [{ reset: true, after: 40 }, { truncate: true, after: 40 }]) {
    const s = await server({ [`/${TARBALL}`]: { sequence: [{ ...fault, body }, { body }] } });
    const dir = makePackage(s.url + '/');
    const r = await runCli(['install'], { cwd: dir, env: env() });
    assert.strictEqual(r.code, 0, `${JSON.stringify(fault)}: ${r.stderr}`);
    assert.strictEqual(read(dir), 'BINARY-V1');
    const s2 = await server({ [`/${TARBALL}`]: { ...fault, body } });
    const dir2 = makePackage(s2.url + '/');
    const r2 = await runCli(['install', '--fetch-retries=0'], { cwd: dir2, env: env() });
    assert.strictEqual(r2.code, 1);
    assert.match(r2.stderr, /download of https:\/\/127\.0\.0\.1:\d+\/hello-v1\.0\.0\.tar\.gz failed/);
    assert.ok(!fs.existsSync(path.join(dir2, 'lib')));
  }
});

test('a stalled server ends the install by itself within a minute, naming --fetch-timeout', async () => {
  // Default settings: headers, a few bytes, then silence.
  const s = await server({ [`/${TARBALL}`]: { stall: true, after: 10, body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  fs.mkdirSync(path.join(dir, 'lib/binding'), { recursive: true });
  fs.writeFileSync(binding(dir), 'PREVIOUS');
  const before = snapshot(dir);
  const t0 = Date.now();
  const r = await runCli(['install', '--update-binary'], { cwd: dir, env: env(), timeout: 90_000 });
  const took = Date.now() - t0;
  assert.strictEqual(r.code, 1, r.stderr);
  assert.ok(took < 60_000, `took ${took} ms`);
  assert.match(r.stderr, /stalled: no data for 20 s \(--fetch-timeout=20000; raise it for a slow host\)/);
  // The one retry is announced with its attempt number and delay.
  assert.match(r.stderr, /attempt 1\/4 failed: download of .* stalled.*; retrying in \d+ ms/);
  assert.strictEqual(s.requests.filter((q) => q.url === `/${TARBALL}`).length, 2);
  assert.deepStrictEqual(snapshot(dir), before);
});

test('a slow but moving transfer completes, however long it takes in all', async () => {
  const body = fs.readFileSync(good);
  // One byte every 50 ms takes far longer in all than the 0.5 s silence allowed.
  const s = await server({ [`/${TARBALL}`]: { trickle: { bytes: 1, everyMs: 50 }, body } });
  const dir = makePackage(s.url + '/');
  const r = await runCli(['install', '--fetch-timeout=500', '--fetch-retries=0'], { cwd: dir, env: env(), timeout: 120_000 });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir), 'BINARY-V1');
  assert.ok(body.length * 50 > 10 * 500, 'the transfer outlasts --fetch-timeout ten times over');
});

test('Retry-After on 429/503 is honoured; an unreasonable one is not waited for', async () => {
  const body = fs.readFileSync(good);
  const s = await server({ [`/${TARBALL}`]: { sequence: [{ status: 503, headers: { 'retry-after': '1' } }, { status: 429, headers: { 'retry-after': '1' } }, { body }] } });
  const dir = makePackage(s.url + '/');
  const r = await runCli(['install'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /attempt 1\/4 failed: download of .* HTTP 503; retrying in 1000 ms/);
  assert.match(r.stderr, /attempt 2\/4 failed: download of .* HTTP 429; retrying in 1000 ms/);
  const at = s.requests.filter((q) => q.url === `/${TARBALL}`).map((q) => q.at);
  assert.strictEqual(at.length, 3);
  assert.ok(at[1] - at[0] >= 950 && at[2] - at[1] >= 950, `gaps ${at[1] - at[0]}, ${at[2] - at[1]} ms`);

  const s2 = await server({ [`/${TARBALL}`]: { status: 503, headers: { 'retry-after': '3600' } } });
  const dir2 = makePackage(s2.url + '/');
  const r2 = await runCli(['install'], { cwd: dir2, env: env() });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, /HTTP 503/);
  assert.strictEqual(s2.requests.filter((q) => q.url === `/${TARBALL}`).length, 1);
});

test('redirects: followed, but never in a loop and never from https to http', async () => {
  const plain = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } }, false);
  const s = await server({
    '/moved.tar.gz': { body: fs.readFileSync(good) },
    [`/${TARBALL}`]: { redirect: '/moved.tar.gz' },
    '/loop.tar.gz': { redirect: '/loop.tar.gz' },
    '/down.tar.gz': { redirect: `${plain.url}/${TARBALL}` },
  });
  const ok = makePackage(s.url + '/');
  assert.strictEqual((await runCli(['install'], { cwd: ok, env: env() })).code, 0);
  const loop = makePackage(s.url + '/', { package_name: 'loop.tar.gz' });
  const r = await runCli(['install'], { cwd: loop, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /more than 10 redirects/);
  const down = makePackage(s.url + '/', { package_name: 'down.tar.gz' });
  const r2 = await runCli(['install'], { cwd: down, env: env() });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, /refusing to follow a redirect from https to http/);
  assert.strictEqual(plain.requests.length, 0);
});

test('checksums from package.json and from a .sha256 sidecar; a mismatch installs nothing', async () => {
  const s = await server({
    [`/${TARBALL}`]: { body: fs.readFileSync(good) },
    '/v2.tar.gz': { body: fs.readFileSync(v2) },
    '/v2.tar.gz.sha256': { body: `${'0'.repeat(64)}  v2.tar.gz\n` },
  });
  const ok = makePackage(s.url + '/', { checksums: { [TARBALL]: goodSha } });
  assert.strictEqual((await runCli(['install'], { cwd: ok, env: env() })).code, 0);
  // Mismatch: the previous binary stays.
  const bad = makePackage(s.url + '/', { checksums: { [TARBALL]: 'f'.repeat(64) } });
  fs.mkdirSync(path.join(bad, 'lib/binding'), { recursive: true });
  fs.writeFileSync(binding(bad), 'PREVIOUS');
  const before = snapshot(bad);
  const r = await runCli(['install', '--update-binary'], { cwd: bad, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /integrity check failed for .*hello-v1\.0\.0\.tar\.gz: expected sha256 f{64}, got [0-9a-f]{64}/);
  assert.deepStrictEqual(snapshot(bad), before);
  const side = makePackage(s.url + '/', { package_name: 'v2.tar.gz' });
  const r2 = await runCli(['install'], { cwd: side, env: env() });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, /integrity check failed/);
  assert.ok(!fs.existsSync(path.join(side, 'lib')));
});

test('HTTPS_PROXY: the download tunnels through a CONNECT proxy; NO_PROXY bypasses it', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const proxy = await startConnectProxy();
  servers.push(proxy);
  const dir = makePackage(s.url + '/');
  const r = await runCli(['install'], { cwd: dir, env: env({ HTTPS_PROXY: proxy.url }) });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.ok(proxy.connects.includes(`127.0.0.1:${s.port}`), JSON.stringify(proxy.connects));
  const before = proxy.connects.length;
  const dir2 = makePackage(s.url + '/');
  const r2 = await runCli(['install'], { cwd: dir2, env: env({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }) });
  assert.strictEqual(r2.code, 0, r2.stderr);
  assert.strictEqual(proxy.connects.length, before);
});

test('TLS: unknown CA is refused; --cafile and --strict-ssl=false are honoured', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const noCa = { PREGYP_CACHE: path.join(work, 'c-noca') };
  const r = await runCli(['install', '--fetch-retries=0'], { cwd: makePackage(s.url + '/'), env: noCa });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /certificate|UnknownIssuer/i);
  const r2 = await runCli(['install', `--cafile=${ca.caFile}`], { cwd: makePackage(s.url + '/'), env: noCa });
  assert.strictEqual(r2.code, 0, r2.stderr);
  const r3 = await runCli(['install', '--strict-ssl=false'], { cwd: makePackage(s.url + '/'), env: { PREGYP_CACHE: path.join(work, 'c-noca2') } });
  assert.strictEqual(r3.code, 0, r3.stderr);
});

test('credentials in the host URL never appear in output', async () => {
  const s = await server({});
  const dir = makePackage(s.url.replace('https://', 'https://user:s3cr3t@') + '/');
  const r = await runCli(['install', '--verbose'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 1);
  assert.doesNotMatch(r.stderr + r.stdout, /s3cr3t/);
});

test('file:// hosts install from disk; http: is refused for non-loopback hosts', async () => {
  const mirrorDir = tmpdir('pregyp-mirror-');
  fs.copyFileSync(good, path.join(mirrorDir, TARBALL));
  const dir = makePackage(`file://${mirrorDir}/`);
  const r = await runCli(['install'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir), 'BINARY-V1');
  const r2 = await runCli(['install'], { cwd: makePackage('http://example.com/'), env: env() });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, /'host' protocol \(http:\) is invalid - only 'https:' is accepted/);
});

const ATTACKS = {
  'parent-dir': [{ name: 'binding/../../evil', type: 'file', content: 'x' }],
  'absolute': [{ name: '/tmp/pregyp-evil-abs', type: 'file', content: 'x' }],
  'symlink-out': [{ name: 'binding/link', type: 'symlink', linkname: '/etc/passwd' }],
  'symlink-up': [{ name: 'binding/link', type: 'symlink', linkname: '../../keep.txt' }],
  'write-through-symlink': [
    { name: 'binding/d', type: 'symlink', linkname: '.' },
    { name: 'binding/d/hello.node', type: 'file', content: 'x' },
  ],
  'hardlink': [{ name: 'binding/h', type: 'hardlink', linkname: 'keep.txt' }],
  'hardlink-up': [{ name: 'binding/h', type: 'hardlink', linkname: 'binding/../../keep.txt' }],
  'hardlink-absolute': [{ name: 'binding/h', type: 'hardlink', linkname: '/etc/passwd' }],
  // Absolute once its first folder is stripped the way node-tar strips it.
  'rerooted-absolute': [{ name: 'binding//tmp/pregyp-evil-abs', type: 'file', content: 'x' }],
  'chardev': [{ name: 'binding/c', type: 'chardev' }],
  'fifo': [{ name: 'binding/f', type: 'fifo' }],
  'replace-module-path': [{ name: 'binding', type: 'symlink', linkname: '/tmp' }],
};

test('malicious tarballs are refused: nothing outside, previous binary intact', async () => {
  const routes = {};
  for (const [name, entries] of Object.entries(ATTACKS)) {
    const f = makeTarball(path.join(work, `${name}.tar.gz`), [
      { name: 'binding/', type: 'dir' },
      { name: 'binding/hello.node', type: 'file', content: 'EVIL' },
      ...entries,
    ]);
    routes[`/${name}.tar.gz`] = { body: fs.readFileSync(f) };
  }
  const s = await server(routes);
  for (const name of Object.keys(ATTACKS)) {
    const dir = makePackage(s.url + '/', { package_name: `${name}.tar.gz` });
    fs.mkdirSync(path.join(dir, 'lib/binding'), { recursive: true });
    fs.writeFileSync(binding(dir), 'PREVIOUS');
    const before = snapshot(dir);
    const parentBefore = fs.readdirSync(path.dirname(dir)).length;
    const r = await runCli(['install', '--update-binary'], { cwd: dir, env: env() });
    assert.strictEqual(r.code, 1, `${name} should fail`);
    assert.match(r.stderr, /unsafe archive/, name);
    assert.deepStrictEqual(snapshot(dir), before, name);
    assert.strictEqual(fs.readdirSync(path.dirname(dir)).length, parentBefore, `${name}: nothing written beside the package`);
    assert.ok(!fs.existsSync('/tmp/pregyp-evil-abs'));
  }
});

// Polls `check` every 20 ms until it returns true (or `ms` pass).
async function until(check, ms = 30_000) {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stagingLeft = (dir) => fs.readdirSync(path.join(dir, 'lib')).filter((n) => n.startsWith('.binding.pregyp-'));

test('SIGKILL during download, unpack or commit leaves the old binding; the next install succeeds', async () => {
  // A tarball whose binding comes first, then 2 MB that trickle in: killed mid-unpack.
  const slow = makeTarball(path.join(work, 'slow.tar.gz'), [
    { name: 'binding/', type: 'dir' },
    { name: 'binding/hello.node', type: 'file', content: 'BINARY-NEW' },
    { name: 'binding/zz-data.bin', type: 'file', content: require('node:crypto').randomBytes(2 << 20) },
  ]);
  const twoEntries = makeTarball(path.join(work, 'two.tar.gz'), [
    { name: 'binding/', type: 'dir' },
    { name: 'binding/a-extra.txt', type: 'file', content: 'NEW' },
    { name: 'binding/hello.node', type: 'file', content: 'BINARY-NEW' },
  ]);
  const s = await server({
    '/stall.tar.gz': { stall: true, after: 10, body: fs.readFileSync(good) },
    '/slow.tar.gz': { trickle: { bytes: 16 * 1024, everyMs: 50 }, body: fs.readFileSync(slow) },
    '/two.tar.gz': { body: fs.readFileSync(twoEntries) },
    [`/${TARBALL}`]: { body: fs.readFileSync(good) },
  });
  const points = {
    download: { pkg: 'stall.tar.gz', env: {}, killWhen: () => s.requests.some((q) => q.url === '/stall.tar.gz') },
    unpack: { pkg: 'slow.tar.gz', env: {}, killWhen: (dir) => stagingLeft(dir).some((d) => fs.existsSync(path.join(dir, 'lib', d, 'hello.node'))) },
    commit: { pkg: 'two.tar.gz', env: { PREGYP_TEST_PAUSE_IN_COMMIT_MS: '30000' }, killWhen: (dir, stderr) => /pausing in the commit/.test(stderr) },
  };
  for (const [point, { pkg, env: extra, killWhen }] of Object.entries(points)) {
    const dir = makePackage(s.url + '/', { package_name: pkg });
    fs.mkdirSync(path.join(dir, 'lib/binding'), { recursive: true });
    fs.writeFileSync(binding(dir), 'PREVIOUS');
    let child;
    let stderr = '';
    const run = runCli(['install', '--update-binary'], { cwd: dir, env: env(extra), onChild: (c) => (child = c), onStderr: (t) => (stderr = t) });
    await until(() => killWhen(dir, stderr));
    child.kill('SIGKILL');
    const r = await run;
    assert.strictEqual(r.signal, 'SIGKILL', point);
    assert.strictEqual(read(dir), 'PREVIOUS', `${point}: the previous binding is untouched`);
    assert.ok(stagingLeft(dir).length > 0, `${point}: killed with a staging folder in place`);

    // The next install (a good tarball) needs no cleanup by hand.
    fs.writeFileSync(path.join(dir, 'package.json'), fs.readFileSync(path.join(dir, 'package.json'), 'utf8').replace(pkg, TARBALL));
    const again = await runCli(['install', '--update-binary'], { cwd: dir, env: env() });
    assert.strictEqual(again.code, 0, `${point}: ${again.stderr}`);
    assert.strictEqual(read(dir), 'BINARY-V1', point);
    assert.deepStrictEqual(stagingLeft(dir), [], `${point}: no staging folder left behind`);
  }
});

// A tmpfs of `size` at a fresh folder (root only); null where mounting is not allowed.
function smallDisk(size) {
  const dir = tmpdir('pregyp-disk-');
  const r = require('node:child_process').spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.status !== 0) return null;
  process.on('exit', () => require('node:child_process').spawnSync('umount', ['-l', dir]));
  return dir;
}

test('a full disk or a read-only node_modules: one clear error naming the path, nothing half-written', async (t) => {
  const disk = smallDisk('512k');
  if (!disk) return t.skip('mounting a small tmpfs is not permitted here');
  const big = makeTarball(path.join(work, 'big.tar.gz'), [
    { name: 'binding/', type: 'dir' },
    { name: 'binding/hello.node', type: 'file', content: 'BINARY-BIG' },
    { name: 'binding/assets.bin', type: 'file', content: require('node:crypto').randomBytes(2 << 20) },
  ]);
  const s = await server({ '/big.tar.gz': { body: fs.readFileSync(big) }, [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const onDisk = (name, pkgName) => {
    const dir = path.join(disk, name);
    fs.mkdirSync(path.join(dir, 'lib', 'binding'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hello-pkg', version: '1.0.0', main: 'index.js', binary: { module_name: 'hello', module_path: './lib/binding/', host: s.url + '/', package_name: pkgName } }));
    fs.writeFileSync(binding(dir), 'PREVIOUS');
    return dir;
  };

  // ENOSPC: 2 MB do not fit in 512 KB.
  const full = onDisk('full', 'big.tar.gz');
  const before = snapshot(full);
  const r = await runCli(['install', '--update-binary'], { cwd: full, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, new RegExp(`write ${path.join(full, 'lib')}/\\.binding\\.pregyp-[^/]+/assets\\.bin: No space left on device`));
  assert.strictEqual(r.stderr.match(/No space left/g).length, 1, 'one error, no retries');
  assert.deepStrictEqual(snapshot(full), before);
  assert.deepStrictEqual(stagingLeft(full), []);

  // Read-only: the same tree remounted read-only.
  const ro = onDisk('ro', TARBALL);
  const roBefore = snapshot(ro);
  assert.strictEqual(require('node:child_process').spawnSync('mount', ['-o', 'remount,ro', disk]).status, 0);
  const r2 = await runCli(['install', '--update-binary'], { cwd: ro, env: env() });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, new RegExp(`${path.join(ro, 'lib').replace(/[.]/g, '\\.')}.*Read-only file system`));
  assert.deepStrictEqual(snapshot(ro), roBefore);
});

test('a gzip bomb stops at --max-unpacked-size', async () => {
  const bomb = await makeGzipBomb(path.join(work, 'bomb.tar.gz'), { entryName: 'binding/hello.node', size: 64 * 1024 * 1024, level: 1 });
  const s = await server({ '/bomb.tar.gz': { body: fs.readFileSync(bomb) } });
  const dir = makePackage(s.url + '/', { package_name: 'bomb.tar.gz' });
  const r = await runCli(['install', '--max-unpacked-size=8mb'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /would unpack to more than 8388608 bytes/);
  assert.ok(!fs.existsSync(path.join(dir, 'lib')));
});

test('8 concurrent installs of one package serialize and leave one intact binary', async () => {
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  const e = env();
  const runs = await Promise.all(Array.from({ length: 8 }, () => runCli(['install', '--update-binary'], { cwd: dir, env: e })));
  for (const r of runs) assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir), 'BINARY-V1');
  const leftovers = fs.readdirSync(path.join(dir, 'lib')).filter((n) => n !== 'binding');
  assert.deepStrictEqual(leftovers, []);
});

test('install() API resolves to { path, source, url, sha256, package, dry_run } and rejects with err.code', async () => {
  const pregyp = require('..');
  const s = await server({ [`/${TARBALL}`]: { body: fs.readFileSync(good) } });
  const dir = makePackage(s.url + '/');
  const saved = { ...process.env };
  Object.assign(process.env, env());
  try {
    const [res] = await pregyp.install({ directory: dir, loglevel: 'silent' });
    assert.deepStrictEqual(res, { path: binding(dir), source: 'remote', url: `${s.url}/${TARBALL}`, sha256: goodSha, package: null, dry_run: false });
    const missing = makePackage(s.url + '/', { package_name: 'nope.tar.gz' });
    await assert.rejects(pregyp.install({ directory: missing, loglevel: 'silent' }), (err) => err.code === 'E_DOWNLOAD_NOT_FOUND' && /nope\.tar\.gz/.test(err.message));
  } finally {
    process.env = saved;
  }
});

test('two concurrent API calls with different log levels do not affect each other', async () => {
  // A slow quiet install and a verbose one, in one process (a child, to read its stderr).
  const body = fs.readFileSync(good);
  const s = await server({
    '/quiet.tar.gz': { trickle: { bytes: 64, everyMs: 20 }, body },
    '/loud.tar.gz': { body },
  });
  const quiet = makePackage(s.url + '/', { package_name: 'quiet.tar.gz' });
  const loud = makePackage(s.url + '/', { package_name: 'loud.tar.gz' });
  const script = `
    const pregyp = require(${JSON.stringify(path.join(__dirname, '..'))});
    Promise.all([
      pregyp.install({ directory: ${JSON.stringify(quiet)}, loglevel: 'silent' }),
      pregyp.install({ directory: ${JSON.stringify(loud)}, loglevel: 'verbose' }),
    ]).then(() => console.log('done'), (e) => { console.error(e); process.exit(1); });`;
  // Run asynchronously: the servers live in this process.
  const file = path.join(tmpdir('pregyp-api-'), 'two-calls.js');
  fs.writeFileSync(file, script);
  const r = await runCli([], { bin: file, env: env() });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /GET .*\/loud\.tar\.gz/, 'the verbose call logs');
  assert.doesNotMatch(r.stderr, /quiet\.tar\.gz/, 'the silent call stays silent');
  assert.strictEqual(read(quiet), 'BINARY-V1');
  assert.strictEqual(read(loud), 'BINARY-V1');
});
