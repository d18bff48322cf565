'use strict';
// `pregyp migrate` on five real node-pre-gyp packages from the npm registry, each taken
// through the whole life an author and its users give it:
//
//   npm pack <name>@<version> (cached) -> git repository -> migrate --dry-run (writes
//   nothing) -> migrate -> migrate again (changes nothing) -> actionlint on the workflow
//   -> npm install (from a local verdaccio, with pregyp as built here) -> pregyp rebuild
//   -> the package's own tests (where they run offline) -> pregyp package testpackage
//   platform-package -> npm publish of the platform package, then the root -> consumers
//   with npm 12 and pnpm (latest) on Node 22: exit 0, no blocked-script notice, the
//   binding comes from the platform package, the package loads and answers.
//
// Everything runs on Node 22.22.2 (npm 12 needs it): the non-Node-API addons are built
// for its ABI. The packages:
//   @abandonware/bluetooth-hci-socket  scoped; requires ../build/Release/<name>.node itself
//   bcrypt 5.1.1                        napi_versions; find() in bcrypt.js
//   argon2 0.31.2                       napi_versions; find() in argon2.js
//   nodejieba 2.6.0                     module_path ./build/Release/
//   libxmljs 1.0.11                     module_path ./build/Release/; loads through `bindings`
//     (0.19.x pins a nan that does not compile against Node 22's V8)
//
// The table of results is printed at the end and written to .pregyp-test/migrate-real.md,
// and bcrypt's dry run with every usual target to .pregyp-test/migrate-example.md; with
// PREGYP_WRITE_DOCS=1 both go to docs/ too (the table only from a run of all five).
// PREGYP_MIGRATE_ONLY=<name,...> limits the run to some packages.
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { tmpdir, cleanEnv, CLI } = require('./helpers/run');
const { startRegistry } = require('./helpers/registry');
const { stageLocal } = require('../scripts/pack-local');
const tools = require('./helpers/toolchain');
const { writeDoc } = require('./helpers/docs');

const ROOT = path.join(__dirname, '..');

const PACKAGES = [
  {
    spec: '@abandonware/bluetooth-hci-socket@0.5.3-12',
    shape: 'scoped; loads ../build/Release/<module>.node itself',
    ownTests: [['node', ['test.js']]],
    // Its optional dependency usb (used on win32 and freebsd only) has an install script
    // of its own (node-gyp-build): the consumers decline it explicitly, as users of any
    // package depending on usb must; the migrated package itself adds no script.
    declineScripts: ['usb'],
    call: "const B = require('@abandonware/bluetooth-hci-socket'); console.log(typeof B, typeof B.prototype.bindRaw)",
    expect: /^function function$/m,
  },
  {
    spec: 'bcrypt@5.1.1',
    shape: 'napi_versions; find() in bcrypt.js',
    // The documented example (docs/migrate-example.md): its dry run with these targets.
    example: 'linux-x64-glibc,linux-x64-musl,linux-arm64-glibc,darwin-x64,darwin-arm64,win32-x64',
    ownTests: [['node_modules/.bin/jest', ['--ci', 'test/']]],
    call: "const b = require('bcrypt'); console.log(b.compareSync('pw', b.hashSync('pw', 4)))",
    expect: /^true$/m,
  },
  {
    spec: 'argon2@0.31.2',
    shape: 'napi_versions; find() in argon2.js',
    ownTests: null, // its tests are not in the npm tarball
    call: "const a = require('argon2'); a.hash('pw').then((h) => a.verify(h, 'pw')).then(console.log)",
    expect: /^true$/m,
  },
  {
    spec: 'nodejieba@2.6.0',
    shape: 'module_path ./build/Release/',
    ownTests: [['node', ['test/demo.js']], ['node_modules/.bin/mocha', ['--timeout', '10s', '-R', 'dot', 'test/test.js']]],
    call: "console.log(require('nodejieba').cut('南京市长江大桥').join('/'))",
    expect: /南京市\/长江大桥/,
  },
  {
    spec: 'libxmljs@1.0.11',
    shape: 'module_path ./build/Release/; loads through `bindings`; TypeScript sources',
    // migrate's to-do: its preinstall (git submodules and SWIG, for its own repository)
    // runs at every install; the person moves it to `prepare`, as the to-do says.
    person: ['moved scripts.preinstall to scripts.prepare', (pj) => {
      pj.scripts.prepare = pj.scripts.preinstall;
      delete pj.scripts.preinstall;
    }],
    ownTests: [['node', ['--stack-size=10000', '--expose_gc', 'node_modules/nodeunit/bin/nodeunit', 'dist/test']]],
    call: "console.log(require('libxmljs').parseXml('<a><b>hi</b></a>').get('//b').text())",
    expect: /^hi$/m,
  },
].filter((p) => !process.env.PREGYP_MIGRATE_ONLY || process.env.PREGYP_MIGRATE_ONLY.split(',').some((n) => p.spec.startsWith(n)));

