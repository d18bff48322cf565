'use strict';
// `pregyp migrate` on small packages made here: refusals that change nothing, --dry-run,
// idempotence, git's uncommitted changes, files it cannot parse, --keep-name, and the
// targets read from which tarballs a real HTTP server on 127.0.0.1 has. The five real
// packages from the registry are in migrate-real.test.js.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { runCli, tmpdir, cleanEnv, snapshot, CLI } = require('./helpers/run');
const { startServer } = require('./helpers/servers');

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };

// A node-pre-gyp package in the shape bcrypt has, plus a file that loads via bindings
// and one whose binding require migrate cannot rewrite.
function makePackage(host = 'https://example.invalid/releases/download/') {
  const dir = path.join(tmpdir('pregyp-migrate-'), 'addon');
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'migrate-me',
    version: '1.2.3',
    main: 'lib/main.js',
    scripts: { install: 'node-pre-gyp install --fallback-to-build', test: 'node test.js' },
    dependencies: { '@mapbox/node-pre-gyp': '^1.0.11' },
    binary: {
      module_name: 'migrate_me',
      module_path: './lib/binding/napi-v{napi_build_version}',
      package_name: '{module_name}-v{version}-napi-v{napi_build_version}-{platform}-{arch}-{libc}.tar.gz',
      host,
      remote_path: 'v{version}',
      napi_versions: [3],
    },
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'binding.gyp'), '{ "targets": [] }\n');
  fs.writeFileSync(path.join(dir, 'lib', 'main.js'), [
    "'use strict';",
    "const pre = require('@mapbox/node-pre-gyp');",
    "const path = require('path');",
    "const bindingPath = pre.find(path.resolve(__dirname, '../package.json'));",
    'module.exports = require(bindingPath);',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'lib', 'other.js'), "const b = require('bindings');\nmodule.exports = b({ bindings: 'migrate_me' });\n");
  return dir;
}


const git = (dir, ...args) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
function commitAll(dir) {
  for (const a of [['init', '-q'], ['add', '-A'], ['commit', '-qm', 'x']]) assert.strictEqual(git(dir, ...a).status, 0);
}

test('refuses a folder that is not a node-pre-gyp package, changing nothing', async () => {
  const dir = makePackage();
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  delete pj.binary;
  delete pj.dependencies;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj));
  const before = snapshot(dir);
  const r = await runCli(['migrate', '--yes'], { cwd: dir });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /is not a node-pre-gyp package \(no `binary` block, no dependency on @mapbox\/node-pre-gyp or node-pre-gyp\): nothing was changed/);
  assert.deepStrictEqual(snapshot(dir), before);
});

test('an unparseable package.json is named and left untouched', async () => {
  const dir = makePackage();
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "x", ');
  const before = snapshot(dir);
  const r = await runCli(['migrate', '--yes'], { cwd: dir });
  assert.strictEqual(r.code, 1);
  assert.ok(r.stderr.includes(path.join(dir, 'package.json')), r.stderr);
  assert.deepStrictEqual(snapshot(dir), before);
});

