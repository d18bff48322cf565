'use strict';
// find(), reveal and the CLI skeleton, checked against the reference node-pre-gyp
// (@mapbox/node-pre-gyp, a devDependency) on the same package.json files.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runCli, tmpdir, cleanEnv } = require('./helpers/run');
const pregyp = require('..');
const reference = require('@mapbox/node-pre-gyp');
const REFERENCE_CLI = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');

function pkg(binary, extra = {}) {
  const dir = tmpdir('pregyp-find-');
  const file = path.join(dir, 'package.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'find-me', version: '2.1.0-beta.3', main: 'index.js', binary, ...extra }));
  return { dir, file };
}

// Creates the binding at the path pregyp computes, so find()'s existence check passes.
function touch(p) {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '');
  return p;
}

const { VARIANTS } = require('./helpers/layouts');

test('find() matches the reference for the same package, always absolute', () => {
  for (const [name, binary] of Object.entries(VARIANTS)) {
    const { file } = pkg(binary);
    for (const opts of [undefined, { debug: true }, { target: '18.20.0' }, { target_arch: 'arm64', target_platform: 'darwin' }, { runtime: 'electron', target: '31.1.0' }]) {
      const want = reference.find(file, opts && { ...opts });
      touch(want);
      assert.strictEqual(pregyp.find(file, opts && { ...opts }), want, `${name} ${JSON.stringify(opts)}`);
      assert.ok(path.isAbsolute(want));
    }
  }
});

test('relative package.json paths give absolute results; module_root is honoured', () => {
  const { dir, file } = pkg(VARIANTS.plain);
  const rel = path.relative(process.cwd(), file);
  const p = touch(reference.find(file));
  assert.strictEqual(pregyp.find(rel), p);
  const root = tmpdir('pregyp-root-');
  const q = touch(path.join(root, path.relative(dir, p)));
  assert.strictEqual(pregyp.find(file, { module_root: root }), q);
  // The reference returns a relative path for a relative module_root; pregyp resolves it.
  const relRoot = path.relative(process.cwd(), root);
  assert.strictEqual(pregyp.find(file, { module_root: relRoot }), q);
});

test('find() reports the reference errors with stable codes', () => {
  const missing = path.join(tmpdir('pregyp-none-'), 'package.json');
  // The reference's words (`<path>does not exist`, sic), with the space it lacks.
  assert.throws(() => pregyp.find(missing), (e) => e.message === `${missing} does not exist` && e.code === 'E_NO_PACKAGE_JSON');
  // [binary, the reference's message, pregyp's (the reference's words on one line, with
  // the file and what is wrong; where the reference crashes, what it should have said), code]
  const cases = [
    [{ module_name: 'm', module_path: 'lib' }, 'find-me package.json is not node-pre-gyp ready:\npackage.json must declare these properties: \nbinary.host', (f) => `find-me package.json is not node-pre-gyp ready: ${f} must declare these properties: binary.host`, 'E_NOT_READY'],
    [{ module_name: 'm', module_path: 'lib', host: 'http://example.com' }, "'host' protocol (http:) is invalid - only 'https:' is accepted", (f) => `'host' protocol (http:) is invalid - only 'https:' is accepted: binary.host in ${f} is "http://example.com"`, 'E_INVALID_HOST'],
    [{ module_name: 'm', module_path: 'lib/{napi_build_version}', host: 'https://h' }, "When the substitution string '{napi_build_version}` is specified in module_path, remote_path, or package_name; napi_versions must also be specified.", (f) => `When the substitution string '{napi_build_version}\` is specified in module_path, remote_path, or package_name; napi_versions must also be specified. (in ${f}: binary.napi_versions is absent, binary.module_path is "lib/{napi_build_version}", binary.remote_path is absent, binary.package_name is absent)`, 'E_NAPI_VERSION'],
    [{ module_name: 'm', module_path: 'lib/{napi_build_version}', package_name: '{napi_build_version}', host: 'https://h', napi_versions: [-1] }, 'All values specified in napi_versions must be positive integers.', (f) => `All values specified in napi_versions must be positive integers. (in ${f}: binary.napi_versions is [-1])`, 'E_NAPI_VERSION'],
    [{ module_name: 'm', module_path: 'lib/{napi_build_version}', package_name: '{napi_build_version}', host: 'https://h', napi_versions: '3' }, 'package_json.binary.napi_versions.forEach is not a function', (f) => `All values specified in napi_versions must be positive integers. (in ${f}: binary.napi_versions is "3")`, 'E_NAPI_VERSION'],
  ];
  for (const [binary, message, ours, code] of cases) {
    const { file } = pkg(binary);
    const want = ours ? ours(file) : message;
    assert.throws(() => reference.find(file), (e) => e.message === message);
    assert.throws(() => pregyp.find(file), (e) => e.message === want && e.code === code, want);
  }
  const { file } = pkg({ module_name: 'm', module_path: 'lib', host: 'https://h' });
  assert.throws(() => pregyp.find(file, { target: '99.0.0' }), (e) => e.code === 'E_UNSUPPORTED_TARGET' && e.message === 'Unsupported target version: 99.0.0');
});

