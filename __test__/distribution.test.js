'use strict';
// Distribution through a real npm registry on 127.0.0.1 (verdaccio, installed and
// started by the test itself), with npm, pnpm 10 and yarn 1 as users run them:
//
// - pregyp's own packages (scripts/platforms.js): the root (JS shim and wasm find() core),
//   @pregyp/<triple> (the find() core) and @pregyp/full-<triple> (the commands) for this
//   platform, @pregyp/cli, plus package.json-only stand-ins for the other platforms,
//   published and installed from the registry.
// - The example addon (examples/hello, Node-API v3 and v8) as an author publishes it
//   with platform packages: `pregyp package` -> `platform-package --from` (the staged
//   tarballs, as a CI matrix gathers them) -> `optional-deps --write` (which drops the
//   install script and sets gypfile: false) -> `npm publish` of the platform package,
//   then of the root. Fresh consumers install it with scripts on and off; the binary host
//   (a real HTTP server on 127.0.0.1) must see no request, except with optional
//   dependencies omitted and PREGYP_INSTALL_ON_FIND=1, where load() downloads from it on
//   first use. Without that, load() explains.
//
// pnpm and yarn come from the public registry through the local one's uplink (npx);
// when that is unreachable their tests are skipped with the reason.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { tmpdir, cleanEnv, CLI } = require('./helpers/run');
const { startRegistry } = require('./helpers/registry');
const { startServer } = require('./helpers/servers');
const { stageLocal } = require('../scripts/pack-local');

