'use strict';
// Every option means what it says: --dry-run changes nothing (the package folder and
// the S3 bucket, byte for byte, for every command of src/config/spec.rs, through the CLI
// and the API), an option no command of the chain knows is an error, every bad value is
// refused naming the flag or variable it came from, and the messages and logs users
// see are the ones documented.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { runCli, tmpdir } = require('./helpers/run');
const { snapshot } = require('./helpers/layouts');
const { startMoto, s3Env, createBucket } = require('./helpers/moto');
const { makeTarball } = require('./helpers/tarballs');

const ROOT = path.join(__dirname, '..');
const pregyp = require(ROOT);
const spec = JSON.parse(pregyp.binding().spec());
const NODE_PRE_GYP = path.join(ROOT, 'bin', 'node-pre-gyp');
// Any loadable addon will do as the fixture's binding.
const A_NODE_FILE = path.join(ROOT, `pregyp-find.${require('../lib/loader').builtTriple(ROOT, 'pregyp-find')}.node`);

function writeJson(file, v) {
  fs.writeFileSync(file, JSON.stringify(v, null, 2) + '\n');
}

/** A package with a binding in module_path, hosted on `host`. */
function makePackage(binary = {}, extra = {}) {
  const dir = tmpdir('pregyp-options-');
  writeJson(path.join(dir, 'package.json'), {
    name: 'opt-addon',
    version: '1.0.0',
    main: 'index.js',
    binary: { module_name: 'opt', module_path: './lib/binding', host: 'https://127.0.0.1:1/', ...binary },
    ...extra,
  });
  fs.mkdirSync(path.join(dir, 'lib', 'binding'), { recursive: true });
  fs.copyFileSync(A_NODE_FILE, path.join(dir, 'lib', 'binding', 'opt.node'));
  fs.writeFileSync(path.join(dir, 'index.js'), "module.exports = require('pregyp').load(__dirname);\n");
  return dir;
}

const ok = (r, what) => {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
};

