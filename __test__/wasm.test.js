'use strict';
// The WebAssembly fallback (pregyp-find.wasm, lib/wasm.js): on a platform with no native
// binary, require('pregyp') must not throw, find() and load() must give the native core's
// results, and `pregyp install --fallback-to-build` must build with node-gyp. Here
// PREGYP_FIND_CORE=wasm (a supported setting) picks the wasm core, and
// PREGYP_TEST_HIDE_NATIVE=1 (the tests') hides every native binary.
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

// A package.json that starts with a byte order mark (set by cases()).
let bom;

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
  // A byte order mark and CRLF line ends (a Windows editor's), which npm reads.
  bom = write(tmpdir('pregyp-wasm-'), 'package.json', `\uFEFF${JSON.stringify({ name: 'w', version: '1.2.3', main: 'index.js', binary: { module_name: 'm', module_path: 'lib/{node_abi}', host: 'https://h' } }, null, 2).replace(/\n/g, '\r\n')}`);
  out.push(bom);
  const bad = tmpdir('pregyp-wasm-');
  out.push(write(bad, 'package.json', '{oops'));
  out.push(path.join(tmpdir('pregyp-wasm-'), 'package.json'));
  out.push(path.relative(process.cwd(), out[0]));
  // A package folder stands for its package.json.
  out.push(path.dirname(out[0]));
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
  // A binding in module_path (check answers its path); a platform package of a valid
  // target that is not installed (platformPackage answers its name).
  write(pkg({ module_name: 'm', module_path: 'lib', host: 'https://h.example/' }, { main: 'index.js' }), 'lib/m.node', '');
  const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
  const here = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
  const lone = path.join(tmpdir('pregyp-wasm-app-'), 'node_modules', 'lone');
  out.push(write(lone, 'package.json', JSON.stringify({ name: 'lone', version: '1.0.0', main: 'index.js', binary: { module_name: 'lone', module_path: 'lib', host: 'https://h', platform_packages: { targets: [here] } } })));
  for (const fixture of fs.readdirSync(path.join(__dirname, 'fixtures'))) out.push(path.join(__dirname, 'fixtures', fixture, 'package.json'));
  return out;
}

// The last ones are wrong: both cores must refuse them alike (napi-rs's codes and words).
const OPTS = [undefined, null, { debug: true }, { target: '18.20.0' }, { targetArch: 'arm64', targetPlatform: 'darwin' }, { runtime: 'electron', target: '31.1.0' }, { targetLibc: 'musl' }, { moduleRoot: 'elsewhere' }, { target: null }, { runtime: 'nope' }, { target: 5 }, { debug: 'yes' }, 'opts'];

test('the wasm core gives the native core its results on every operation and case', { skip: SKIP }, () => {
  const { open: openWasm, OPS } = require('../lib/wasm');
  const wasm = openWasm(WASM, INFO);
  // The native core, opened as index.js opens it (lib/loader.js's open()).
  const loader = require('../lib/loader');
  const native = loader.open(path.join(ROOT, `pregyp-find.${loader.builtTriple(ROOT)}.node`));
  // The wasm core answers every operation of src/binding/ops.rs; the native one all but
  // those for the CLI and authors' scripts (`plan`, `versioning`: left out of what every
  // require loads; tested below).
  const all = OPS.filter(([id]) => id !== 0).map(([, name]) => name).sort();
  assert.deepStrictEqual(Object.keys(wasm).filter((k) => k !== 'wasm').sort(), all);
  const wasmOnly = require('../scripts/spec').loadSpec().findOps.filter((o) => !o.native).map((o) => o.name);
  assert.deepStrictEqual(wasmOnly.sort(), ['plan', 'versioning']);
  const names = all.filter((n) => !wasmOnly.includes(n));
  assert.deepStrictEqual(Object.keys(native).sort(), names);
  assert.ok(names.includes('platformPackage') && names.includes('evaluate'), names.join());
  const seen = new Set();
  let n = 0;
  for (const file of cases()) {
    for (const o of OPTS) {
      for (const name of names) {
        const a = outcome(() => native[name](file, o, 'dlopen failed: bad ELF'));
        assert.deepStrictEqual(outcome(() => wasm[name](file, o, 'dlopen failed: bad ELF')), a, `${name} ${file} ${JSON.stringify(o)}`);
        if ('ok' in a && a.ok !== '') seen.add(name);
        n++;
      }
    }
  }
  // Each operation answered something (not only errors) on some case.
  assert.deepStrictEqual([...seen].sort(), names);
  // A byte order mark is read past by both (not refused by both alike).
  assert.strictEqual(wasm.find(bom), path.join(path.dirname(bom), 'lib', `node-v${process.versions.modules}`, 'm.node'));
  assert.ok(n > 700, `${n} comparisons`);
  // Arguments of the wrong type, refused alike and in napi-rs's words.
  const file = cases()[0];
  for (const [call, code, words] of [
    [(c) => c.find(42), 'StringExpected', /`packageJsonPath` into rust type: expected string/],
    [(c) => c.find(file, 'opts'), 'ObjectExpected', /`opts` into rust type: expected object/],
    [(c) => c.check(file, { target: 5 }), 'StringExpected', /`target` into rust type: expected string/],
    [(c) => c.evaluate(file, { debug: 'yes' }), 'BooleanExpected', /`debug` into rust type: expected boolean/],
    [(c) => c.loadError(file, undefined, 7), 'StringExpected', /`detail` into rust type: expected string/],
  ]) {
    const a = outcome(() => call(native));
    assert.deepStrictEqual(outcome(() => call(wasm)), a, String(call));
    assert.strictEqual(a.code, code, `${call}: ${a.message}`);
    assert.match(a.message, words);
  }
});