const ROOT = path.join(__dirname, '..');
const VERSION = require('../package.json').version;
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const HERE = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
const PLATFORM_PKG = `@pregyp-example/hello-${HERE}`;
let registry;
let host;
let work;
let triple;
const stagedHosted = {};
const hostRoutes = {};

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...opts, env: { ...cleanEnv(), ...(opts.env || {}) } });
  return { ...r, out: `${r.stdout || ''}\n${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

// For installs that talk to the host: it runs in this process, so the event loop must
// stay free while the package manager works.
function shAsync(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, env: { ...cleanEnv(), ...(opts.env || {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, out: `${stdout}\n${stderr}` });
    });
  });
}

function must(r, what) {
  assert.strictEqual(r.status, 0, `${what} failed:\n${r.out}`);
  return r;
}

before(async () => {
  work = tmpdir('pregyp-dist-');
  host = await startServer({ routes: hostRoutes });
  registry = await startRegistry();

  // pregyp itself.
  const staged = stageLocal(path.join(work, 'pregyp-packages'));
  triple = staged.triple;
  for (const dir of [staged.platform, ...Object.values(staged.others)]) registry.publish(dir);
  registry.publish(staged.root);

  // The example addon, as its author publishes it: built, packaged, platform package from
  // the staged tarballs, optionalDependencies written, then published.
  const hello = path.join(work, 'hello');
  fs.cpSync(path.join(ROOT, 'examples', 'hello'), hello, { recursive: true, filter: (p) => !/[\\/](build|lib|node_modules)$/.test(p) });
  const pkgFile = path.join(hello, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.binary.host = `${host.url}/`;
  pkg.binary.platform_packages = { ...pkg.binary.platform_packages, targets: [HERE] };
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const pregyp = (args, cwd = hello) => must(sh(process.execPath, [CLI, ...args], { cwd }), `pregyp ${args.join(' ')}`);
  // `package`, and the host serves what `publish` would upload: each tarball and its .sha256.
  const packageAndHost = (cwd) => {
    const packaged = pregyp(['package', '--json'], cwd).stdout.trim().split('\n').map((l) => JSON.parse(l)).flat();
    for (const json of pregyp(['reveal', 'hosted_tarball', '--json'], cwd).stdout.trim().split('\n')) {
      const url = new URL(JSON.parse(json));
      const t = packaged.find((p) => url.pathname.endsWith(`/${path.basename(p.tarball)}`));
      stagedHosted[url.pathname] = { body: fs.readFileSync(t.tarball) };
      stagedHosted[`${url.pathname}.sha256`] = { body: `${t.sha256}  ${path.basename(t.tarball)}\n` };
    }
  };
  pregyp(['rebuild', '--loglevel=warn']);
  packageAndHost(hello);
  // A CI matrix's artifacts: each job uploads build/stage; one job gathers them.
  const artifacts = path.join(work, 'artifacts', `job-${HERE}`);
  fs.cpSync(path.join(hello, 'build', 'stage'), artifacts, { recursive: true });
  pregyp(['platform-package', '--from', path.join(work, 'artifacts')]);
  pregyp(['optional-deps', '--write']);
  const platformDir = path.join(hello, 'build', 'npm', ...PLATFORM_PKG.split('/'));
  assert.ok(fs.existsSync(path.join(platformDir, 'lib', 'binding', 'napi-v3', 'hello.node')));
  assert.ok(fs.existsSync(path.join(platformDir, 'lib', 'binding', 'napi-v8', 'hello.node')));
  registry.publish(platformDir);
  registry.publish(hello);

  // 1.0.2: the same addon not moved over (its `node-pre-gyp install --fallback-to-build`
  // script kept, no platform package), its tarballs on the host.
  const old = path.join(work, 'hello-old');
  fs.cpSync(path.join(ROOT, 'examples', 'hello'), old, { recursive: true, filter: (p) => !/[\\/](build|lib|node_modules)$/.test(p) });
  fs.cpSync(path.join(hello, 'lib'), path.join(old, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(old, 'package.json'), JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(old, 'package.json'), 'utf8')), version: '1.0.2', binary: { ...pkg.binary, platform_packages: undefined } }, null, 2));
  packageAndHost(old);
  fs.rmSync(path.join(old, 'lib'), { recursive: true, force: true });
  registry.publish(old);
});

after(() => {
  if (registry) registry.stop();
  if (host) host.close();
});

// The host's routes are looked up per request, so they can be armed after the fact.
function serveTarballs(on) {
  for (const k of Object.keys(hostRoutes)) delete hostRoutes[k];
  if (on) Object.assign(hostRoutes, stagedHosted);
}

const MANAGERS = {
  npm: (args) => ['npm', ['install', '--no-audit', '--no-fund', ...args]],
  pnpm: (args) => ['npx', ['--yes', 'pnpm@10', 'install', ...args]],
  yarn: (args) => ['npx', ['--yes', 'yarn@1', 'install', '--non-interactive', `--registry=${registry.url}`, ...args]],
};

function consumer(pm, dependencies, args = [], { async = false } = {}) {
  const dir = tmpdir(`pregyp-consumer-${pm}-`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'consumer', version: '1.0.0', private: true,
    scripts: { pregyp: 'pregyp' },
    dependencies,
  }, null, 2));
  registry.writeNpmrc(dir);
  const [cmd, a] = MANAGERS[pm](args);
  const env = { YARN_CACHE_FOLDER: path.join(dir, '.yarn-cache'), PREGYP_CACHE: path.join(dir, '.pregyp-cache') };
  if (async) return shAsync(cmd, a, { cwd: dir, env }).then((r) => ({ dir, r, env }));
  const r = sh(cmd, a, { cwd: dir, env });
  return { dir, r, env };
}

// pnpm and yarn come through the registry's uplink (npx); when they cannot be obtained
// the test is skipped with the reason. Asked once each, before any install.
const availability = {};
function unavailable(pm) {
  if (pm === 'npm') return null;
  if (!(pm in availability)) {
    const dir = tmpdir(`pregyp-${pm}-probe-`);
    registry.writeNpmrc(dir);
    const r = sh('npx', ['--yes', pm === 'pnpm' ? 'pnpm@10' : 'yarn@1', '--version'], { cwd: dir });
    availability[pm] = r.status === 0 ? null : `${pm} could not be obtained through the registry: ${r.out.trim().split('\n').pop()}`;
  }
  return availability[pm];
}

const callHello = (dir, env = {}) => sh(process.execPath, ['-e', "console.log(require('pregyp-example-hello').greet('registry'))"], { cwd: dir, env });

for (const [pm, args, label] of [
  ['npm', ['--foreground-scripts'], 'npm (default settings)'],
  ['npm', ['--ignore-scripts'], 'npm --ignore-scripts'],
  ['pnpm', [], 'pnpm 10 (dependency scripts blocked by default)'],
  ['yarn', ['--ignore-scripts'], 'yarn 1 --ignore-scripts'],
]) {
  test(`example addon from the registry with ${label}: loads from the platform package, zero host requests`, (t) => {
    const why = unavailable(pm);
    if (why) return t.skip(why);
    const before = host.requests.length;
    const { dir, r } = consumer(pm, { 'pregyp-example-hello': '1.0.0' }, args);
    must(r, `${pm} install`);
    if (pm === 'npm' && !args.includes('--ignore-scripts')) {
      // `optional-deps --write` removed the install script and set gypfile: false: npm
      // has no script to run or report (npm 11 names every uncovered one).
      assert.doesNotMatch(r.out, /install-scripts|node-gyp rebuild|node-pre-gyp install/, r.out);
    }
    const call = callHello(dir);
    assert.strictEqual(call.stdout.trim(), 'hello, registry (Node-API v8)', call.out);
    // The binding is the platform package's: nothing in the example's module_path.
    const where = sh(process.execPath, ['-e', "const fs=require('fs'),path=require('path');const d=fs.realpathSync(path.dirname(require.resolve('pregyp-example-hello/package.json')));console.log(require(require.resolve('pregyp',{paths:[d]})).find(d+'/package.json'))"], { cwd: dir });
    assert.match(where.stdout.trim(), new RegExp(`${PLATFORM_PKG.replace('/', '[\\\\/]')}[\\\\/]lib[\\\\/]binding[\\\\/]napi-v8[\\\\/]hello\\.node$`), where.out);
    if (pm === 'npm' && args.includes('--ignore-scripts')) {
      // heal finds nothing to do: the platform package provides a binding that loads.
      const heal = sh('npx', ['--no-install', 'pregyp', 'heal'], { cwd: dir });
      assert.strictEqual(heal.status, 0, heal.out);
      assert.match(heal.stdout, /nothing to heal: 1 native package\(s\) are installed and load/);
    }
    assert.strictEqual(host.requests.length, before, `the binary host got requests: ${JSON.stringify(host.requests.slice(before))}`);
  });
}

test('npm --omit=optional: load() with PREGYP_INSTALL_ON_FIND=1 downloads from the host on first use (there is no install script)', async () => {
  serveTarballs(true);
  try {
    const before = host.requests.length;
    const { dir, r } = await consumer('npm', { 'pregyp-example-hello': '1.0.0' }, ['--omit=optional', '--foreground-scripts'], { async: true });
    must(r, 'npm install --omit=optional');
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules', ...PLATFORM_PKG.split('/'))), 'no platform package');
    assert.strictEqual(host.requests.length, before, 'nothing downloaded at install time');
    const call = await shAsync(process.execPath, ['-e', "console.log(require('pregyp-example-hello').greet('registry'))"], { cwd: dir, env: { PREGYP_INSTALL_ON_FIND: '1' } });
    assert.strictEqual(call.stdout.trim(), 'hello, registry (Node-API v8)', call.out);
    // pregyp's commands are no consumer's dependency: fetched once, on this first use.
    assert.match(call.stderr, new RegExp(`pregyp: fetched @pregyp/full-${triple}@${VERSION} -> `));
    assert.ok(host.requests.slice(before).some((q) => /napi-v8-.*\.tar\.gz$/.test(q.url)), 'downloaded from the host');
    assert.ok(fs.existsSync(path.join(dir, 'node_modules', 'pregyp-example-hello', 'lib', 'binding', 'napi-v8', 'hello.node')));
    assert.strictEqual(callHello(dir).stdout.trim(), 'hello, registry (Node-API v8)');
  } finally {
    serveTarballs(false);
  }
});

test('npm --omit=optional --ignore-scripts: load() explains what is missing and the fix', () => {
  const { dir, r } = consumer('npm', { 'pregyp-example-hello': '1.0.0' }, ['--omit=optional', '--ignore-scripts']);
  must(r, 'npm install');
  const call = callHello(dir);
  assert.notStrictEqual(call.status, 0);
  assert.match(call.stderr, /pregyp-example-hello@1\.0\.0: native binding not found at .*node_modules\/pregyp-example-hello\/lib\/binding\/napi-v8\/hello\.node/);
  assert.match(call.stderr, new RegExp(`platform package: ${PLATFORM_PKG} is not installed`));
  assert.match(call.stderr, /likely cause: optional dependencies were left out \(npm --omit=optional/);
  // No install script (optional-deps --write removed it): none was blocked, so none is named.
  assert.match(call.stderr, /and the package has no install script \(it relies on platform packages\), so nothing downloads or builds the binding at install time/);
  assert.doesNotMatch(call.stderr, /install script: npm blocks/);
  assert.match(call.stderr, /fix: reinstall with optional dependencies \(npm install --include=optional\), or: npx pregyp heal/);
});

for (const pm of ['npm', 'pnpm', 'yarn']) {
  test(`npx pregyp --version from a fresh ${pm} project with @pregyp/cli loads @pregyp/full-<triple> from it`, (t) => {
    const why = unavailable(pm);
    if (why) return t.skip(why);
    const { dir, r } = consumer(pm, { pregyp: VERSION, '@pregyp/cli': VERSION }, pm === 'yarn' ? ['--ignore-scripts'] : []);
    must(r, `${pm} install`);
    const exec = pm === 'npm' ? ['npx', ['--no-install', 'pregyp', '--version']] : pm === 'pnpm' ? ['npx', ['--yes', 'pnpm@10', 'exec', 'pregyp', '--version']] : ['npx', ['--yes', 'yarn@1', 'run', '--silent', 'pregyp', '--version']];
    const v = sh(exec[0], exec[1], { cwd: dir });
    assert.strictEqual(v.stdout.trim().split('\n').pop(), `v${VERSION}`, v.out);
    assert.doesNotMatch(v.stderr, /fetch/, 'nothing fetched: @pregyp/cli brought the commands');
    // The full tool came from @pregyp/full-<triple>, not from a file next to index.js (pnpm
    // keeps it beside @pregyp/cli, not beside pregyp).
    const probe = sh(process.execPath, ['-e', `
      const path = require('path'), fs = require('fs');
      const dir = path.dirname(require.resolve('pregyp/package.json'));
      const real = fs.realpathSync(dir);
      const cli = path.dirname(require.resolve('@pregyp/cli/package.json'));
      const platform = require.resolve('@pregyp/full-${triple}/package.json', { paths: [real, cli] });
      require('pregyp').binding();
      console.log(JSON.stringify({ local: fs.existsSync(path.join(real, 'pregyp.${triple}.node')), platform }));`], { cwd: dir });
    assert.strictEqual(probe.status, 0, probe.out);
    const res = JSON.parse(probe.stdout);
    assert.strictEqual(res.local, false);
    assert.match(res.platform, new RegExp(`@pregyp[\\\\/]full-${triple}[\\\\/]package\\.json$`));
  });
}

test('installed under the old name (npm alias), find() keeps the reference contract', () => {
  const { dir, r } = consumer('npm', { '@mapbox/node-pre-gyp': `npm:pregyp@${VERSION}` });
  must(r, 'npm install');
  fs.writeFileSync(path.join(dir, 'pkg.json'), JSON.stringify({ name: 'x', version: '1.0.0', main: 'i.js', binary: { module_name: 'm', module_path: 'lib/{configuration}', host: 'https://h/' } }));
  const script = "const f = require('@mapbox/node-pre-gyp').find; const p = require('path').resolve('pkg.json'); for (const o of [{ debug: true }, undefined]) { const r = f(p, o); console.log(r, require('fs').existsSync(r)); }";
  const s = sh(process.execPath, ['-e', script], { cwd: dir });
  const real = fs.realpathSync(dir);
  assert.strictEqual(s.stdout.trim(), `${real}/lib/Debug/m.node false\n${real}/lib/Release/m.node false`, s.out);
  const bin = sh('npx', ['--no-install', 'node-pre-gyp', '--version'], { cwd: dir });
  assert.strictEqual(bin.stdout.trim(), `v${VERSION}`);
  // Scripts that run the reference's bin by its path: executed, and through node.
  const byPath = path.join(dir, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  for (const [cmd, args] of [[byPath, ['--version']], [process.execPath, [byPath, '--version']]]) {
    const r = sh(cmd, args, { cwd: dir });
    assert.strictEqual(r.stdout.trim(), `v${VERSION}`, r.out);
  }
  // A find() re-implemented by a tool, through node-pre-gyp's helpers under the old name.
  const tool = "const versioning = require('@mapbox/node-pre-gyp/lib/util/versioning.js'); const napi = require('@mapbox/node-pre-gyp/lib/util/napi.js'); const pkg = require('./pkg.json'); const opts = { module_root: process.cwd() }; console.log(versioning.evaluate(pkg, opts, napi.get_best_napi_build_version(pkg, opts)).module);";
  const t = sh(process.execPath, ['-e', tool], { cwd: dir });
  assert.strictEqual(t.stdout.trim(), `${real}/lib/Release/m.node`, t.out);
});

test("pregyp's loader explains clearly when no binary of the commands fits", () => {
  const dir = tmpdir('pregyp-nobin-');
  const packed = sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
  must(packed, 'npm pack');
  sh('tar', ['xzf', path.join(dir, JSON.parse(packed.stdout)[0].filename), '-C', dir]);
  // find()/load() work from the root package alone (wasm); the commands need @pregyp/full-<triple>.
  const r = sh(process.execPath, ['-e', "const p = require('./package'); console.log(typeof p.find); p.binding()"], { cwd: dir, env: { PREGYP_FETCH_SELF: '0' } });
  assert.notStrictEqual(r.status, 0);
  assert.strictEqual(r.stdout.trim(), 'function');
  assert.match(r.stderr, new RegExp(`pregyp has no native binary for ${process.platform}-${process.arch} \\(Node v[\\d.]+\\)\\. Tried:`));
  assert.match(r.stderr, new RegExp(`@pregyp/full-${triple}: not installed`));
  assert.match(r.stderr, new RegExp(`Fetching @pregyp/full-${triple}@${VERSION} on first use failed: PREGYP_FETCH_SELF=0 turns fetching it off`));
  assert.match(r.stderr, new RegExp(`npm install --save-dev @pregyp/cli@${VERSION}`));
  assert.match(r.stderr, new RegExp(`npm pack @pregyp/full-${triple}@${VERSION}, then put package/pregyp\\.${triple}\\.node from that tarball next to `));
});

test('pregyp has no install script: installing it adds nothing to npm\'s blocked-script list', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const s of ['preinstall', 'install', 'postinstall']) assert.strictEqual(manifest.scripts[s], undefined, s);
  const { dir, r } = consumer('npm', { pregyp: VERSION }, ['--foreground-scripts']);
  must(r, 'npm install');
  // npm 11 names every dependency script no allowScripts entry covers (npm 12 blocks them).
  assert.doesNotMatch(r.out, /install-scripts|pregyp@[\d.]+ \((pre|post)?install/, r.out);
  assert.ok(fs.existsSync(path.join(dir, 'node_modules', '@pregyp', triple, `pregyp-find.${triple}.node`)), 'the find() core is installed');
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules', '@pregyp', `full-${triple}`)), 'the commands are not');
});

test('a consumer has no commands installed: the first command fetches them once (npm pack), then runs', () => {
  const { dir, r } = consumer('npm', { pregyp: VERSION });
  must(r, 'npm install');
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules', '@pregyp', `full-${triple}`)), 'no @pregyp/full-<triple>');
  const first = sh('npx', ['--no-install', 'pregyp', '--version'], { cwd: dir });
  assert.strictEqual(first.status, 0, first.out);
  assert.strictEqual(first.stdout.trim(), `v${VERSION}`);
  assert.match(first.stderr, new RegExp(`pregyp: the pregyp commands are in @pregyp/full-${triple}@${VERSION}, which is not installed \\(add @pregyp/cli to devDependencies to install it with the project\\); fetching it once with npm pack \\(no script runs\\)`));
  const kept = path.join(dir, 'node_modules', 'pregyp', `pregyp.${triple}.node`);
  assert.match(first.stderr, new RegExp(`pregyp: fetched @pregyp/full-${triple}@${VERSION} -> ${kept.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.ok(fs.existsSync(kept));
  // Kept: the next command fetches nothing.
  const second = sh('npx', ['--no-install', 'pregyp', '--version'], { cwd: dir });
  assert.strictEqual(second.stdout.trim(), `v${VERSION}`, second.out);
  assert.doesNotMatch(second.stderr, /fetch/);
});

