'use strict';
// `pregyp heal` for every kind of native package that blocked install scripts leave
// without a binding: prebuild-install (real sqlite3 6.0.1 and better-sqlite3 12.4.1,
// built here once and served from an HTTPS host on 127.0.0.1 through PREGYP_MIRROR),
// node-gyp-build, a node-pre-gyp package and a platform-package addon side by side;
// the mirror and credential settings; and prebuild-install 7.1.3's URL rules checked
// against its own util.getDownloadUrl.
//
// The two real binaries are compiled once and cached in ~/.cache/pregyp-heal
// (helpers/prebuilds.js): about 3.5 minutes on two cores the first time, nothing after.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { runCli, tmpdir, copyFixture, cleanEnv, NODEDIR } = require('./helpers/run');
const { startServer } = require('./helpers/servers');
const { makeTestCA } = require('./helpers/tls');
const { makeTarball } = require('./helpers/tarballs');
const { sqliteBinaries, prebuildInstall, NODE_GYP } = require('./helpers/prebuilds');

const TOKEN = 'pregyp-secret-token-4711';
const ABI = process.versions.modules;
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const LIBC = process.platform === 'linux' && !glibc ? 'musl' : '';
const TRIPLE = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
let ca;
let server;
let other;
let work;
let bins;
let hello;
let project;

const env = (extra = {}) => ({ NODE_EXTRA_CA_CERTS: ca.caFile, PREGYP_CACHE: path.join(work, `cache-${Math.random().toString(16).slice(2)}`), HOME: work, ...extra });
const mirror = (prefix) => `https://github.com/=${server.url}/${prefix}/`;

// A route that wants `Authorization: Bearer TOKEN`.
function guarded(body) {
  return {
    handler(req, res) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-length': 0 });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    },
  };
}

function sh(cmd, args, opts) {
  return execFileSync(cmd, args, { encoding: 'utf8', env: cleanEnv(), ...opts });
}

// A small prebuild-install package whose fallback is not node-gyp (so a failed download
// cannot turn into a build), with the real hello binding as its prebuilt binary.
function piHello(name = 'pi-hello', script = 'prebuild-install || npm run build') {
  const dir = path.join(work, 'src', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', repository: { type: 'git', url: `git+https://github.com/acme/${name}.git` }, scripts: { install: script, build: 'make -C src' } }, null, 2));
  fs.writeFileSync(path.join(dir, 'index.js'), "module.exports = require('./build/Release/hello.node');\n");
  sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
  return path.join(work, `${name}-1.0.0.tgz`);
}

// A node-gyp-build package whose prebuilds/ holds only another platform's binary.
function ngbHello() {
  const dir = path.join(work, 'src', 'ngb-hello');
  fs.mkdirSync(path.join(dir, 'prebuilds', 'sunos-mips'), { recursive: true });
  fs.cpSync(path.join(__dirname, 'fixtures', 'hello-addon', 'src'), path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'prebuilds', 'sunos-mips', 'node.napi.node'), 'not for this platform');
  fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'hello', sources: ['src/hello.c'] }] }));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ngb-hello', version: '1.0.0', main: 'index.js', scripts: { install: 'node-gyp-build' }, dependencies: { 'node-gyp-build': '4.8.4' } }, null, 2));
  fs.writeFileSync(path.join(dir, 'index.js'), "module.exports = require('node-gyp-build')(__dirname);\n");
  sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
  return path.join(work, 'ngb-hello-1.0.0.tgz');
}