const nameOf = (spec) => spec.slice(0, spec.lastIndexOf('@'));
const versionOf = (spec) => spec.slice(spec.lastIndexOf('@') + 1);

let registry;
let work;
let n22;
let npm12;
let pnpm;
let actionlint;
const rows = [];

// Node 22 first on PATH (the packages' scripts and node-gyp run `node`), its headers for
// node-gyp, npm 12's node-gyp, and a git identity for the test repositories.
function env22(extra = {}) {
  return {
    ...cleanEnv(),
    PATH: `${path.dirname(n22.node)}${path.delimiter}${process.env.PATH}`,
    npm_config_nodedir: n22.nodedir,
    npm_config_node_gyp: npm12.nodeGyp,
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    ...extra,
  };
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20, ...opts, env: opts.env || env22() });
  return { ...r, out: `${r.stdout || ''}\n${r.stderr || ''}${r.error ? r.error.message : ''}` };
}
const pregyp = (args, cwd) => sh(n22.node, [CLI, ...args], { cwd });

// Notices a package manager prints for a dependency script it did not run.
const BLOCKED = /install-scripts|scripts? (were |was )?blocked|approve-builds|IGNORED_BUILDS|Ignored build scripts|lists build scripts/i;

before(async () => {
  n22 = tools.node22();
  npm12 = tools.npm12();
  pnpm = tools.pnpm();
  actionlint = tools.actionlint();
  if (actionlint.errors) throw new Error(`actionlint could not be installed: ${actionlint.errors.join('; ')}`);
  work = tmpdir('pregyp-migrate-real-');
  registry = await startRegistry({ local: PACKAGES.flatMap((p) => [nameOf(p.spec), `${nameOf(p.spec)}-linux-x64-glibc`]) });
  // pregyp as built here (its `prepare` builds from source, so it goes).
  const staged = stageLocal(path.join(work, 'pregyp-packages'));
  for (const dir of [staged.platform, ...Object.values(staged.others)]) registry.publish(dir);
  const root = path.join(work, 'pregyp-root');
  fs.mkdirSync(root);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  delete pkg.scripts.prepare;
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const f of fs.readdirSync(ROOT)) {
    if (['index.js', 'index.d.ts', 'lib', 'bin'].includes(f) || /^pregyp-find\..*\.(node|wasm)$/.test(f)) fs.cpSync(path.join(ROOT, f), path.join(root, f), { recursive: true });
  }
  registry.publish(root);
});

after(() => {
  if (registry) registry.stop();
  const table = [
    `Node ${n22 ? n22.version : '?'}, npm ${npm12 ? npm12.version : '?'}, pnpm ${pnpm ? pnpm.version : '?'}; each step ok or why not.`,
    '',
    '| package | shape | migrate changed (lines) | left for a person | dry run writes nothing | 2nd run: no change | actionlint | pregyp rebuild | own tests | package + platform-package | publish (verdaccio) | npm 12 consumer | pnpm consumer |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.shape} | ${r.lines ?? '-'} (${r.files ?? '-'}) | ${r.left || '-'} | ${r.dry ?? '-'} | ${r.again ?? '-'} | ${r.actionlint ?? '-'} | ${r.rebuild ?? '-'} | ${r.ownTests ?? '-'} | ${r.pack ?? '-'} | ${r.publish ?? '-'} | ${r.npm12 ?? '-'} | ${r.pnpm ?? '-'} |`),
  ].join('\n');
  const page = [
    '<!-- Written by __test__/migrate-real.test.js (PREGYP_WRITE_DOCS=1 node --test __test__/migrate-real.test.js). -->',
    '# `pregyp migrate` on real packages',
    '',
    'Five real node-pre-gyp packages from the npm registry, each taken from `npm pack` through',
    '`pregyp migrate`, `pregyp rebuild`, its own tests, `pregyp package testpackage platform-package`,',
    'publishing the platform package and then the root to a local verdaccio, and consumers on',
    'Node 22 with npm 12 and pnpm that install it, find no binding in the root package (only in its',
    'platform package), load it and call it. The control row is bcrypt as published, with its install',
    'script. "Left for a person" is exactly what migrate listed; where the test takes a step as that',
    'person, its row names it. See [migrating.md](migrating.md).',
    '',
    table,
    '',
  ].join('\n');
  console.log(`\n${table}\n(written to ${writeDoc('migrate-real.md', page, { partial: Boolean(process.env.PREGYP_MIGRATE_ONLY) }).join(', ')})`);
});

