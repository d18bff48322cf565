'use strict';
// `pregyp migrate` on the shapes of native packages that break a naive migration: ES
// modules, comments and strings, a file that does not parse, Debug-then-Release loads
// and Release-then-Debug ones, an executable binary, no binding.gyp, --keep-name in the
// alias layout (the module actually required), a write that fails half-way, concurrent
// runs, new --targets, unsupported targets, a folder outside git, and the to-do items.
// PREGYP_MIGRATE_BIN=<bin/pregyp.js> runs another pregyp's migrate against the same
// expectations (how the failures of an older migrate were recorded).
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runCli, tmpdir, snapshot, CLI } = require('./helpers/run');

const ROOT = path.join(__dirname, '..');
// A real Node-API addon for this platform: the find() core built here (the root may also
// hold other platforms' builds).
const HOST_ADDON = `pregyp-find.${require('../lib/loader').builtTriple(ROOT)}.node`;
const BIN = process.env.PREGYP_MIGRATE_BIN || CLI;
const migrate = (dir, args) => runCli(['migrate', ...args], { cwd: dir, bin: BIN });
const T1 = '--targets=linux-x64-glibc';

function makePackage({ pj = {}, files = {}, gyp = true } = {}) {
  const dir = path.join(tmpdir('pregyp-shapes-'), 'addon');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'shape-me',
    version: '1.0.0',
    main: 'lib/index.js',
    scripts: { install: 'node-pre-gyp install --fallback-to-build' },
    dependencies: { '@mapbox/node-pre-gyp': '^1.0.11' },
    binary: {
      module_name: 'shape',
      module_path: './lib/binding',
      host: 'https://example.invalid/',
    },
    ...pj,
  }, null, 2) + '\n');
  if (gyp) fs.writeFileSync(path.join(dir, 'binding.gyp'), '{ "targets": [] }\n');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}


const read = (dir, rel) => fs.readFileSync(path.join(dir, rel), 'utf8');
const check = (file) => spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
const lastJson = (r) => JSON.parse(r.stdout.trim().split('\n').pop());

