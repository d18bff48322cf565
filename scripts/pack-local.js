#!/usr/bin/env node
'use strict';
// Packs pregyp as it would be published: the root package (with this platform's small
// find()/load() binary, as the release bundles every platform's) and this platform's
// @pregyp/<triple> package holding the locally built binaries. stageLocal() gives the
// folders to `npm publish` to a registry (the tests' local one), packLocal() tarballs.
// Usage: node scripts/pack-local.js <out-dir>  (prints the two tarball paths as JSON)
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { builtTriple } = require('../lib/loader');

const root = path.join(__dirname, '..');

// This machine's platform (the loader's names, best first) with a build at the root: the
// root may also hold other platforms' binaries (`npm run build -- --target`).
function localTriple() {
  const t = builtTriple(root);
  if (t) return t;
  throw new Error('no local build of pregyp: run `npm install` (or `npm run build`) first');
}

function npmPack(dir, outDir) {
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return path.join(outDir, JSON.parse(out)[0].filename);
}

/**
 * Returns { root, platform, triple, others }: paths of the tarballs written to outDir.
 * `others` maps every other platform package to a tarball without binaries (yarn 1
 * insists on resolving optional dependencies even when it will skip them).
 */
function packLocal(outDir, { stubs = true } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const triple = localTriple();
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-platform-'));
  const src = path.join(root, 'npm', triple);
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(stage, f));
  for (const stem of ['pregyp', 'pregyp-find']) {
    fs.copyFileSync(path.join(root, `${stem}.${triple}.node`), path.join(stage, `${stem}.${triple}.node`));
  }
  const platform = npmPack(stage, outDir);
  fs.rmSync(stage, { recursive: true, force: true });
  // Stand-ins for the other platforms' packages: no binaries, and no os/cpu/libc so
  // that yarn 1 (which treats resolutions as required) installs them harmlessly.
  const others = {};
  for (const t of stubs ? fs.readdirSync(path.join(root, 'npm')) : []) {
    if (t === triple) continue;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-stub-'));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', t, 'package.json'), 'utf8'));
    delete pkg.os;
    delete pkg.cpu;
    delete pkg.libc;
    delete pkg.files;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
    others[`@pregyp/${t}`] = npmPack(dir, outDir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { root: npmPack(root, outDir), platform, triple, others };
}

/**
 * Folders ready for `npm publish`: { root, platform, triple, others } where `others` maps
 * every other @pregyp/<triple> to a folder with its package.json only (os/cpu/libc kept,
 * so that package managers skip them as they would the real ones).
 */
function stageLocal(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const triple = localTriple();
  const platform = path.join(outDir, triple);
  fs.mkdirSync(platform, { recursive: true });
  const src = path.join(root, 'npm', triple);
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(platform, f));
  for (const stem of ['pregyp', 'pregyp-find']) {
    fs.copyFileSync(path.join(root, `${stem}.${triple}.node`), path.join(platform, `${stem}.${triple}.node`));
  }
  const others = {};
  for (const t of fs.readdirSync(path.join(root, 'npm'))) {
    if (t === triple) continue;
    const dir = path.join(outDir, t);
    fs.mkdirSync(dir, { recursive: true });
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', t, 'package.json'), 'utf8'));
    delete pkg.files;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    others[`@pregyp/${t}`] = dir;
  }
  return { root, platform, triple, others };
}

module.exports = { packLocal, stageLocal };
if (require.main === module) {
  console.log(JSON.stringify(packLocal(path.resolve(process.argv[2] || '.'))));
}