test("the wasm host reads glibc's version from ldd as detect-libc does", () => {
  const { glibcVersion } = require('../lib/wasm');
  // detect-libc 2's pattern (node_modules/detect-libc/lib/detect-libc.js), case-insensitive.
  const detectLibc = (text) => (/LIBC[a-z0-9 \-).]*?(\d+\.\d+)/i.exec(text) || [])[1] || '';
  const texts = [
    'echo $"ldd (Debian GLIBC 2.36-9+deb12u4) 2.36"',
    'ldd (GNU libc) 2.39\nCopyright (C) 2024 Free Software Foundation',
    'ldd (Ubuntu GLIBC 2.35-0ubuntu3.8) 2.35',
    'TEXTDOMAIN=libc\nlibc-2.28 version',
    'LiBc ) - 1.2 and no more',
    'libcé 2.31 then GLIBC 2.17',
    'musl libc (x86_64)\nVersion 1.2.5',
    'nothing here',
    '',
  ];
  try {
    texts.push(fs.readFileSync('/usr/bin/ldd').toString('latin1'));
  } catch {}
  for (const t of texts) assert.strictEqual(glibcVersion(t), detectLibc(t), JSON.stringify(t.slice(0, 60)));
  assert.strictEqual(glibcVersion(texts[0]), '2.36');
});

test("load() under Yarn Plug'n'Play resolves the platform package through PnP, with either core (PREGYP_FIND_CORE=wasm)", { skip: SKIP }, () => {
  // PnP has no node_modules to walk: the platform package is resolvable only through
  // Node's resolver (NODE_PATH stands in for PnP's), and process.versions.pnp is set.
  const work = tmpdir('pregyp-pnp-');
  const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
  const here = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
  const widget = path.join(work, 'app', 'node_modules', 'widget');
  write(widget, 'package.json', JSON.stringify({ name: 'widget', version: '1.2.3', main: 'index.js', binary: { module_name: 'widget', module_path: './lib/binding', host: 'https://h', platform_packages: { targets: [here] } } }));
  const store = path.join(work, 'store', 'node_modules');
  // Any loadable addon serves as the binding: the native find() core exports a function.
  const addon = path.join(ROOT, `pregyp-find.${require('../lib/loader').builtTriple(ROOT)}.node`);
  for (const t of [here]) {
    write(path.join(store, `widget-${t}`), 'package.json', JSON.stringify({ name: `widget-${t}`, version: '1.2.3' }));
    fs.mkdirSync(path.join(store, `widget-${t}`, 'lib', 'binding'), { recursive: true });
    fs.copyFileSync(addon, path.join(store, `widget-${t}`, 'lib', 'binding', 'widget.node'));
  }
  const preload = write(work, 'pnp.js', "Object.defineProperty(process, 'versions', { value: { ...process.versions, pnp: '3' } });\n");
  const code = `const p = require(${JSON.stringify(ROOT)}); console.log(typeof p.load(${JSON.stringify(path.join(widget, 'package.json'))}))`;
  for (const core of ['native', 'wasm']) {
    const r = spawnSync(process.execPath, ['--require', preload, '-e', code], { encoding: 'utf8', env: { ...cleanEnv(), NODE_PATH: store, ...(core === 'wasm' ? { PREGYP_FIND_CORE: 'wasm' } : {}) } });
    assert.strictEqual(r.status, 0, `${core}: ${r.stderr}`);
    assert.strictEqual(r.stdout.trim(), 'function', core);
  }
});