// A node-pre-gyp package (pregyp's binary block) served from the test host.
function npgHello(host = `${server.url}/npg/`, name = 'npg-hello') {
  const dir = path.join(work, 'src', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', scripts: { install: 'node-pre-gyp install --fallback-to-build' }, binary: { module_name: 'hello', module_path: './lib/binding/{node_abi}', host } }, null, 2));
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = require('./lib/binding/node-v${ABI}/hello.node');\n`);
  sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
  return path.join(work, `${name}-1.0.0.tgz`);
}

// A platform-package addon: its binding comes from pp-hello-<triple>, installed beside it.
function ppHello(nm) {
  const dir = path.join(nm, 'pp-hello');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pp-hello', version: '1.0.0', main: 'index.js', binary: { module_name: 'hello', module_path: './lib/binding/{node_abi}', host: 'https://127.0.0.1:1/', platform_packages: { name: 'pp-hello-{triple}', targets: [TRIPLE] } } }, null, 2));
  const pp = path.join(nm, `pp-hello-${TRIPLE}`, 'lib', 'binding', `node-v${ABI}`);
  fs.mkdirSync(pp, { recursive: true });
  fs.writeFileSync(path.join(nm, `pp-hello-${TRIPLE}`, 'package.json'), JSON.stringify({ name: `pp-hello-${TRIPLE}`, version: '1.0.0' }));
  fs.copyFileSync(hello, path.join(pp, 'hello.node'));
}

function consumer(deps) {
  const dir = tmpdir('pregyp-heal-native-');
  const dependencies = Object.fromEntries(Object.entries(deps).map(([n, t]) => [n, `file:${t}`]));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }));
  // Scripts blocked, as npm 12, pnpm, Yarn 4 and bun do by default.
  const r = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 300_000 });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  return dir;
}

function node(dir, script, extra = {}) {
  return spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: { ...cleanEnv(), ...extra }, timeout: 60_000 });
}

const QUERY = `
const sqlite3 = require('sqlite3');
const Better = require('better-sqlite3');
const b = new Better(':memory:').prepare('select 6 * 7 as x').get().x;
const db = new sqlite3.Database(':memory:');
db.get('select 40 + 2 as x', (e, row) => { if (e) throw e; console.log(b, row.x); db.close(); });`;

before(async () => {
  ca = makeTestCA();
  work = tmpdir('pregyp-heal-native-work-');
  const t0 = Date.now();
  bins = sqliteBinaries();
  // The hello addon, built once.
  const addon = copyFixture('hello-addon');
  const out = path.join(addon, 'out');
  execFileSync(process.execPath, [NODE_GYP, 'rebuild', '--module_name=hello', `--module_path=${out}`, ...(NODEDIR ? [`--nodedir=${NODEDIR}`] : [])], { cwd: addon, stdio: 'ignore' });
  hello = path.join(out, 'hello.node');
  const helloBody = fs.readFileSync(hello);
  const piBody = fs.readFileSync(makeTarball(path.join(work, 'pi.tar.gz'), [
    { name: 'build/', type: 'dir' },
    { name: 'build/Release/', type: 'dir' },
    { name: 'build/Release/hello.node', type: 'file', content: helloBody, mode: 0o755 },
  ]));
  const npgBody = fs.readFileSync(makeTarball(path.join(work, 'npg.tar.gz'), [
    { name: `node-v${ABI}/`, type: 'dir' },
    { name: `node-v${ABI}/hello.node`, type: 'file', content: helloBody, mode: 0o755 },
  ]));
  other = await startServer({ tls: true, routes: {} });
  const sq = fs.readFileSync(bins.sqlite3.tarball);
  const bs = fs.readFileSync(bins.betterSqlite3.tarball);
  const piFile = `pi-hello-v1.0.0-node-v${ABI}-${process.platform}${LIBC}-${process.arch}.tar.gz`;
  const routes = {
    [`/gh/TryGhost/node-sqlite3/releases/download/v6.0.1/${bins.sqlite3.file}`]: { body: sq },
    [`/gh/TryGhost/node-sqlite3/releases/download/v6.0.1/${bins.sqlite3.file}.sha256`]: { body: `${bins.sqlite3.sha256}  ${bins.sqlite3.file}\n` },
    [`/gh/WiseLibs/better-sqlite3/releases/download/v12.4.1/${bins.betterSqlite3.file}`]: { body: bs },
    [`/private/TryGhost/node-sqlite3/releases/download/v6.0.1/${bins.sqlite3.file}`]: guarded(sq),
    [`/private/WiseLibs/better-sqlite3/releases/download/v12.4.1/${bins.betterSqlite3.file}`]: guarded(bs),
    [`/gh/acme/pi-hello/releases/download/v1.0.0/${piFile}`]: { body: piBody },
    [`/private/acme/pi-hello/releases/download/v1.0.0/${piFile}`]: guarded(piBody),
    [`/gh/acme/pi-chain/releases/download/v1.0.0/${piFile.replace('pi-hello', 'pi-chain')}`]: { body: piBody },
    [`/private/acme/pi-redirect/releases/download/v1.0.0/${piFile.replace('pi-hello', 'pi-redirect')}`]: { redirect: `${other.url}/elsewhere/${piFile}` },
    // prebuild-install's token form: the GitHub API lists the release, the asset is fetched by id.
    '/api/repos/acme/pi-tok/releases': {
      handler(req, res) {
        if (req.headers.authorization !== `token ${TOKEN}`) {
          res.writeHead(401, { 'content-length': 0 });
          return res.end();
        }
        const body = Buffer.from(JSON.stringify([{ tag_name: 'v0.9.0', assets: [] }, { tag_name: 'v1.0.0', assets: [{ id: 4242, browser_download_url: `https://github.com/acme/pi-tok/releases/download/v1.0.0/${piFile.replace('pi-hello', 'pi-tok')}` }] }]));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      },
    },
    '/api/repos/acme/pi-tok/releases/assets/4242': {
      handler(req, res) {
        const ok = req.headers.authorization === `token ${TOKEN}` && req.headers.accept === 'application/octet-stream';
        res.writeHead(ok ? 200 : 403, { 'content-length': ok ? piBody.length : 0 });
        res.end(ok ? piBody : undefined);
      },
    },
    [`/npg/npg-hello-node-v${ABI}.tar.gz`]: { body: npgBody },
    [`/npg/hello-v1.0.0-node-v${ABI}-${process.platform}-${process.arch}.tar.gz`]: { body: npgBody },
  };
  server = await startServer({ tls: true, routes });
  project = consumer({ sqlite3: bins.sqlite3.tgz, 'better-sqlite3': bins.betterSqlite3.tgz });
  console.log(`# setup (binaries cached or built, project installed): ${Date.now() - t0} ms`);
});

after(() => {
  if (server) server.close();
  if (other) other.close();
});

function unheal(dir) {
  for (const p of ['sqlite3', 'better-sqlite3']) fs.rmSync(path.join(dir, 'node_modules', p, 'build'), { recursive: true, force: true });
}