test('--dry-run prints the diff and writes nothing; the run writes exactly that; a second run changes nothing', async () => {
  const dir = makePackage();
  const before = snapshot(dir);
  const dry = await runCli(['migrate', '--dry-run', '--targets=linux-x64-glibc,darwin-arm64,win32-x64'], { cwd: dir });
  assert.strictEqual(dry.code, 0, dry.stderr);
  assert.deepStrictEqual(snapshot(dir), before, 'a dry run wrote something');
  assert.match(dry.stdout, /^-    "install": "node-pre-gyp install --fallback-to-build",$/m);
  assert.match(dry.stdout, /^-    "@mapbox\/node-pre-gyp": "\^1\.0\.11"$/m);
  assert.match(dry.stdout, /^\+    "pregyp": "\^0\.1\.0"$/m);
  assert.match(dry.stdout, /^\+  "gypfile": false$/m);
  assert.match(dry.stdout, /^\+    "migrate-me-darwin-arm64": "1\.2\.3",$/m);
  assert.match(dry.stdout, /^\+module\.exports = pre\.load\(path\.resolve\(__dirname, '\.\.\/package\.json'\)\);$/m);
  assert.match(dry.stdout, /^\+\+\+ b\/\.github\/workflows\/prebuild\.yml$/m);
  assert.match(dry.stdout, /--dry-run: nothing was written/);
  // The summary quotes the removed install script as the package had it.
  assert.match(dry.stdout, /scripts\.install: removed "node-pre-gyp install --fallback-to-build"/);
  // bindings called with an options object is not a shape migrate rewrites: listed.
  assert.match(dry.stdout, /^ {2}lib\/other\.js:1: const b = require\('bindings'\);$/m);
  assert.match(dry.stdout, /^To do:$/m);
  assert.match(dry.stdout, /NPM_TOKEN/);

  const run = await runCli(['migrate', '--yes', '--json', '--targets=linux-x64-glibc,darwin-arm64,win32-x64'], { cwd: dir });
  assert.strictEqual(run.code, 0, run.stderr);
  const res = JSON.parse(run.stdout.trim().split('\n').pop());
  assert.strictEqual(res.diff, dry.stdout.slice(0, res.diff.length), 'the dry run showed what the run did');
  assert.deepStrictEqual(res.targets, ['linux-x64-glibc', 'darwin-arm64', 'win32-x64']);
  assert.strictEqual(res.targets_from, '--targets');
  assert.deepStrictEqual(res.files, ['package.json', 'pregyp-binding.gyp', 'lib/main.js', '.github/workflows/prebuild.yml']);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.deepStrictEqual(pj.scripts, { test: 'node test.js' });
  assert.deepStrictEqual(pj.binary.platform_packages, { name: '{name}-{triple}', targets: ['linux-x64-glibc', 'darwin-arm64', 'win32-x64'] });
  assert.deepStrictEqual(pj.optionalDependencies, { 'migrate-me-linux-x64-glibc': '1.2.3', 'migrate-me-darwin-arm64': '1.2.3', 'migrate-me-win32-x64': '1.2.3' });
  const wf = fs.readFileSync(path.join(dir, '.github/workflows/prebuild.yml'), 'utf8');
  assert.match(wf, /target: \[linux-x64-glibc, darwin-arm64, win32-x64\]/);
  assert.match(wf, /id-token: write/);
  assert.match(wf, /npm publish --provenance --access public\n {8}env:/, 'the root is published last');

  const after1 = snapshot(dir);
  const again = await runCli(['migrate', '--yes'], { cwd: dir });
  assert.strictEqual(again.code, 0, again.stderr);
  assert.match(again.stdout, /migrate-me: nothing to change \(already migrated\)/);
  assert.deepStrictEqual(snapshot(dir), after1);
});

test('a package built once per Node ABI: the workflow builds every major it supports, into one platform package each', async () => {
  const nonNapi = (extra, binary = {}) => {
    const dir = makePackage();
    const file = path.join(dir, 'package.json');
    const pj = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete pj.binary.napi_versions;
    Object.assign(pj.binary, { module_path: './build/Release/', package_name: '{module_name}-v{version}-{node_abi}-{platform}-{arch}-{libc}.tar.gz' }, binary);
    fs.writeFileSync(file, JSON.stringify({ ...pj, ...extra }, null, 2));
    return dir;
  };
  const dry = async (dir) => {
    const r = await runCli(['migrate', '--dry-run', '--targets=linux-x64-glibc,darwin-arm64'], { cwd: dir });
    assert.strictEqual(r.code, 0, r.stderr);
    return r.stdout;
  };
  // module_path without {node_abi} is fine: no to-do about one ABI per platform package.
  const all = await dry(nonNapi({}));
  assert.match(all, /^\+ {8}node: \[20, 22, 24, 26\]$/m);
  assert.doesNotMatch(all, /has no \{node_abi\}/);
  assert.match(await dry(nonNapi({ engines: { node: '>=22' } })), /^\+ {8}node: \[22, 24, 26\]$/m);
  assert.match(await dry(nonNapi({ engines: { node: '^20.17.0 || ^22.9.0' } })), /^\+ {8}node: \[20, 22\]$/m);
  // Staged tarballs must tell the majors apart.
  const unnamed = await dry(nonNapi({}, { package_name: '{module_name}-v{version}-{platform}-{arch}-{libc}.tar.gz' }));
  assert.match(unnamed, /package_name \(or remote_path\) has no \{node_abi\}: add it, or the staged tarballs of the Node majors the workflow builds share one name/);
  // A Node-API package builds once, on one Node.
  assert.match(await dry(makePackage()), /^\+ {8}node: \[22\]$/m);
});

test('uncommitted changes in git: refused without a terminal unless --yes', async () => {
  const dir = makePackage();
  commitAll(dir);
  fs.appendFileSync(path.join(dir, 'lib', 'other.js'), '// edited\n');
  const before = snapshot(dir);
  const r = await runCli(['migrate'], { cwd: dir });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /has uncommitted changes in git \(M lib\/other\.js\); commit or stash them first .* or pass --yes\. No terminal to ask on: nothing was changed/);
  assert.deepStrictEqual(snapshot(dir), before);
  // A dry run writes nothing, so it does not ask.
  assert.strictEqual((await runCli(['migrate', '--dry-run'], { cwd: dir })).code, 0);
  const yes = await runCli(['migrate', '--yes', '--workflow=none'], { cwd: dir });
  assert.strictEqual(yes.code, 0, yes.stderr);
  assert.ok(!fs.existsSync(path.join(dir, '.github')), '--workflow=none writes no workflow');
  assert.match(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'), /"pregyp"/);
});