test('find() never reads the host application argv', () => {
  const { file } = pkg(VARIANTS.plain);
  const p = touch(reference.find(file));
  // The process's real arguments (what the native core could read through the OS), in a
  // child of its own: --target_arch=ia32 would change the path if they were read.
  const code = `console.log(require(${JSON.stringify(path.join(__dirname, '..'))}).find(${JSON.stringify(file)}))`;
  // process.argv[1] stands where an application's script would.
  const args = ['app.js', '--debug', '--target_arch=ia32', '--s3_host=bogus'];
  const r = spawnSync(process.execPath, ['-e', code, '--', ...args], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout.trim(), p);
});

// pregyp installed under the old name, as `"@mapbox/node-pre-gyp": "npm:pregyp@..."` puts it:
// the same files in a folder named node-pre-gyp (a copy, since Node would resolve a link).
function underOldName() {
  const dir = path.join(tmpdir('pregyp-alias-'), 'node_modules', '@mapbox', 'node-pre-gyp');
  fs.mkdirSync(dir, { recursive: true });
  const root = path.join(__dirname, '..');
  for (const f of fs.readdirSync(root)) {
    if (f === 'index.js' || f === 'package.json' || /^pregyp(-find)?\..+\.node$/.test(f) || f === 'pregyp-find.wasm') fs.copyFileSync(path.join(root, f), path.join(dir, f));
  }
  fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
  return require(dir);
}

test('find() of a missing binding returns the path without throwing, under both names', () => {
  const { file } = pkg(VARIANTS.plain);
  const oldName = underOldName();
  for (const [name, tool] of [['pregyp', pregyp], ['@mapbox/node-pre-gyp (alias)', oldName]]) {
    // Candidate paths, as packages written for the reference compute them: Debug first.
    const debug = tool.find(file, { debug: true });
    assert.strictEqual(debug, reference.find(file, { debug: true }), name);
    assert.ok(path.isAbsolute(debug) && debug.includes('/Debug/') && !fs.existsSync(debug), name);
    assert.strictEqual(tool.find(file), reference.find(file), name);
    // An invalid package.json still throws the reference's error.
    const bad = pkg({ module_name: 'm', module_path: 'lib' });
    assert.throws(() => tool.find(bad.file), (e) => e.code === 'E_NOT_READY' && /binary\.host/.test(e.message), name);
  }
});

test('load() explains a missing binding: package, path, target, cause and fix', () => {
  const { dir, file } = pkg(VARIANTS.plain);
  const expected = reference.find(file);
  for (const arg of [file, dir]) {
    assert.throws(
      () => pregyp.load(arg),
      (e) =>
        e.code === 'E_BINDING_MISSING' &&
        e.message.includes(`find-me@2.1.0-beta.3: native binding not found at ${expected}`) &&
        e.message.includes(`target: node node-v${process.versions.modules} ${process.platform}-${process.arch}`) &&
        e.message.includes('likely cause: its install script did not run') &&
        e.message.includes('fix: npx pregyp heal')
    );
  }
  assert.throws(() => underOldName().load(dir, { debug: true }), (e) => e.code === 'E_BINDING_MISSING' && e.message.includes('/Debug/'));
  // A folder is named as path.join names it: with or without a trailing separator, with
  // `..` folded; '' is the current folder.
  const missing = path.join(dir, 'none');
  for (const arg of [missing, `${missing}${path.sep}`, path.join(dir, 'x') + `${path.sep}..${path.sep}none`]) {
    assert.throws(() => pregyp.load(arg), (e) => e.code === 'E_NO_PACKAGE_JSON' && e.message === `${path.join(missing, 'package.json')} does not exist`, arg);
  }
  // find() names it as it was given, as the reference does.
  const unfolded = path.join(dir, 'x') + `${path.sep}..${path.sep}none${path.sep}package.json`;
  assert.throws(() => pregyp.find(unfolded), (e) => e.message === `${unfolded} does not exist`);
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    assert.throws(() => pregyp.load(''), (e) => e.code === 'E_BINDING_MISSING' && e.message.includes(expected));
  } finally {
    process.chdir(cwd);
  }
});