test('the registry lacks @pregyp/full-<triple>: the command explains both fixes', () => {
  const { dir, r } = consumer('npm', { pregyp: VERSION }, ['--omit=optional']);
  must(r, 'npm install --omit=optional');
  // A project whose npm config points at a registry without @pregyp/* (nothing listens there).
  fs.writeFileSync(path.join(dir, '.npmrc'), 'registry=http://127.0.0.1:9/\nfetch-retries=0\n');
  const run = sh(process.execPath, [path.join(dir, 'node_modules', 'pregyp', 'bin', 'pregyp.js'), 'reveal', 'name'], { cwd: dir, env: { PREGYP_CACHE: path.join(dir, 'cache') } });
  assert.strictEqual(run.status, 1, run.out);
  assert.match(run.stderr, new RegExp(`Fetching @pregyp/full-${triple}@${VERSION} on first use failed: npm pack @pregyp/full-${triple}@${VERSION} failed: `));
  assert.match(run.stderr, new RegExp(`npm install --save-dev @pregyp/cli@${VERSION}`));
});

// What a consumer pays (the targets: at most 1.5 MB added to node_modules, at most 0.6 MB
// downloaded), as bench/footprint.js measures it, with npm 12 where its Node is available.
const { footprint } = require('../bench/footprint');
const TOOLS = process.platform === 'linux' && process.arch === 'x64';
function npm12() {
  const tools = require('./helpers/tools').ensureTools();
  const node = tools.node(24);
  return { npm: tools.cmd.npm12(node), env: { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` }, node };
}

test('a consumer of the migrated addon gets pregyp\'s JS, the wasm core and its platform\'s find() core: at most 1.5 MB on disk, 0.6 MB downloaded (npm 12)', { skip: !TOOLS && 'npm 12 needs the Node builds of helpers/tools.js (linux-x64)' }, () => {
  const { npm, env, node } = npm12();
  const work = tmpdir('pregyp-footprint-');
  // pregyp as the addon brings it: what it adds to node_modules and to the download.
  const own = footprint(registry, work, { pregyp: VERSION }, { npm, env });
  assert.deepStrictEqual(own.packages, ['@pregyp/' + triple, 'pregyp'], own.out);
  assert.ok(own.disk <= 1.5e6, `on disk: ${own.disk} bytes`);
  // The packages' tarballs; the registry's metadata comes on top (1-2 kB per package from
  // the public registry, which serves npm the abbreviated documents; verdaccio serves the
  // full ones, whose README text is most of them).
  assert.ok(own.tarballs <= 0.6e6, `downloaded: ${own.tarballs} bytes of tarballs (${own.downloaded} with the registry's metadata)`);
  // The addon's consumer: nothing of the commands (no @pregyp/full-*, no @pregyp/cli), no install script.
  const addon = footprint(registry, work, { 'pregyp-example-hello': '1.0.0' }, { npm, env, args: [] });
  assert.deepStrictEqual(addon.packages, [PLATFORM_PKG, `@pregyp/${triple}`, 'pregyp', 'pregyp-example-hello'].sort(), addon.out);
  const nm = path.join(addon.dir, 'node_modules');
  for (const p of ['pregyp', `@pregyp/${triple}`, 'pregyp-example-hello', PLATFORM_PKG]) {
    const scripts = JSON.parse(fs.readFileSync(path.join(nm, p, 'package.json'), 'utf8')).scripts || {};
    for (const k of ['preinstall', 'install', 'postinstall']) assert.strictEqual(scripts[k], undefined, `${p} has a ${k} script`);
    assert.ok(!fs.existsSync(path.join(nm, p, 'binding.gyp')), `${p} ships binding.gyp (npm would run node-gyp)`);
  }
  const call = sh(node, ['-e', "console.log(require('pregyp-example-hello').greet('npm12'))"], { cwd: addon.dir, env });
  assert.strictEqual(call.stdout.trim(), 'hello, npm12 (Node-API v8)', call.out);
  // --omit=optional: the JS and the wasm core alone.
  const bare = footprint(registry, work, { pregyp: VERSION }, { npm, env, args: ['--omit=optional'] });
  assert.deepStrictEqual(bare.packages, ['pregyp']);
  assert.ok(bare.disk <= 0.6e6, `on disk: ${bare.disk} bytes`);
});

test('an addon that kept its install script, optional dependencies left out: the script fetches pregyp\'s commands once, downloads the binding, and load() runs on the wasm core', async () => {
  serveTarballs(true);
  try {
    const { dir, r } = await consumer('npm', { 'pregyp-example-hello': '1.0.2' }, ['--omit=optional', '--foreground-scripts'], { async: true });
    must(r, 'npm install');
    assert.strictEqual((r.out.match(/pregyp: fetched @pregyp\/full-/g) || []).length, 1, r.out);
    assert.match(r.out, /is installed via remote/);
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules', '@pregyp', triple)), 'no find() core package');
    const call = callHello(dir);
    assert.strictEqual(call.stdout.trim(), 'hello, registry (Node-API v8)', call.out);
  } finally {
    serveTarballs(false);
  }
});

test('a lockfile made where npm left out this platform\'s find() core: npm ci, load() on the wasm core, `npx pregyp heal` fetches the commands once', () => {
  const { dir, r } = consumer('npm', { 'pregyp-example-hello': '1.0.0' }, ['--ignore-scripts']);
  must(r, 'npm install');
  // A lock file that makes npm skip this platform's find() core, as one written elsewhere
  // can (npm/cli#4828): its entry names another OS.
  const lockFile = path.join(dir, 'package-lock.json');
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  const entry = lock.packages[`node_modules/@pregyp/${triple}`];
  assert.ok(entry, 'the lock file has the find() core');
  Object.assign(entry, { os: [process.platform === 'darwin' ? 'linux' : 'darwin'], cpu: undefined, libc: undefined });
  fs.writeFileSync(lockFile, JSON.stringify(lock, null, 2));
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  must(sh('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir }), 'npm ci');
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules', '@pregyp', triple)));
  assert.strictEqual(callHello(dir).stdout.trim(), 'hello, registry (Node-API v8)');
  const env = { PREGYP_CACHE: path.join(dir, '.pregyp-cache') };
  const heal = sh('npx', ['--no-install', 'pregyp', 'heal'], { cwd: dir, env });
  assert.strictEqual(heal.status, 0, heal.out);
  assert.match(heal.stdout, /nothing to heal/);
  assert.strictEqual((heal.stderr.match(/pregyp: fetched @pregyp\/full-/g) || []).length, 1, heal.out);
  const again = sh('npx', ['--no-install', 'pregyp', 'install', '-C', 'node_modules/pregyp-example-hello'], { cwd: dir, env });
  assert.strictEqual(again.status, 0, again.out);
  assert.doesNotMatch(again.stderr, /fetch/);
});

test('`npx pregyp` on a clean machine (empty project, empty npm cache): the commands are fetched once, then kept', () => {
  const dir = tmpdir('pregyp-npx-');
  registry.writeNpmrc(dir);
  const env = { npm_config_cache: path.join(dir, '.npm-cache'), PREGYP_CACHE: path.join(dir, '.pregyp-cache') };
  const first = sh('npx', ['--yes', `pregyp@${VERSION}`, '--version'], { cwd: dir, env });
  assert.strictEqual(first.status, 0, first.out);
  assert.strictEqual(first.stdout.trim(), `v${VERSION}`);
  assert.strictEqual((first.stderr.match(/pregyp: fetched @pregyp\/full-/g) || []).length, 1, first.out);
  const second = sh('npx', ['--yes', `pregyp@${VERSION}`, 'reveal', 'module_name', '-C', path.join(ROOT, 'examples', 'hello')], { cwd: dir, env });
  assert.strictEqual(second.status, 0, second.out);
  assert.deepStrictEqual([...new Set(second.stdout.trim().split('\n'))], ['hello']);
  assert.doesNotMatch(second.stderr, /fetch/);
});
