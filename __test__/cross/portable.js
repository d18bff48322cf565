'use strict';
// The portable part of the suite: what every platform's users run, run by Node of that
// platform (arm64 Linux under qemu-user, Windows under Wine, musl Linux) against pregyp's
// binaries built for it. scripts/test-cross.js prepares everything that needs tools of
// the build machine (certificates from openssl, the fixture addon compiled for the
// target) and starts this file under the target's Node; it also runs here, natively.
// Not a *.test.js file: `npm test` does not run it without that preparation.
//
// Environment (set by scripts/test-cross.js):
//   PREGYP_UNDER_TEST  a pregyp package folder holding only the binaries of this target
//   PREGYP_CROSS_DIR   prepared inputs: ca/ (ca.pem...), addon-v3.node, addon-v6.node
//   PREGYP_CROSS_EXEC  JSON array put before process.execPath to start a child Node
//                      (under qemu-user: the qemu-aarch64 command; the kernel runs it)
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const https = require('node:https');
const http = require('node:http');
const { makeTarball, sha256File } = require('../helpers/tarballs');
const { VARIANTS, snapshot } = require('../helpers/layouts');
const { runCli, tmpdir } = require('../helpers/run');

// Under Wine these are the build machine's paths (/tmp/...): resolved from the working
// directory (on Z:), they get their drive, so a child started elsewhere finds them.
const ROOT = path.resolve(process.env.PREGYP_UNDER_TEST);
const IN = path.resolve(process.env.PREGYP_CROSS_DIR);
const EXEC = JSON.parse(process.env.PREGYP_CROSS_EXEC || '[]');
const WIN = process.platform === 'win32';
const pregyp = require(ROOT);
const reference = require(path.join(ROOT, 'node_modules', '@mapbox', 'node-pre-gyp'));
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const LIBC = process.platform === 'linux' ? (glibc ? 'glibc' : 'musl') : 'unknown';
const HERE = process.platform === 'linux' ? `linux-${process.arch}-${LIBC}` : `${process.platform}-${process.arch}`;
const CA = path.join(IN, 'ca', 'ca.crt');
// The musl Node of these tests runs from a Debian file system with its interpreter moved
// by patchelf past the first 2 kB of the executable, the part that detect-libc (the
// reference's) reads; it then reads glibc's /usr/bin/ldd and says glibc. On Alpine it says
// musl: the reference is told so here.
const REF = LIBC === 'musl' ? { target_libc: 'musl' } : {};
const ADDON = { 3: path.join(IN, 'addon-v3.node'), 6: path.join(IN, 'addon-v6.node') };

// Temp folders (helpers/run.js) go at exit, as far as they can: Windows keeps a DLL that
// this process has loaded.
const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));

// Runs a Node script (the CLI by default) as a user would, in a clean environment, under
// this platform's emulator; `keep(stderr so far, child)` sees stderr as it arrives.
const run = (args, { script, keep, ...o } = {}) => runCli(args, { ...o, bin: script, onStderr: keep, exec: EXEC, timeout: 300_000 });

let work;
let tarV3;
let tarV6;
before(async () => {
  work = tmpdir('pregyp-cross-');
  // Two real bindings for this target: the fixture addon built for Node-API 3 and 6,
  // whose hello() says which one it is.
  for (const v of [3, 6]) {
    const f = makeTarball(path.join(work, `v${v}.tar.gz`), [
      { name: 'binding/', type: 'dir' },
      { name: 'binding/hello.node', type: 'file', content: fs.readFileSync(ADDON[v]) },
      { name: 'binding/version.txt', type: 'file', content: `v${v}` },
    ]);
    if (v === 3) tarV3 = f;
    else tarV6 = f;
  }
});

// Why TLS cannot be tested here (set by test-cross.js under Wine): the downloads then go
// over plain http to 127.0.0.1, which pregyp allows to this machine only.
const NO_TLS = process.env.PREGYP_CROSS_NO_TLS || '';

// An HTTPS server on 127.0.0.1 with the prepared test CA's leaf (helpers/servers.js makes
// its certificates with openssl, which Windows Node cannot start).
async function server(routes) {
  const requests = [];
  const cert = fs.readFileSync(path.join(IN, 'ca', 'server.crt'));
  const key = fs.readFileSync(path.join(IN, 'ca', 'server.key'));
  const sockets = new Set();
  const handler = (req, res) => {
    requests.push({ url: req.url });
    const r = routes[req.url];
    if (!r) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': r.body.length }).end(r.body);
  };
  const srv = NO_TLS ? http.createServer(handler) : https.createServer({ cert, key }, handler);
  srv.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const s = {
    url: `${NO_TLS ? 'http' : 'https'}://127.0.0.1:${srv.address().port}`,
    requests,
    close: () => new Promise((resolve) => { for (const c of sockets) c.destroy(); srv.close(resolve); }),
  };
  servers.push(s);
  return s;
}

