'use strict';
// Platform packages without a registry: `platform-package` (this machine's builds, and
// --from a CI matrix's staged tarballs), `optional-deps`, the validation of
// binary.platform_packages, and find()/load()/install/explain/heal in node_modules
// layouts (npm's hoisted one and pnpm's symlinked store) holding a platform package.
const { test, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { runCli, tmpdir } = require('./helpers/run');
const { makeTarball } = require('./helpers/tarballs');
const { startServer } = require('./helpers/servers');
const pregyp = require('..');

const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const HERE = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
const LIBC = process.platform === 'linux' ? (glibc ? 'glibc' : 'musl') : 'unknown';
const OTHER = HERE === 'darwin-arm64' ? 'win32-x64' : 'darwin-arm64';
const servers = [];
after(() => servers.forEach((s) => s.close()));

function widget(binary = {}, extra = {}) {
  const dir = path.join(tmpdir('pregyp-pp-'), 'widget');
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: '@acme/widget', version: '1.2.3', main: 'index.js', license: 'MIT',
    repository: { type: 'git', url: 'https://example.com/acme/widget.git' },
    binary: {
      module_name: 'widget',
      module_path: './lib/binding/napi-v{napi_build_version}',
      remote_path: './v{version}/',
      package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}-{libc}.tar.gz',
      host: 'https://h.example/',
      napi_versions: [3, 8],
      platform_packages: { name: '@acme/widget-{triple}', targets: [HERE, 'linux-arm64-musl', OTHER] },
      ...binary,
    },
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  return dir;
}

const tripleParts = (t) => {
  const [platform, arch, libc] = t.split('-');
  return { platform, arch, libc: libc || 'unknown' };
};