test('sqlite3 6 and better-sqlite3 12 installed with scripts blocked: heal gets both through PREGYP_MIRROR, and they run a query', async () => {
  unheal(project);
  const broken = node(project, QUERY);
  assert.notStrictEqual(broken.status, 0, 'without their install scripts neither has a binding');
  assert.match(broken.stderr, /Could not locate the bindings file/);
  const e = env({ PREGYP_MIRROR: mirror('gh') });
  // Never "nothing to heal" while a binding fails to load.
  const dry = await runCli(['heal', '--dry-run'], { cwd: project, env: e });
  assert.strictEqual(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`would install sqlite3@6\\.0\\.1 \\(missing\\) from ${server.url}/gh/TryGhost/node-sqlite3/releases/download/v6\\.0\\.1/sqlite3-v6\\.0\\.1-napi-v6-`));
  assert.match(dry.stdout, new RegExp(`would install better-sqlite3@12\\.4\\.1 \\(missing\\) from ${server.url}/gh/WiseLibs/better-sqlite3/releases/download/v12\\.4\\.1/better-sqlite3-v12\\.4\\.1-node-v${ABI}-`));
  const before = server.requests.length;
  const t0 = Date.now();
  const r = await runCli(['heal'], { cwd: project, env: e });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  console.log(`# heal of sqlite3 + better-sqlite3: ${Date.now() - t0} ms\n${r.stdout}`);
  assert.match(r.stdout, /sqlite3@6\.0\.1\s+prebuild-install\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.match(r.stdout, /better-sqlite3@12\.4\.1\s+prebuild-install\s+missing\s+remote\s+\d+ms\s+healed/);
  const got = server.requests.slice(before).map((q) => q.url);
  assert.ok(got.includes(`/gh/TryGhost/node-sqlite3/releases/download/v6.0.1/${bins.sqlite3.file}.sha256`), 'the sidecar checksum was asked for');
  const q = node(project, QUERY);
  assert.strictEqual(q.stdout.trim(), '42 42', q.stderr);
  // From pregyp's cache the second time: no request.
  unheal(project);
  const seen = server.requests.length;
  const cached = await runCli(['heal'], { cwd: project, env: { ...e, PREGYP_CACHE: e.PREGYP_CACHE } });
  assert.strictEqual(cached.code, 0, cached.stderr);
  assert.match(cached.stdout, /sqlite3@6\.0\.1\s+prebuild-install\s+missing\s+cache\s+/);
  assert.strictEqual(server.requests.length, seen, 'nothing downloaded');
  const again = await runCli(['heal'], { cwd: project, env: e });
  assert.strictEqual(again.code, 0, again.stderr);
  assert.match(again.stdout, /nothing to heal: 2 native package\(s\) are installed and load/);
  assert.match(again.stdout, /sqlite3@6\.0\.1\s+prebuild-install\s+ok\s+-\s+0ms\s+loads, nothing to do/);
});

test('pregyp install in a prebuild-install package stands in for its blocked script', async () => {
  unheal(project);
  const dir = path.join(project, 'node_modules', 'better-sqlite3');
  // A dry run reports the URL it would fetch, or a build where --build-from-source says so.
  const plan = async (...args) => JSON.parse((await runCli(['install', '--dry-run', '--json', ...args], { cwd: dir, env: env({ PREGYP_MIRROR: mirror('gh') }) })).stdout);
  const remote = await plan();
  assert.strictEqual(remote.source, 'remote');
  assert.match(remote.url, /^https:\/\/127\.0\.0\.1:\d+\/gh\/WiseLibs\/better-sqlite3\/releases\/download\/v12\.4\.1\//);
  assert.deepStrictEqual([(await plan('--build-from-source')).source, (await plan('--build-from-source')).url], ['build', null]);
  const r = await runCli(['install'], { cwd: dir, env: env({ PREGYP_MIRROR: mirror('gh') }) });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[better-sqlite3\] Success: ".*better-sqlite3\/build\/Release\/better_sqlite3\.node" is installed via remote/);
  // The per-package form wins over PREGYP_MIRROR (here it points at the same files).
  fs.rmSync(path.join(dir, 'build'), { recursive: true });
  const asked = server.requests.length;
  const own = await runCli(['install'], { cwd: dir, env: env({ PREGYP_MIRROR: 'https://github.com/=https://127.0.0.1:1/nowhere/', npm_config_better_sqlite3_binary_host: `${server.url}/gh/WiseLibs/better-sqlite3/releases/download` }) });
  assert.strictEqual(own.code, 0, own.stderr);
  // Downloaded from the per-package host (not built, not from the mirror's dead address).
  assert.match(own.stdout, /\[better-sqlite3\] Success: ".*better_sqlite3\.node" is installed via remote/);
  assert.ok(server.requests.slice(asked).some((q) => q.url.startsWith('/gh/WiseLibs/better-sqlite3/releases/download/')), 'the per-package host was asked');
  const q = node(project, "console.log(new (require('better-sqlite3'))(':memory:').prepare('select 1 as x').get().x)");
  assert.strictEqual(q.stdout.trim(), '1', q.stderr);
  // sqlite3's package.json has a `binary` block, prebuild-install's ({napi_versions}) and
  // not node-pre-gyp's: still a prebuild-install package, `-r napi` read from its script.
  const sq = await runCli(['install'], { cwd: path.join(project, 'node_modules', 'sqlite3'), env: env({ PREGYP_MIRROR: mirror('gh') }) });
  assert.strictEqual(sq.code, 0, sq.stderr);
  assert.match(sq.stdout, /\[sqlite3\] Success: ".*sqlite3\/build\/Release\/node_sqlite3\.node" is installed via remote/);
  assert.strictEqual(node(project, QUERY).stdout.trim(), '42 42');
});