test('an ES module gets import and import.meta, and passes node --check', async () => {
  const dir = makePackage({ files: { 'lib/index.mjs': "import bindings from 'bindings';\nexport default bindings('shape.node');\n" } });
  const r = await migrate(dir, ['--yes', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  const out = read(dir, 'lib/index.mjs');
  assert.strictEqual(out, "import { load } from 'pregyp';\nimport { fileURLToPath } from 'node:url';\nexport default load(fileURLToPath(new URL('..', import.meta.url)));\n");
  assert.strictEqual(check(path.join(dir, 'lib/index.mjs')).status, 0);
});

test('comments and strings stay as they are; only the call site changes', async () => {
  const src = "// require('bindings')('shape')\nconst s = \"require('./build/Release/shape.node')\";\n/* require('@mapbox/node-pre-gyp') */\nmodule.exports = require('bindings')('shape');\n";
  const dir = makePackage({ files: { 'lib/index.js': src } });
  const r = await migrate(dir, ['--yes', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(read(dir, 'lib/index.js'), src.replace("require('bindings')('shape');\n", "require('pregyp').load(require('path').join(__dirname, '..'));\n"));
});

test('a file that does not parse is named with the parser\'s message and left untouched', async () => {
  const broken = "const x = ;\nmodule.exports = require('bindings')('shape');\n";
  const dir = makePackage({ files: { 'lib/broken.js': broken, 'lib/index.js': "module.exports = require('bindings')('shape');\n" } });
  const r = await migrate(dir, ['--yes', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stdout, /Files not parsed:\n {2}lib\/broken\.js: line 1: Unexpected token; left untouched/);
  assert.strictEqual(read(dir, 'lib/broken.js'), broken);
  assert.match(read(dir, 'lib/index.js'), /require\('pregyp'\)\.load\(/);
});

test('Debug then Release: two different lookups stay two', async () => {
  const src = "try {\n  module.exports = require('../build/Debug/shape.node');\n} catch (error) {\n  module.exports = require('../build/Release/shape.node');\n}\n";
  const dir = makePackage({ pj: { binary: { module_name: 'shape', module_path: './build/{configuration}/', host: 'https://example.invalid/' } }, files: { 'lib/binding.js': src } });
  const r = await migrate(dir, ['--yes', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  const out = read(dir, 'lib/binding.js');
  assert.match(out, /require\('\.\.\/build\/Debug\/shape\.node'\)/, 'the Debug lookup stays');
  assert.match(out, /require\('pregyp'\)\.load\(require\('path'\)\.join\(__dirname, '\.\.'\)\)/);
});

test('Release, else a Debug build when the error is MODULE_NOT_FOUND (nodegit): the Debug fallback still runs', async () => {
  const src = 'var rawApi;\ntry {\n  rawApi = require("../build/Release/shape.node");\n} catch (ex) {\n  if (ex.code !== "MODULE_NOT_FOUND") {\n    throw ex;\n  }\n  rawApi = require("../build/Debug/shape.node");\n}\nmodule.exports = rawApi;\n';
  const dir = makePackage({ pj: { binary: { module_name: 'shape', module_path: './build/Release/', host: 'https://example.invalid/' } }, files: { 'lib/binding.js': src } });
  const r = await migrate(dir, ['--yes', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(read(dir, 'lib/binding.js'), /require\('pregyp'\)\.load\(/);
  // pregyp installed beside the package; a real Node-API addon as the Debug build only.
  const nm = path.join(path.dirname(dir), 'node_modules');
  fs.mkdirSync(nm, { recursive: true });
  fs.symlinkSync(ROOT, path.join(nm, 'pregyp'), 'dir');
  const load = () => spawnSync(process.execPath, ['-e', `try { console.log(typeof require(${JSON.stringify(path.join(dir, 'lib/binding.js'))})) } catch (e) { console.log(e.code) }`], { encoding: 'utf8' }).stdout.trim();
  // Neither build: the Debug require's own error, as before the migration.
  assert.strictEqual(load(), 'MODULE_NOT_FOUND');
  const addon = HOST_ADDON;
  fs.mkdirSync(path.join(dir, 'build', 'Debug'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, addon), path.join(dir, 'build', 'Debug', 'shape.node'));
  assert.match(load(), /^(object|function)$/, 'the Debug build is loaded');
  // A Release build that does not load is still an error, not a silent fallback.
  fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'build', 'Release', 'shape.node'), 'not a binary');
  assert.strictEqual(load(), 'E_BINDING_LOAD');
});

test('a call that runs node-pre-gyp as a command is not a load site', async () => {
  const src = "const { spawnSync } = require('child_process');\nspawnSync('node-pre-gyp', ['install'], { stdio: 'inherit' });\n";
  const dir = makePackage({ files: { 'scripts/download.js': src } });
  const r = await migrate(dir, ['--yes', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /Call sites to change by hand/);
  assert.strictEqual(read(dir, 'scripts/download.js'), src);
});

test('an executable binary (protoc): refused with the reason, nothing changed', async () => {
  const dir = makePackage({
    gyp: false,
    pj: { bin: { tool_protoc: './bin/protoc.js' }, binary: { module_name: 'tools', module_path: 'bin', host: 'https://example.invalid/' }, scripts: { install: 'node-pre-gyp install' } },
    files: { 'bin/protoc.js': "const path = require('path');\nrequire('child_process').execFile(path.resolve(__dirname, 'protoc'), process.argv.slice(2));\n" },
  });
  const before = snapshot(dir);
  const r = await migrate(dir, ['--yes', T1]);
  assert.strictEqual(r.code, 1, r.stdout);
  assert.match(r.stderr, /binary is an executable run by its bin script \.\/bin\/protoc\.js from bin\/, not a Node addon .*Nothing was changed/);
  assert.deepStrictEqual(snapshot(dir), before);
});

test('no binding.gyp: the workflow runs the package\'s own build, or is not written and the to-do says what to add', async () => {
  const dir = makePackage({
    gyp: false,
    pj: { scripts: { install: 'node-pre-gyp install --fallback-to-build=false || ./scripts/node_install.sh' } },
    files: { 'lib/index.js': "module.exports = require('./binding/shape.node');\n" },
  });
  const r = await migrate(dir, ['--yes', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  const wf = read(dir, '.github/workflows/prebuild.yml');
  assert.match(wf, /- run: npm run build:native\n/);
  assert.strictEqual(JSON.parse(read(dir, 'package.json')).scripts['build:native'], './scripts/node_install.sh');
  assert.doesNotMatch(wf, /pregyp rebuild/);
  assert.strictEqual(read(dir, 'lib/index.js'), "module.exports = require('pregyp').load(require('path').join(__dirname, '..'));\n");
  // No build to be found: no workflow with a step that cannot work.
  const none = makePackage({ gyp: false, files: { 'lib/index.js': "module.exports = require('./binding/shape.node');\n" } });
  const r2 = await migrate(none, ['--yes', T1]);
  assert.strictEqual(r2.code, 0, r2.stderr);
  assert.ok(!fs.existsSync(path.join(none, '.github')), 'a workflow was written');
  assert.match(r2.stdout, /prebuild\.yml was not written: shape-me has no binding\.gyp, and migrate found no command that builds shape\.node/);
});

test('an install script that prepares the build runs in the workflow before it', async () => {
  const dir = makePackage({ pj: { scripts: { install: 'node scripts/install.js' } }, files: { 'scripts/install.js': '' } });
  const r = await migrate(dir, ['--yes', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(read(dir, '.github/workflows/prebuild.yml'), /- run: npm run install\n {6}- run: npx pregyp rebuild\n/);
});

test('--keep-name, in the alias layout: the rewritten modules are required and load through the old name', async () => {
  const dir = makePackage({
    files: {
      'lib/index.js': "module.exports = require('bindings')('shape');\n",
      'lib/find.js': "var binary = require('@mapbox/node-pre-gyp/lib/pre-binding');\nvar path = require('path');\nvar p = binary.find(path.resolve(path.join(__dirname, '../package.json')));\nmodule.exports = require(p);\n",
    },
  });
  const r = await migrate(dir, ['--yes', '--keep-name', '--workflow=none', T1]);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.doesNotMatch(read(dir, 'lib/index.js') + read(dir, 'lib/find.js'), /'pregyp/);
  // The alias layout: pregyp's files under the old name; a real Node-API addon at module_path.
  const nm = path.join(path.dirname(dir), 'node_modules', '@mapbox');
  fs.mkdirSync(nm, { recursive: true });
  fs.symlinkSync(ROOT, path.join(nm, 'node-pre-gyp'), 'dir');
  const addon = HOST_ADDON;
  fs.mkdirSync(path.join(dir, 'lib', 'binding'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, addon), path.join(dir, 'lib', 'binding', 'shape.node'));
  for (const f of ['lib/index.js', 'lib/find.js']) {
    const run = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(path.join(dir, f))}); console.log(typeof m)`], { encoding: 'utf8' });
    assert.strictEqual(run.status, 0, `${f}: ${run.stderr}`);
    assert.match(run.stdout.trim(), /^(object|function)$/, 'the addon at module_path was loaded');
  }
});

test('a write that fails half-way leaves the package byte for byte as it was, and says so', async () => {
  const dir = makePackage({ files: { 'lib/index.js': "module.exports = require('bindings')('shape');\n" } });
  // The workflow's place is taken by a folder: its rename, the last one, fails.
  fs.mkdirSync(path.join(dir, '.github/workflows/prebuild.yml/x'), { recursive: true });
  const before = snapshot(dir);
  const r = await migrate(dir, ['--yes', T1]);
  assert.strictEqual(r.code, 1, r.stdout);
  assert.match(r.stderr, /prebuild\.yml.*migrate wrote none of its changes \(package\.json, pregyp-binding\.gyp, lib\/index\.js, \.github\/workflows\/prebuild\.yml\): the package is as it was/);
  assert.deepStrictEqual(snapshot(dir), before);
  // A folder it cannot write in at all (not as root, who may write anywhere).
  if (process.getuid && process.getuid() !== 0) {
    fs.rmSync(path.join(dir, '.github'), { recursive: true });
    fs.chmodSync(path.join(dir, 'lib'), 0o555);
    const r2 = await migrate(dir, ['--yes', '--workflow=none', T1]);
    fs.chmodSync(path.join(dir, 'lib'), 0o755);
    assert.strictEqual(r2.code, 1);
    assert.match(r2.stderr, /the package is as it was/);
  }
});

test('concurrent runs do not mix: package.json and the workflow agree', async () => {
  for (let round = 0; round < 3; round++) {
    const dir = makePackage({ files: { 'lib/index.js': "module.exports = require('bindings')('shape');\n" } });
    const runs = await Promise.all(['linux-x64-glibc,darwin-arm64', 'win32-x64', 'darwin-x64', 'linux-arm64-glibc,win32-x64'].map((t) => migrate(dir, ['--yes', '--json', `--targets=${t}`])));
    for (const r of runs) assert.strictEqual(r.code, 0, r.stderr);
    // One after the other: exactly one run found the package unmigrated.
    const firsts = runs.filter((r) => lastJson(r).files.includes('lib/index.js'));
    assert.strictEqual(firsts.length, 1, `${firsts.length} runs each migrated the untouched package`);
    const targets = JSON.parse(read(dir, 'package.json')).binary.platform_packages.targets;
    const wf = read(dir, '.github/workflows/prebuild.yml');
    assert.match(wf, new RegExp(`target: \\[${targets.join(', ')}\\]`), `package.json has ${targets}, the workflow ${wf.match(/target: \[.*\]/)}`);
  }
});

test('a second run with other --targets updates them; the same arguments change nothing', async () => {
  const dir = makePackage({ files: { 'lib/index.js': "module.exports = require('bindings')('shape');\n" } });
  assert.strictEqual((await migrate(dir, ['--yes', '--targets=linux-x64-glibc,darwin-arm64'])).code, 0);
  const r = await migrate(dir, ['--yes', '--json', '--targets=linux-x64-glibc,win32-x64']);
  assert.strictEqual(r.code, 0, r.stderr);
  const pj = JSON.parse(read(dir, 'package.json'));
  assert.deepStrictEqual(pj.binary.platform_packages.targets, ['linux-x64-glibc', 'win32-x64']);
  assert.deepStrictEqual(pj.optionalDependencies, { 'shape-me-linux-x64-glibc': '1.0.0', 'shape-me-win32-x64': '1.0.0' });
  assert.match(read(dir, '.github/workflows/prebuild.yml'), /target: \[linux-x64-glibc, win32-x64\]/);
  const after = snapshot(dir);
  const same = await migrate(dir, ['--yes', '--targets=linux-x64-glibc,win32-x64']);
  assert.match(same.stdout, /nothing to change/);
  assert.deepStrictEqual(snapshot(dir), after);
});

test('a target with no runner or cross build: a one-line error naming the supported ones', async () => {
  const dir = makePackage();
  const before = snapshot(dir);
  for (const t of ['freebsd-x64', 'linux-arm-glibc', 'android-arm64']) {
    const r = await migrate(dir, ['--yes', `--targets=linux-x64-glibc,${t}`]);
    assert.strictEqual(r.code, 1, `${t}: ${r.stdout}`);
    assert.match(r.stderr, /supported: linux-x64-glibc, linux-x64-musl, linux-arm64-glibc, linux-arm64-musl, darwin-x64, darwin-arm64, win32-x64, win32-ia32, win32-arm64/);
    assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.deepStrictEqual(snapshot(dir), before);
});

test('a folder outside git, with no terminal: asks for --yes and changes nothing', async () => {
  const dir = makePackage();
  const before = snapshot(dir);
  const r = await migrate(dir, [T1]);
  assert.strictEqual(r.code, 1, r.stdout);
  assert.match(r.stderr, /is not in a git repository: .* or pass --yes\. No terminal to ask on: nothing was changed/);
  assert.deepStrictEqual(snapshot(dir), before);
});

test('to-do items are accurate: the default package_name, Node-API URLs, --workflow none', async () => {
  // The default package_name has {platform} and {arch}.
  const dir = makePackage();
  const r = await migrate(dir, ['--yes', '--dry-run', '--workflow=none', '--targets=linux-x64-glibc,darwin-arm64']);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /package_name \(or remote_path\) has no \{platform\}/);
  // The workflow's to-do items (publishing, the binary host) come only with a workflow.
  assert.doesNotMatch(r.stdout, /NPM_TOKEN|trusted publishing|binary host \(/, '--workflow none writes no workflow');
  const withWorkflow = await migrate(makePackage(), ['--yes', '--dry-run', '--targets=linux-x64-glibc,darwin-arm64']);
  assert.match(withWorkflow.stdout, /NPM_TOKEN/);
  // Node-API: the host URL shown is one `reveal` gives.
  const napi = makePackage({ pj: { binary: { module_name: 'shape', module_path: './lib/binding/napi-v{napi_build_version}', host: 'https://example.invalid/', remote_path: '{napi_build_version}/{version}', napi_versions: [3, 6] } } });
  const r2 = await migrate(napi, ['--yes', '--dry-run', T1]);
  assert.strictEqual(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /binary host \(https:\/\/example\.invalid\/6\/1\.0\.0\//);
  assert.doesNotMatch(r2.stdout, /example\.invalid\/\/1\.0\.0/);
});
