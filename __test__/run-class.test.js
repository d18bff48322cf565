'use strict';
// node-pre-gyp's programmatic `Run` class, through pregyp: the prepublish scripts that drive
// it as a library (`new gyp.Run()`, `prog.opts = target`, `prog.commands.install([], cb)`)
// against a real HTTP server on 127.0.0.1, and node-pre-gyp 2.x's `new Run({ argv })`
// side by side with the reference's.
const { test, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { runCli, tmpdir } = require('./helpers/run');
const { startServer } = require('./helpers/servers');
const { makeTarball } = require('./helpers/tarballs');
const { snapshot } = require('./helpers/layouts');

const ROOT = path.join(__dirname, '..');
const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));

// A package whose binaries are at <host>/<node_abi>-<platform>-<arch>.tar.gz.
function makePackage(host) {
  const dir = path.join(tmpdir('pregyp-run-'), 'pkg');
  fs.mkdirSync(dir);
  const binary = {
    module_name: 'hello',
    module_path: './lib/binding/{node_abi}-{platform}-{arch}/',
    host,
    package_name: '{node_abi}-{platform}-{arch}.tar.gz',
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hello-pkg', version: '1.0.0', main: 'index.js', binary }));
  return dir;
}

function tarball(name, content) {
  const file = path.join(tmpdir('pregyp-run-tgz-'), name);
  return fs.readFileSync(makeTarball(file, [{ name: 'binding/', type: 'dir' }, { name: 'binding/hello.node', type: 'file', content }]));
}

// A script run in the package folder by a child Node, as `npm run prepublish` runs it.
async function script(dir, code) {
  const file = path.join(dir, 'prepublish.js');
  fs.writeFileSync(file, code);
  const r = await runCli([], { bin: file, cwd: dir, env: { PREGYP_CACHE: path.join(dir, '..', 'cache') } });
  fs.rmSync(file);
  return r;
}

test("a 0.x prepublish script: new Run(), opts set by hand, commands.install for every target", async () => {
  // The shape of v8-profiler's and v8-debug's tools/prepublish-to-npm.js.
  const s = await startServer({
    routes: {
      '/node-v48-win32-x64.tar.gz': { body: tarball('a.tar.gz', 'WIN-6') },
      '/node-v57-darwin-x64.tar.gz': { body: tarball('b.tar.gz', 'MAC-8') },
      '/node-v11-linux-ia32.tar.gz': { body: tarball('c.tar.gz', 'LINUX-0.10') },
    },
  });
  servers.push(s);
  const dir = makePackage(`${s.url}/`);
  const r = await script(
    dir,
    `const gyp = require(${JSON.stringify(ROOT)});
const targets = [
  { target: '6.0.0', target_platform: 'win32', target_arch: 'x64' },
  { target: '8.0.0', target_platform: 'darwin', target_arch: 'x64' },
  { target: '0.10.0', target_platform: 'linux', target_arch: 'ia32' },
];
(function next(err) {
  if (err) { console.log(err.code, err.message); process.exit(1); }
  const target = targets.pop();
  if (!target) return console.log('done');
  const prog = Object.assign(new gyp.Run(), { opts: target });
  prog.commands.install([], next);
})();`
  );
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  // Each command prints what `node-pre-gyp install` prints; the callback gets no values.
  const module = (sub) => path.join(dir, 'lib', 'binding', sub, 'hello.node');
  assert.deepStrictEqual(r.stdout.trim().split('\n'), [
    `[hello-pkg] Success: "${module('node-v11-linux-ia32')}" is installed via remote`,
    `[hello-pkg] Success: "${module('node-v57-darwin-x64')}" is installed via remote`,
    `[hello-pkg] Success: "${module('node-v48-win32-x64')}" is installed via remote`,
    'done',
  ]);
  const read = (sub) => fs.readFileSync(path.join(dir, 'lib', 'binding', sub, 'hello.node'), 'utf8');
  assert.strictEqual(read('node-v48-win32-x64'), 'WIN-6');
  assert.strictEqual(read('node-v57-darwin-x64'), 'MAC-8');
  assert.strictEqual(read('node-v11-linux-ia32'), 'LINUX-0.10');
});

test('a failed command calls back once with the error and leaves the package as it was', async () => {
  const s = await startServer({ routes: {} });
  servers.push(s);
  const dir = makePackage(`${s.url}/`);
  const before = snapshot(dir);
  const r = await script(
    dir,
    `const { Run } = require(${JSON.stringify(ROOT)});
const prog = new Run();
prog.opts = { target: '6.0.0', target_platform: 'win32', target_arch: 'x64', loglevel: 'silent' };
let calls = 0;
prog.commands.install([], (...args) => {
  calls++;
  const err = args[0];
  console.log(JSON.stringify({ code: err && err.code, message: err && err.message.split('\\n')[0], values: args.length }));
  setTimeout(() => console.log('calls', calls), 50);
});`
  );
  assert.strictEqual(r.code, 0, r.stderr);
  const [first, second] = r.stdout.trim().split('\n');
  const out = JSON.parse(first);
  assert.strictEqual(out.code, 'E_DOWNLOAD_NOT_FOUND');
  assert.match(out.message, /node-v48-win32-x64\.tar\.gz/);
  assert.strictEqual(out.values, 1);
  assert.strictEqual(second, 'calls 1');
  fs.rmSync(path.join(dir, '..', 'cache'), { recursive: true, force: true });
  assert.deepStrictEqual(snapshot(dir), before);
});

test('without a callback a command returns a promise; opts that are no option of the command are left out with a warning', async () => {
  const s = await startServer({ routes: { '/node-v48-win32-x64.tar.gz': { body: tarball('a.tar.gz', 'WIN-6') } } });
  servers.push(s);
  const dir = makePackage(`${s.url}/`);
  const r = await script(
    dir,
    `const { Run } = require(${JSON.stringify(ROOT)});
const prog = new Run({ package_json_path: ${JSON.stringify(path.join(dir, 'package.json'))} });
prog.opts = { target: '6.0.0', target_platform: 'win32', target_arch: 'x64', 'dry-run': true, module_root: '/elsewhere', frobnicate: 'x', acl: 'private' };
prog.commands.install([]).then((value) => console.log('resolved', value));`
  );
  assert.strictEqual(r.code, 0, r.stderr);
  // module_root moves module_path, as node-pre-gyp's versioning.evaluate(package_json, gyp.opts) does.
  const module = path.join('/elsewhere', 'lib', 'binding', 'node-v48-win32-x64', 'hello.node');
  assert.deepStrictEqual(r.stdout.trim().split('\n'), [`[hello-pkg] Would install "${module}" from ${s.url}/node-v48-win32-x64.tar.gz`, 'resolved undefined']);
  assert.match(r.stderr, /opts\.frobnicate is no option of install: left out/);
  assert.match(r.stderr, /opts\.acl is no option of install: left out/);
  assert.ok(!fs.existsSync(path.join(dir, 'lib')), 'a dry run writes nothing');
});

// The reference's own bin (its main module, read from the installed reference) with pregyp
// in place of node-pre-gyp's module: the loop over `todo` that 2.x's Run exists for.
function referenceMainOverPregyp(dir) {
  const lib = path.dirname(require.resolve('@mapbox/node-pre-gyp/lib/main.js'));
  const text = fs
    .readFileSync(path.join(lib, 'main.js'), 'utf8')
    .replace("require('../')", `require(${JSON.stringify(ROOT)})`)
    .replace("require('./util/log.js')", `require(${JSON.stringify(path.join(lib, 'util', 'log.js'))})`);
  assert.ok(text.includes(JSON.stringify(ROOT)), "the reference's main.js requires its module as '../'");
  const file = path.join(dir, '..', 'main-over-pregyp.js');
  fs.writeFileSync(file, text);
  return file;
}

test("the reference's bin loop drives pregyp's Run: one call per Node-API version, the same output", async () => {
  const dir = path.join(tmpdir('pregyp-run-napi-'), 'pkg');
  fs.mkdirSync(dir);
  const ours = Number(process.versions.napi);
  const binary = { module_name: 'hello', module_path: './lib/napi-v{napi_build_version}', package_name: '{module_name}-{napi_build_version}.tgz', host: 'https://h.example/', napi_versions: [3, ours] };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'hello-pkg', version: '1.0.0', main: 'index.js', binary }));
  const main = referenceMainOverPregyp(dir);
  const REFERENCE_BIN = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  for (const args of [['reveal', 'node_napi_label'], ['reveal', 'module_path'], ['reveal', 'package_name', '--target_arch=arm64']]) {
    const ours_ = await runCli(args, { bin: main, cwd: dir });
    const ref = await runCli(args, { bin: REFERENCE_BIN, cwd: dir });
    assert.strictEqual(ours_.code, 0, ours_.stderr);
    assert.strictEqual(ref.code, 0, ref.stderr);
    assert.strictEqual(ours_.stdout, ref.stdout, args.join(' '));
    assert.strictEqual(ours_.stdout.trim().split('\n').length, 2, 'once per Node-API version');
  }
  // An option goes to the commands of the line that take it (--silent_clean: clean only),
  // and a relative -C is the package folder, though the loop changes into it first.
  for (const [args, cwd] of [[['clean', 'reveal', 'module_name', '--silent_clean'], dir], [['-C', 'pkg', 'reveal', 'module_name'], path.dirname(dir)]]) {
    const ours_ = await runCli(args, { bin: main, cwd });
    const ref = await runCli(args, { bin: REFERENCE_BIN, cwd });
    assert.strictEqual(ours_.code, 0, ours_.stderr);
    assert.strictEqual(ref.code, 0, ref.stderr);
    assert.strictEqual(ours_.stdout.trim().split('\n')[0], ref.stdout.trim().split('\n')[0], args.join(' '));
    // The loop logs its opening and closing lines once: the commands do not repeat them.
    assert.strictEqual(ours_.stderr.split('it worked if it ends with').length, 2, ours_.stderr);
  }
  // A flag pregyp does not know goes to the commands that hand flags to node-gyp only.
  fs.mkdirSync(path.join(dir, 'lib', `napi-v${ours}`), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lib', `napi-v${ours}`, 'hello.node'), 'installed');
  const unknown = await runCli(['install', 'reveal', 'module_name', '--shared-thing=1'], { bin: main, cwd: dir });
  assert.strictEqual(unknown.code, 0, unknown.stderr);
  assert.deepStrictEqual(unknown.stdout.trim().split('\n').slice(-2), ['hello', 'hello']);
  // What follows `--` stays node-gyp's and last: the dry run is still one.
  const dry = await runCli(['build', '--dry-run', '--', '--foo'], { bin: main, cwd: dir });
  assert.strictEqual(dry.code, 0, dry.stderr);
  const lines = dry.stderr.split('\n').filter((l) => l.includes('dry run: would run') && l.includes(' build '));
  assert.strictEqual(lines.length, 2, dry.stderr);
  for (const l of lines) assert.match(l, / --dry-run .* -- --foo$/);
  // napi_build_version=0 is no version: each call evaluates without one, as in the reference.
  const zero = await runCli(['reveal', 'node_napi_label', 'napi_build_version=0'], { bin: main, cwd: dir });
  assert.strictEqual(zero.code, 0, zero.stderr);
  assert.deepStrictEqual(zero.stdout.trim().split('\n'), [`node-v${process.versions.modules}`, `node-v${process.versions.modules}`]);
  // A napi_build_version=N argument that is no number is refused, naming it.
  const nan = await runCli(['reveal', 'module_path', 'napi_build_version=abc'], { cwd: dir });
  assert.strictEqual(nan.code, 1);
  assert.match(nan.stderr, /napi_build_version=abc/);
  // A failing command: the loop reports it and exits 1, as it does for the reference.
  fs.rmSync(path.join(dir, 'lib'), { recursive: true });
  const bad = await runCli(['install'], { bin: main, cwd: dir, env: { PREGYP_CACHE: path.join(dir, '..', 'cache'), npm_config_fetch_retries: '0' } });
  assert.strictEqual(bad.code, 1, bad.stdout + bad.stderr);
  assert.strictEqual(bad.stderr.split('not ok').length, 2, `"not ok" once:\n${bad.stderr}`);
});