function makePackage(host, binary = {}) {
  const dir = path.join(tmpdir('pregyp-pkg-'), 'pkg');
  fs.mkdirSync(dir);
  const pkg = { name: 'hello-pkg', version: '1.0.0', main: 'index.js', binary: { module_name: 'hello', module_path: './lib/binding/', host, package_name: 'hello.tar.gz', ...binary } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, 'keep.txt'), 'user file');
  return dir;
}
// Without TLS, no CA file at all: the machine's own (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE) neither.
const env = (extra = {}) => ({ NODE_EXTRA_CA_CERTS: NO_TLS ? undefined : CA, SSL_CERT_FILE: undefined, PREGYP_CACHE: path.join(work, `cache-${Math.random()}`), ...extra });
const bindingOf = (dir) => path.join(dir, 'lib', 'binding', 'hello.node');
const versionOf = (dir) => fs.readFileSync(path.join(dir, 'lib', 'binding', 'version.txt'), 'utf8');

// ---- find() and load() ----------------------------------------------------------------

test('find() gives the reference find() result for the same package.json', () => {
  for (const [name, binary] of Object.entries(VARIANTS)) {
    const dir = tmpdir('pregyp-find-');
    const file = path.join(dir, 'package.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'find-me', version: '2.1.0', main: 'index.js', binary }));
    for (const opts of [undefined, { debug: true }, { target: '18.20.0' }, { target_arch: 'arm64', target_platform: 'darwin' }]) {
      const want = reference.find(file, { ...REF, ...opts });
      fs.mkdirSync(path.dirname(want), { recursive: true });
      fs.writeFileSync(want, '');
      assert.strictEqual(pregyp.find(file, opts && { ...opts }), want, `${name} ${JSON.stringify(opts)}`);
    }
  }
});

test('find() on a drive-less absolute path (\\dir\\package.json) gives what the reference gives', { skip: !WIN && 'Windows paths only' }, () => {
  // On the drive of the working directory, which a drive-less path is relative to.
  // (Inside the staged folder, which test-cross.js removes.)
  const dir = fs.mkdtempSync(path.join(path.dirname(ROOT), 'find-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'd', version: '1.0.0', main: 'index.js', binary: VARIANTS.libc }));
  assert.strictEqual(dir.slice(0, 2).toLowerCase(), process.cwd().slice(0, 2).toLowerCase());
  const driveless = dir.replace(/^[A-Za-z]:/, '') + '\\package.json';
  const want = reference.find(driveless);
  fs.mkdirSync(path.dirname(want), { recursive: true });
  fs.writeFileSync(want, '');
  assert.strictEqual(pregyp.find(driveless), want);
});

test('load() of the fixture addon built for this target: {libc}, napi_versions, a real binding', () => {
  const dir = path.join(tmpdir('pregyp-fixture-'), 'napi-addon');
  fs.cpSync(path.join(ROOT, '__test__', 'fixtures', 'napi-addon'), dir, { recursive: true });
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pj.binary.module_path = './lib/binding/napi-v{napi_build_version}-{libc}';
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj));
  const want = path.join(dir, 'lib', 'binding', `napi-v6-${LIBC}`, 'napi_hello.node');
  assert.strictEqual(pregyp.find(path.join(dir, 'package.json')), want);
  assert.strictEqual(reference.find(path.join(dir, 'package.json'), { ...REF }), want);
  assert.throws(() => pregyp.load(dir), (e) => e.code === 'E_BINDING_MISSING' || /not found/.test(e.message));
  fs.mkdirSync(path.dirname(want), { recursive: true });
  fs.copyFileSync(ADDON[6], want);
  const b = pregyp.load(dir);
  assert.strictEqual(b.hello(), 'napi-6');
  assert.strictEqual(b.add(2, 3), 5);
});

test('reveal: {libc} and {libc_version} of this runtime', async () => {
  const dir = makePackage('https://h.example/');
  const r = await run(['reveal'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  assert.strictEqual(v.libc, LIBC);
  const glibcVersion = process.report.getReport().header.glibcVersionRuntime;
  if (glibcVersion) assert.strictEqual(v.libc_version, glibcVersion);
  // musl's own version string, read from its loader (1.2.5 for the musl Node here).
  else if (LIBC === 'musl') assert.match(v.libc_version, /^1\.\d+\.\d+$/);
  else assert.strictEqual(v.libc_version, '');
  // The find() core works it out too, for a package whose module_path names it.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'v', version: '1.0.0', main: 'index.js', binary: { module_name: 'm', module_path: './lib/{libc}-{libc_version}/', host: 'https://h.example/' } }));
  assert.strictEqual(pregyp.find(path.join(dir, 'package.json')), path.join(dir, 'lib', `${LIBC}-${v.libc_version}`, 'm.node'));
});

// ---- install ----------------------------------------------------------------------------

test(`install over ${NO_TLS ? 'http' : 'https'}: verified, unpacked, cached, then skipped`, async () => {
  const sha = await sha256File(tarV6);
  const s = await server({ '/hello.tar.gz': { body: fs.readFileSync(tarV6) } });
  const dir = makePackage(s.url + '/', { checksums: { 'hello.tar.gz': sha } });
  const e = env();
  const r = await run(['install'], { cwd: dir, env: e });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(r.stdout.trim(), `[hello-pkg] Success: "${bindingOf(dir)}" is installed via remote`);
  assert.strictEqual(versionOf(dir), 'v6');
  // Loaded in a child: Windows could not remove a DLL that this process holds.
  const loaded = await run([`console.log(require(${JSON.stringify(bindingOf(dir))}).hello())`], { script: '-e' });
  assert.strictEqual(loaded.stdout.trim(), 'napi-6', loaded.stderr);
  const again = await run(['install'], { cwd: dir, env: e });
  assert.strictEqual(again.code, 0, again.stderr);
  assert.match(again.stdout, /already installed/);
  fs.rmSync(path.join(dir, 'lib'), { recursive: true, force: true, maxRetries: 5 });
  const cached = await run(['install', '--json'], { cwd: dir, env: e });
  assert.strictEqual(cached.code, 0, cached.stderr);
  assert.strictEqual(JSON.parse(cached.stdout).source, 'cache');
  assert.strictEqual(JSON.parse(cached.stdout).sha256, sha);
  assert.strictEqual(s.requests.filter((q) => q.url === '/hello.tar.gz').length, 1, 'one download');
  assert.strictEqual(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8'), 'user file');
});

test('a checksum mismatch installs nothing and keeps the previous binding', async () => {
  const s = await server({ '/hello.tar.gz': { body: fs.readFileSync(tarV6) } });
  const dir = makePackage(s.url + '/', { checksums: { 'hello.tar.gz': 'f'.repeat(64) } });
  fs.mkdirSync(path.join(dir, 'lib', 'binding'), { recursive: true });
  fs.writeFileSync(bindingOf(dir), 'PREVIOUS');
  const before = snapshot(dir);
  const r = await run(['install', '--update-binary'], { cwd: dir, env: env() });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /integrity check failed for .*hello\.tar\.gz: expected sha256 f{64}, got [0-9a-f]{64}/);
  assert.deepStrictEqual(snapshot(dir), before);
});

test('a server whose CA is not trusted: nothing installed', { skip: NO_TLS || false }, async () => {
  const s = await server({ '/hello.tar.gz': { body: fs.readFileSync(tarV6) } });
  const untrusted = makePackage(s.url + '/');
  const r2 = await run(['install'], { cwd: untrusted, env: env({ NODE_EXTRA_CA_CERTS: undefined }) });
  assert.strictEqual(r2.code, 1);
  assert.ok(!fs.existsSync(path.join(untrusted, 'lib')));
});

test('4 concurrent installs of one package serialize on the lock and leave one intact binding', async () => {
  const s = await server({ '/hello.tar.gz': { body: fs.readFileSync(tarV6) } });
  const dir = makePackage(s.url + '/');
  const e = env();
  const runs = await Promise.all(Array.from({ length: 4 }, () => run(['install', '--update-binary'], { cwd: dir, env: e })));
  for (const r of runs) assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(versionOf(dir), 'v6');
  assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'lib')), ['binding']);
});

