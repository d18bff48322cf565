'use strict';
// node-pre-gyp's lib/util/versioning, which authors' scripts deep-import, through pregyp's
// lib/util/versioning.js: side by side with the reference's on the binary blocks real
// packages use, the node-pre-gyp options and Node-API versions, and the reference's errors.
const { test } = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { VARIANTS } = require('./helpers/layouts');

const pregyp = require('../lib/util/versioning');
const reference = require('@mapbox/node-pre-gyp/lib/util/versioning');

const outcome = (f) => {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: e.message };
  }
};

const OPTIONS = [
  undefined,
  {},
  { debug: true },
  { target: '18.20.0' },
  { target: '20.0.0', target_arch: 'arm64', target_platform: 'win32' },
  { runtime: 'electron', target: '31.1.0' },
  { target_libc: 'musl', module_root: '/opt/addon' },
  { module_root: 'relative/root' },
  { acl: 'private', toolset: 'v142' },
];

test('evaluate() gives the reference its values for every binary block, option set and Node-API version', () => {
  let n = 0;
  for (const [variant, binary] of Object.entries(VARIANTS)) {
    if (!binary.host) continue; // staging/production only: node-pre-gyp's Run picks the host first
    const pkg = { name: 'addon', version: '1.2.3-beta.1+b7', main: 'index.js', binary };
    for (const options of OPTIONS) {
      for (const napi of binary.napi_versions ? [undefined, ...binary.napi_versions.slice(0, 2)] : [undefined]) {
        const want = outcome(() => reference.evaluate(pkg, options, napi));
        const got = outcome(() => pregyp.evaluate(pkg, options, napi));
        const what = `${variant} ${JSON.stringify(options)} napi ${napi}`;
        if (want.error) {
          assert.ok(got.error && got.error.startsWith(want.error.split('\n')[0]), `${what}: ${got.error} / ${want.error}`);
          continue;
        }
        assert.ok(got.ok, `${what}: ${got.error}`);
        // {libc_version} is pregyp's own template variable; the rest is the reference's.
        const { libc_version, ...values } = got.ok;
        assert.strictEqual(typeof libc_version, 'string', what);
        assert.deepStrictEqual(values, want.ok, what);
        n++;
      }
    }
  }
  assert.ok(n >= 30, `${n} comparisons`);
});

test("a package.json that is not ready fails with the reference's words; a http host too", () => {
  for (const pkg of [
    { name: 'x' },
    { name: 'x', version: '1.0.0', main: 'i.js', binary: { module_name: 'm', module_path: 'l' } },
    { name: 'x', version: '1.0.0', main: 'i.js', binary: { module_name: 'm', module_path: 'l', host: 'http://h.example/' } },
    { name: 'x', version: '1.0.0', main: 'i.js', binary: { module_name: 'm', module_path: 'l', host: 'https://h/', napi_versions: [3] } },
  ]) {
    const want = outcome(() => reference.evaluate(pkg, {}));
    const got = outcome(() => pregyp.evaluate(pkg, {}));
    assert.ok(want.error, JSON.stringify(pkg));
    // The reference's first line, then pregyp's detail; both name package.json, no file.
    assert.ok(got.error && got.error.startsWith(want.error.split('\n')[0].trimEnd()), `${got.error}\n/ ${want.error}`);
    assert.deepStrictEqual(outcome(() => pregyp.validate_config(pkg, {})), got);
  }
});