// A CI matrix's artifacts, gathered in one folder: one job folder per target.
function artifacts(targets, napis = [3, 8]) {
  const dir = tmpdir('pregyp-artifacts-');
  for (const t of targets) {
    const { platform, arch, libc } = tripleParts(t);
    for (const n of napis) {
      const file = path.join(dir, `job-${t}`, 'build', 'stage', 'v1.2.3', `widget-v1.2.3-napi-v${n}-${platform}-${arch}-${libc}.tar.gz`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      makeTarball(file, [
        { name: `napi-v${n}/`, type: 'dir' },
        { name: `napi-v${n}/widget.node`, type: 'file', content: `${t} napi-v${n}`, mode: 0o755 },
      ]);
    }
  }
  return dir;
}

const read = (...p) => fs.readFileSync(path.join(...p), 'utf8');

test('platform-package --from: one package per target from a CI matrix of staged tarballs', async () => {
  const dir = widget();
  const from = artifacts([HERE, 'linux-arm64-musl', OTHER]);
  const r = await runCli(['platform-package', '--from', from], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  for (const t of [HERE, 'linux-arm64-musl', OTHER]) {
    const pdir = path.join(dir, 'build', 'npm', '@acme', `widget-${t}`);
    const pj = JSON.parse(read(pdir, 'package.json'));
    const { platform, arch, libc } = tripleParts(t);
    assert.strictEqual(pj.name, `@acme/widget-${t}`);
    assert.strictEqual(pj.version, '1.2.3');
    assert.deepStrictEqual(pj.os, [platform]);
    assert.deepStrictEqual(pj.cpu, [arch]);
    assert.deepStrictEqual(pj.libc, platform === 'linux' ? [libc] : undefined);
    assert.deepStrictEqual(pj.files, ['lib/']);
    assert.strictEqual(pj.license, 'MIT');
    assert.deepStrictEqual(pj.repository, { type: 'git', url: 'https://example.com/acme/widget.git' });
    assert.match(read(pdir, 'README.md'), new RegExp(`binding of \\[@acme/widget\\].* for ${t}`));
    // Laid out exactly as module_path evaluates, both Node-API versions side by side.
    for (const n of [3, 8]) assert.strictEqual(read(pdir, 'lib', 'binding', `napi-v${n}`, 'widget.node'), `${t} napi-v${n}`);
    assert.match(r.stdout, new RegExp(`@acme/widget-${t}@1\\.2\\.3: .*lib/binding/napi-v3/widget\\.node, lib/binding/napi-v8/widget\\.node`));
  }
});

test('platform-package --from names the targets it has no tarball for', async () => {
  const dir = widget();
  const r = await runCli(['platform-package', '--from', artifacts([HERE])], { cwd: dir });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, new RegExp(`no staged tarball under .* for linux-arm64-musl, ${OTHER}`));
  assert.ok(fs.existsSync(path.join(dir, 'build', 'npm', '@acme', `widget-${HERE}`, 'package.json')), 'the others are written');
});

test('platform-package: tarball names that do not tell targets apart are refused', async () => {
  const dir = widget({ package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}.tar.gz', platform_packages: { targets: ['linux-x64-glibc', 'linux-x64-musl'] } });
  const from = tmpdir('pregyp-artifacts-');
  const file = path.join(from, 'widget-v1.2.3-napi-v3-linux-x64.tar.gz');
  makeTarball(file, [{ name: 'napi-v3/widget.node', type: 'file', content: 'x' }]);
  const r = await runCli(['platform-package', '--from', from], { cwd: dir });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /invalid `binary\.package_name`: the staged tarball .*widget-v1\.2\.3-napi-v3-linux-x64\.tar\.gz could be the build for any of linux-x64-glibc, linux-x64-musl: add \{libc\} to package_name/);
});

test('platform-package merges builds for several Node ABIs into one package, each under abi/<node_abi>/', async () => {
  // A non-Node-API package: one build per Node ABI, each from its own CI job.
  const binary = { module_path: './lib/binding', package_name: '{module_name}-v{version}-{node_abi}-{platform}-{arch}-{libc}.tar.gz', napi_versions: undefined, remote_path: undefined, platform_packages: { targets: [HERE] } };
  const stage = (abis, from = tmpdir('pregyp-artifacts-')) => {
    const { platform, arch, libc } = tripleParts(HERE);
    for (const abi of abis) {
      fs.mkdirSync(path.join(from, `job-node-${abi}`), { recursive: true });
      makeTarball(path.join(from, `job-node-${abi}`, `widget-v1.2.3-node-v${abi}-${platform}-${arch}-${libc}.tar.gz`), [{ name: 'binding/widget.node', type: 'file', content: `abi ${abi}` }]);
    }
    return from;
  };
  // module_path without {node_abi}, as most NAN addons have it: no change needed.
  const dir = widget(binary);
  const r = await runCli(['platform-package', '--from', stage([115, 127])], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  const pdir = path.join(dir, 'build', 'npm', '@acme', `widget-${HERE}`);
  assert.strictEqual(read(pdir, 'abi/node-v115/lib/binding/widget.node'), 'abi 115');
  assert.strictEqual(read(pdir, 'abi/node-v127/lib/binding/widget.node'), 'abi 127');
  assert.ok(!fs.existsSync(path.join(pdir, 'lib')), 'each ABI\'s file once, nothing at module_path itself');
  // A later job's artifacts merge in, an Electron build among them (its node_abi names a
  // minor, so its tarball is recognised by its name's shape); the list stays sorted.
  const later = stage([93]);
  const { platform, arch, libc } = tripleParts(HERE);
  fs.mkdirSync(path.join(later, 'job-electron'));
  makeTarball(path.join(later, 'job-electron', `widget-v1.2.3-electron-v31.1-${platform}-${arch}-${libc}.tar.gz`), [{ name: 'binding/widget.node', type: 'file', content: 'electron 31' }]);
  const more = await runCli(['platform-package', '--from', later], { cwd: dir });
  assert.strictEqual(more.code, 0, more.stderr);
  const pj = JSON.parse(read(pdir, 'package.json'));
  assert.deepStrictEqual(pj.pregyp.abis, ['electron-v31.1', 'node-v93', 'node-v115', 'node-v127']);
  assert.strictEqual(read(pdir, 'abi/electron-v31.1/lib/binding/widget.node'), 'electron 31');
  assert.deepStrictEqual(pj.files, ['abi/']);
  assert.deepStrictEqual(pj.pregyp.bindings, { 'abi/electron-v31.1/lib/binding/widget.node': 'electron-v31.1', 'abi/node-v115/lib/binding/widget.node': 'node-v115', 'abi/node-v127/lib/binding/widget.node': 'node-v127', 'abi/node-v93/lib/binding/widget.node': 'node-v93' });
  for (const abi of [115, 127]) assert.match(r.stdout, new RegExp(`abi/node-v${abi}/lib/binding/widget\\.node`));

  // Tarball names that do not tell the ABIs apart are refused.
  const unnamed = widget({ ...binary, package_name: '{module_name}-v{version}-{platform}-{arch}-{libc}.tar.gz' });
  const from = tmpdir('pregyp-artifacts-');
  makeTarball(path.join(from, `widget-v1.2.3-${platform}-${arch}-${libc}.tar.gz`), [{ name: 'binding/widget.node', type: 'file', content: 'x' }]);
  const clash = await runCli(['platform-package', '--from', from], { cwd: unnamed });
  assert.strictEqual(clash.code, 1);
  assert.match(clash.stderr, /invalid `binary\.package_name`: the staged tarball widget-v1\.2\.3-linux-x64-glibc\.tar\.gz could be the build for any Node ABI \(…, node-v\d+, node-v\d+, node-v\d+\): add \{node_abi\} to package_name/);
});

test('platform-package --from: a non-Node-API build for a target without a libc (macOS) is one ABI\'s, whatever libc the machine packing it has', async () => {
  const dir = widget({ module_path: './lib/binding', package_name: '{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz', napi_versions: undefined, remote_path: undefined, platform_packages: { targets: ['darwin-arm64'] } });
  const from = tmpdir('pregyp-artifacts-');
  makeTarball(path.join(from, 'widget-v1.2.3-node-v127-darwin-arm64.tar.gz'), [{ name: 'binding/widget.node', type: 'file', content: 'mac 127' }]);
  const r = await runCli(['platform-package', '--from', from], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir, 'build', 'npm', '@acme', 'widget-darwin-arm64', 'abi', 'node-v127', 'lib', 'binding', 'widget.node'), 'mac 127');
});

// An installed app whose platform package holds builds sorted by Node ABI (`abis`).
function abiApp(abis) {
  const src = widget({ module_path: './lib/binding', package_name: '{module_name}-v{version}-{node_abi}-{platform}-{arch}-{libc}.tar.gz', napi_versions: undefined, remote_path: undefined });
  const app = tmpdir('pregyp-app-');
  const pkg = path.join(app, 'node_modules', '@acme', 'widget');
  fs.cpSync(src, pkg, { recursive: true });
  const ppDir = path.join(app, 'node_modules', '@acme', `widget-${HERE}`);
  for (const abi of abis) {
    fs.mkdirSync(path.join(ppDir, 'abi', abi, 'lib', 'binding'), { recursive: true });
    fs.writeFileSync(path.join(ppDir, 'abi', abi, 'lib', 'binding', 'widget.node'), abi);
  }
  fs.writeFileSync(path.join(ppDir, 'package.json'), JSON.stringify({ name: `@acme/widget-${HERE}`, version: '1.2.3', pregyp: { abis } }));
  return { pkg, ppDir };
}

test('find() and load() take the running Node ABI\'s build from a platform package of several', () => {
  const mine = `node-v${process.versions.modules}`;
  const { pkg, ppDir } = abiApp(['electron-v31.1', 'node-v93', mine, 'node-v999']);
  assert.strictEqual(pregyp.find(path.join(pkg, 'package.json')), path.join(ppDir, 'abi', mine, 'lib', 'binding', 'widget.node'));
  // Electron: its own ABI's build, also for another minor of the same major (one ABI).
  for (const target of ['31.1.0', '31.4.2']) {
    assert.strictEqual(pregyp.find(path.join(pkg, 'package.json'), { runtime: 'electron', target }), path.join(ppDir, 'abi', 'electron-v31.1', 'lib', 'binding', 'widget.node'), target);
  }
  assert.strictEqual(pregyp.find(path.join(pkg, 'package.json'), { runtime: 'electron', target: '32.0.0' }), path.join(pkg, 'lib', 'binding', 'widget.node'));
  // The stand-in is not a shared object: load() says where it came from.
  assert.throws(() => pregyp.load(pkg), (e) => e.code === 'E_BINDING_LOAD' && e.message.includes(`(from the platform package @acme/widget-${HERE}@1.2.3`));
  // A build at module_path (a local source build) still wins.
  fs.mkdirSync(path.join(pkg, 'lib', 'binding'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'lib', 'binding', 'widget.node'), 'local');
  assert.strictEqual(pregyp.find(path.join(pkg, 'package.json')), path.join(pkg, 'lib', 'binding', 'widget.node'));
});

test('load() says which Node ABIs the platform package has and how to get this one', () => {
  const mine = `node-v${process.versions.modules}`;
  // Two ABIs that are not this Node's (the suite also runs on Node 22 and 24).
  const majorOf = { 'node-v115': 20, 'node-v127': 22, 'node-v137': 24, 'node-v147': 26 };
  const held = Object.keys(majorOf).filter((a) => a !== mine).slice(-2);
  const { pkg, ppDir } = abiApp(held);
  // find() keeps the reference's contract: the module_path candidate, no error.
  assert.strictEqual(pregyp.find(path.join(pkg, 'package.json')), path.join(pkg, 'lib', 'binding', 'widget.node'));
  const major = process.versions.node.split('.')[0];
  assert.throws(
    () => pregyp.load(pkg),
    (e) => {
      assert.strictEqual(e.code, 'E_BINDING_MISSING');
      assert.ok(e.message.includes(`platform package: @acme/widget-${HERE}@1.2.3 at ${ppDir} holds builds for ${held.map((a) => `${a} (Node ${majorOf[a]})`).join(', ')} only; this runtime is ${mine} (Node ${major})`), e.message);
      assert.match(e.message, /likely cause: the package is built once per Node ABI \(it is not Node-API\), and its platform package was published without a build for this one/);
      assert.match(e.message, /fix: npx pregyp heal --fallback-to-build \(downloads this ABI's build from https:\/\/h\.example\/ if it is published there, else builds from source; needs a compiler\)/);
      return true;
    }
  );
});

test("platform-package from this machine's builds; a target not in targets is refused", async () => {
  const dir = widget();
  const cfg = (n) => path.join(dir, 'lib', 'binding', `napi-v${n}`, 'widget.node');
  const missing = await runCli(['platform-package'], { cwd: dir });
  assert.strictEqual(missing.code, 1);
  assert.match(missing.stderr, /Cannot package because .*widget\.node missing: run `pregyp rebuild` first/);
  for (const n of [3, 8]) {
    fs.mkdirSync(path.dirname(cfg(n)), { recursive: true });
    fs.writeFileSync(cfg(n), `local ${n}`);
  }
  const r = await runCli(['platform-package'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir, 'build', 'npm', '@acme', `widget-${HERE}`, 'lib', 'binding', 'napi-v8', 'widget.node'), 'local 8');
  const elsewhere = widget({ platform_packages: { targets: [OTHER] } });
  for (const n of [3, 8]) {
    const p = path.join(elsewhere, 'lib', 'binding', `napi-v${n}`, 'widget.node');
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'x');
  }
  const refused = await runCli(['platform-package'], { cwd: elsewhere });
  assert.strictEqual(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`invalid \`binary\\.platform_packages\\.targets\`: does not list ${HERE}`));
});

test('optional-deps prints, and with --write stores, every platform package at the exact version', async () => {
  const dir = widget({}, { optionalDependencies: { 'other-thing': '^1.0.0' } });
  const r = await runCli(['optional-deps'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  const want = { [`@acme/widget-${HERE}`]: '1.2.3', '@acme/widget-linux-arm64-musl': '1.2.3', [`@acme/widget-${OTHER}`]: '1.2.3' };
  assert.deepStrictEqual(JSON.parse(r.stdout).optionalDependencies, want);
  const before = read(dir, 'package.json');
  assert.strictEqual((await runCli(['optional-deps', '--write'], { cwd: dir })).code, 0);
  const after = JSON.parse(read(dir, 'package.json'));
  assert.deepStrictEqual(after.optionalDependencies, { 'other-thing': '^1.0.0', ...want });
  assert.deepStrictEqual(Object.keys(after), Object.keys(JSON.parse(before)), 'key order kept');
  const [data] = await pregyp.optionalDeps({ directory: dir });
  assert.deepStrictEqual(data, want);
});

test('optional-deps --write sets up package.json for installs without scripts, and says what it changed', async () => {
  const dir = widget({}, { scripts: { install: 'node-pre-gyp install --fallback-to-build', test: 'node test.js' }, files: ['index.js', 'binding.gyp', 'src/'] });
  fs.writeFileSync(path.join(dir, 'binding.gyp'), "{ 'targets': [] }\n");
  // --dry-run: every change it would make, the shipped binding.gyp's included, and nothing written.
  const files = () => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? read(dir, f) : null]));
  const before = files();
  const dry = await runCli(['optional-deps', '--write', '--dry-run'], { cwd: dir });
  assert.strictEqual(dry.code, 0, dry.stderr);
  assert.deepStrictEqual(files(), before, '--dry-run wrote nothing');
  const would = dry.stderr.split('\n').filter((l) => l.includes('dry run: optional-deps would change')).map((l) => l.replace(/^.*would change [^:]*package\.json: /, ''));
  assert.ok(would.some((l) => l.startsWith('pregyp-binding.gyp: written from binding.gyp')), dry.stderr);
  // A write that fails part-way changes nothing: pregyp-binding.gyp cannot be written (a
  // folder holds its name), so package.json stays as it was.
  fs.mkdirSync(path.join(dir, 'pregyp-binding.gyp', 'occupied'), { recursive: true });
  const failed = await runCli(['optional-deps', '--write'], { cwd: dir });
  assert.strictEqual(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /pregyp-binding\.gyp/);
  assert.strictEqual(read(dir, 'package.json'), before['package.json'], 'package.json untouched by the failed write');
  fs.rmSync(path.join(dir, 'pregyp-binding.gyp'), { recursive: true });
  // An edit refused half-way (optionalDependencies that is not an object) writes nothing
  // either: not even the shipped copy of binding.gyp, prepared before package.json's edit.
  const odd = widget({}, { optionalDependencies: 'oops' });
  fs.writeFileSync(path.join(odd, 'binding.gyp'), "{ 'targets': [] }\n");
  const refused = await runCli(['optional-deps', '--write'], { cwd: odd });
  assert.strictEqual(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /optionalDependencies.*expected an object/);
  assert.ok(!fs.existsSync(path.join(odd, 'pregyp-binding.gyp')), 'nothing written by the refused edit');
  const r = await runCli(['optional-deps', '--write'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  const pkg = JSON.parse(read(dir, 'package.json'));
  assert.deepStrictEqual(pkg.scripts, { test: 'node test.js' }, 'the install script is gone, other scripts stay');
  assert.strictEqual(pkg.gypfile, false);
  assert.strictEqual(pkg.optionalDependencies[`@acme/widget-${HERE}`], '1.2.3');
  assert.match(r.stderr, new RegExp(`optional-deps changed .*package\\.json: optionalDependencies: added @acme/widget-${HERE}@1\\.2\\.3`));
  assert.match(r.stderr, /optional-deps changed .*: scripts\.install: removed "node-pre-gyp install --fallback-to-build" \(the platform packages carry the binaries; where none fits, load\(\) with PREGYP_INSTALL_ON_FIND=1 or `npx pregyp heal` download or build it on first use\)/);
  assert.match(r.stderr, /optional-deps changed .*: gypfile: false \(npm would otherwise add an implicit `node-gyp rebuild` install script for binding\.gyp\)/);
  assert.deepStrictEqual(pkg.files, ['index.js', 'src/', 'pregyp-binding.gyp'], 'binding.gyp is shipped under another name');
  assert.strictEqual(read(dir, 'pregyp-binding.gyp'), "{ 'targets': [] }\n");
  assert.match(r.stderr, /optional-deps changed .*: pregyp-binding\.gyp: written from binding\.gyp/);
  assert.match(r.stderr, /optional-deps changed .*: files: binding\.gyp left out/);
  assert.match(r.stderr, /optional-deps changed .*: files: added pregyp-binding\.gyp/);
  const did = r.stderr.split('\n').filter((l) => l.includes('optional-deps changed')).map((l) => l.replace(/^.*changed [^:]*package\.json: /, ''));
  assert.deepStrictEqual(did, would, 'the dry run listed exactly the changes made');
  // A second run has nothing to change, and says so.
  const again = await runCli(['optional-deps', '--write'], { cwd: dir });
  assert.match(again.stderr, /already lists every platform package and needs no change/);
  assert.doesNotMatch(again.stderr, /optional-deps changed/);

  // Another install script is kept, with a warning; gypfile: false all the same (that
  // script may go later, and npm would then add node-gyp rebuild for binding.gyp).
  const custom = widget({}, { scripts: { install: 'node scripts/setup.js' } });
  fs.writeFileSync(path.join(custom, 'binding.gyp'), "{ 'targets': [] }\n");
  const c = await runCli(['optional-deps', '--write'], { cwd: custom });
  assert.strictEqual(c.code, 0, c.stderr);
  const cpkg = JSON.parse(read(custom, 'package.json'));
  assert.deepStrictEqual(cpkg.scripts, { install: 'node scripts/setup.js' });
  assert.strictEqual(cpkg.gypfile, false);
  // No `files` list: binding.gyp would be published; the warning says what to do.
  assert.match(c.stderr, /package\.json has no `files` list, so binding\.gyp is published too/);
  assert.match(c.stderr, /scripts\.install \("node scripts\/setup\.js"\) kept: it is not a node-pre-gyp install, and npm 12, pnpm, yarn 4 and bun will report it as a blocked script/);
});

test('binary.platform_packages is validated with clear messages naming the field', async () => {
  const cases = [
    [{ targets: ['linux-x64'] }, /invalid `binary\.platform_packages\.targets\[0\]`: `linux-x64`: a linux target names its libc.*`linux-x64-glibc` or `linux-x64-musl`/],
    [{ targets: 'linux-x64-glibc' }, /invalid `binary\.platform_packages\.targets`: expected a non-empty array/],
    [{ name: '{name}-{platform}', targets: ['linux-x64-glibc', 'linux-x64-musl'] }, /invalid `binary\.platform_packages\.name`: `\{name\}-\{platform\}` gives the same name `@acme\/widget-linux` for linux-x64-glibc and linux-x64-musl/],
    [{ name: '{name}-{node_abi}', targets: ['win32-x64'] }, /uses \{node_abi\}, which a platform package name cannot use/],
    [{ targets: ['win32-x64'], typo: 1 }, /invalid `binary\.platform_packages\.typo`: unknown field/],
  ];
  for (const [pp, re] of cases) {
    const dir = widget({ platform_packages: pp });
    const r = await runCli(['optional-deps'], { cwd: dir });
    assert.strictEqual(r.code, 1, JSON.stringify(pp));
    assert.match(r.stderr, re);
    assert.match(r.stderr, /widget\/package\.json: invalid/);
    // find() reports it too: invalid package.json throws.
    assert.throws(() => pregyp.find(path.join(dir, 'package.json')), (e) => e.code === 'E_INVALID_FIELD' && re.test(e.message));
  }
  assert.throws(() => pregyp.find(path.join(widget({ platform_packages: { targets: [] } }), 'package.json')), /binary\.platform_packages\.targets/);
});

// An app whose node_modules holds the widget and its platform package for this machine.
async function installedApp({ layout = 'npm', version = '1.2.3', host } = {}) {
  const src = widget(host ? { host } : {});
  const from = artifacts([HERE]);
  const pp = await runCli(['platform-package', '--from', from], { cwd: src });
  // Only HERE was staged: the error names the others, and HERE's package is written.
  assert.match(pp.stderr, /no staged tarball/);
  const built = path.join(src, 'build', 'npm', '@acme', `widget-${HERE}`);
  if (version !== '1.2.3') {
    const pj = JSON.parse(read(built, 'package.json'));
    pj.version = version;
    fs.writeFileSync(path.join(built, 'package.json'), JSON.stringify(pj));
  }
  const app = tmpdir('pregyp-app-');
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { '@acme/widget': '1.2.3' } }));
  const nm = path.join(app, 'node_modules');
  const place = (from, to) => fs.cpSync(from, to, { recursive: true, filter: (p) => !p.includes(`${path.sep}build`) || p.startsWith(built) });
  if (layout === 'npm') {
    place(src, path.join(nm, '@acme', 'widget'));
    fs.cpSync(built, path.join(nm, '@acme', `widget-${HERE}`), { recursive: true });
    return { app, pkg: path.join(nm, '@acme', 'widget'), ppDir: path.join(nm, '@acme', `widget-${HERE}`) };
  }
  // pnpm: the store folder holds the package and, beside it, its dependencies; the
  // project's node_modules links to the store.
  const store = path.join(nm, '.pnpm', '@acme+widget@1.2.3', 'node_modules');
  place(src, path.join(store, '@acme', 'widget'));
  fs.cpSync(built, path.join(store, '@acme', `widget-${HERE}`), { recursive: true });
  fs.mkdirSync(path.join(nm, '@acme'), { recursive: true });
  fs.symlinkSync(path.join(store, '@acme', 'widget'), path.join(nm, '@acme', 'widget'));
  return { app, pkg: path.join(nm, '@acme', 'widget'), ppDir: path.join(store, '@acme', `widget-${HERE}`) };
}