for (const p of PACKAGES) {
  test(`migrate ${p.spec}: rebuild, own tests, package, publish, npm 12 and pnpm consumers`, { timeout: 1_800_000 }, () => {
    const row = { name: `\`${p.spec}\``, shape: p.shape };
    rows.push(row);
    const name = nameOf(p.spec);
    const version = versionOf(p.spec);
    const base = path.join(work, name.replace(/[@/]/g, '_'));
    const dir = path.join(base, 'package');
    fs.mkdirSync(base, { recursive: true });
    assert.strictEqual(sh('tar', ['xzf', tools.realPackage(p.spec), '-C', base]).status, 0);
    for (const args of [['init', '-q'], ['add', '-A'], ['commit', '-qm', 'as published']]) assert.strictEqual(sh('git', args, { cwd: dir }).status, 0);
    const status = () => sh('git', ['status', '--porcelain'], { cwd: dir }).stdout;

    // --dry-run: the diff, nothing written.
    const dry = pregyp(['migrate', '--dry-run'], dir);
    assert.strictEqual(dry.status, 0, dry.out);
    assert.match(dry.stdout, /^--- a\/package\.json$/m);
    assert.match(dry.stdout, /^\+\+\+ b\/\.github\/workflows\/prebuild\.yml$/m);
    assert.strictEqual(status(), '', 'a dry run wrote something');
    fs.writeFileSync(path.join(base, 'dry-run.diff'), dry.stdout);
    row.dry = 'ok';
    if (p.example) {
      const args = ['migrate', '--dry-run', '--targets', p.example];
      const ex = pregyp(args, dir);
      assert.strictEqual(ex.status, 0, ex.out);
      assert.strictEqual(status(), '', 'a dry run wrote something');
      writeDoc('migrate-example.md', [
        '<!-- Written by __test__/migrate-real.test.js (PREGYP_WRITE_DOCS=1 PREGYP_MIGRATE_ONLY=bcrypt node --test __test__/migrate-real.test.js). -->',
        '# A whole `pregyp migrate` run: bcrypt 5.1.1',
        '',
        `\`pregyp ${args.join(' ')}\` on bcrypt ${version} as the registry has it. What each change is for:`,
        '[migrating.md](migrating.md).',
        '',
        '```diff',
        ex.stdout.trimEnd(),
        ex.stderr.trimEnd(),
        '```',
        '',
      ].join('\n'));
    }

    // The migration.
    const m = pregyp(['migrate', '--json'], dir);
    assert.strictEqual(m.status, 0, m.out);
    const res = JSON.parse(m.stdout.trim().split('\n').pop());
    const numstat = sh('git', ['diff', '--numstat'], { cwd: dir }).stdout.trim().split('\n').filter(Boolean);
    const tracked = numstat.reduce((n, l) => n + Number(l.split('\t')[0]) + Number(l.split('\t')[1]), 0);
    // New files (the workflow, pregyp-binding.gyp) count all their lines.
    const created = sh('git', ['ls-files', '--others', '--exclude-standard'], { cwd: dir }).stdout.trim().split('\n').filter(Boolean);
    const createdLines = created.reduce((n, f) => n + fs.readFileSync(path.join(dir, f), 'utf8').split('\n').length - 1, 0);
    assert.strictEqual(res.lines_changed, tracked + createdLines, 'lines_changed matches git');
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    assert.ok(!(pj.scripts || {}).install, 'the install script is gone');
    assert.strictEqual(pj.gypfile, false);
    assert.ok((pj.dependencies || {}).pregyp, 'depends on pregyp');
    assert.ok(!JSON.stringify(pj).includes('"@mapbox/node-pre-gyp"'));
    assert.deepStrictEqual(pj.binary.platform_packages.targets, ['linux-x64-glibc']);
    assert.strictEqual(pj.optionalDependencies[`${name}-linux-x64-glibc`], version);
    row.lines = res.lines_changed;
    row.files = `${res.files.length} files: ${res.files.join(', ')}`;
    row.left = [...res.manual.map((s) => `call site ${s}`), ...res.unparsed, ...res.todo.filter((t) => !/^(first publish|trusted publishing|binary host|build and test)/.test(t))].join('; ').replace(/\|/g, '\\|');

    // A second run changes nothing.
    const before2 = sh('git', ['diff'], { cwd: dir }).stdout;
    const again = pregyp(['migrate', '--yes'], dir);
    assert.strictEqual(again.status, 0, again.out);
    assert.match(again.stdout, /nothing to change/);
    assert.strictEqual(sh('git', ['diff'], { cwd: dir }).stdout, before2);
    row.again = 'ok';

    // What the to-do asked of a person, where the test does it.
    if (p.person) {
      const file = path.join(dir, 'package.json');
      const edited = JSON.parse(fs.readFileSync(file, 'utf8'));
      p.person[1](edited);
      fs.writeFileSync(file, JSON.stringify(edited, null, 2) + '\n');
      row.left += ` (done by the test as a person: ${p.person[0]})`;
    }

    // The workflow is clean under actionlint.
    const lint = sh(actionlint.cmd, ['-no-color', '.github/workflows/prebuild.yml'], { cwd: dir, env: actionlint.env });
    assert.strictEqual(lint.status, 0, lint.out);
    row.actionlint = 'clean';

    // Dependencies (pregyp from the local registry), then the build.
    registry.writeNpmrc(dir);
    // As the workflow's build job does (the new platform package is not published yet:
    // npm skips a missing optional dependency), but without the package's own lockfile,
    // as a source build at a user's resolves it (bluetooth-hci-socket's lockfile pins a
    // nan that predates Node 22's V8).
    const inst = sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir, env: env22({ PATH: process.env.PATH }) });
    assert.strictEqual(inst.status, 0, inst.out);
    const rb = pregyp(['rebuild'], dir);
    assert.strictEqual(rb.status, 0, rb.out);
    row.rebuild = 'ok';

    // Its own tests, where they are in the tarball and run offline.
    if (p.ownTests) {
      for (const [cmd, args] of p.ownTests) {
        const r = sh(cmd === 'node' ? n22.node : path.join(dir, cmd), args, { cwd: dir });
        assert.strictEqual(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.out}`);
      }
      row.ownTests = 'pass';
    } else {
      row.ownTests = 'none in the tarball';
    }

    // Packages.
    const pk = pregyp(['package', 'testpackage'], dir);
    assert.strictEqual(pk.status, 0, pk.out);
    const pp = pregyp(['platform-package', '--json'], dir);
    assert.strictEqual(pp.status, 0, pp.out);
    const made = JSON.parse(pp.stdout.trim().split('\n').pop());
    assert.strictEqual(made[0].name, `${name}-linux-x64-glibc`);
    row.pack = 'ok';

    // Publish: the platform package first, then the root without any local build in it
    // (as a fresh CI checkout publishes it), so consumers can only get the platform one.
    const ppDir = path.join(base, 'platform-package');
    fs.cpSync(made[0].dir, ppDir, { recursive: true });
    const tag = /-/.test(version) ? { tag: 'latest' } : {};
    registry.publish(ppDir, tag);
    const cfg = JSON.parse(pregyp(['reveal', '--json'], dir).stdout.trim().split('\n').pop());
    for (const f of fs.readdirSync(dir)) if (/^build(-tmp-.*)?$/.test(f)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    fs.rmSync(cfg.module_path, { recursive: true, force: true });
    registry.publish(dir, tag);
    row.publish = 'ok';

    // Consumers.
    for (const [pm, cmd, args] of [
      ['npm12', npm12.cli, ['install', '--no-audit', '--no-fund', p.spec]],
      ['pnpm', pnpm.cli, ['add', p.spec, `--registry=${registry.url}`]],
    ]) {
      const app = path.join(base, `consumer-${pm}`);
      fs.mkdirSync(app);
      const consumer = { name: `consumer-${pm}`, version: '1.0.0', private: true };
      const declined = p.declineScripts || [];
      if (declined.length) {
        consumer.allowScripts = Object.fromEntries(declined.map((n) => [n, false]));
        fs.writeFileSync(path.join(app, 'pnpm-workspace.yaml'), `allowBuilds:\n${declined.map((n) => `  ${n}: false\n`).join('')}`);
      }
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(consumer));
      registry.writeNpmrc(app);
      const env = env22({ npm_config_cache: path.join(app, '.npm-cache'), npm_config_store_dir: path.join(app, '.pnpm-store') });
      const r = sh(n22.node, [cmd, ...args], { cwd: app, env });
      assert.strictEqual(r.status, 0, `${pm} install:\n${r.out}`);
      const notices = r.out.split('\n').filter((l) => BLOCKED.test(l));
      assert.deepStrictEqual(notices, [], `${pm}: blocked-script notices`);
      // The binding is the platform package's: the root has none.
      const real = fs.realpathSync(path.join(app, 'node_modules', name));
      const own = sh('find', [real, '-name', '*.node']).stdout.trim();
      assert.strictEqual(own, '', `${name} itself holds a binding`);
      // Which binding the package's own pregyp finds (pnpm does not hoist pregyp).
      const where = `const pj = require.resolve('${name}/package.json'); console.error('binding:', require(require.resolve('pregyp', { paths: [require('path').dirname(pj)] })).find(pj))`;
      const call = sh(n22.node, ['-e', `${p.call}; ${where}`], { cwd: app, env });
      assert.strictEqual(call.status, 0, call.out);
      assert.match(call.stdout, p.expect);
      assert.match(call.stderr, new RegExp(`binding: .*${name.replace(/[/]/g, '.')}-linux-x64-glibc`));
      row[pm] = `exit 0, no notice, loads${declined.length ? ` (consumer declines ${declined.join(', ')}'s own script)` : ''}`;
    }
  });
}

// The control: the same package before migration (its node-pre-gyp install script) does
// trip both managers, so the "no notice" checks above can fail.
test('control: bcrypt 5.1.1 as published (install script) gets a blocked-script notice from npm 12 and fails pnpm', { timeout: 600_000 }, () => {
  const base = path.join(work, 'control');
  fs.mkdirSync(base, { recursive: true });
  assert.strictEqual(sh('tar', ['xzf', tools.realPackage('bcrypt@5.1.1'), '-C', base]).status, 0);
  const dir = path.join(base, 'package');
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pj.version = '5.1.1-unmigrated.0';
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2));
  registry.publish(dir, { tag: 'unmigrated' });
  const results = {};
  for (const [pm, cmd, args] of [
    ['npm12', npm12.cli, ['install', '--no-audit', '--no-fund', 'bcrypt@5.1.1-unmigrated.0']],
    ['pnpm', pnpm.cli, ['add', 'bcrypt@5.1.1-unmigrated.0', `--registry=${registry.url}`]],
  ]) {
    const app = path.join(base, `consumer-${pm}`);
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: `consumer-${pm}`, version: '1.0.0', private: true }));
    registry.writeNpmrc(app);
    const env = env22({ npm_config_cache: path.join(app, '.npm-cache'), npm_config_store_dir: path.join(app, '.pnpm-store') });
    results[pm] = sh(n22.node, [cmd, ...args], { cwd: app, env });
  }
  assert.strictEqual(results.npm12.status, 0, results.npm12.out);
  assert.match(results.npm12.out.split('\n').filter((l) => BLOCKED.test(l)).join('\n'), /bcrypt/);
  assert.notStrictEqual(results.pnpm.status, 0, results.pnpm.out);
  assert.match(results.pnpm.out, /IGNORED_BUILDS|Ignored build scripts/);
  rows.push({ name: '`bcrypt@5.1.1` before migrate (control)', shape: 'install script', npm12: `exit 0, notice: ${results.npm12.out.split('\n').find((l) => BLOCKED.test(l)).trim().slice(0, 90)}…`, pnpm: `exit ${results.pnpm.status}: ${(results.pnpm.out.match(/ERR_PNPM_\w+/) || ['?'])[0]}` });
});
