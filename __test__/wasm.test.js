'use strict';
// The WebAssembly fallback (pregyp-find.wasm, lib/wasm.js): on a platform with no native
// binary, require('pregyp') must not throw, find() and load() must give the native core's
// results, and `pregyp install --fallback-to-build` must build with node-gyp. Here the
// native binaries are hidden with PREGYP_TEST_HIDE_NATIVE (1: both, find: the find() one).
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runCli, tmpdir, cleanEnv, copyFixture } = require('./helpers/run');

const ROOT = path.join(__dirname, '..');
const WASM = path.join(ROOT, 'pregyp-find.wasm');
// Without the toolchain (scripts/setup-wasm.sh) there is no module to test; CI must have it.
const SKIP = !fs.existsSync(WASM) && !process.env.CI && 'pregyp-find.wasm not built (scripts/setup-wasm.sh)';

const V = process.versions;
const INFO = { node: V.node, modules: Number(V.modules), napi: Number(V.napi), v8: V.v8, platform: process.platform, arch: process.arch, execPath: process.execPath };

// Runs `f` and returns its result or its error's { code, message }.
function outcome(f) {
  try {
    return { ok: f() };
  } catch (e) {
    return { code: e.code, message: e.message };
  }
}

function write(dir, rel, text) {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

// Package.json files covering find()'s branches: templates, napi versions, libc, errors,
// a binding present or not, platform packages found, missing, of another version.
function cases() {
  const out = [];
  const pkg = (binary, extra = {}) => {
    const dir = tmpdir('pregyp-wasm-');
    out.push(write(dir, 'package.json', JSON.stringify({ name: 'w', version: '1.2.3', binary, ...extra })));
    return dir;
  };
  pkg({ module_name: 'm', module_path: './lib/binding/{configuration}/{node_abi}-{platform}-{arch}/', host: 'https://h.example/' });
  pkg({ module_name: 'm', module_path: 'lib/{platform}-{arch}-{libc}-{libc_version}/{module_name}', host: 'https://h.example/' });
  const napi = pkg({ module_name: 'm', module_path: './lib/binding/napi-v{napi_build_version}', host: 'https://h.example/', napi_versions: [3, 6, 99] });
  write(napi, 'lib/binding/napi-v6/m.node', '');
  pkg({ module_name: 'm', module_path: './lib/{node_napi_label}', host: 'https://h.example/', napi_versions: [1, 4] });
  pkg({ module_name: 'm', module_path: 'lib/{name}', host: '', staging_host: 'https://s.example', production_host: 'https://p.example' });
  pkg({ module_name: 'm', module_path: 'lib' });
  pkg({ module_name: 'm', module_path: 'lib', host: 'http://example.com' });
  pkg({ module_name: 'm', module_path: 'lib/{napi_build_version}', host: 'https://h' });
  pkg({ module_name: 'm', module_path: 'lib/{nope}', host: 'https://h' });
  const bad = tmpdir('pregyp-wasm-');
  out.push(write(bad, 'package.json', '{oops'));
  out.push(path.join(tmpdir('pregyp-wasm-'), 'package.json'));
  out.push(path.relative(process.cwd(), out[0]));
  // Platform packages: found (with a binding), of another version, not installed.
  const triple = `${process.platform}-${process.arch}`;
  for (const [version, binding] of [['1.2.3', true], ['1.0.0', true], [null, false]]) {
    const app = tmpdir('pregyp-wasm-app-');
    const dir = path.join(app, 'node_modules', 'widget');
    write(dir, 'package.json', JSON.stringify({ name: 'widget', version: '1.2.3', binary: { module_name: 'widget', module_path: './lib/binding/napi-v{napi_build_version}', host: 'https://h', napi_versions: [3, 8], platform_packages: { targets: [triple, 'linux-x64-musl', 'linux-x64-glibc', 'linux-arm64-glibc', 'darwin-arm64', 'win32-x64'] } } }));
    if (version) {
      for (const t of [triple, `${triple}-glibc`, `${triple}-musl`]) {
        const pp = path.join(app, 'node_modules', `widget-${t}`);
        write(pp, 'package.json', JSON.stringify({ name: `widget-${t}`, version }));
        if (binding) write(pp, 'lib/binding/napi-v3/widget.node', '');
      }
    }
    out.push(path.join(dir, 'package.json'));
  }
  for (const fixture of fs.readdirSync(path.join(__dirname, 'fixtures'))) out.push(path.join(__dirname, 'fixtures', fixture, 'package.json'));
  return out;
}

const OPTS = [undefined, { debug: true }, { target: '18.20.0' }, { targetArch: 'arm64', targetPlatform: 'darwin' }, { runtime: 'electron', target: '31.1.0' }, { targetLibc: 'musl' }, { moduleRoot: 'elsewhere' }, { runtime: 'nope' }, { target: 5 }];

test('the wasm core gives the native core its results on every case: find, check, loadError', { skip: SKIP }, () => {
  const wasm = require('../lib/wasm').open(WASM, INFO);
  // The native core, opened as index.js opens it.
  const m = { exports: {} };
  const nativeFile = `pregyp-find.${require('../lib/loader').builtTriple(ROOT)}.node`;
  process.dlopen(m, path.join(ROOT, nativeFile));
  const x = m.exports;
  x(0, INFO);
  let n = 0;
  for (const file of cases()) {
    for (const o of OPTS) {
      for (const [op, a, b] of [
        ['find', () => x(1, file, o), () => wasm.find(file, o)],
        ['check', () => x(2, file, o), () => wasm.check(file, o)],
        ['loadError', () => x(3, file, o, 'dlopen failed: bad ELF'), () => wasm.loadError(file, o, 'dlopen failed: bad ELF')],
      ]) {
        assert.deepStrictEqual(outcome(b), outcome(a), `${op} ${file} ${JSON.stringify(o)}`);
        n++;
      }
    }
  }
  assert.ok(n > 400, `${n} comparisons`);
});

test("find() and load() tests of the suite pass through wasm (PREGYP_TEST_HIDE_NATIVE=find)", { skip: SKIP }, () => {
  const env = { ...cleanEnv(), PREGYP_TEST_HIDE_NATIVE: 'find' };
  const runs = [
    // All of find.test.js but the loader's platform-package version check (native loader only).
    ['find.test.js', '^(?!the loader refuses)'],
    ['platform-package.test.js', '^(find\\(\\) and load\\(\\)|load\\(\\) explains|load\\(\\) says which Node ABIs|binary.platform_packages is validated)'],
  ];
  for (const [file, pattern] of runs) {
    const r = spawnSync(process.execPath, ['--test', `--test-name-pattern=${pattern}`, path.join(__dirname, file)], { env, encoding: 'utf8', cwd: ROOT, timeout: 300_000 });
    const count = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(r.stdout) || [])[1]);
    assert.strictEqual(r.status, 0, `${file}:\n${r.stdout.slice(-4000)}\n${r.stderr}`);
    assert.ok(count('pass') >= 3 && count('fail') === 0, `${file}: pass ${count('pass')}, fail ${count('fail')}`);
  }
});