test('uncommitted changes in git, at a terminal: it warns and asks; only a yes goes ahead', () => {
  const dir = makePackage();
  commitAll(dir);
  fs.appendFileSync(path.join(dir, 'lib', 'other.js'), '// edited\n');
  const before = snapshot(dir);
  // util-linux's script(1) gives the CLI a pseudo-terminal; -e passes its exit code on.
  const atTerminal = (answer) => spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} migrate --workflow=none --targets=linux-x64-glibc`, '/dev/null'], { cwd: dir, input: answer, encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
  const no = atTerminal('n\n');
  assert.notStrictEqual(no.status, 0, no.stdout);
  assert.match(no.stdout, /has uncommitted changes in git \(M lib\/other\.js\)\.\r?\nMigrate anyway\? \[y\/N\]/);
  assert.match(no.stdout, /not confirmed: nothing was changed/);
  assert.deepStrictEqual(snapshot(dir), before);
  const yes = atTerminal('y\n');
  assert.strictEqual(yes.status, 0, yes.stdout);
  assert.match(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'), /"pregyp": "\^0\.1\.0"/);
});

test('a JS file it cannot parse is named and left untouched; the others are migrated', async () => {
  const dir = makePackage();
  const broken = "const pre = require('@mapbox/node-pre-gyp');\nmodule.exports = require(pre.find(path.join(__dirname, 'x')\n";
  fs.writeFileSync(path.join(dir, 'lib', 'broken.js'), broken);
  const r = await runCli(['migrate', '--yes', '--workflow=none'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stdout, /Files not parsed:\n {2}lib\/broken\.js: line 3: Expected `\)` but found `EOF`; left untouched/);
  assert.strictEqual(fs.readFileSync(path.join(dir, 'lib', 'broken.js'), 'utf8'), broken);
  assert.match(fs.readFileSync(path.join(dir, 'lib', 'main.js'), 'utf8'), /pre\.load\(/);
});

test('--keep-name: the dependency becomes an npm alias and the code keeps the name', async () => {
  const dir = makePackage();
  const r = await runCli(['migrate', '--yes', '--keep-name', '--workflow=none', '--targets=linux-x64-glibc'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.deepStrictEqual(pj.dependencies, { '@mapbox/node-pre-gyp': 'npm:pregyp@^0.1.0' });
  const main = fs.readFileSync(path.join(dir, 'lib', 'main.js'), 'utf8');
  assert.match(main, /require\('@mapbox\/node-pre-gyp'\)/);
  assert.match(main, /module\.exports = pre\.load\(/);
  const again = await runCli(['migrate', '--yes', '--keep-name', '--workflow=none'], { cwd: dir });
  assert.match(again.stdout, /nothing to change/);
});

test('targets: the tarballs of this version that the host has (HEAD requests to 127.0.0.1)', async () => {
  const have = ['linux-x64-glibc', 'linux-arm64-glibc', 'darwin-arm64'];
  const routes = {};
  for (const t of have) {
    const [platform, arch, libc] = t.split('-');
    routes[`/v1.2.3/migrate_me-v1.2.3-napi-v3-${platform}-${arch}-${libc || 'unknown'}.tar.gz`] = { body: 'x' };
  }
  const server = await startServer({ routes });
  try {
    const dir = makePackage(`${server.url}/`);
    const r = await runCli(['migrate', '--yes', '--json', '--workflow=none'], { cwd: dir });
    assert.strictEqual(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.deepStrictEqual(res.targets, have);
    assert.strictEqual(res.targets_from, 'host');
    assert.ok(server.requests.every((q) => q.method === 'HEAD'));
    assert.ok(server.requests.length >= 9, 'every usual target was asked for');
  } finally {
    server.close();
  }
  // Unreachable host: this machine's target, with a warning.
  const dir = makePackage('http://127.0.0.1:9/');
  const r = await runCli(['migrate', '--yes', '--json', '--workflow=none'], { cwd: dir });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /the host could not be reached; using this machine's target only/);
  assert.strictEqual(JSON.parse(r.stdout.trim().split('\n').pop()).targets_from, 'this machine');
});

test('the JS API: pregyp.migrate() resolves to the typed result', async () => {
  const dir = makePackage();
  const script = `require(${JSON.stringify(path.join(__dirname, '..'))}).migrate({ directory: ${JSON.stringify(dir)}, 'dry-run': true, targets: 'linux-x64-glibc', workflow: 'none' }).then((r) => console.log(JSON.stringify(r)))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  const [res] = JSON.parse(r.stdout);
  assert.strictEqual(res.dry_run, true);
  assert.deepStrictEqual(res.files, ['package.json', 'pregyp-binding.gyp', 'lib/main.js']);
  assert.ok(res.lines_changed > 10);
});
