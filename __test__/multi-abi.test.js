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
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const SKIP = !(process.platform === 'linux' && process.arch === 'x64' && glibc) && "the registry's Node builds used here are linux-x64 (glibc)";
// PREGYP_MULTI_ABI_REAL=0 leaves out libxmljs2 (about a minute per Node major to compile
// when its builds are not cached yet).
const REAL = process.env.PREGYP_MULTI_ABI_REAL !== '0';

// The addons: each is made ready in `dir` as its author's checkout (dependencies in
// place, this pregyp linked), built per Node major, and called by the consumers.
const ADDONS = [
  {
    name: 'pregyp-example-nanhello',
    version: '1.0.0',
    label: 'NAN fixture',
    platformPackage: `@pregyp-example/nanhello-${TRIPLE}`,
    binding: path.join('lib', 'binding', 'nanhello.node'),
    sources: () => ['package.json', 'binding.gyp', 'src/nanhello.cc'].map((f) => fs.readFileSync(path.join(FIXTURE, f))),
    prepare(dir) {
      fs.cpSync(FIXTURE, dir, { recursive: true });
      linkDeps(dir);
    },
    call: "const a = require('pregyp-example-nanhello'); console.log(`hello() = ${a.hello()}, abi() = ${a.abi()}`)",
    expect: (abi) => `hello() = world, abi() = ${abi}`,
  },
  {
    name: 'libxmljs2',
    version: '0.33.0',
    label: 'libxmljs2 0.33.0 (nan 2.30.0)',
    spec: 'libxmljs2@0.33.0',
    platformPackage: `libxmljs2-${TRIPLE}`,
    binding: path.join('build', 'Release', 'xmljs.node'),
    sources: () => [fs.readFileSync(realPackage('libxmljs2@0.33.0'))],
    // As its author moves it over: `pregyp migrate` (module_path and binding.gyp as they
    // are), and nan 2.30.0, which builds on Node 22 and 24 (its pinned ~2.18 does not).
    prepare(dir) {
      fs.mkdirSync(dir, { recursive: true });
      assert.strictEqual(sh('tar', ['xzf', realPackage('libxmljs2@0.33.0'), '-C', dir, '--strip-components=1']).status, 0);
      const m = sh(process.execPath, [CLI, 'migrate', '--yes', `--targets=${TRIPLE}`], { cwd: dir });
      assert.strictEqual(m.status, 0, m.out);
      const workflow = fs.readFileSync(path.join(dir, '.github', 'workflows', 'prebuild.yml'), 'utf8');
      assert.match(workflow, /^ {8}node: \[20, 22, 24, 26\]$/m, 'the workflow builds every major engines (>=18) admits');
      assert.doesNotMatch(m.out, /one Node ABI/);
      const file = path.join(dir, 'package.json');
      const pj = JSON.parse(fs.readFileSync(file, 'utf8'));
      pj.dependencies.nan = NAN.split('@')[1];
      fs.writeFileSync(file, JSON.stringify(pj, null, 2));
      linkDeps(dir);
    },
    call: "console.log(require('libxmljs2').parseXml('<a><b>hi</b></a>').get('//b').text())",
    expect: () => 'hi',
  },
].filter((a) => REAL || !a.spec);

let tools;
let registry;
let work;
const rows = [];
const sizes = {};
const timings = {};

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20, ...opts, env: { ...cleanEnv(), ...(opts.env || {}) } });
  return { ...r, out: `${r.stdout || ''}\n${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

// The author's node_modules: nan (headers only) and this pregyp.
function linkDeps(dir) {
  const nan = path.join(dir, 'node_modules', 'nan');
  fs.mkdirSync(nan, { recursive: true });
  assert.strictEqual(sh('tar', ['xzf', realPackage(NAN), '-C', nan, '--strip-components=1']).status, 0);
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'pregyp'));
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

// The staged build of `addon` for Node `major`, as a CI job uploads build/stage: from
// the cache (keyed by the addon's sources, nan and the Node version), else built here.
function stagedBuild(addon, dir, major) {
  const h = crypto.createHash('sha256').update(`${NAN}\n${tools.nodes[major] || process.version}\n`);
  for (const b of addon.sources()) h.update(b);
  const cached = path.join(CACHE, `${addon.name}-node${major}-${h.digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(path.join(cached, '.complete'))) {
    fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true });
    pregyp(major, ['rebuild', '--loglevel=warn'], dir);
    pregyp(major, ['package', '--loglevel=warn'], dir);
    fs.rmSync(cached, { recursive: true, force: true });
    fs.cpSync(path.join(dir, 'build', 'stage'), path.join(cached, 'stage'), { recursive: true });
    fs.writeFileSync(path.join(cached, '.complete'), '');
  }
  return path.join(cached, 'stage');
}