test('--update-binary replaces the binding while another process has it loaded', async () => {
  const s = await server({ '/v3.tar.gz': { body: fs.readFileSync(tarV3) }, '/v6.tar.gz': { body: fs.readFileSync(tarV6) } });
  const dir = makePackage(s.url + '/', { package_name: 'v3.tar.gz' });
  const e = env();
  assert.strictEqual((await run(['install'], { cwd: dir, env: e })).code, 0);
  // A Node process that has the v3 binding open (mapped; on Windows, a locked DLL).
  const holder = path.join(dir, 'hold.js');
  fs.writeFileSync(holder, `process.stderr.write('loaded ' + require(${JSON.stringify(bindingOf(dir))}).hello() + '\\n'); setTimeout(() => {}, 120000);`);
  let child;
  const held = new Promise((resolve) => {
    run([], { cwd: dir, script: holder, keep: (err, c) => { child = c; if (err.includes('loaded')) resolve(err); } });
  });
  assert.match(await held, /loaded napi-3/);
  try {
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    pj.binary.package_name = 'v6.tar.gz';
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj));
    const r = await run(['install', '--update-binary'], { cwd: dir, env: e });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(versionOf(dir), 'v6');
  } finally {
    const gone = child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : null;
    child.kill();
    await gone;
  }
  const fresh = path.join(dir, 'fresh.js');
  fs.writeFileSync(fresh, `console.log(require(${JSON.stringify(bindingOf(dir))}).hello())`);
  assert.strictEqual((await run([], { cwd: dir, script: fresh })).stdout.trim(), 'napi-6', 'a new process loads the new binding');
  const leftovers = () => fs.readdirSync(path.join(dir, 'lib')).filter((n) => n !== 'binding');
  if (WIN) {
    // The old DLL was moved aside into the staging folder, which Windows keeps while the
    // holder had it loaded; the next install that places a binding, with the holder
    // gone, removes it.
    assert.ok(leftovers().length === 1 && leftovers()[0].startsWith('.binding.pregyp-'), String(leftovers()));
    assert.strictEqual((await run(['install', '--update-binary'], { cwd: dir, env: e })).code, 0);
  }
  assert.deepStrictEqual(leftovers(), [], 'no staging folder left behind');
});