test('a token-protected host: the right token heals both, a wrong one is refused, the token is never shown', async () => {
  unheal(project);
  const auth = (token) => `//127.0.0.1:${server.port}/private/:_authToken=${token}`;
  const e = env({ PREGYP_MIRROR: mirror('private'), PREGYP_AUTH: auth(TOKEN) });
  const r = await runCli(['heal', '--loglevel=http'], { cwd: project, env: e });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /sqlite3@6\.0\.1\s+prebuild-install\s+missing\s+remote/);
  assert.strictEqual(node(project, QUERY).stdout.trim(), '42 42');
  assert.ok(!(r.stdout + r.stderr).includes(TOKEN), 'the token is never printed');
  // A wrong token: refused (the fallback of this package is not node-gyp, so nothing builds).
  const c = consumer({ 'pi-hello': piHello() });
  const bad = await runCli(['heal', '--verbose'], { cwd: c, env: env({ PREGYP_MIRROR: mirror('private'), PREGYP_AUTH: auth('wrong-token-0815') }) });
  assert.strictEqual(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /pi-hello@1\.0\.0\s+prebuild-install\s+missing\s+-\s+\d+ms\s+FAILED: access to https:\/\/127\.0\.0\.1:\d+\/private\/acme\/pi-hello\/\S+ was refused \(HTTP 401 Unauthorized\): the host refused the credentials of \/\/127\.0\.0\.1:\d+\/private\/ from PREGYP_AUTH entry 1/);
  assert.match(bad.stdout, /run: npm rebuild pi-hello/);
  assert.ok(!(bad.stdout + bad.stderr).includes('wrong-token-0815'), 'a wrong token is not printed either');
  // The right one, through a config file's npmrc-style line with ${VAR}.
  const rc = path.join(work, 'pregyprc');
  fs.writeFileSync(rc, `# private binaries\nmirror=${mirror('private')}\n//127.0.0.1:${server.port}/private/:_authToken=\${PRIVATE_TOKEN}\n`);
  const good = await runCli(['heal', '--verbose'], { cwd: c, env: env({ PREGYP_CONFIG: rc, PRIVATE_TOKEN: TOKEN }) });
  assert.strictEqual(good.code, 0, good.stdout + good.stderr);
  assert.strictEqual(node(c, "console.log(require('pi-hello').hello())").stdout.trim(), 'world');
  assert.ok(!(good.stdout + good.stderr).includes(TOKEN));
});

test("prebuild-install's token form: the release asset found through the GitHub API, fetched with the token", async () => {
  const c = consumer({ 'pi-tok': piHello('pi-tok') });
  const e = env({ 'prebuild-install_token': TOKEN, PREGYP_GITHUB_API: `${server.url}/api` });
  const seen = server.requests.length;
  const r = await runCli(['heal', '--verbose'], { cwd: c, env: e });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /pi-tok@1\.0\.0\s+prebuild-install\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.strictEqual(node(c, "console.log(require('pi-tok').hello())").stdout.trim(), 'world');
  const asked = server.requests.slice(seen).map((q) => q.url);
  assert.ok(asked.includes('/api/repos/acme/pi-tok/releases') && asked.includes('/api/repos/acme/pi-tok/releases/assets/4242'), asked.join(' '));
  assert.ok(!(r.stdout + r.stderr).includes(TOKEN), 'the token is never printed');
});

test('credentials never follow a redirect to another host', async () => {
  const c = consumer({ 'pi-redirect': piHello('pi-redirect') });
  const seen = other.requests.length;
  const asked = server.requests.length;
  const r = await runCli(['heal'], { cwd: c, env: env({ PREGYP_MIRROR: mirror('private'), PREGYP_AUTH: `//127.0.0.1:${server.port}/private/:_authToken=${TOKEN}` }) });
  assert.strictEqual(r.code, 1, 'the other host has no such file');
  const there = other.requests.slice(seen);
  assert.ok(there.length > 0, 'the redirect was followed');
  for (const q of there) assert.strictEqual(q.headers.authorization, undefined, `no credentials sent to ${q.url}`);
  const here = server.requests.slice(asked).filter((q) => q.url.startsWith('/private/acme/pi-redirect/'));
  assert.ok(here.length > 0 && here.every((q) => q.headers.authorization === `Bearer ${TOKEN}`), 'the private host got them, on this run');
});