test("node-pre-gyp 2.x's new Run({ argv }) reads a command line as the reference's does", () => {
  const dir = makePackage('https://h.example/');
  const pregyp = require('..').Run;
  const reference = require('@mapbox/node-pre-gyp').Run;
  const parsed = (Run, argv) => {
    const r = new Run({ package_json_path: path.join(dir, 'package.json'), argv: ['node', 'node-pre-gyp', ...argv] });
    const opts = { ...r.opts };
    delete opts.argv;
    for (const k of Object.keys(opts)) if (process.env[`npm_config_${k}`] !== undefined) delete opts[k];
    return { todo: r.todo, argv: r.argv, opts, name: r.package_json.name };
  };
  for (const argv of [
    ['install', '--fallback-to-build'],
    ['install', '--update-binary', '--no-fallback-to-build', '--target=20.0.0', '--target_arch=arm64'],
    ['rebuild', '--debug', 'package'],
    ['clean', 'install', '--build-from-source=hello-pkg'],
    ['build', '--release'],
    ['reveal', 'module_path', '--loglevel=silent'],
    ['configure', 'build'],
  ]) {
    assert.deepStrictEqual(parsed(pregyp, argv), parsed(reference, argv), argv.join(' '));
  }
  // Where pregyp's command line is its own: a space-form value is the option's, and what
  // follows `--` stays node-gyp's behind its `--`.
  assert.strictEqual(parsed(pregyp, ['install', '--target', '20.0.0']).opts.target, '20.0.0');
  assert.deepStrictEqual(parsed(pregyp, ['build', '--', '--foo']).todo, [{ name: 'build', args: ['--', '--foo'] }]);
  // An unknown command is an error naming it; a missing package.json names the file.
  assert.throws(() => new pregyp({ package_json_path: path.join(dir, 'package.json'), argv: ['node', 'x', 'instal'] }), /Unknown command: instal/);
  const missing = path.join(dir, 'nope', 'package.json');
  assert.throws(() => new pregyp({ package_json_path: missing, argv: ['node', 'x', 'install'] }), (e) => e.code === 'ENOENT' && e.message.includes(missing));
});