// ---- the safe unpacker ------------------------------------------------------------------

const ATTACKS = {
  'parent-dir': [{ name: 'binding/../../evil', type: 'file', content: 'x' }],
  absolute: [{ name: '/tmp/pregyp-evil-abs', type: 'file', content: 'x' }],
  'symlink-out': [{ name: 'binding/link', type: 'symlink', linkname: '/etc/passwd' }],
  'symlink-up': [{ name: 'binding/link', type: 'symlink', linkname: '../../keep.txt' }],
  hardlink: [{ name: 'binding/h', type: 'hardlink', linkname: 'keep.txt' }],
  'hardlink-up': [{ name: 'binding/h', type: 'hardlink', linkname: 'binding/../../keep.txt' }],
  'rerooted-absolute': [{ name: 'binding//tmp/pregyp-evil-abs', type: 'file', content: 'x' }],
  chardev: [{ name: 'binding/c', type: 'chardev' }],
  'replace-module-path': [{ name: 'binding', type: 'symlink', linkname: '/tmp' }],
};
// Names that are harmless on POSIX but mean something else to Windows: a stream of
// another file, a device, a parent folder, another drive.
const WINDOWS_ATTACKS = {
  'win-stream': [{ name: 'binding/a:b', type: 'file', content: 'x' }],
  'win-device': [{ name: 'binding/CON', type: 'file', content: 'x' }],
  'win-device-ext': [{ name: 'binding/nul.txt', type: 'file', content: 'x' }],
  'win-backslash-parent': [{ name: 'binding/..\\..\\evil', type: 'file', content: 'x' }],
  'win-drive': [{ name: 'binding/C:\\pregyp-evil', type: 'file', content: 'x' }],
  'win-drive-relative': [{ name: 'binding/C:pregyp-evil', type: 'file', content: 'x' }],
};

async function refuses(attacks) {
  const routes = {};
  for (const [name, entries] of Object.entries(attacks)) {
    const f = makeTarball(path.join(work, `${name}.tar.gz`), [{ name: 'binding/', type: 'dir' }, { name: 'binding/hello.node', type: 'file', content: 'EVIL' }, ...entries]);
    routes[`/${name}.tar.gz`] = { body: fs.readFileSync(f) };
  }
  const s = await server(routes);
  for (const name of Object.keys(attacks)) {
    const dir = makePackage(s.url + '/', { package_name: `${name}.tar.gz` });
    fs.mkdirSync(path.join(dir, 'lib', 'binding'), { recursive: true });
    fs.writeFileSync(bindingOf(dir), 'PREVIOUS');
    const before = snapshot(dir);
    const beside = fs.readdirSync(path.dirname(dir)).length;
    const r = await run(['install', '--update-binary'], { cwd: dir, env: env() });
    assert.strictEqual(r.code, 1, `${name} should fail: ${r.stdout}`);
    assert.match(r.stderr, /unsafe archive/, name);
    assert.deepStrictEqual(snapshot(dir), before, name);
    assert.strictEqual(fs.readdirSync(path.dirname(dir)).length, beside, `${name}: nothing written beside the package`);
    assert.ok(!fs.existsSync('/tmp/pregyp-evil-abs'), name);
    assert.ok(!fs.existsSync('C:\\pregyp-evil') && !fs.existsSync(path.join(dir, 'pregyp-evil')), name);
  }
}