test('load() requires the binding, and explains one that does not load', () => {
  const { dir, file } = pkg(VARIANTS.plain);
  const p = touch(reference.find(file));
  // Not a shared object: the loader refuses it.
  fs.writeFileSync(p, 'not an ELF file');
  assert.throws(
    () => pregyp.load(dir),
    (e) =>
      e.code === 'E_BINDING_LOAD' &&
      e.message.startsWith(`${p} cannot be loaded: `) &&
      e.message.includes('package: find-me@2.1.0-beta.3 (from module_path)') &&
      e.message.includes('fix: cd ') &&
      e.message.includes('npx pregyp install --update-binary --fallback-to-build')
  );
});

test('reveal prints the same JSON as the reference (plus libc_version), and single keys', async () => {
  for (const [name, binary] of Object.entries(VARIANTS)) {
    const { dir } = pkg(binary);
    const ours = await runCli(['reveal'], { cwd: dir });
    const ref = await runCli(['reveal', '--loglevel=silent'], { cwd: dir, bin: REFERENCE_CLI });
    assert.strictEqual(ours.code, 0, ours.stderr);
    // napi packages print one JSON document per Node-API version.
    const split = (s) => s.trim().split(/\n(?=\{)/).map((j) => JSON.parse(j));
    const a = split(ours.stdout).map((o) => {
      delete o.libc_version;
      return o;
    });
    assert.deepStrictEqual(a, split(ref.stdout), name);
  }
  const { dir } = pkg(VARIANTS.plain);
  const one = await runCli(['reveal', 'module_path', '--target=20.0.0'], { cwd: dir });
  assert.strictEqual(one.stdout, `${path.join(fs.realpathSync(dir), 'lib/binding/Release/node-v115-' + process.platform + '-' + process.arch)}\n`);
});

test('a package.json with a byte order mark (which npm reads) is read: find(), the commands, and a rewrite keeps the mark', async () => {
  const { dir, file } = pkg(VARIANTS.plain);
  const plain = pregyp.find(file);
  fs.writeFileSync(file, `\uFEFF${fs.readFileSync(file, 'utf8')}`);
  assert.strictEqual(pregyp.find(file), plain);
  const r = await runCli(['reveal', 'module_name'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(r.stdout, 'm\n');
  // A command that rewrites package.json keeps the mark (and with it the file's look).
  const staged = await runCli(['reveal', 'staged_tarball', '--loglevel=silent'], { cwd: dir });
  const tarball = path.resolve(dir, staged.stdout.trim());
  fs.mkdirSync(path.dirname(tarball), { recursive: true });
  fs.writeFileSync(tarball, 'x');
  const w = await runCli(['checksums', '--write'], { cwd: dir });
  assert.strictEqual(w.code, 0, w.stderr);
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.startsWith('\uFEFF{'), JSON.stringify(text.slice(0, 10)));
  assert.ok(JSON.parse(text.slice(1)).binary.checksums, 'checksums written');
});

test('CLI: a binary-block key that looks like a typo of a field is named with the field, as a warning', async () => {
  const { dir, file } = pkg({ ...VARIANTS.plain, remote_paht: 'v{version}', napi_version: [3], hosting: 'x' });
  const r = await runCli(['reveal', 'module_name'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.strictEqual(r.stdout, 'm\n');
  assert.ok(r.stderr.includes(`binary.remote_paht in ${file} is not a field pregyp reads (did you mean binary.remote_path?); it is ignored`), r.stderr);
  assert.match(r.stderr, /binary\.napi_version in .* \(did you mean binary\.napi_versions\?\)/);
  assert.doesNotMatch(r.stderr, /hosting/, 'a key unlike any field is some other tool\'s');
});

test("CLI --module_root: module_path relative to it, where the reference's reveal and install put it", async () => {
  const { dir } = pkg(VARIANTS.plain);
  const real = fs.realpathSync(dir);
  for (const root of ['./foo', '../up', path.join(real, 'abs')]) {
    const ours = await runCli(['reveal', 'module_path', `--module_root=${root}`, '--target=20.0.0'], { cwd: dir });
    const ref = await runCli(['reveal', 'module_path', `--module_root=${root}`, '--target=20.0.0', '--loglevel=silent'], { cwd: dir, bin: REFERENCE_CLI });
    assert.strictEqual(ours.code, 0, ours.stderr);
    // The reference leaves a relative module_root relative (to its working folder, the
    // package's); pregyp's paths are absolute.
    assert.strictEqual(ours.stdout.trim(), path.resolve(real, ref.stdout.trim()), root);
  }
  // A refusal caused by it says so.
  const flat = pkg({ module_name: 'm', module_path: './', host: 'https://h.example/' });
  const up = await runCli(['clean', '--module_root=..'], { cwd: flat.dir });
  assert.strictEqual(up.code, 1);
  assert.match(up.stderr, /contains the package directory, refusing to delete: binary\.module_path "\.\/" in .*package\.json \(relative to --module_root=\.\.\) resolves to /);
  assert.ok(fs.existsSync(flat.file), 'nothing deleted');
  const dry = await runCli(['install', '--dry-run', '--module_root=./foo'], { cwd: dir });
  assert.match(dry.stdout, new RegExp(`Would install "${path.join(real, 'foo', 'lib', 'binding')}`));
  // --acl, which evaluate reads too: reveal shows it as the reference does.
  const acl = await runCli(['reveal', 'acl', '--acl=private'], { cwd: dir });
  assert.strictEqual(acl.stdout.trim(), (await runCli(['reveal', 'acl', '--acl=private', '--loglevel=silent'], { cwd: dir, bin: REFERENCE_CLI })).stdout.trim());
  assert.strictEqual(acl.stdout.trim(), 'private');
  const without = await runCli(['reveal', 'module_path', '--target=20.0.0'], { cwd: dir });
  assert.strictEqual(without.stdout.trim(), path.join(real, 'lib/binding/Release/node-v115-' + process.platform + '-' + process.arch));
});

test('CLI: version, help, exit codes, -C and errors naming the file', async () => {
  const v = await runCli(['-v']);
  assert.strictEqual(v.stdout, `v${require('../package.json').version}\n`);
  const h = await runCli(['--help']);
  assert.strictEqual(h.code, 0);
  assert.match(h.stdout, /Usage: pregyp <command>/);
  assert.match((await runCli(['install', '--help'])).stdout, /Attempts to install pre-built binary/);
  const none = await runCli([]);
  assert.strictEqual(none.code, 1);
  const bad = await runCli(['frobnicate']);
  assert.strictEqual(bad.code, 1);
  assert.match(bad.stderr, /Unknown command: frobnicate/);
  const { dir } = pkg(VARIANTS.plain);
  const viaC = await runCli(['reveal', 'module_name', '-C', dir]);
  assert.strictEqual(viaC.stdout, 'm\n');
  const empty = tmpdir('pregyp-empty-');
  const r = await runCli(['reveal'], { cwd: empty });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /package\.json does not exist/);
  fs.writeFileSync(path.join(empty, 'package.json'), '{ nope');
  const r2 = await runCli(['reveal'], { cwd: empty });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, /package\.json: invalid JSON/);
  const silent = await runCli(['reveal', '--silent'], { cwd: dir });
  assert.strictEqual(silent.stderr, '');
});

test('npm_config_* variables are options; node_pre_gyp_s3_host picks staging', async () => {
  const { dir } = pkg(VARIANTS.staging);
  const r = await runCli(['reveal', 'host'], { cwd: dir, env: { node_pre_gyp_s3_host: 'staging' } });
  assert.strictEqual(r.stdout, 'https://s.example/\n');
  const r2 = await runCli(['reveal', 'host', '--s3_host=bogus'], { cwd: dir });
  assert.strictEqual(r2.code, 1);
  assert.match(r2.stderr, /invalid s3_host bogus/);
  const r3 = await runCli(['reveal', 'arch'], { cwd: dir, env: { npm_config_target_arch: 'arm64' } });
  assert.strictEqual(r3.stdout, 'arm64\n');
});

test('the loader refuses an @pregyp/full-<triple> package of another release, naming both versions', () => {
  // pregyp's JS as installed, without a full binary of its own, next to a platform
  // package one release behind.
  const root = path.join(__dirname, '..');
  const dir = tmpdir('pregyp-mismatch-');
  const pkg = path.join(dir, 'node_modules', 'pregyp');
  fs.mkdirSync(path.join(pkg, 'lib'), { recursive: true });
  for (const f of ['index.js', 'package.json', 'lib/api.js', 'lib/loader.js', 'lib/fetch-self.js']) fs.copyFileSync(path.join(root, f), path.join(pkg, f));
  // This machine's build (the root may also hold other platforms': npm run build -- --target).
  const triple = require('../lib/loader').builtTriple(root, 'pregyp');
  const find = `pregyp-find.${triple}.node`;
  const full = `pregyp.${triple}.node`;
  fs.copyFileSync(path.join(root, find), path.join(pkg, find));
  const plat = path.join(dir, 'node_modules', '@pregyp', `full-${triple}`);
  fs.mkdirSync(plat, { recursive: true });
  fs.writeFileSync(path.join(plat, 'package.json'), JSON.stringify({ name: `@pregyp/full-${triple}`, version: '0.0.1' }));
  fs.copyFileSync(path.join(root, full), path.join(plat, full));
  const r = spawnSync(process.execPath, ['-e', "try { require('pregyp').binding() } catch (e) { console.log(e.code); console.log(e.message) }"], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
  const [code] = r.stdout.split('\n');
  assert.strictEqual(code, 'E_PREGYP_NO_BINARY', r.stderr);
  assert.match(r.stdout, new RegExp(`@pregyp/full-${triple}@0\\.0\\.1 .* does not match pregyp@${require('../package.json').version}: reinstall your dependencies`));
});

test("as installed, the find() core comes from @pregyp/<triple> beside pregyp (each of this platform's names) and the shim loads no other file; elsewhere it falls back to its search", () => {
  const root = path.join(__dirname, '..');
  const loader = require('../lib/loader');
  const core = `pregyp-find.${loader.builtTriple(root)}.node`;
  const fixture = path.join(__dirname, 'fixtures', 'hello-addon', 'package.json');
  // The pregyp files the child loaded, relative to the installed package.
  const probe = (dir) => {
    const code = `const p = require('pregyp'); const r = p.find(${JSON.stringify(fixture)}); const pkg = require('path').dirname(require.resolve('pregyp'));
console.log(JSON.stringify({ r, loaded: Object.keys(require.cache).filter((f) => f.startsWith(pkg)).map((f) => require('path').relative(pkg, f)) }))`;
    // The native core's fast path, also when the suite runs through wasm (wasm.test.js).
    const env = cleanEnv();
    delete env.PREGYP_FIND_CORE;
    delete env.PREGYP_TEST_HIDE_NATIVE;
    const out = spawnSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8', env });
    assert.strictEqual(out.status, 0, out.stderr);
    return JSON.parse(out.stdout);
  };
  const installed = (triple) => {
    const dir = tmpdir('pregyp-installed-');
    const pkg = path.join(dir, 'node_modules', 'pregyp');
    fs.cpSync(path.join(root, 'lib'), path.join(pkg, 'lib'), { recursive: true });
    for (const f of ['index.js', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(pkg, f));
    if (triple) {
      const plat = path.join(dir, 'node_modules', '@pregyp', triple);
      fs.mkdirSync(plat, { recursive: true });
      fs.copyFileSync(path.join(root, core), path.join(plat, `pregyp-find.${triple}.node`));
    } else {
      fs.copyFileSync(path.join(root, core), path.join(pkg, core));
    }
    return dir;
  };
  const expected = pregyp.find(fixture);
  // On Linux both libc names: the shim tries the glibc package, then the musl one.
  for (const triple of loader.hostTriples()) {
    const got = probe(installed(triple));
    assert.strictEqual(got.r, expected, triple);
    assert.deepStrictEqual(got.loaded, ['index.js'], `${triple}: only index.js was loaded`);
  }
  // A build beside index.js (a clone): found by the search in lib/loader.js.
  const got = probe(installed(null));
  assert.strictEqual(got.r, expected);
  assert.deepStrictEqual(got.loaded.sort(), ['index.js', path.join('lib', 'loader.js')]);
});

test("the find() binary opened without pregyp's shim refuses to answer and says what to require; with the shim's init it answers", () => {
  const root = path.join(__dirname, '..');
  const core = path.join(root, `pregyp-find.${require('../lib/loader').builtTriple(root)}.node`);
  const { file } = pkg({ module_name: 'm', module_path: './lib', host: 'https://h.example/' });
  const code = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(core)});
try { m.exports(1, ${JSON.stringify(file)}); } catch (e) { console.log(e.code); console.log(e.message); }
const V = process.versions;
console.log(m.exports(0, { node: V.node, modules: +V.modules, napi: +V.napi, v8: V.v8, platform: process.platform, arch: process.arch, execPath: process.execPath }));
console.log(m.exports(1, ${JSON.stringify(file)}));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: cleanEnv() });
  assert.strictEqual(r.status, 0, r.stderr);
  const [errCode, message, version, found] = r.stdout.trim().split('\n');
  assert.strictEqual(errCode, 'E_NOT_INITIALIZED');
  assert.match(message, /loaded without its JS shim: require\('pregyp'\) instead/);
  assert.strictEqual(version, require('../package.json').version);
  assert.strictEqual(found, path.join(path.dirname(file), 'lib', 'm.node'));
});