test('the runtime helpers answer as the reference', () => {
  for (const [runtime, target] of [['node', undefined], ['node', '18.0.0'], ['electron', '30.1.0'], ['node-webkit', '0.90.0']]) {
    assert.strictEqual(pregyp.get_runtime_abi(runtime, target), reference.get_runtime_abi(runtime, target), `${runtime} ${target}`);
  }
  for (const versions of [process.versions, { ...process.versions, electron: '30.1.0' }, { ...process.versions, 'node-webkit': '0.90.0' }]) {
    assert.strictEqual(pregyp.get_process_runtime(versions), reference.get_process_runtime(versions));
  }
  assert.throws(() => pregyp.get_runtime_abi(''), /get_runtime_abi requires valid runtime arg/);
  // A napi_build_version comes back as given; one that is no positive integer is refused.
  const napiPkg = { name: 'a', version: '1.0.0', main: 'i.js', binary: VARIANTS.napi };
  for (const v of ['3', 3]) assert.deepStrictEqual(pregyp.evaluate(napiPkg, {}, v).napi_build_version, reference.evaluate(napiPkg, {}, v).napi_build_version);
  for (const v of [3.5, -1, 'x']) assert.throws(() => pregyp.evaluate(napiPkg, {}, v), /napi_build_version must be a positive integer/);
  // With module_root the filled module_path is node-pre-gyp's, absent values included.
  const odd = { name: 'a', version: '1.0.0', main: 'i.js', binary: { ...VARIANTS.plain, module_path: './lib/{debug}-{region}-{major}' } };
  assert.strictEqual(pregyp.evaluate(odd, { module_root: 'r' }).module_path, reference.evaluate(odd, { module_root: 'r' }).module_path);
  // An absolute module_path is joined to module_root, as path.join does.
  const abs = { name: 'a', version: '1.0.0', main: 'i.js', binary: { ...VARIANTS.plain, module_path: '/abs/x' } };
  assert.strictEqual(pregyp.evaluate(abs, { module_root: '/r' }).module_path, reference.evaluate(abs, { module_root: '/r' }).module_path);
  // module_path is resolved against the current folder, as the reference resolves it.
  const pkg = { name: 'a', version: '1.0.0', main: 'i.js', binary: VARIANTS.plain };
  assert.ok(pregyp.evaluate(pkg).module_path.startsWith(path.join(process.cwd(), 'lib', 'binding')));
});

test("lib/util/napi: the helpers find() re-implementations call, as the reference's", () => {
  const napi = require('../lib/util/napi');
  const refNapi = require('@mapbox/node-pre-gyp/lib/util/napi');
  const ours = Number(process.versions.napi);
  let n = 0;
  for (const napi_versions of [undefined, [3], [3, 3, 6], [1, ours, ours + 1], [ours + 5]]) {
    for (const opts of [undefined, {}, { 'build-latest-napi-version-only': true }]) {
      const pkg = { name: 'a', version: '1.0.0', main: 'i.js', binary: { ...VARIANTS.napi, napi_versions } };
      for (const f of ['get_napi_build_versions_raw', 'get_napi_build_versions', 'get_best_napi_build_version', 'build_napi_only']) {
        assert.deepStrictEqual(napi[f](pkg, opts), refNapi[f](pkg, opts), `${f} ${JSON.stringify(napi_versions)} ${JSON.stringify(opts)}`);
        n++;
      }
    }
  }
  assert.ok(n >= 60);
  for (const f of ['get_napi_version', 'get_napi_version_as_string']) assert.strictEqual(napi[f](), refNapi[f]());
  assert.strictEqual(napi.get_command_arg(6), refNapi.get_command_arg(6));
  assert.strictEqual(napi.get_napi_build_version_from_command_args(['--x', 'napi_build_version=6']), 6);
  assert.strictEqual(napi.get_napi_build_version_from_command_args(['--x']), undefined);
  assert.strictEqual(napi.get_build_dir(6), refNapi.get_build_dir(6));
  // validate_package_json looks at the Node-API settings only, with the reference's words.
  // The rest of the package does not matter to it (here: no name, an http host, a version
  // that is no semver, a module_name that is no string).
  for (const binary of [{ ...VARIANTS.napi, host: 'http://h.example/', module_name: 5 }, VARIANTS.plain, { module_path: 'lib', napi_versions: [3] }, { module_path: 'lib/{napi_build_version}', package_name: 'x.tgz' }, { ...VARIANTS.napi, napi_versions: [ours + 5] }]) {
    const pkg = { version: '1.0', binary };
    const want = outcome(() => refNapi.validate_package_json(pkg, {}));
    const got = outcome(() => napi.validate_package_json(pkg, {}));
    if (want.error) assert.strictEqual(got.error, want.error, JSON.stringify(binary));
    else assert.deepStrictEqual(got, { ok: undefined }, JSON.stringify(binary));
  }
});
