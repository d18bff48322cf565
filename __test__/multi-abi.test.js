'use strict';
// One platform package for every Node major, for an addon that is not Node-API: the NAN
// fixture (__test__/fixtures/nan-addon, module_path without {node_abi}) is built on
// Node 22 and 24 (the registry's Node builds with their own headers, npm 12's node-gyp),
// each build staged as a CI job would, `platform-package --from` merges them into one
// package, and the addon, its platform package and pregyp go to verdaccio. Consumers
// install with npm 12 on Node 20, 22, 24 and 26 and with pnpm on Node 24: on 22 and 24
// the addon loads its own ABI's build and answers; on 20 and 26, which were not built,
// load() says which ABIs the package holds and how to get this one. The same again with
// the WebAssembly find() core (PREGYP_TEST_HIDE_NATIVE=1).
//
// The compiled builds are cached in .pregyp-test/multi-abi/ by a hash of the fixture,
// nan's version and the Node version; the Node builds and package managers come from
// helpers/tools.js. The table (Node x package manager x find() core x what loaded) and
// the sizes are printed and written to .pregyp-test/multi-abi.md.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { tmpdir, cleanEnv, CLI } = require('./helpers/run');
const { startRegistry } = require('./helpers/registry');
const { ensureTools } = require('./helpers/tools');
const { realPackage } = require('./helpers/toolchain');
const { stageLocal } = require('../scripts/pack-local');

const ROOT = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'nan-addon');
const CACHE = path.join(ROOT, '.pregyp-test', 'multi-abi');
const OUT = path.join(ROOT, '.pregyp-test', 'multi-abi.md');
const NAN = 'nan@2.30.0'; // builds on Node 20, 22 and 24 (older nans do not on 22 and later)
const BUILT = [22, 24];
const TRIPLE = 'linux-x64-glibc';
const PLATFORM_PKG = `@pregyp-example/nanhello-${TRIPLE}`;
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const SKIP = !(process.platform === 'linux' && process.arch === 'x64' && glibc) && "the registry's Node builds used here are linux-x64 (glibc)";

let tools;
let registry;
let work;
let addon;
const rows = [];
const sizes = {};
const timings = {};

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, ...opts, env: { ...cleanEnv(), ...(opts.env || {}) } });
  return { ...r, out: `${r.stdout || ''}\n${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

// Node `major` first on PATH (binding.gyp runs `node` for nan's include folder), its
// headers, and npm 12's node-gyp (the registry's Node builds carry no npm).
function buildEnv(major) {
  return {
    PATH: `${path.dirname(tools.node(major))}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: tools.nodedir(major),
    npm_config_node_gyp: path.join(tools.dir, 'node_modules', 'npm12', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  };
}

function pregyp(major, args, cwd) {
  const r = sh(tools.node(major), [CLI, ...args], { cwd, env: buildEnv(major) });
  assert.strictEqual(r.status, 0, `pregyp ${args.join(' ')} on Node ${major}:\n${r.out}`);
  return r;
}

function fixtureHash(major) {
  const h = crypto.createHash('sha256').update(`${NAN}\n${tools.nodes[major] || process.version}\n`);
  for (const f of ['package.json', 'binding.gyp', 'src/nanhello.cc']) h.update(fs.readFileSync(path.join(FIXTURE, f)));
  return h.digest('hex').slice(0, 16);
}

// The staged tarball of Node `major`'s build, as a CI job uploads build/stage: from the
// cache, else built here (and cached).
function stagedBuild(major) {
  const cached = path.join(CACHE, `node${major}-${fixtureHash(major)}`);
  if (!fs.existsSync(path.join(cached, '.complete'))) {
    fs.rmSync(path.join(addon, 'build'), { recursive: true, force: true });
    fs.rmSync(path.join(addon, 'lib'), { recursive: true, force: true });
    pregyp(major, ['rebuild', '--loglevel=warn'], addon);
    pregyp(major, ['package', '--loglevel=warn'], addon);
    fs.rmSync(cached, { recursive: true, force: true });
    fs.cpSync(path.join(addon, 'build', 'stage'), path.join(cached, 'stage'), { recursive: true });
    fs.writeFileSync(path.join(cached, '.complete'), '');
  }
  return path.join(cached, 'stage');
}

// `npm pack --dry-run` of a package folder: { size (tarball), unpackedSize, files }.
function packedSize(dir) {
  const r = sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir });
  assert.strictEqual(r.status, 0, r.out);
  const [p] = JSON.parse(r.stdout);
  return { size: p.size, unpacked: p.unpackedSize, files: p.entryCount };
}

