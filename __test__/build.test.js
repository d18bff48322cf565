'use strict';
// Source builds with the real node-gyp, offline (the helpers set npm_config_nodedir
// when this machine's Node headers match): build, rebuild, configure, clean,
// testbinary, Node-API multi-version builds, and what reaches node-gyp.
const { test } = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { runCli, copyFixture, tmpdir, cleanEnv, NODEDIR } = require('./helpers/run');

const REPO = path.join(__dirname, '..');
const pregyp = require(REPO);

if (!NODEDIR) {
  // Without matching headers node-gyp would download them: say so rather than hang.
  console.log('# note: /usr/include/node does not match this Node; node-gyp may need the network');
}

// Loads the fixture through its own index.js (require(pregyp.find(...))) in a fresh node.
function loadFixture(dir, expr = 'm.hello()') {
  const r = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(dir)}); console.log(${expr})`], {
    env: { ...cleanEnv(), PREGYP_UNDER_TEST: REPO },
    encoding: 'utf8',
  });
  assert.strictEqual(r.status, 0, `loading ${dir} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

// Loads one .node file in a fresh node.
function loadBinding(file, expr = 'm.hello()') {
  const r = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(file)}); console.log(${expr})`], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, `loading ${file} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

async function ok(args, opts) {
  const r = await runCli(args, opts);
  assert.strictEqual(r.code, 0, `pregyp ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

test('hello-addon: rebuild compiles it, find() locates it, it loads; testbinary and clean', async () => {
  const dir = copyFixture('hello-addon');
  const pkgJson = path.join(dir, 'package.json');
  const r = await ok(['rebuild'], { cwd: dir });
  // node-gyp's output passes through as with the reference: make's lines (which name the
  // built `Release/<module>.node`) on stdout, where scripts look for them; node-gyp's
  // log on stderr.
  assert.match(r.stderr, /gyp info ok/);
  assert.match(r.stdout, /COPY Release\/hello\.node/);
  // With --json, stdout holds only the result and the build's output goes to stderr.
  const j = await ok(['rebuild', '--json'], { cwd: dir });
  assert.doesNotMatch(j.stdout, /COPY|make:/);
  assert.match(j.stderr, /COPY Release\/hello\.node/);
  for (const line of j.stdout.trim().split('\n')) JSON.parse(line);

  const module = pregyp.find(pkgJson);
  assert.ok(fs.existsSync(module), `${module} was not built`);
  assert.strictEqual(path.dirname(module), path.join(dir, 'lib', 'binding', 'Release', `node-v${process.versions.modules}-${process.platform}-${process.arch}`));
  assert.strictEqual(require(module).hello(), 'world');
  assert.strictEqual(loadFixture(dir), 'world');

  const t = await ok(['testbinary'], { cwd: dir });
  assert.match(t.stderr, /Running test command/);

  const c = await ok(['clean'], { cwd: dir });
  assert.strictEqual(c.stdout.trim(), `[hello-addon] Removing "${path.dirname(module)}"`);
  assert.ok(!fs.existsSync(path.dirname(module)));
  // Nothing left to remove: silent success.
  const again = await ok(['clean'], { cwd: dir });
  assert.strictEqual(again.stdout, '');
});

test('napi-addon: both Node-API versions are built, parked in build-tmp-napi-v<N>, and load', async () => {
  const dir = copyFixture('napi-addon');
  const r = await ok(['rebuild', '--json'], { cwd: dir });
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  // clean x2 then build x2 (the reference's napi expansion of rebuild).
  const builds = lines.filter((l) => 'module' in l);
  assert.deepStrictEqual(builds.map((b) => b.napi_build_version), [3, 6]);
  for (const n of [3, 6]) {
    const file = path.join(dir, 'lib', 'binding', `napi-v${n}`, 'napi_hello.node');
    assert.ok(fs.existsSync(file), `${file} missing`);
    assert.strictEqual(loadBinding(file), `napi-${n}`);
    assert.ok(fs.existsSync(path.join(dir, `build-tmp-napi-v${n}`, 'config.gypi')));
    const gypi = fs.readFileSync(path.join(dir, `build-tmp-napi-v${n}`, 'config.gypi'), 'utf8');
    assert.match(gypi, new RegExp(`"napi_build_version": "${n}"`));
  }
  assert.ok(!fs.existsSync(path.join(dir, 'build')), 'build/ is swapped out after each version');
  // find() picks the highest version this Node supports.
  assert.strictEqual(loadFixture(dir), 'napi-6');
  assert.strictEqual(loadFixture(dir, 'm.add(2, 3)'), '5');

  // A plain build reuses each parked configuration (no configure step).
  const b = await ok(['build'], { cwd: dir });
  assert.doesNotMatch(b.stderr, /node-gyp(?:\.js)? configure/);
  assert.strictEqual((b.stderr.match(/node-gyp(?:\.js)? build /g) || []).length, 2);
  assert.strictEqual(loadBinding(path.join(dir, 'lib', 'binding', 'napi-v3', 'napi_hello.node')), 'napi-3');

  await ok(['testbinary'], { cwd: dir });
  const c = await ok(['clean'], { cwd: dir });
  assert.strictEqual(c.stdout.trim().split('\n').length, 2);
  assert.ok(!fs.existsSync(path.join(dir, 'lib', 'binding', 'napi-v3')));
  assert.ok(!fs.existsSync(path.join(dir, 'lib', 'binding', 'napi-v6')));
});

test('--build-latest-napi-version-only builds one version; build on a fresh checkout configures first', async () => {
  const dir = copyFixture('napi-addon');
  const r = await ok(['build', '--build-latest-napi-version-only'], { cwd: dir });
  assert.match(r.stderr, /node-gyp(?:\.js)? configure /);
  assert.ok(fs.existsSync(path.join(dir, 'lib', 'binding', 'napi-v6', 'napi_hello.node')));
  assert.ok(!fs.existsSync(path.join(dir, 'lib', 'binding', 'napi-v3')));
  assert.strictEqual(loadFixture(dir), 'napi-6');
});

test('CLI flags and arguments after -- reach node-gyp', async () => {
  const dir = copyFixture('hello-addon');
  // A gyp variable only `-- -Dpregyp_foo=...` can provide, turned into a C define.
  const gypFile = path.join(dir, 'binding.gyp');
  const gyp = fs.readFileSync(gypFile, 'utf8').replace('"sources"', '"defines": ["PREGYP_FOO=<(pregyp_foo)"],\n      "sources"');
  fs.writeFileSync(gypFile, gyp);

  // Without the define, gyp fails: the reference's error format, exit 1.
  const bad = await runCli(['configure'], { cwd: dir });
  assert.strictEqual(bad.code, 1);
  assert.match(bad.stderr, /pregyp ERR! Failed to execute '.*node-gyp(\.js)? configure .*--module_name=hello.*' \(1\)/);

  await ok(['configure', '--custom_flag=xyz', '--debug', '--', '-Dpregyp_foo=bar'], { cwd: dir });
  const gypi = fs.readFileSync(path.join(dir, 'build', 'config.gypi'), 'utf8');
  const vars = JSON.parse(gypi.replace(/^#.*$/gm, '').replace(/'/g, '"')).variables;
  assert.strictEqual(vars.custom_flag, 'xyz');
  assert.strictEqual(vars.module_name, 'hello');
  const bindingDir = path.join(dir, 'lib', 'binding', 'Debug', `node-v${process.versions.modules}-${process.platform}-${process.arch}`);
  assert.strictEqual(vars.module_path, bindingDir);
  assert.strictEqual(vars.module, path.join(bindingDir, 'hello.node'));
  assert.strictEqual(vars.napi_build_version, '0');
  assert.strictEqual(vars.node_napi_label, `node-v${process.versions.modules}`);
  const mk = fs.readFileSync(path.join(dir, 'build', 'hello.target.mk'), 'utf8');
  assert.match(mk, /-DPREGYP_FOO=bar/);

  // build after configure: --debug builds the Debug configuration; `-D` is not handed to make.
  const b = await ok(['build', '--debug', '--', '-Dpregyp_foo=bar'], { cwd: dir });
  assert.doesNotMatch(b.stderr, /node-gyp(?:\.js)? configure/);
  assert.ok(fs.existsSync(path.join(bindingDir, 'hello.node')));
  assert.strictEqual(loadBinding(path.join(bindingDir, 'hello.node')), 'world');
});

// A stand-in node-gyp that records its arguments and environment.
function fakeGyp(exitCode = 0) {
  const d = tmpdir('pregyp-fakegyp-');
  const script = path.join(d, 'node-gyp.js');
  const log = path.join(d, 'log.jsonl');
  fs.writeFileSync(
    script,
    `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() }) + '\\n');\n` +
      `process.exit(${exitCode});\n`
  );
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  return { script, calls };
}

test('argument lists match the reference (rebuild: clean, configure, build); no S3 secrets for node-gyp', async () => {
  const dir = copyFixture('hello-addon');
  const fake = fakeGyp();
  const env = {
    npm_config_node_gyp: fake.script,
    npm_config_python: '/usr/bin/python3',
    AWS_SECRET_ACCESS_KEY: 'sekrit-1',
    node_pre_gyp_secretAccessKey: 'sekrit-2',
    AWS_SESSION_TOKEN: 'sekrit-3',
  };
  await ok(['-C', dir, 'rebuild', '--custom=1', '-j', '2', '--target_arch=x64', '--', '-Dx=y', 'V=1'], { cwd: tmpdir(), env });
  const calls = fake.calls();
  const bindingDir = path.join(dir, 'lib', 'binding', 'Release', `node-v${process.versions.modules}-${process.platform}-${process.arch}`);
  const shared = [
    `--module=${path.join(bindingDir, 'hello.node')}`,
    '--module_name=hello',
    `--module_path=${bindingDir}`,
    `--napi_version=${process.versions.napi}`,
    '--node_abi_napi=napi',
    '--napi_build_version=0',
    `--node_napi_label=node-v${process.versions.modules}`,
  ];
  const flags = ['--custom=1', '--jobs=2', '--target_arch=x64'];
  const known = ['--python=/usr/bin/python3', ...(NODEDIR ? [`--nodedir=${NODEDIR}`] : [])];
  assert.deepStrictEqual(
    calls.map((c) => c.argv),
    [['clean'], ['configure', ...flags, ...shared, ...known, '--', '-Dx=y', 'V=1'], ['build', ...flags, ...shared, '--', 'V=1']]
  );
  for (const c of calls) {
    assert.strictEqual(c.cwd, dir, 'node-gyp runs in the package directory (-C)');
    for (const k of Object.keys(env).filter((k) => /secret|token/i.test(k))) assert.ok(!(k in c.env), `${k} leaked to node-gyp`);
    assert.strictEqual(c.env.npm_config_python, '/usr/bin/python3');
  }
});

test('a failing node-gyp fails the command with the reference message', async () => {
  const dir = copyFixture('hello-addon');
  const fake = fakeGyp(3);
  const r = await runCli(['build'], { cwd: dir, env: { npm_config_node_gyp: fake.script } });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, new RegExp(`Failed to execute '${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ${fake.script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} configure --module=.*' \\(3\\)`));
  assert.strictEqual(fake.calls().length, 1, 'build stops after the failed configure');
});

test('clean refuses to delete the package directory or its parents, with exit 1', async () => {
  for (const [modulePath, message] of [
    ['./', 'module_path is not set, refusing to delete'],
    ['.', 'module_path is not set, refusing to delete'],
    ['../', 'contains the package directory, refusing to delete'],
  ]) {
    const dir = tmpdir('pregyp-clean-');
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'c', version: '1.0.0', main: 'index.js', binary: { module_name: 'm', module_path: modulePath, host: 'https://h.example/' } })
    );
    const r = await runCli(['clean'], { cwd: dir });
    assert.strictEqual(r.code, 1, modulePath);
    assert.ok(r.stderr.includes(message), `${modulePath}: ${r.stderr}`);
    assert.ok(fs.existsSync(path.join(dir, 'package.json')), 'nothing was deleted');
  }
});

test('testbinary reports a binding that does not load', async () => {
  const dir = copyFixture('hello-addon');
  const bindingDir = path.join(dir, 'lib', 'binding', 'Release', `node-v${process.versions.modules}-${process.platform}-${process.arch}`);
  fs.mkdirSync(bindingDir, { recursive: true });
  fs.writeFileSync(path.join(bindingDir, 'hello.node'), 'not a shared object');
  const r = await runCli(['testbinary'], { cwd: dir });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /hello\.node cannot be loaded: Error: .*hello\.node: (invalid ELF header|file too short)/);
  // Cross-compiling: skipped with a note, success.
  const x = await ok(['testbinary', '--target_arch=arm64'], { cwd: dir });
  assert.match(x.stderr, /skipping validation since host platform\/arch/);
});

test('API: rebuild() and clean() resolve to per-step data', async () => {
  const dir = copyFixture('hello-addon');
  // The API reads this process's environment: point node-gyp at the local headers.
  const saved = process.env.npm_config_nodedir;
  if (NODEDIR) process.env.npm_config_nodedir = NODEDIR;
  let built;
  try {
    built = await pregyp.rebuild({ directory: dir, loglevel: 'warn' });
  } finally {
    if (saved === undefined) delete process.env.npm_config_nodedir;
    else process.env.npm_config_nodedir = saved;
  }
  const module = pregyp.find(path.join(dir, 'package.json'));
  assert.ok(built.some((d) => d.module === module && d.napi_build_version === null), JSON.stringify(built));
  assert.ok(fs.existsSync(module));
  const cleaned = await pregyp.clean({ directory: dir });
  assert.deepStrictEqual(cleaned, [{ module_path: path.dirname(module), removed: true, napi_build_version: null, dry_run: false }]);
  await assert.rejects(pregyp.clean({ directory: path.join(dir, 'nope') }), (e) => e.code === 'E_NO_PACKAGE_JSON');
});

test('a tarball the reference packed from a build/Release module_path (hard link inside) installs and loads', async () => {
  // module_path build/Release, as canvas and libxmljs2 have it: gyp's make copies the
  // binding there with `ln -f`, so node-pre-gyp's package writes a hard-link entry.
  const dir = copyFixture('hello-addon');
  fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'hello', sources: ['src/hello.c'] }] }));
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pj.binary.module_path = './build/Release';
  pj.binary.package_name = 'hello.tar.gz';
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2));
  await ok(['rebuild'], { cwd: dir });
  const built = path.join(dir, 'build', 'Release', 'hello.node');
  assert.ok(fs.statSync(built).nlink > 1, 'make linked the binding (ln -f)');

  const ref = path.join(REPO, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  const packed = spawnSync(process.execPath, [ref, 'package'], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
  assert.strictEqual(packed.status, 0, packed.stderr);
  const tarball = path.join(dir, 'build', 'stage', 'hello.tar.gz');
  const list = spawnSync('tar', ['-tvzf', tarball], { encoding: 'utf8' }).stdout;
  // node-tar writes the first path it meets for the inode as the file, the other as a link.
  assert.match(list, /^h.* Release\/(obj\.target\/)?hello\.node link to Release\/(obj\.target\/)?hello\.node$/m, list);

  // A fresh copy of the package installs it from a file:// host and loads it.
  const user = copyFixture('hello-addon');
  fs.writeFileSync(path.join(user, 'package.json'), JSON.stringify({ ...pj, binary: { ...pj.binary, host: `file://${path.dirname(tarball)}/` } }, null, 2));
  const r = await ok(['install'], { cwd: user });
  assert.match(r.stdout, /Success: ".*hello\.node" is installed via remote/);
  assert.strictEqual(loadBinding(path.join(user, 'build', 'Release', 'hello.node')), 'world');

  // A hard link to anything but an earlier entry stays refused (see install.test.js for the rest).
});
