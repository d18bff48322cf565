#!/usr/bin/env node
'use strict';
// bench/footprint: what an application pays for a dependency, measured as users install:
// pregyp's packages as published (scripts/pack-local.js) on a local registry (verdaccio),
// each dependency installed by npm into an empty project with a fresh cache, then
//   on disk:    du -sb node_modules
//   downloaded: du -sb <cache>/_cacache/content-v2 (tarballs and the packuments read),
//               and the tarballs alone
// next to @mapbox/node-pre-gyp 2.0.3 (the reference, with its dependencies) and
// node-gyp-build 4.8.4, which come from the public registry through the local one.
// __test__/distribution.test.js checks pregyp's rows against the targets with footprint().
// Usage: node bench/footprint.js   (prints a Markdown table)
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const du = (dir) => (fs.existsSync(dir) ? Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split('\t')[0]) : 0);

/**
 * Installs `dependencies` into a fresh project under `work` with npm (`npm`: [program,
 * ...args] of the npm to run, `args`: more install flags) and a fresh cache; returns
 * { dir, disk, downloaded, tarballs, packages, out } (`downloaded`: everything npm fetched;
 * `tarballs`: the packages' tarballs in it; `packages`: the folders in node_modules).
 */
function footprint(registry, work, dependencies, { npm = ['npm'], args = [], env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(work, 'footprint-'));
  const cache = path.join(dir, '.npm-cache');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }, null, 2));
  registry.writeNpmrc(dir);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(npm[0], [...npm.slice(1), 'install', '--no-audit', '--no-fund', '--ignore-scripts', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...clean, npm_config_cache: cache, ...env },
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`npm install ${Object.keys(dependencies).join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const nm = path.join(dir, 'node_modules');
  const packages = [];
  for (const d of fs.existsSync(nm) ? fs.readdirSync(nm) : []) {
    if (d.startsWith('.')) continue;
    if (d.startsWith('@')) for (const s of fs.readdirSync(path.join(nm, d))) packages.push(`${d}/${s}`);
    else packages.push(d);
  }
  // The downloaded bytes split: package tarballs (gzip) and the registry's metadata
  // (packuments: verdaccio serves npm the full documents, README included, where the
  // public registry serves the abbreviated ones without it).
  let tarballs = 0;
  const walk = (d) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else {
        const head = Buffer.alloc(2);
        const fd = fs.openSync(f, 'r');
        fs.readSync(fd, head, 0, 2, 0);
        fs.closeSync(fd);
        if (head[0] === 0x1f && head[1] === 0x8b) tarballs += fs.statSync(f).size;
      }
    }
  };
  const content = path.join(cache, '_cacache', 'content-v2');
  walk(content);
  return { dir, disk: du(nm), downloaded: du(content), tarballs, packages: packages.sort(), out: `${r.stdout}\n${r.stderr}` };
}

const MB = (n) => `${(n / 1e6).toFixed(2)} MB`;

async function main() {
  const { startRegistry } = require('../__test__/helpers/registry');
  const { stageLocal } = require('../scripts/pack-local');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-footprint-'));
  const registry = await startRegistry();
  try {
    const staged = stageLocal(path.join(work, 'packages'));
    for (const d of [staged.platform, ...Object.values(staged.others), staged.root]) registry.publish(d);
    const { version } = require('../package.json');
    const rows = [
      ['pregyp (root + `@pregyp/' + staged.triple + '`)', { pregyp: version }],
      ['pregyp, `--omit=optional` (wasm find() core only)', { pregyp: version }, ['--omit=optional']],
      ['pregyp + `@pregyp/cli` (an author: the commands too)', { pregyp: version, '@pregyp/cli': version }],
      ['`@mapbox/node-pre-gyp` 2.0.3, the reference', { '@mapbox/node-pre-gyp': '2.0.3' }],
      ['`node-gyp-build` 4.8.4', { 'node-gyp-build': '4.8.4' }],
    ];
    console.log('| dependency | on disk (`node_modules`) | downloaded (all) | of it, tarballs | packages |');
    console.log('|---|---|---|---|---|');
    for (const [label, deps, args] of rows) {
      const f = footprint(registry, work, deps, { args });
      console.log(`| ${label} | ${MB(f.disk)} | ${MB(f.downloaded)} | ${MB(f.tarballs)} | ${f.packages.length} |`);
    }
  } finally {
    registry.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { footprint, du };
if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