before(async () => {
  if (SKIP) return;
  const t0 = Date.now();
  tools = ensureTools();
  work = tmpdir('pregyp-multi-abi-');
  addon = path.join(work, 'nanhello');
  fs.cpSync(FIXTURE, addon, { recursive: true });
  // The author's checkout: nan (a dev dependency, headers only) and this pregyp.
  const nan = path.join(addon, 'node_modules', 'nan');
  fs.mkdirSync(nan, { recursive: true });
  assert.strictEqual(sh('tar', ['xzf', realPackage(NAN), '-C', nan, '--strip-components=1']).status, 0);
  fs.symlinkSync(ROOT, path.join(addon, 'node_modules', 'pregyp'));
  timings.setup = Date.now() - t0;

  // One CI job per Node major: each uploads its build/stage; the publish job gathers them.
  const t1 = Date.now();
  const artifacts = path.join(work, 'artifacts');
  for (const major of BUILT) fs.cpSync(stagedBuild(major), path.join(artifacts, `stage-${TRIPLE}-node${major}`), { recursive: true });
  timings.builds = Date.now() - t1;
  fs.rmSync(path.join(addon, 'lib'), { recursive: true, force: true });
  fs.rmSync(path.join(addon, 'build'), { recursive: true, force: true });
  pregyp(22, ['platform-package', '--from', artifacts], addon);
  const setup = pregyp(22, ['optional-deps', '--write'], addon);
  assert.match(setup.out, /scripts\.install: removed "node-pre-gyp install --fallback-to-build"/);
  const ppDir = path.join(addon, 'build', 'npm', ...PLATFORM_PKG.split('/'));

  // Sizes: each build, the multi-ABI package, and a package of one build for comparison.
  const pj = JSON.parse(fs.readFileSync(path.join(ppDir, 'package.json'), 'utf8'));
  sizes.abis = pj.pregyp.abis;
  sizes.builds = Object.fromEntries(pj.pregyp.abis.map((a) => [a, fs.statSync(path.join(ppDir, 'abi', a, 'lib', 'binding', 'nanhello.node')).size]));
  sizes.multi = packedSize(ppDir);
  const single = path.join(work, 'single');
  fs.cpSync(FIXTURE, single, { recursive: true });
  fs.cpSync(path.join(artifacts, `stage-${TRIPLE}-node22`), path.join(work, 'artifacts-22', 'job'), { recursive: true });
  pregyp(22, ['platform-package', '--from', path.join(work, 'artifacts-22')], single);
  sizes.single = packedSize(path.join(single, 'build', 'npm', ...PLATFORM_PKG.split('/')));

  const t2 = Date.now();
  registry = await startRegistry();
  const staged = stageLocal(path.join(work, 'pregyp-packages'));
  for (const dir of [staged.platform, ...Object.values(staged.others)]) registry.publish(dir);
  registry.publish(staged.root);
  registry.publish(ppDir);
  registry.publish(addon);
  timings.publish = Date.now() - t2;
  timings.before = Date.now() - t0;
});

after(() => {
  if (registry) registry.stop();
  if (!rows.length) return;
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const table = [
    '| Node | ABI | installed with | find() core | what load() gave |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.node} | ${r.abi} | ${r.pm} | ${r.core} | ${r.result.replace(/\|/g, '\\|')} |`),
    '',
    '| package | files | tarball | unpacked |',
    '|---|---|---|---|',
    `| ${PLATFORM_PKG}, one build (node-v127) | ${sizes.single.files} | ${kb(sizes.single.size)} | ${kb(sizes.single.unpacked)} |`,
    `| ${PLATFORM_PKG}, ${sizes.abis.join(' + ')} | ${sizes.multi.files} | ${kb(sizes.multi.size)} | ${kb(sizes.multi.unpacked)} |`,
    '',
    `builds: ${Object.entries(sizes.builds).map(([a, n]) => `${a} ${kb(n)}`).join(', ')}; ` + `setup ${(timings.setup / 1000).toFixed(1)} s, builds ${(timings.builds / 1000).toFixed(1)} s, publish ${(timings.publish / 1000).toFixed(1)} s, before() ${(timings.before / 1000).toFixed(1)} s`,
  ].join('\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${table}\n`);
  console.log(`\n${table}\n(written to ${path.relative(ROOT, OUT)})`);
});

// One consumer project per package manager and Node; installed once, loaded natively and
// through the WebAssembly find() core.
const consumers = new Map();
function consumer(pm, major) {
  const key = `${pm}-${major}`;
  if (consumers.has(key)) return consumers.get(key);
  const dir = tmpdir(`pregyp-multi-abi-${key}-`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { 'pregyp-example-nanhello': '1.0.0' } }, null, 2));
  registry.writeNpmrc(dir);
  // npm 12 needs Node >= 22.22.2: on Node 20 it installs with Node 22 (what it installs
  // does not depend on the Node that runs it; the consumer then runs on Node 20).
  const installer = tools.node(Math.max(major, 22));
  const [cmd, ...pre] = tools.cmd[pm](installer);
  const args = pm === 'npm12' ? ['install', '--no-audit', '--no-fund'] : ['install', `--registry=${registry.url}`, `--store-dir=${path.join(dir, '.pnpm-store')}`];
  const r = sh(cmd, [...pre, ...args], { cwd: dir, env: { PATH: `${path.dirname(installer)}${path.delimiter}${process.env.PATH}`, npm_config_cache: path.join(work, `cache-${pm}`) } });
  assert.strictEqual(r.status, 0, `${pm} install on Node ${major}:\n${r.out}`);
  assert.doesNotMatch(r.out, /install-scripts|IGNORED_BUILDS|approve-builds/i, 'nothing to approve: the addon has no install script');
  consumers.set(key, dir);
  return dir;
}