test("find() and load() tests of the suite pass through wasm (PREGYP_FIND_CORE=wasm)", { skip: SKIP }, () => {
  const env = { ...cleanEnv(), PREGYP_FIND_CORE: 'wasm' };
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
  // The child says on stderr whether the wasm loader (lib/wasm.js) ran.
  const code = "const p = require('.'); console.log(JSON.stringify(p.find('__test__/fixtures/hello-addon/package.json'))); console.error(Object.keys(require.cache).some((f) => f.endsWith(require('path').join('lib', 'wasm.js'))))";
  const native = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', env: cleanEnv() });
  assert.strictEqual(native.stderr, 'false\n', 'the native core runs by default');
  const wasm = spawnSync(process.execPath, ['--trace-warnings', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...cleanEnv(), PREGYP_TEST_HIDE_NATIVE: '1' } });
  assert.strictEqual(wasm.status, 0, wasm.stderr);
  assert.strictEqual(wasm.stdout, native.stdout);
  assert.strictEqual(wasm.stderr, 'true\n', 'the wasm core ran, and no warning on stderr');
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
  // The WebAssembly core's own operations explain too (node-pre-gyp's deep modules use them).
  const deep = `try { require(${JSON.stringify(path.join(dir, 'lib', 'util', 'versioning.js'))}).get_runtime_abi('node') } catch (e) { console.log(e.code) }`;
  const v = spawnSync(process.execPath, ['-e', deep], { encoding: 'utf8', env: { ...cleanEnv(), PREGYP_TEST_HIDE_NATIVE: '1' } });
  assert.strictEqual(v.stdout.trim(), 'E_PREGYP_NO_BINARY', v.stderr);
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
  assert.match(other.stderr, /`package` needs pregyp's full tool/);
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

test("no full tool: the command line is read by the CLI's own parser (space-form --target, --directory, PREGYP_* variables)", { skip: SKIP }, async () => {
  const dir = copyFixture('hello-addon');
  const env = { PREGYP_TEST_HIDE_NATIVE: '1' };
  // node-gyp's arguments, as pregyp would run it: a stand-in node-gyp prints them.
  const fake = path.join(tmpdir('pregyp-fake-gyp-'), 'node-gyp.js');
  fs.writeFileSync(fake, 'console.log(JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) }))');
  const gyp = async (args, extra = {}) => {
    const r = await runCli(args, { cwd: path.dirname(dir), env: { ...env, npm_config_node_gyp: fake, ...extra } });
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  const base = path.basename(dir);
  // `--target 20.0.0` (space form) builds for Node 20.0.0, not the host's Node.
  const spaced = await gyp(['rebuild', '--directory', base, '--target', '20.0.0']);
  assert.strictEqual(spaced.cwd, fs.realpathSync(dir));
  assert.ok(spaced.args.includes('--target=20.0.0') || spaced.args.includes('--target'), spaced.args.join(' '));
  const withEq = await gyp(['rebuild', `--directory=${base}`, '--target=20.0.0']);
  assert.deepStrictEqual(spaced.args.filter((a) => /^--(module|node_abi_napi|napi_build_version|node_napi_label)=/.test(a)), withEq.args.filter((a) => /^--(module|node_abi_napi|napi_build_version|node_napi_label)=/.test(a)));
  // PREGYP_<OPTION> variables are options, as for the full CLI.
  const r = await runCli(['install', '--directory', base], { cwd: path.dirname(dir), env: { ...env, npm_config_node_gyp: fake, PREGYP_FALLBACK_TO_BUILD: 'true' } });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /building hello-addon from source with node-gyp/);
  assert.strictEqual(JSON.parse(r.stdout.trim().split('\n').pop()).args[0], 'rebuild');
  // -C too; a bad flag value is the parser's error, naming it.
  const bad = await runCli(['rebuild', '-C', base, '--loglevel=nope'], { cwd: path.dirname(dir), env });
  assert.strictEqual(bad.code, 1);
  assert.match(bad.stderr, /loglevel/);
  // -v answers without the full tool.
  const v = await runCli(['-v'], { env });
  assert.strictEqual(v.stdout.trim(), `v${require('../package.json').version}`);
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