describe('--dry-run changes nothing, for every command', () => {
  let moto;
  let env;
  let dir;
  let local;
  const BUCKET = 'dry-run-bucket';

  async function bucketKeys() {
    const r = ok(await runCli(['info'], { cwd: dir, env }), 'info');
    return r.stdout.trim().split('\n').sort();
  }

  before(async () => {
    moto = await startMoto();
    await createBucket(moto.endpoint, BUCKET);
    env = s3Env(moto.endpoint);
    dir = makePackage(
      { host: moto.endpoint, bucket: BUCKET, region: 'us-east-1', s3ForcePathStyle: true, remote_path: 'v{version}', platform_packages: { targets: ['linux-x64-glibc'] } },
      { dependencies: { '@mapbox/node-pre-gyp': '^2.0.0' }, scripts: { install: 'node-pre-gyp install --fallback-to-build' } }
    );
    // A staged tarball and a published object, so that every command has work to skip.
    ok(await runCli(['package', 'publish'], { cwd: dir, env }), 'package publish');
    fs.mkdirSync(path.join(dir, 'node_modules'));
    // The same package on a local (file://) host holding its tarball.
    const hostDir = tmpdir('pregyp-dry-host-');
    local = makePackage(
      { host: `file://${hostDir}`, remote_path: 'v{version}', platform_packages: { targets: ['linux-x64-glibc'] } },
      { dependencies: { '@mapbox/node-pre-gyp': '^2.0.0' }, scripts: { install: 'node-pre-gyp install --fallback-to-build' } }
    );
    ok(await runCli(['package'], { cwd: local }), 'package (local host)');
    fs.cpSync(path.join(local, 'build', 'stage', 'v1.0.0'), path.join(hostDir, 'v1.0.0'), { recursive: true });
  });
  after(async () => {
    if (moto) await moto.stop();
  });

  // Positional arguments some commands need to do anything at all.
  const argsOf = { reveal: ['module_path'], 'postinstall-build': ['lib/missing', 'node', '-e', '0'] };
  // Flags that make a command write (so that --dry-run has something to hold back).
  const flagsOf = { checksums: ['--write'], 'optional-deps': ['--write'], install: ['--update-binary'], reinstall: ['--update-binary'], migrate: ['--yes'] };

  for (const c of spec.commands) {
    test(`${c.name} --dry-run (CLI, then API)`, { timeout: 120_000 }, async () => {
      const tree = snapshot(dir);
      const keys = await bucketKeys();
      const r = await runCli([c.name, ...(argsOf[c.name] || []), ...(flagsOf[c.name] || []), '--dry-run'], { cwd: dir, env });
      assert.deepStrictEqual(snapshot(dir), tree, `${c.name} --dry-run changed the package folder\n${r.stderr}`);
      assert.deepStrictEqual(await bucketKeys(), keys, `${c.name} --dry-run changed the bucket`);
      // Refused, or honoured: never an unknown-option error.
      assert.doesNotMatch(r.stderr, /unknown option|does not apply/, r.stderr);
      exits[c.name] = r.code;

      const opts = { directory: dir, 'dry-run': true, args: argsOf[c.name] };
      for (const f of flagsOf[c.name] || []) opts[f.replace(/^--/, '')] = true;
      const saved = {};
      for (const [k, v] of Object.entries(env)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
      try {
        await Promise.resolve()
          .then(() => pregyp[c.api](opts))
          .catch((e) => assert.ok(!['E_UNKNOWN_OPTION', 'E_INVALID_OPTION', 'E_USAGE'].includes(e.code), `${c.api}: ${e.code} ${e.message}`));
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      assert.deepStrictEqual(snapshot(dir), tree, `${c.api}({ 'dry-run': true }) changed the package folder`);
      assert.deepStrictEqual(await bucketKeys(), keys, `${c.api}({ 'dry-run': true }) changed the bucket`);

      const localTree = snapshot(local);
      const l = await runCli([c.name, ...(argsOf[c.name] || []), ...(flagsOf[c.name] || []), '--dry-run'], { cwd: local });
      assert.deepStrictEqual(snapshot(local), localTree, `${c.name} --dry-run changed the package on a file:// host`);
      assert.doesNotMatch(l.stderr, /unknown option|does not apply/, l.stderr);
    });
  }

  // Each command either does its dry run (exit 0) or is one of these, which have nothing
  // to do here and say so; a command that fails before reaching its writes is caught.
  const exits = {};
  // publish: the object is already on the bucket (before() published it), and a dry run
  // refuses as the real publish would.
  const REFUSE_HERE = ['publish (exit 1)'];
  test('postinstall-build --dry-run leaves an interrupted run\'s package.json backup alone', async () => {
    const d = makePackage({ host: 'https://example.invalid/' });
    fs.writeFileSync(path.join(d, 'package.json.pregyp-backup'), '{"name":"the-original"}\n');
    const tree = snapshot(d);
    const r = await runCli(['postinstall-build', 'lib/missing', 'node', '-e', '0', '--dry-run'], { cwd: d });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /would restore .*package\.json from an interrupted earlier run/);
    assert.deepStrictEqual(snapshot(d), tree);
  });

  test('every --dry-run above ran to its end', () => {
    const failed = Object.entries(exits).filter(([, code]) => code !== 0).map(([name, code]) => `${name} (exit ${code})`);
    assert.deepStrictEqual(failed, REFUSE_HERE);
  });

  test('what --dry-run says it would do', async () => {
    const clean = ok(await runCli(['clean', '--dry-run'], { cwd: dir, env }), 'clean --dry-run');
    assert.match(clean.stdout, /\[opt-addon\] Would remove ".*lib[/\\]binding"/);
    const install = ok(await runCli(['install', '--update-binary', '--dry-run', '--json'], { cwd: dir, env }), 'install --dry-run');
    const result = JSON.parse(install.stdout);
    assert.equal(result.dry_run, true);
    assert.match(result.url, /v1\.0\.0\/opt-v1\.0\.0-node-v\d+-/);
    const unpublish = ok(await runCli(['unpublish', '--dry-run', '--json'], { cwd: dir, env }), 'unpublish --dry-run');
    assert.equal(JSON.parse(unpublish.stdout).dry_run, true);
  });
});

describe('options are checked against the command chain', () => {
  const dir = makePackage();
  const cases = [
    [['clean', '--dryrun'], /unknown option `--dryrun` for clean; did you mean `--dry-run`\?/],
    [['heal', '--dry-runn'], /unknown option `--dry-runn` for heal; did you mean `--dry-run`\?/],
    [['migrate', '--dryrun'], /unknown option `--dryrun` for migrate; did you mean `--dry-run`\?/],
    [['reveal', '--targets=linux-x64'], /option `--targets` does not apply to reveal \(it is for: migrate\)/],
    [['package', '--frobnicate'], /unknown option `--frobnicate` for package/],
  ];
  for (const [args, want] of cases) {
    test(args.join(' '), async () => {
      const before = snapshot(dir);
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, want);
      assert.deepStrictEqual(snapshot(dir), before);
    });
  }

  test('build chains pass unknown options on to node-gyp; a typo of a pregyp option is pointed out', async () => {
    const r = await runCli(['install', '--fallback-to-buidl', '--dry-run', '--update-binary'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--fallback-to-buidl is not a pregyp option \(did you mean --fallback-to-build\?\); it is passed on to node-gyp/);
    const v = await runCli(['configure', '--shared-libxml2', '--dry-run', '--verbose'], { cwd: dir });
    assert.match(v.stderr, /--shared-libxml2 is not a pregyp option: passed on to node-gyp/);
    assert.doesNotMatch(v.stderr, /did you mean/);
    // An option of another command is named as such, not as a typo.
    const a = await runCli(['install', '--acl=private', '--dry-run', '--update-binary'], { cwd: dir });
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /--acl is pregyp's option for publish, reveal, not for this command; it is passed on to node-gyp/);
  });
});

test('a PREGYP_ variable that looks like a typo of one of pregyp\'s is named in a warning; others are left alone', async () => {
  const dir = makePackage();
  const r = await runCli(['reveal', 'module_name'], { cwd: dir, env: { PREGYP_BUILD_FROM_SOUCE: '1', PREGYP_FETCH_RETRIES: '2', PREGYP_SOMETHING_ELSE_ENTIRELY: '1' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /PREGYP_BUILD_FROM_SOUCE is not a variable pregyp reads \(did you mean PREGYP_BUILD_FROM_SOURCE\?\); it is ignored/);
  assert.doesNotMatch(r.stderr, /PREGYP_FETCH_RETRIES|PREGYP_SOMETHING_ELSE/);
});

describe('every bad value is refused where it is read, naming where it came from', () => {
  const dir = makePackage();
  const cases = [
    [['install', '--fetch-retries=abc'], {}, 'invalid option --fetch-retries=abc'],
    [['install'], { PREGYP_FETCH_RETRIES: 'abc' }, 'invalid environment variable PREGYP_FETCH_RETRIES=abc'],
    [['install'], { npm_config_fetch_retries: 'abc' }, 'invalid environment variable npm_config_fetch_retries=abc'],
    [['heal', '--concurrency=0'], {}, 'invalid option --concurrency=0: expected a whole number from 1 to 64'],
    [['install', '--strict-ssl=maybe'], {}, 'invalid option --strict-ssl=maybe: expected true or false'],
    [['install', '--ca=garbage'], {}, 'invalid option --ca=garbage: expected a PEM certificate'],
    [['install', '--proxy=notaurl'], {}, 'invalid option --proxy=notaurl: expected a proxy URL'],
    [['install'], { HTTPS_PROXY: 'ftp://p:21' }, 'invalid environment variable HTTPS_PROXY=ftp://p:21'],
    [['install', '--loglevel=loud'], {}, 'invalid option --loglevel=loud: expected one of silent, error'],
    [['migrate', '--workflow=gitlab'], {}, 'invalid option --workflow=gitlab: expected one of github, none'],
    [['install', '--target'], {}, 'invalid option --target: expects a value (--target=<version>)'],
    [['install', '--directory', '--debug'], {}, 'invalid option --directory: expects a value (--directory=<dir>)'],
    [['install', '-C'], {}, 'invalid option -C (--directory): expects a value (--directory=<dir>)'],
    [['install', '--runtime'], {}, 'invalid option --runtime: expects a value (--runtime=<node|electron|node-webkit>)'],
  ];
  for (const [args, env, want] of cases) {
    test(`${args.join(' ')} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`, async () => {
      const r = await runCli(args, { cwd: dir, env });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(want), `wanted "${want}" in:\n${r.stderr}`);
    });
  }

  for (const host of ['ftp://example.com/bin', 'not a url']) {
    test(`binary.host "${host}" is refused before any download`, async () => {
      const d = makePackage({ host });
      const r = await runCli(['install', '--update-binary'], { cwd: d });
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`'host' protocol`) && r.stderr.includes(`binary.host in ${path.join(d, 'package.json')} is "${host}"`), r.stderr);
    });
  }

  test('a refused proxy is named with the setting that chose it', async () => {
    const { startServer } = require('./helpers/servers');
    const server = await startServer({ routes: {} });
    const port = server.port;
    await server.close();
    const d = makePackage({ host: 'https://127.0.0.1:1/' });
    const r = await runCli(['install', '--update-binary', '--fetch-retries=0'], { cwd: d, env: { HTTPS_PROXY: `http://127.0.0.1:${port}` } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`through the proxy http://127\\.0\\.0\\.1:${port}/? set by HTTPS_PROXY`));
  });
});