const CALL = "const a = require('pregyp-example-nanhello'); console.log(`hello() = ${a.hello()}, abi() = ${a.abi()}`)";
// find() as the addon calls it (pnpm links pregyp beside the addon, not at the top).
const FIND = "const p = require.resolve('pregyp-example-nanhello/package.json'); require(require.resolve('pregyp', { paths: [require('path').dirname(p)] })).find(p)";
const CASES = [
  { pm: 'npm12', major: 20 },
  { pm: 'npm12', major: 22 },
  { pm: 'npm12', major: 24 },
  { pm: 'npm12', major: 26 },
  { pm: 'pnpm12', major: 24 },
];
for (const core of ['native', 'wasm']) {
  for (const c of CASES) {
    const built = BUILT.includes(c.major);
    const pmName = c.pm === 'npm12' ? 'npm 12' : 'pnpm 12';
    test(`${pmName}, Node ${c.major}, ${core} find() core: ${built ? "loads the platform package's build for its ABI and calls it" : 'load() names the ABIs the package holds and how to get this one'}`, { skip: SKIP }, () => {
      const dir = consumer(c.pm, c.major);
      const node = tools.node(c.major);
      const abi = sh(node, ['-p', 'process.versions.modules']).stdout.trim();
      const env = core === 'wasm' ? { PREGYP_TEST_HIDE_NATIVE: '1' } : {};
      const r = sh(node, ['-e', CALL], { cwd: dir, env });
      const version = sh(node, ['-v']).stdout.trim();
      if (built) {
        assert.strictEqual(r.status, 0, r.out);
        assert.strictEqual(r.stdout.trim(), `hello() = world, abi() = ${abi}`);
        // It came from the platform package's folder for this ABI.
        const found = sh(node, ['-p', FIND], { cwd: dir, env }).stdout.trim();
        assert.ok(found.endsWith(path.join(PLATFORM_PKG, 'abi', `node-v${abi}`, 'lib', 'binding', 'nanhello.node')), found);
        rows.push({ node: version, abi: `node-v${abi}`, pm: pmName, core, result: `${r.stdout.trim()} (from ${path.join('abi', `node-v${abi}`, 'lib', 'binding', 'nanhello.node')} in ${PLATFORM_PKG})` });
      } else {
        assert.notStrictEqual(r.status, 0);
        const line = (re) => r.stderr.split('\n').map((l) => l.trim()).find((l) => re.test(l)) || '';
        assert.match(r.stderr, /pregyp-example-nanhello@1\.0\.0: native binding not found at /);
        assert.match(r.stderr, new RegExp(`platform package: @pregyp-example/nanhello-linux-x64-glibc@1\\.0\\.0 at .* holds builds for node-v127 \\(Node 22\\), node-v137 \\(Node 24\\) only; this runtime is node-v${abi} \\(Node ${c.major}\\)`));
        assert.match(r.stderr, /fix: npx pregyp heal --fallback-to-build \(downloads this ABI's build from http:\/\/127\.0\.0\.1:9\/ if it is published there, else builds from source; needs a compiler\)/);
        // find() keeps the reference's contract: module_path's candidate, no error.
        const found = sh(node, ['-p', FIND], { cwd: dir, env });
        assert.strictEqual(found.status, 0, found.out);
        assert.ok(found.stdout.trim().endsWith(path.join('pregyp-example-nanhello', 'lib', 'binding', 'nanhello.node')), found.stdout);
        rows.push({ node: version, abi: `node-v${abi}`, pm: pmName, core, result: `E_BINDING_MISSING: \`${line(/platform package:/).replace(/ at \S+/, '')}\`; \`${line(/^fix:/)}\`` });
      }
    });
  }
}