test('the wasm core is what runs when the find() binary is hidden, and it says so nowhere', { skip: SKIP }, () => {
  const code = "const p = require('.'); console.log(JSON.stringify(p.find('__test__/fixtures/hello-addon/package.json')));";
  const native = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', env: cleanEnv() });
  const wasm = spawnSync(process.execPath, ['--trace-warnings', '-e', `${code} console.error(typeof WebAssembly.Module)`], { cwd: ROOT, encoding: 'utf8', env: { ...cleanEnv(), PREGYP_TEST_HIDE_NATIVE: '1' } });
  assert.strictEqual(wasm.status, 0, wasm.stderr);
  assert.strictEqual(wasm.stdout, native.stdout);
  assert.strictEqual(wasm.stderr, 'function\n', 'no warning on stderr');
});

test('require never throws, even without any binary: find() and load() then explain', () => {
  // A copy of the package with no native binary and no wasm module.
  const dir = path.join(tmpdir('pregyp-bare-'), 'node_modules', 'pregyp');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['index.js', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  fs.cpSync(path.join(ROOT, 'lib'), path.join(dir, 'lib'), { recursive: true });
  const code = `const p = require(${JSON.stringify(dir)}); try { p.find('x/package.json') } catch (e) { console.log(e.code); console.log(e.message) }`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { ...cleanEnv(), PREGYP_TEST_HIDE_NATIVE: '1' } });
  assert.strictEqual(r.status, 0, r.stderr);
  const [codeLine, ...message] = r.stdout.split('\n');
  assert.strictEqual(codeLine, 'E_PREGYP_NO_BINARY');
  assert.match(message.join('\n'), /pregyp-find\.wasm: not installed/);
});