test('a mirror that answers 404 names the URL tried and the setting behind it; malformed settings name their source', async () => {
  const c = consumer({ 'pi-hello': piHello() });
  const r = await runCli(['heal'], { cwd: c, env: env({ PREGYP_MIRROR: `https://example.org/=https://a/ https://github.com/=${server.url}/missing/` }) });
  assert.strictEqual(r.code, 1);
  assert.match(r.stdout, new RegExp(`FAILED: no prebuilt binary at ${server.url}/missing/acme/pi-hello/releases/download/v1\\.0\\.0/pi-hello-v1\\.0\\.0-node-v${ABI}-\\S+\\.tar\\.gz \\(HTTP 404 Not Found\\); the URL comes from PREGYP_MIRROR entry 2 \\(https://github\\.com/=${server.url}/missing/\\)`));
  assert.match(r.stdout, /its install script's fallback `npm run build` is not a node-gyp build, and pregyp runs no package scripts/);
  assert.match(r.stderr, /1 of 1 package\(s\) still have no working binding/);
  const bad = await runCli(['heal'], { cwd: c, env: env({ PREGYP_MIRROR: 'https://github.com/' }) });
  assert.strictEqual(bad.code, 1);
  assert.match(bad.stderr, /invalid setting in PREGYP_MIRROR entry 1: `https:\/\/github\.com\/` is not FROM=TO/);
  const rc = path.join(work, 'bad-pregyprc');
  fs.writeFileSync(rc, `mirror=${mirror('gh')}\n//127.0.0.1/x/:_authToken\n`);
  const badFile = await runCli(['heal'], { cwd: c, env: env({ PREGYP_CONFIG: rc }) });
  assert.strictEqual(badFile.code, 1);
  assert.match(badFile.stderr, new RegExp(`invalid setting in ${rc.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 2: expected`));
});

test("a prebuild-install download through a refused proxy names the proxy and the setting that chose it, as install's does", async () => {
  const c = consumer({ 'pi-hello': piHello() });
  const closed = await startServer({ routes: {} });
  const port = closed.port;
  await closed.close();
  const r = await runCli(['heal', '--fetch-retries=0'], { cwd: c, env: env({ PREGYP_MIRROR: mirror('gh'), HTTPS_PROXY: `http://127.0.0.1:${port}` }) });
  assert.strictEqual(r.code, 1, r.stdout);
  assert.match(r.stdout, new RegExp(`FAILED: .*through the proxy http://127\\.0\\.0\\.1:${port}/? set by HTTPS_PROXY`));
});

test('PREGYP_MIRROR rewrites a node-pre-gyp host too; its 404 names the entry; the package\'s own mirror setting wins', async () => {
  const c = consumer({ 'npg-far': npgHello('https://binaries.example/npg/', 'npg-far') });
  const miss = await runCli(['heal'], { cwd: c, env: env({ PREGYP_MIRROR: `https://binaries.example/=${server.url}/nothing-here/` }) });
  assert.strictEqual(miss.code, 1);
  assert.match(miss.stdout, new RegExp(`npg-far@1\\.0\\.0\\s+node-pre-gyp\\s+missing\\s+-\\s+\\d+ms\\s+FAILED: no prebuilt binary at ${server.url}/nothing-here/npg/hello-v1\\.0\\.0-node-v${ABI}-\\S+ \\(HTTP 404 Not Found\\); the URL comes from PREGYP_MIRROR entry 1`));
  // The module's own mirror variable chooses the host: PREGYP_MIRROR is not applied on top.
  const own = await runCli(['heal'], { cwd: c, env: env({ PREGYP_MIRROR: `${server.url}/npg/=${server.url}/nothing-here/`, npm_config_hello_binary_host_mirror: `${server.url}/npg/` }) });
  assert.strictEqual(own.code, 0, own.stdout + own.stderr);
  fs.rmSync(path.join(c, 'node_modules', 'npg-far', 'lib'), { recursive: true });
  const r = await runCli(['heal'], { cwd: c, env: env({ PREGYP_MIRROR: `https://binaries.example/=${server.url}/` }) });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /npg-far@1\.0\.0\s+node-pre-gyp\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.strictEqual(node(c, "console.log(require('npg-far').hello())").stdout.trim(), 'world');
});

test("no prebuilt binary for a prebuild-install package: heal builds it as the script's `|| node-gyp rebuild` (or `|| npm run build` of node-gyp) would", async () => {
  // A package whose fallback is node-gyp itself, and one whose fallback is the package
  // script that runs node-gyp (keytar's shape).
  const make = (name, scripts, repository = `https://github.com/acme/${name}`) => {
    const dir = path.join(work, 'src', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(__dirname, 'fixtures', 'hello-addon', 'src'), path.join(dir, 'src'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'hello', sources: ['src/hello.c'] }] }));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', repository, scripts }));
    fs.writeFileSync(path.join(dir, 'index.js'), "module.exports = require('./build/Release/hello.node');\n");
    sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
    return path.join(work, `${name}-1.0.0.tgz`);
  };
  const c = consumer({
    'pi-build': make('pi-build', { install: 'prebuild-install || node-gyp rebuild --release' }),
    'pi-script': make('pi-script', { install: 'prebuild-install || npm run build', build: 'node-gyp rebuild' }),
    // No `repository`: no URL to try, so the script would go straight to its fallback.
    'pi-norepo': make('pi-norepo', { install: 'prebuild-install || node-gyp rebuild' }, null),
  });
  const e = env({ PREGYP_MIRROR: mirror('gh') });
  const dry = await runCli(['heal', '--dry-run'], { cwd: c, env: e });
  assert.match(dry.stdout, /would install pi-script@1\.0\.0 \(missing\) from \S+ \(prebuild-install's rules\), else by building it with node-gyp \[prebuild-install\]/);
  assert.match(dry.stdout, /would install pi-norepo@1\.0\.0 \(missing\) from nowhere \(.*repository.*\) \(prebuild-install's rules\), else by building it with node-gyp \[prebuild-install\]/);
  const r = await runCli(['heal'], { cwd: c, env: e, timeout: 300_000 });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /pi-build@1\.0\.0\s+prebuild-install\s+missing\s+build\s+\d+ms\s+healed/);
  assert.match(r.stdout, /pi-script@1\.0\.0\s+prebuild-install\s+missing\s+build\s+\d+ms\s+healed/);
  assert.match(r.stderr, /pi-build: no prebuilt binary at https:\/\/127\.0\.0\.1:\d+\/gh\/acme\/pi-build\/releases\/download\/v1\.0\.0\/pi-build-v1\.0\.0-node-v\d+-\S+ \(HTTP 404 Not Found\); the URL comes from PREGYP_MIRROR entry 1 .*; building from source with node-gyp, as its install script's `\|\| node-gyp rebuild --release` would/);
  assert.match(r.stderr, /pi-script: .*; building from source with node-gyp, as its install script's `\|\| npm run build` would/);
  assert.match(r.stdout, /pi-norepo@1\.0\.0\s+prebuild-install\s+missing\s+build\s+\d+ms\s+healed/);
  for (const name of ['pi-build', 'pi-script', 'pi-norepo']) assert.strictEqual(node(c, `console.log(require('${name}').hello())`).stdout.trim(), 'world');
});

test('`prebuild-install -r napi || prebuild-install || <script>`: heal tries each prebuild-install in turn, as the script would', async () => {
  const c = consumer({ 'pi-chain': piHello('pi-chain', 'prebuild-install --runtime napi || prebuild-install || npm run build') });
  const e = env({ PREGYP_MIRROR: mirror('gh') });
  const napiUrl = /https:\/\/127\.0\.0\.1:\d+\/gh\/acme\/pi-chain\/releases\/download\/v1\.0\.0\/pi-chain-v1\.0\.0-napi-v\S+\.tar\.gz/;
  const dry = await runCli(['heal', '--dry-run'], { cwd: c, env: e });
  assert.strictEqual(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`would install pi-chain@1\\.0\\.0 \\(missing\\) from ${napiUrl.source}, else from \\S+/pi-chain-v1\\.0\\.0-node-v${ABI}-\\S+\\.tar\\.gz \\(prebuild-install's rules\\), else nothing: its install script's fallback \`npm run build\` is not a node-gyp build, and pregyp runs no package scripts \\[prebuild-install\\]`));
  const r = await runCli(['heal'], { cwd: c, env: e });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /pi-chain@1\.0\.0\s+prebuild-install\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.match(r.stderr, /pi-chain: no prebuilt binary at \S+\/pi-chain-v1\.0\.0-napi-\S+ \(HTTP 404 Not Found\).*; trying its install script's next prebuild-install/);
  assert.strictEqual(node(c, "console.log(require('pi-chain').hello())").stdout.trim(), 'world');
});

test('an explicit `node-gyp rebuild` script is healed by a build, an optional one may fail; a package with a script of its own is named only when its binding does not load', async () => {
  const pack = (name, scripts, { index = "module.exports = require('./build/Release/hello.node');\n", source = 'src/hello.c' } = {}) => {
    const dir = path.join(work, 'src', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(__dirname, 'fixtures', 'hello-addon', 'src'), path.join(dir, 'src'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'hello', sources: [source] }] }));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', scripts }));
    fs.writeFileSync(path.join(dir, 'index.js'), index);
    fs.writeFileSync(path.join(dir, 'install.js'), "require('fs').writeFileSync(__dirname + '/install-ran', '');\n");
    sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
    return path.join(work, `${name}-1.0.0.tgz`);
  };
  const c = consumer({
    'gyp-explicit': pack('gyp-explicit', { install: 'node-gyp rebuild', postinstall: 'node -e "console.log(1)"' }),
    // Its build cannot succeed, and its script says that is fine: it works without it.
    'gyp-optional': pack('gyp-optional', { install: '(node-gyp rebuild 2> builderror.log) || (exit 0)' }, { index: "try { module.exports = require('./build/Release/hello.node'); } catch { module.exports = { hello: () => 'js' }; }\n", source: 'src/missing.c' }),
    'own-loads': pack('own-loads', { install: 'node install.js' }, { index: 'module.exports = 1;\n' }),
    // Its main cannot be required on its own, for a reason that says nothing of its binding.
    'own-cli': pack('own-cli', { install: 'node install.js' }, { index: "throw new Error('usage: own-cli <file>');\n" }),
    'own-broken': pack('own-broken', { install: 'node install.js' }),
  });
  const plan = JSON.parse((await runCli(['heal', '--dry-run', '--json'], { cwd: c, env: env() })).stdout);
  assert.deepStrictEqual(plan.would_install.map((p) => p.name).sort(), ['gyp-explicit', 'gyp-optional']);
  assert.deepStrictEqual(plan.left_alone, ['own-broken'], JSON.stringify(plan));
  // Neither the optional build nor the package left alone fails heal: it did not try the
  // one, and the other's own script would have succeeded as well.
  const r = await runCli(['heal', '--json'], { cwd: c, env: env(), timeout: 300_000 });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const done = JSON.parse(r.stdout);
  assert.deepStrictEqual(done.left_alone, ['own-broken']);
  const row = (n) => done.healed.find((p) => p.name === `${n}@1.0.0`);
  assert.strictEqual(row('gyp-explicit').ok, true);
  assert.strictEqual(row('gyp-optional').ok, false, 'an optional build that failed is no success');
  assert.match(row('gyp-optional').error, /node-gyp/);
  assert.match(r.stderr, /gyp-explicit, gyp-optional: install script\(s\) did not run .*; heal mends them without running their scripts \(a verified download where there is one, else a node-gyp build\)/);
  assert.match(r.stderr, /gyp-optional: its optional build failed \(.*\); its install script lets that happen, and the package works without it/);
  assert.match(r.stderr, /own-broken: does not load \(.*hello\.node.*\); it has an install script of its own, which heal does not run: npm rebuild own-broken/);
  assert.doesNotMatch(r.stderr, /own-loads|own-cli/);
  const again = await runCli(['heal'], { cwd: c, env: env(), timeout: 300_000 });
  assert.strictEqual(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /gyp-optional@1\.0\.0\s+binding\.gyp\s+missing\s+-\s+\d+ms\s+optional build failed; loads without it/);
  assert.match(again.stdout, /^left alone, with a binding that does not load: own-broken \(npm rebuild own-broken\)$/m);
  for (const p of ['own-loads', 'own-cli', 'own-broken']) assert.ok(!fs.existsSync(path.join(c, 'node_modules', p, 'install-ran')), `heal ran no script of ${p}`);
  assert.strictEqual(node(c, "console.log(require('gyp-explicit').hello())").stdout.trim(), 'world');
  assert.strictEqual(node(c, "console.log(require('gyp-optional').hello())").stdout.trim(), 'js');
});