test('a file:// host checks the .sha256 beside the tarball', async () => {
  const hostDir = tmpdir('pregyp-file-host-');
  const dir = makePackage({ host: `file://${hostDir}`, module_path: './lib/binding' });
  fs.rmSync(path.join(dir, 'lib'), { recursive: true });
  const name = (await runCli(['reveal', 'package_name', '--silent'], { cwd: dir })).stdout.trim();
  const tarball = path.join(hostDir, name);
  makeTarball(tarball, [{ name: 'binding/opt.node', content: fs.readFileSync(A_NODE_FILE) }]);
  fs.writeFileSync(`${tarball}.sha256`, `${'0'.repeat(64)}  ${name}\n`);
  const bad = await runCli(['install'], { cwd: dir });
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stderr, /sha256/i);
  assert.ok(!fs.existsSync(path.join(dir, 'lib', 'binding', 'opt.node')), 'a tarball that fails its checksum is not installed');
  const sha = crypto.createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
  fs.writeFileSync(`${tarball}.sha256`, `${sha}  ${name}\n`);
  ok(await runCli(['install'], { cwd: dir }), 'install with the right .sha256');
  assert.ok(fs.existsSync(path.join(dir, 'lib', 'binding', 'opt.node')));
});

test('the JS API names a key that is no option as the CLI names the flag: a typo warned about, an unknown option refused', () => {
  const dir = makePackage();
  const script = `
    const p = require(${JSON.stringify(ROOT)});
    (async () => {
      await p.install({ directory: ${JSON.stringify(dir)}, 'dry-run': true, fallback_to_buidl: true });
      console.log('installed');
      await p.reveal({ directory: ${JSON.stringify(dir)}, taget: '20.0.0' });
    })().catch((e) => console.log('refused', e.code, e.message));
  `;
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.match(r.stderr, /--fallback_to_buidl is not a pregyp option \(did you mean --fallback-to-build\?\); it is passed on to node-gyp/);
  assert.match(r.stdout, /^installed$/m, r.stderr);
  assert.match(r.stdout, /refused E_UNKNOWN_OPTION unknown option `--taget` for reveal; did you mean `--target`\?/, r.stdout + r.stderr);
});