test("find() and load() use the platform package when module_path has no binding (npm and pnpm layouts)", async () => {
  for (const layout of ['npm', 'pnpm']) {
    const { pkg, ppDir } = await installedApp({ layout });
    const file = path.join(pkg, 'package.json');
    const want = path.join(fs.realpathSync(ppDir), 'lib', 'binding', 'napi-v8', 'widget.node');
    assert.strictEqual(fs.realpathSync(pregyp.find(file)), want, layout);
    // module_path first: a local build wins.
    const local = path.join(pkg, 'lib', 'binding', 'napi-v8', 'widget.node');
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, 'local');
    assert.strictEqual(pregyp.find(file), local, layout);
    fs.rmSync(path.join(pkg, 'lib'), { recursive: true });
    // Only an older Node-API build in the platform package: that one is used.
    fs.rmSync(path.join(ppDir, 'lib', 'binding', 'napi-v8'), { recursive: true });
    assert.strictEqual(fs.realpathSync(pregyp.find(file)), want.replace('napi-v8', 'napi-v3'), layout);
    // The stand-in binary is not a shared object: load() says where it came from.
    assert.throws(() => pregyp.load(pkg), (e) => e.code === 'E_BINDING_LOAD' && e.message.includes(`(from the platform package @acme/widget-${HERE}@1.2.3`), layout);
  }
});