// `npm pack --dry-run` of a package folder: { size (tarball), unpacked, files }.
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
  registry = await startRegistry({ local: ['libxmljs2', 'libxmljs2-*'] });
  const staged = stageLocal(path.join(work, 'pregyp-packages'));
  for (const dir of [staged.platform, ...Object.values(staged.others)]) registry.publish(dir);
  registry.publish(staged.root);
  timings.registry = Date.now() - t0;
  for (const addon of ADDONS) {
    const t1 = Date.now();
    const dir = path.join(work, addon.name);
    addon.prepare(dir);
    // One CI job per Node major: each uploads its build/stage; the publish job gathers them.
    const artifacts = path.join(work, `artifacts-${addon.name}`);
    for (const major of BUILT) fs.cpSync(stagedBuild(addon, dir, major), path.join(artifacts, `stage-${TRIPLE}-node${major}`), { recursive: true });
    timings[`${addon.name} builds`] = Date.now() - t1;
    fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true });
    pregyp(22, ['platform-package', '--from', artifacts], dir);
    pregyp(22, ['optional-deps', '--write'], dir);
    const ppDir = path.join(dir, 'build', 'npm', ...addon.platformPackage.split('/'));

    // Sizes: each build, the multi-ABI package, and a package of the Node 22 build alone.
    const pj = JSON.parse(fs.readFileSync(path.join(ppDir, 'package.json'), 'utf8'));
    assert.deepStrictEqual(pj.pregyp.abis, ['node-v127', 'node-v137']);
    const s = { abis: pj.pregyp.abis };
    s.builds = Object.fromEntries(pj.pregyp.abis.map((a) => [a, fs.statSync(path.join(ppDir, 'abi', a, addon.binding)).size]));
    s.multi = packedSize(ppDir);
    const one = path.join(work, `one-${addon.name}`);
    fs.cpSync(path.join(artifacts, `stage-${TRIPLE}-node22`), path.join(one, 'artifacts', 'job'), { recursive: true });
    fs.cpSync(path.join(dir, 'package.json'), path.join(one, 'package.json'));
    pregyp(22, ['platform-package', '--from', 'artifacts'], one);
    s.single = packedSize(path.join(one, 'build', 'npm', ...addon.platformPackage.split('/')));
    sizes[addon.name] = s;

    registry.publish(ppDir);
    registry.publish(dir);
    timings[addon.name] = Date.now() - t1;
  }
  timings.before = Date.now() - t0;
});

after(() => {
  if (registry) registry.stop();
  if (!rows.length) return;
  const kb = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
  const table = [
    '| addon | Node | ABI | installed with | find() core | what load() gave |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.addon} | ${r.node} | ${r.abi} | ${r.pm} | ${r.core} | ${r.result.replace(/\|/g, '\\|')} |`),
    '',
    '| addon | one .node | platform package, node-v127 only: files, tarball, unpacked | platform package, node-v127 + node-v137: files, tarball, unpacked |',
    '|---|---|---|---|',
    ...ADDONS.filter((a) => sizes[a.name]).map((a) => {
      const s = sizes[a.name];
      return `| ${a.label} | ${Object.entries(s.builds).map(([abi, n]) => `${abi} ${kb(n)}`).join(', ')} | ${s.single.files}, ${kb(s.single.size)}, ${kb(s.single.unpacked)} | ${s.multi.files}, ${kb(s.multi.size)}, ${kb(s.multi.unpacked)} |`;
    }),
    '',
    `seconds: ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`,
  ].join('\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${table}\n`);
  console.log(`\n${table}\n(written to ${path.relative(ROOT, OUT)})`);
});

// One consumer project per addon, package manager and Node; installed once, loaded
// natively and through the WebAssembly find() core.
const consumers = new Map();
function consumer(addon, pm, major) {
  const key = `${addon.name}-${pm}-${major}`;
  if (consumers.has(key)) return consumers.get(key);
  const dir = tmpdir(`pregyp-multi-abi-${key}-`);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { [addon.name]: addon.version } }, null, 2));
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