test('malicious archives are refused: nothing outside, previous binding intact', () => refuses(ATTACKS));
test('Windows names in archives (a:b, CON, nul.txt, ..\\, drive letters) are refused', { skip: !WIN && 'names only Windows reads specially' }, () => refuses(WINDOWS_ATTACKS));

// ---- platform packages ------------------------------------------------------------------

test('find() and load() use the @scope/name-<triple> platform package (npm layout)', async () => {
  const src = path.join(tmpdir('pregyp-pp-'), 'widget');
  fs.mkdirSync(src);
  const binary = {
    module_name: 'widget',
    module_path: './lib/binding/napi-v{napi_build_version}',
    remote_path: './v{version}/',
    package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}-{libc}.tar.gz',
    host: 'https://h.example/',
    napi_versions: [3, 6],
    platform_packages: { name: '@acme/widget-{triple}', targets: [HERE] },
  };
  fs.writeFileSync(path.join(src, 'package.json'), JSON.stringify({ name: '@acme/widget', version: '1.2.3', main: 'index.js', license: 'MIT', binary }, null, 2));
  const from = tmpdir('pregyp-artifacts-');
  for (const n of [3, 6]) {
    const f = path.join(from, 'stage', 'v1.2.3', `widget-v1.2.3-napi-v${n}-${process.platform}-${process.arch}-${LIBC}.tar.gz`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    makeTarball(f, [{ name: `napi-v${n}/`, type: 'dir' }, { name: `napi-v${n}/widget.node`, type: 'file', content: fs.readFileSync(ADDON[n]) }]);
  }
  const pp = await run(['platform-package', '--from', from], { cwd: src });
  assert.strictEqual(pp.code, 0, pp.stderr);
  const built = path.join(src, 'build', 'npm', '@acme', `widget-${HERE}`);
  const app = tmpdir('pregyp-app-');
  const nm = path.join(app, 'node_modules', '@acme');
  fs.cpSync(src, path.join(nm, 'widget'), { recursive: true, filter: (p) => !p.startsWith(path.join(src, 'build')) });
  fs.cpSync(built, path.join(nm, `widget-${HERE}`), { recursive: true });
  const pkg = path.join(nm, 'widget');
  const want = path.join(fs.realpathSync(path.join(nm, `widget-${HERE}`)), 'lib', 'binding', 'napi-v6', 'widget.node');
  assert.strictEqual(fs.realpathSync(pregyp.find(path.join(pkg, 'package.json'))), want);
  assert.strictEqual(pregyp.load(pkg).hello(), 'napi-6');
});

// ---- heal -------------------------------------------------------------------------------

test('heal installs the missing binding of a package installed without scripts, then has nothing to do', { skip: process.env.PREGYP_CROSS_NO_EXEC || false }, async () => {
  const s = await server({ '/native-a.tar.gz': { body: fs.readFileSync(tarV6) } });
  const app = tmpdir('pregyp-heal-');
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { 'native-a': '1.0.0' } }));
  const dir = path.join(app, 'node_modules', 'native-a');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'native-a', version: '1.0.0', main: 'index.js', scripts: { install: 'node-pre-gyp install --fallback-to-build' }, binary: { module_name: 'hello', module_path: './lib/binding/', host: s.url + '/', package_name: 'native-a.tar.gz' } }));
  assert.throws(() => pregyp.load(dir), /native binding not found/);
  const e = env();
  const healed = await run(['heal'], { cwd: app, env: e });
  assert.strictEqual(healed.code, 0, healed.stderr);
  assert.match(healed.stdout, /native-a@1\.0\.0\s+node-pre-gyp\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.strictEqual(pregyp.load(dir).hello(), 'napi-6');
  const again = await run(['heal', '--json'], { cwd: app, env: e });
  assert.strictEqual(again.code, 0, again.stderr);
  assert.deepStrictEqual(JSON.parse(again.stdout), { healed: [], would_install: [], already_working: 1, left_alone: [] });
});