test('load() explains a missing or mismatched platform package', async () => {
  const { pkg, ppDir } = await installedApp({ version: '1.0.0' });
  assert.throws(
    () => pregyp.load(pkg),
    (e) => e.code === 'E_BINDING_MISSING' && e.message.includes(`platform package: @acme/widget-${HERE}@1.0.0 at ${ppDir} is for another release (this package is 1.2.3)`) && e.message.includes(`fix: npm install @acme/widget-${HERE}@1.2.3`)
  );
  fs.rmSync(ppDir, { recursive: true });
  assert.throws(
    () => pregyp.load(pkg),
    (e) =>
      e.code === 'E_BINDING_MISSING' &&
      e.message.includes(`platform package: @acme/widget-${HERE} is not installed`) &&
      e.message.includes('likely cause: optional dependencies were left out (npm --omit=optional') &&
      e.message.includes('fix: reinstall with optional dependencies (npm install --include=optional), or: npx pregyp heal')
  );
  // find() still returns the module_path candidate.
  assert.strictEqual(pregyp.find(path.join(pkg, 'package.json')), path.join(pkg, 'lib', 'binding', 'napi-v8', 'widget.node'));
});

test('install, explain and heal: an installed platform package means no download', async () => {
  const server = await startServer({ routes: {} });
  servers.push(server);
  const { app, pkg } = await installedApp({ host: server.url + '/' });
  const r = await runCli(['install', '--fallback-to-build'], { cwd: pkg });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`\\[@acme/widget\\] Success: ".*widget-${HERE}/lib/binding/napi-v8/widget\\.node" is provided by the platform package @acme/widget-${HERE}@1\\.2\\.3 \\(nothing downloaded\\)`));
  const [res] = await pregyp.install({ directory: pkg });
  assert.strictEqual(res.source, 'platform-package');
  assert.strictEqual(res.package, `@acme/widget-${HERE}`);
  const ex = await runCli(['explain'], { cwd: pkg });
  assert.strictEqual(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, new RegExp(`platform: @acme/widget-${HERE}@1\\.2\\.3 provides`));
  assert.match(ex.stdout, /install would: nothing: the platform package .* provides the binding \(no download\)/);
  // heal: the stand-in does not load, so heal tries the host (a 404 here) and says so.
  const h = await runCli(['heal', '--dry-run'], { cwd: app });
  assert.match(h.stdout, /would install @acme\/widget@1\.2\.3 \(broken\)/);
  assert.strictEqual(server.requests.length, 0, 'install and explain made no request to the host');
});

test('--help lists the new commands and options', async () => {
  const h = await runCli(['--help']);
  assert.strictEqual(h.code, 0);
  assert.match(h.stdout, /- platform-package - Writes build\/npm\/<package>\//);
  assert.match(h.stdout, /- optional-deps - Prints \(or with --write stores\) optionalDependencies/);
  assert.match(h.stdout, /--from <dir>\s+a folder of staged tarballs of every target/);
  assert.match(h.stdout, /--write\s+store the result in package\.json/);
  const one = await runCli(['platform-package', '--help']);
  assert.match(one.stdout, /Usage: pregyp platform-package \[options\]/);
  assert.match(one.stdout, /Options of platform-package:\n\s+--from <dir>/);
  const od = await runCli(['optional-deps', '--help']);
  assert.match(od.stdout, /Options of optional-deps:\n\s+--write/);
});