// find() as the addon calls it (pnpm links pregyp beside the addon, not at the top).
const find = (name) => `const p = require.resolve('${name}/package.json'); require(require.resolve('pregyp', { paths: [require('path').dirname(p)] })).find(p)`;
const CASES = [
  { pm: 'npm12', major: 20 },
  { pm: 'npm12', major: 22 },
  { pm: 'npm12', major: 24 },
  { pm: 'npm12', major: 26 },
  { pm: 'pnpm12', major: 24 },
];
for (const addon of ADDONS) {
  for (const core of ['native', 'wasm']) {
    for (const c of CASES) {
      const built = BUILT.includes(c.major);
      const pmName = c.pm === 'npm12' ? 'npm 12' : 'pnpm 12';
      test(`${addon.label}, ${pmName}, Node ${c.major}, ${core} find() core: ${built ? "loads the platform package's build for its ABI and calls it" : 'load() names the ABIs the package holds and how to get this one'}`, { skip: SKIP }, () => {
        const dir = consumer(addon, c.pm, c.major);
        const node = tools.node(c.major);
        const abi = sh(node, ['-p', 'process.versions.modules']).stdout.trim();
        const env = core === 'wasm' ? { PREGYP_TEST_HIDE_NATIVE: '1' } : {};
        const r = sh(node, ['-e', addon.call], { cwd: dir, env });
        const version = sh(node, ['-v']).stdout.trim();
        const row = { addon: addon.label, node: version, abi: `node-v${abi}`, pm: pmName, core };
        const found = sh(node, ['-p', find(addon.name)], { cwd: dir, env });
        assert.strictEqual(found.status, 0, found.out);
        if (built) {
          assert.strictEqual(r.status, 0, r.out);
          assert.strictEqual(r.stdout.trim(), addon.expect(abi));
          // It came from the platform package's folder for this ABI.
          const inPackage = path.join('abi', `node-v${abi}`, addon.binding);
          assert.ok(found.stdout.trim().endsWith(path.join(addon.platformPackage, inPackage)), found.stdout);
          rows.push({ ...row, result: `${r.stdout.trim()} (${inPackage} of ${addon.platformPackage})` });
        } else {
          assert.notStrictEqual(r.status, 0);
          const line = (re) => r.stderr.split('\n').map((l) => l.trim()).find((l) => re.test(l)) || '';
          assert.match(r.stderr, new RegExp(`${addon.name}@${addon.version.replace(/\./g, '\\.')}: native binding not found at `));
          assert.match(r.stderr, new RegExp(`platform package: ${addon.platformPackage}@${addon.version.replace(/\./g, '\\.')} at .* holds builds for node-v127 \\(Node 22\\), node-v137 \\(Node 24\\) only; this runtime is node-v${abi} \\(Node ${c.major}\\)`));
          assert.match(r.stderr, /fix: npx pregyp heal --fallback-to-build \(downloads this ABI's build from \S+ if it is published there, else builds from source; needs a compiler\)/);
          // find() keeps the reference's contract: module_path's candidate, no error.
          assert.ok(found.stdout.trim().endsWith(path.join(addon.name, addon.binding)), found.stdout);
          rows.push({ ...row, result: `E_BINDING_MISSING: \`${line(/platform package:/).replace(/ at \S+/, '')}\`; \`${line(/^fix:/).replace(/ {3}\(or:.*/, '')}\`` });
        }
      });
    }
  }
}

// The fix load() gives on a Node the platform package has no build for: heal downloads
// from the host (unreachable here) and else builds from source for this Node (nan is a
// dependency of the addon, so a consumer has it), after which the addon loads.
test('NAN fixture, npm 12, Node 20: `pregyp heal --fallback-to-build`, as load() advises, builds this ABI\'s binding, which then loads', { skip: SKIP }, () => {
  const addon = ADDONS[0];
  const dir = consumer(addon, 'npm12', 20);
  const node = tools.node(20);
  const t0 = Date.now();
  const h = sh(node, [path.join(dir, 'node_modules', 'pregyp', 'bin', 'pregyp.js'), 'heal', '--fallback-to-build'], { cwd: dir, env: { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`, npm_config_node_gyp: buildEnv(22).npm_config_node_gyp } });
  assert.strictEqual(h.status, 0, h.out);
  const r = sh(node, ['-e', addon.call], { cwd: dir });
  assert.strictEqual(r.status, 0, r.out);
  // The Node 20 that ran heal, not the one running the tests.
  const abi = sh(node, ['-p', 'process.versions.modules']).stdout.trim();
  assert.strictEqual(r.stdout.trim(), addon.expect(abi));
  rows.push({ addon: addon.label, node: sh(node, ['-v']).stdout.trim(), abi: `node-v${abi}`, pm: 'npm 12, then `pregyp heal --fallback-to-build`', core: 'native', result: `${r.stdout.trim()} (built from source by heal in ${((Date.now() - t0) / 1000).toFixed(1)} s, into module_path)` });
});