test('no full binary: install --fallback-to-build builds with node-gyp and load() works; without the flag it explains', { skip: SKIP, timeout: 600_000 }, async () => {
  const dir = copyFixture('hello-addon');
  const env = { PREGYP_TEST_HIDE_NATIVE: '1' };
  const plain = await runCli(['install'], { cwd: dir, env });
  assert.strictEqual(plain.code, 1, plain.stderr);
  assert.match(plain.stderr, /pass --fallback-to-build to build it from source with node-gyp/);
  assert.match(plain.stderr, /E_PREGYP_NO_BINARY|has no native binary/);
  const other = await runCli(['package'], { cwd: dir, env });
  assert.strictEqual(other.code, 1);
  assert.match(other.stderr, /needs pregyp's native binary/);
  const r = await runCli(['install', '--fallback-to-build'], { cwd: dir, env, timeout: 600_000 });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /building hello-addon from source with node-gyp/);
  // The binding is where find() (native and wasm alike) expects it, and it loads.
  const check = spawnSync(process.execPath, ['-e', `const p = require(${JSON.stringify(ROOT)}); console.log(p.load(${JSON.stringify(dir)}).hello())`], { encoding: 'utf8', env: { ...cleanEnv(), ...env } });
  assert.strictEqual(check.status, 0, check.stderr);
  assert.strictEqual(check.stdout, "world\n");
  // A second install finds it and builds nothing.
  const again = await runCli(['install', '--fallback-to-build'], { cwd: dir, env });
  assert.strictEqual(again.code, 0);
  assert.match(again.stdout, /already installed/);
});

test('Windows paths go into the wasm core as POSIX paths and come back with the drive', () => {
  const { pathsFor } = require('../lib/wasm');
  const w = pathsFor(true);
  assert.strictEqual(w.toCore('C:\\a\\b\\package.json'), '/C:/a/b/package.json');
  assert.strictEqual(w.fromCore('/C:/a/b/lib/m.node'), 'C:\\a\\b\\lib\\m.node');
  assert.strictEqual(w.fromCore('/C:'), 'C:\\');
  assert.strictEqual(w.toCore('\\\\srv\\share\\p'), '//srv/share/p');
  assert.strictEqual(w.fromCore('//srv/share/p'), '\\\\srv\\share\\p');
  // A drive-less path stays drive-less, as the reference returns it.
  assert.strictEqual(w.fromCore(w.toCore('\\tmp\\pkg\\package.json')), '\\tmp\\pkg\\package.json');
  assert.strictEqual(w.message('not found at /D:/x/y.node\n  fix: cd /D:/x && npx'), 'not found at D:\\x\\y.node\n  fix: cd D:\\x && npx');
  const posix = pathsFor(false);
  assert.strictEqual(posix.toCore('/a/b'), '/a/b');
  assert.strictEqual(posix.fromCore('/C:/a'), '/C:/a');
});