describe('install on first use', () => {
  test('does not try a build that cannot happen, and find() keeps its contract', async () => {
    const dir = makePackage({ host: 'http://127.0.0.1:1/' });
    fs.rmSync(path.join(dir, 'lib'), { recursive: true });
    const script = `
      const p = require(${JSON.stringify(ROOT)});
      const found = p.find(${JSON.stringify(path.join(dir, 'package.json'))}, { install: true });
      console.log(JSON.stringify({ found }));
      try { p.load(${JSON.stringify(dir)}); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
    `;
    const { spawnSync } = require('node:child_process');
    const started = Date.now();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, PREGYP_INSTALL_ON_FIND: '1', PREGYP_FETCH_SELF: '0' }, timeout: 60_000 });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].found, path.join(dir, 'lib', 'binding', 'opt.node'), r.stderr);
    assert.equal(lines[1].code, 'E_BINDING_MISSING', r.stderr);
    assert.match(lines[1].message, /Installing it on first use \(PREGYP_INSTALL_ON_FIND\) failed/);
    assert.doesNotMatch(r.stderr + lines[1].message, /node-gyp|E_COMMAND_FAILED/);
    assert.ok(Date.now() - started < 30_000);
  });
});

describe('logs and help', () => {
  const dir = makePackage();
  test('as node-pre-gyp: the reference shape and name', async () => {
    const r = ok(await runCli(['reveal', 'module_name', '--target=20.99.0'], { cwd: dir, bin: NODE_PRE_GYP }), 'reveal');
    assert.equal(r.stdout.trim(), 'opt');
    assert.match(r.stderr, /^\[info\] it worked if it ends with ok$/m);
    assert.match(r.stderr, /^Warning: node-pre-gyp could not find exact match for 20\.99\.0$/m);
    assert.match(r.stderr, /^\[info\] ok$/m);
    assert.doesNotMatch(r.stderr, /pregyp (info|WARN)/);
    const e = await runCli(['package'], { cwd: makePackage({ module_path: './lib/none' }), bin: NODE_PRE_GYP });
    assert.match(e.stderr, /^\[error\] Cannot package because .* missing: run `node-pre-gyp rebuild` first$/m);
    assert.match(e.stderr, /^\[error\] not ok$/m);
    const p = await runCli(['package'], { cwd: makePackage({ module_path: './lib/none' }) });
    assert.match(p.stderr, /run `pregyp rebuild` first/);
  });
  test('--loglevel=silent prints nothing, even for an error', async () => {
    for (const args of [['clean', '--loglevel=silent', '--dryrun'], ['package', '--silent'], ['reveal', 'x', '--silent', '--fetch-retries=x']]) {
      const r = await runCli(args, { cwd: makePackage({ module_path: './lib/none' }) });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, '', args.join(' '));
    }
  });
  test('colours on a terminal, none with --no-color or npm_config_color=false', { skip: !fs.existsSync('/usr/bin/script') && 'needs script(1) for a terminal' }, () => {
    const { spawnSync } = require('node:child_process');
    const onTty = (args, env = {}) => spawnSync('script', ['-qec', `${process.execPath} ${path.join(ROOT, 'bin', 'pregyp.js')} ${args}`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } }).stdout;
    assert.match(onTty('clean --dry-run'), /\x1b\[32minfo/);
    assert.doesNotMatch(onTty('clean --dry-run --no-color'), /\x1b\[/);
    assert.doesNotMatch(onTty('clean --dry-run', { npm_config_color: 'false' }), /\x1b\[/);
  });
  test('help: `help`, every command, aligned, every option', async () => {
    const h = ok(await runCli(['help', 'install'], { cwd: dir }), 'help install');
    assert.match(h.stdout, /Usage: pregyp install/);
    assert.match(h.stdout, /--fallback-to-build\[=false\|names\]/);
    assert.match(h.stdout, /PREGYP_<NAME>/);
    const e = ok(await runCli(['explain', '--help'], { cwd: dir }), 'explain --help');
    assert.match(e.stdout, /--json/);
    const all = ok(await runCli(['--help'], { cwd: dir }), '--help');
    for (const o of spec.options) assert.ok(all.stdout.includes(`--${o.name}`), o.name);
    // The descriptions start in one column (long names put theirs on the next line).
    const cols = new Set(all.stdout.split('\n').filter((l) => /^    -/.test(l) && /\S  \S/.test(l.trim())).map((l) => l.search(/\S {2,}\S/) >= 0 && l.replace(/^(\s+\S.*?\S)\s{2,}\S.*$/, '$1').length));
    assert.ok(cols.size <= 2, `descriptions start in ${[...cols].join(', ')}`);
  });
});

describe('errors name their file and field', () => {
  test('package.json that is not ready', async () => {
    const dir = makePackage({ module_name: 5 });
    const r = await runCli(['install'], { cwd: dir });
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.equal(lines[0], `pregyp ERR! opt-addon package.json is not node-pre-gyp ready: ${path.join(dir, 'package.json')} must declare these properties: binary.module_name (must be a string, not 5)`);
  });
  test('a missing package.json, and find() of a folder', async () => {
    const d = tmpdir('pregyp-empty-');
    const r = await runCli(['install'], { cwd: d });
    assert.match(r.stderr, new RegExp(`${path.join(d, 'package.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
    const dir = makePackage();
    assert.equal(pregyp.find(dir), pregyp.find(path.join(dir, 'package.json')));
  });
  test('clean of module_path "./" names the field', async () => {
    const dir = makePackage({ module_path: './' });
    const r = await runCli(['clean'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /module_path is not set, refusing to delete: binary\.module_path "\.\/" in .*package\.json resolves to/);
    assert.ok(fs.existsSync(path.join(dir, 'package.json')));
  });
  test('a failed self-fetch keeps npm\'s reason', () => {
    const { npmReason } = require('../lib/fetch-self');
    const stderr = 'npm error code E404\nnpm error 404 Not Found - GET http://127.0.0.1:9/@pregyp%2flinux-x64-gnu - Not found\nnpm error A complete log of this run can be found in: /x.log\n';
    assert.equal(npmReason({ stdout: '', stderr, status: 1 }), 'code E404; 404 Not Found - GET http://127.0.0.1:9/@pregyp%2flinux-x64-gnu - Not found');
  });
});

describe('small consistencies', () => {
  test('the package users install carries no lifecycle script, and the lock file says so', () => {
    const pj = require('../package.json');
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack']) assert.equal(pj.scripts[s], undefined, s);
    assert.ok(!JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages[''].hasInstallScript);
  });
  test('explain names node-gyp itself, and says when a requested build cannot happen', async () => {
    const dir = makePackage();
    const r = ok(await runCli(['explain', '--json', '--build-from-source'], { cwd: dir }), 'explain');
    const x = JSON.parse(r.stdout);
    if (x.build.node_gyp) assert.match(x.build.node_gyp, /node-gyp/);
    assert.equal(x.build.possible, false);
    assert.match(x.install_would, /^fail: --build-from-source asks for a source build, which is not possible here/);
  });
  test('install --update-binary does not call an existing binding "not found"', async () => {
    const dir = makePackage();
    const r = ok(await runCli(['install', '--update-binary', '--dry-run'], { cwd: dir }), 'install');
    assert.match(r.stderr, /checked for ".*opt\.node" \(found; --update-binary replaces it\)/);
  });
  test('results use one spelling', () => {
    const dts = fs.readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8');
    assert.doesNotMatch(dts, /dryRun|lastModified/);
  });
  test('package --target_platform=darwin: the reference name, a warning, and platform-package --from takes it', async () => {
    const dir = makePackage({ package_name: '{module_name}-{node_abi}-{platform}-{arch}-{libc}.tar.gz', platform_packages: { targets: ['darwin-arm64'] } });
    const name = (await runCli(['reveal', 'package_name', '--target_platform=darwin', '--target_arch=arm64', '--silent'], { cwd: dir })).stdout.trim();
    assert.equal(name, `opt-node-v${process.versions.modules}-darwin-arm64-${require('../lib/loader').hostTriples()[0].endsWith('musl') ? 'musl' : 'glibc'}.tar.gz`);
    const p = ok(await runCli(['package', '--target_platform=darwin', '--target_arch=arm64'], { cwd: dir }), 'package');
    assert.match(p.stderr, /installs on darwin look for `unknown`: pass --target_libc=unknown/);
    ok(await runCli(['platform-package', '--from', 'build/stage'], { cwd: dir }), 'platform-package --from');
  });
  test('platform-package --from names the files it looked for', async () => {
    const dir = makePackage({ platform_packages: { targets: ['linux-x64-glibc', 'darwin-arm64'] } });
    const from = tmpdir('pregyp-from-');
    const r = await runCli(['platform-package', '--from', from], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /looked for .*opt-v1\.0\.0-node-v\d+-darwin-arm64\.tar\.gz/);
  });
});