test("npm_config_* join opts as in node-pre-gyp, and are left to the command's own reading", async () => {
  const s = await startServer({
    routes: {
      '/node-v48-win32-x64.tar.gz': { body: tarball('a.tar.gz', 'WIN-6-X64') },
      '/node-v48-win32-ia32.tar.gz': { body: tarball('b.tar.gz', 'WIN-6-IA32') },
    },
  });
  servers.push(s);
  const dir = makePackage(`${s.url}/`);
  const file = path.join(dir, 'main.js');
  // The reference's bin: parseArgv, then every command of `todo` in turn.
  fs.writeFileSync(
    file,
    `const { Run } = require(${JSON.stringify(ROOT)});
const prog = new Run({ argv: process.argv });
console.log(JSON.stringify({ target: prog.opts.target, arch: prog.opts.target_arch }));
(function next(err) {
  if (err) { console.log(err.code); process.exit(1); }
  const c = prog.todo.shift();
  if (!c) return console.log('ok');
  prog.commands[c.name](c.args, next);
})();`
  );
  const r = await runCli(['install', '--target_platform=win32', '--target_arch=x64'], {
    bin: file,
    cwd: dir,
    env: { npm_config_target: '6.0.0', npm_config_target_arch: 'ia32', PREGYP_CACHE: path.join(dir, '..', 'cache') },
  });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const [opts, installed, done] = r.stdout.trim().split('\n');
  // npm_config_* win over the command line in opts, as in node-pre-gyp.
  assert.deepStrictEqual(JSON.parse(opts), { target: '6.0.0', arch: 'ia32' });
  assert.match(installed, /node-v48-win32-ia32[\\/]hello\.node" is installed via remote$/);
  assert.strictEqual(done, 'ok');
  // The command read the environment itself, as `pregyp install` does: ia32 wins.
  assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'lib', 'binding')), ['node-v48-win32-ia32']);
  assert.strictEqual(fs.readFileSync(path.join(dir, 'lib', 'binding', 'node-v48-win32-ia32', 'hello.node'), 'utf8'), 'WIN-6-IA32');
});