test("a node-pre-gyp package with no binary on its host is built, as its blocked `install --fallback-to-build` would; --fallback-to-build=false says no", async () => {
  const dir = path.join(work, 'src', 'npg-build');
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(__dirname, 'fixtures', 'hello-addon', 'src'), path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'hello', sources: ['src/hello.c'] }, { target_name: 'action_after_build', type: 'none', dependencies: ['hello'], copies: [{ files: ['<(PRODUCT_DIR)/hello.node'], destination: '<(module_path)' }] }] }));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'npg-build', version: '1.0.0', main: 'index.js', scripts: { install: 'node-pre-gyp install --fallback-to-build' }, binary: { module_name: 'hello', module_path: './lib/binding/{node_abi}', host: `${server.url}/nothing-here/` } }));
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = require('./lib/binding/node-v${ABI}/hello.node');\n`);
  sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir });
  const c = consumer({ 'npg-build': path.join(work, 'npg-build-1.0.0.tgz') });
  const dry = await runCli(['heal', '--dry-run'], { cwd: c, env: env() });
  assert.match(dry.stdout, /would install npg-build@1\.0\.0 \(missing\) from https:\/\/127\.0\.0\.1:\d+\/nothing-here\/\S+, else by building it with node-gyp \[node-pre-gyp\]/);
  const no = await runCli(['heal', '--fallback-to-build=false'], { cwd: c, env: env() });
  assert.strictEqual(no.code, 1, no.stdout + no.stderr);
  assert.match(no.stdout, /npg-build@1\.0\.0\s+node-pre-gyp\s+missing\s+-\s+\d+ms\s+FAILED: no prebuilt binary at .*\(HTTP 404/);
  const r = await runCli(['heal'], { cwd: c, env: env(), timeout: 300_000 });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /npg-build@1\.0\.0\s+node-pre-gyp\s+missing\s+build\s+\d+ms\s+healed/);
  assert.strictEqual(node(c, "console.log(require('npg-build').hello())").stdout.trim(), 'world');
});

test('a node-gyp-build package whose prebuilds/ lacks this platform is built on heal', async () => {
  const c = consumer({ 'ngb-hello': ngbHello() });
  assert.notStrictEqual(node(c, "require('ngb-hello')").status, 0);
  const r = await runCli(['heal'], { cwd: c, env: env(), timeout: 300_000 });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ngb-hello@1\.0\.0\s+node-gyp-build\s+missing\s+build\s+\d+ms\s+healed/);
  assert.strictEqual(node(c, "console.log(require('ngb-hello').hello())").stdout.trim(), 'world');
});

test('a mixed project (node-pre-gyp, prebuild-install, node-gyp-build, platform package): one heal, one table', async () => {
  const c = consumer({ 'npg-hello': npgHello(), 'pi-hello': piHello(), 'ngb-hello': ngbHello() });
  ppHello(path.join(c, 'node_modules'));
  const e = env({ PREGYP_MIRROR: mirror('gh') });
  const dry = await runCli(['heal', '--dry-run'], { cwd: c, env: e });
  assert.strictEqual(dry.code, 0, dry.stderr);
  console.log(`# mixed project, before (heal --dry-run):\n${dry.stdout}`);
  assert.match(dry.stdout, /would install npg-hello@1\.0\.0 \(missing\) from https:\/\/127\.0\.0\.1:\d+\/npg\/.* \[node-pre-gyp\]/);
  assert.match(dry.stdout, /would install pi-hello@1\.0\.0 \(missing\) from https:\/\/127\.0\.0\.1:\d+\/gh\/acme\/pi-hello\/.* \[prebuild-install\]/);
  assert.match(dry.stdout, /would install ngb-hello@1\.0\.0 \(missing\) by building it with node-gyp rebuild \[node-gyp-build\]/);
  const plan = JSON.parse((await runCli(['heal', '--dry-run', '--json'], { cwd: c, env: e })).stdout);
  assert.deepStrictEqual(plan.would_install.map((p) => [p.name, p.kind, p.state]).sort(), [['ngb-hello', 'node-gyp-build', 'missing'], ['npg-hello', 'node-pre-gyp', 'missing'], ['pi-hello', 'prebuild-install', 'missing']]);
  const r = await runCli(['heal'], { cwd: c, env: e, timeout: 300_000 });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  console.log(`# mixed project, heal:\n${r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^package\s+kind\s+was\s+source\s+time\s+result$/);
  assert.match(r.stdout, /npg-hello@1\.0\.0\s+node-pre-gyp\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.match(r.stdout, /pi-hello@1\.0\.0\s+prebuild-install\s+missing\s+remote\s+\d+ms\s+healed/);
  assert.match(r.stdout, /ngb-hello@1\.0\.0\s+node-gyp-build\s+missing\s+build\s+\d+ms\s+healed/);
  assert.match(r.stdout, /pp-hello@1\.0\.0\s+node-pre-gyp\s+ok\s+-\s+0ms\s+loads, nothing to do/);
  assert.strictEqual(lines.length, 5, 'one table: a header and one row per package');
  for (const p of ['npg-hello', 'pi-hello', 'ngb-hello']) assert.strictEqual(node(c, `console.log(require('${p}').hello())`).stdout.trim(), 'world', p);
  const after = await runCli(['heal'], { cwd: c, env: e });
  console.log(`# mixed project, after (heal again):\n${after.stdout}`);
  assert.match(after.stdout, /nothing to heal: 4 native package\(s\) are installed and load/);
});

// prebuild-install's own util.getDownloadUrl (with its rc.js) against pregyp's URL for the
// same package.json, install script and environment.
test("prebuild-install 7.1.3's URL rules, checked against its own util.getDownloadUrl", async () => {
  const pi = prebuildInstall();
  const cases = [
    { name: 'napi', pkg: { name: 'sqlite3', version: '6.0.1', repository: { type: 'git', url: 'https://github.com/TryGhost/node-sqlite3.git' }, binary: { napi_versions: [3, 6] } }, args: '-r napi' },
    { name: 'napi, none supported', pkg: { name: 'napi-none', version: '1.0.0', repository: 'github:acme/x', homepage: 'https://github.com/acme/napi-none#readme', binary: { napi_versions: [999] } }, args: '-r napi' },
    { name: 'node abi, git:// repository', pkg: { name: 'better-sqlite3', version: '12.4.1', repository: { type: 'git', url: 'git://github.com/WiseLibs/better-sqlite3.git' } }, args: '' },
    { name: 'scope and tag prefix', pkg: { name: '@acme/scoped-thing', version: '2.0.0-beta.1', repository: 'git+ssh://git@github.com/acme/scoped-thing.git' }, args: '--tag-prefix rel-' },
    { name: 'download template', pkg: { name: 'tpl', version: '1.2.3+build.7', repository: 'https://github.com/a/tpl', binary: { module_name: 'tplmod' } }, args: '', env: { npm_config_download: 'https://dl.example/{name}/{major}.{minor}.{patch}/{prerelease}/{build}/{abi}/{runtime}/{configuration}/{module_name}/{tag_prefix}{platform}{libc}-{arch}.tgz' } },
    { name: '--download on the command line', pkg: { name: 'tpl2', version: '1.0.0', repository: 'https://github.com/a/tpl2' }, args: '-d https://cli.example/{name}-{version}.tgz' },
    { name: 'binary_host', pkg: { name: 'host-me', version: '1.0.0', repository: 'https://github.com/a/b' }, args: '', env: { npm_config_host_me_binary_host: 'https://mirror.example/host-me' } },
    { name: 'binary_host_mirror', pkg: { name: '@sc/mir-ror', version: '3.1.4', repository: 'https://github.com/a/b' }, args: '-r napi', env: { npm_config_sc_mir_ror_binary_host_mirror: 'https://m.example/x/' } },
    { name: 'binary.host + remote_path + package_name', pkg: { name: 'hosted', version: '1.0.0', binary: { host: 'https://bin.example/', remote_path: './v{version}/', package_name: '{name}-{platform}-{arch}-{abi}.tar.gz' } }, args: '' },
    { name: 'binary.host alone', pkg: { name: 'hosted2', version: '1.0.0', binary: { host: 'https://bin.example/base/' } }, args: '-r napi' },
    { name: 'musl', pkg: { name: 'muslish', version: '1.0.0', repository: 'https://github.com/a/muslish' }, args: '', env: { LIBC: 'musl' } },
    { name: 'glibc named', pkg: { name: 'glibcish', version: '1.0.0', repository: 'https://github.com/a/glibcish' }, args: '', env: { npm_config_libc: 'glibc' } },
    { name: 'arch and platform', pkg: { name: 'cross', version: '1.0.0', repository: 'https://github.com/a/cross' }, args: '--arch arm64 --platform linux', env: { LIBC: 'musl' } },
    { name: 'rc environment', pkg: { name: 'rcenv', version: '1.0.0', repository: 'https://github.com/a/rcenv' }, args: '', env: { 'prebuild-install_tag-prefix': 'release-' } },
  ];
  const checked = [];
  for (const k of cases) {
    const dir = tmpdir('pregyp-pi-rule-');
    const pdir = path.join(dir, 'node_modules', k.pkg.name);
    fs.mkdirSync(pdir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'c', version: '1.0.0', private: true }));
    const pkg = { ...k.pkg, scripts: { install: `prebuild-install ${k.args} || node-gyp rebuild`.replace('  ', ' ') } };
    fs.writeFileSync(path.join(pdir, 'package.json'), JSON.stringify(pkg));
    const argv = k.args.split(' ').filter(Boolean);
    const script = `process.argv = [process.argv[0], 'prebuild-install', ...${JSON.stringify(argv)}];
      const pkg = require('./package.json');
      const rc = require(${JSON.stringify(path.join(pi, 'rc.js'))})(pkg);
      console.log(require(${JSON.stringify(path.join(pi, 'util.js'))}).getDownloadUrl(Object.assign({}, rc, { pkg })));`;
    const theirs = spawnSync(process.execPath, ['-e', script], { cwd: pdir, encoding: 'utf8', env: { ...cleanEnv(), HOME: work, ...(k.env || {}) } });
    assert.strictEqual(theirs.status, 0, theirs.stderr);
    const ours = await runCli(['heal', '--dry-run'], { cwd: dir, env: { HOME: work, ...(k.env || {}) } });
    assert.strictEqual(ours.code, 0, ours.stderr);
    const m = / from (\S+) \(prebuild-install's rules/.exec(ours.stdout);
    assert.ok(m, `${k.name}: ${ours.stdout}`);
    assert.strictEqual(m[1], theirs.stdout.trim(), k.name);
    checked.push(`${k.name}: ${m[1]}`);
  }
  console.log(`# checked against prebuild-install 7.1.3's util.getDownloadUrl:\n${checked.join('\n')}`);
});
