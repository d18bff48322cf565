#!/usr/bin/env node
'use strict';
// Packs pregyp as it would be published (the layout is scripts/platforms.js's): the root
// package (JS shim and the WebAssembly find() core), this platform's @pregyp/<triple> (the
// find() core) and @pregyp/full-<triple> (the commands) holding the locally built binaries,
// and @pregyp/cli. stageLocal() gives the folders to `npm publish` to a registry (the tests'
// local one), packLocal() tarballs.
// Usage: node scripts/pack-local.js <out-dir>  (prints the tarball paths as JSON)
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { builtTriple } = require('../lib/loader');
const { PLATFORMS, findPackage, fullPackage, CLI } = require('./platforms');

const root = path.join(__dirname, '..');

// This machine's platform (the loader's names, best first) with a build at the root: the
// root may also hold other platforms' binaries (`npm run build -- --target`).
function localTriple() {
  const t = builtTriple(root, 'pregyp') && builtTriple(root);
  if (t) return t;
  throw new Error('no local build of pregyp: run `npm install` (or `npm run build`) first');
}

function npmPack(dir, outDir) {
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return path.join(outDir, JSON.parse(out)[0].filename);
}

// npm/<folder> copied to `dest`, with `binary` (a file at the root) beside it.
function stage(folder, dest, binary) {
  fs.mkdirSync(dest, { recursive: true });
  const src = path.join(root, 'npm', folder);
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dest, f));
  if (binary) fs.copyFileSync(path.join(root, binary), path.join(dest, binary));
  return dest;
}

// A stand-in for another platform's package: its package.json only. `keepPlatform`: keep
// os/cpu/libc so that package managers skip it as they would the real one (yarn 1, which
// treats resolutions as required, needs them gone).
function standIn(folder, dest, keepPlatform) {
  fs.mkdirSync(dest, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', folder, 'package.json'), 'utf8'));
  if (!keepPlatform) {
    delete pkg.os;
    delete pkg.cpu;
    delete pkg.libc;
  }
  delete pkg.files;
  fs.writeFileSync(path.join(dest, 'package.json'), JSON.stringify(pkg, null, 2));
  return dest;
}

/**
 * Folders ready for `npm publish`: { root, platform, full, cli, triple, others } where
 * `platform` is @pregyp/<triple> (the find() core), `full` @pregyp/full-<triple>, and
 * `others` maps every other package to publish (@pregyp/full-<triple>, @pregyp/cli, and
 * package.json-only stand-ins for the other platforms, os/cpu/libc kept) to its folder.
 */
function stageLocal(outDir, { keepPlatform = true } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const triple = localTriple();
  const platform = stage(triple, path.join(outDir, triple), `pregyp-find.${triple}.node`);
  const full = stage(`full-${triple}`, path.join(outDir, `full-${triple}`), `pregyp.${triple}.node`);
  const cli = stage('cli', path.join(outDir, 'cli'));
  const others = { [fullPackage(triple)]: full, [CLI]: cli };
  for (const { name } of PLATFORMS) {
    if (name === triple) continue;
    others[findPackage(name)] = standIn(name, path.join(outDir, name), keepPlatform);
    others[fullPackage(name)] = standIn(`full-${name}`, path.join(outDir, `full-${name}`), keepPlatform);
  }
  return { root, platform, full, cli, triple, others };
}

/**
 * Returns { root, platform, full, cli, triple, others }: paths of the tarballs written to
 * outDir (`others`: as stageLocal's, stand-ins without os/cpu/libc; none with stubs: false).
 */
function packLocal(outDir, { stubs = true } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const staged = stageLocal(fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-stage-')), { keepPlatform: false });
  const out = { root: npmPack(root, outDir), platform: npmPack(staged.platform, outDir), full: npmPack(staged.full, outDir), cli: npmPack(staged.cli, outDir), triple: staged.triple, others: {} };
  for (const [name, dir] of Object.entries(staged.others)) {
    if (stubs || dir === staged.full || dir === staged.cli) out.others[name] = dir === staged.full ? out.full : dir === staged.cli ? out.cli : npmPack(dir, outDir);
  }
  fs.rmSync(path.dirname(staged.platform), { recursive: true, force: true });
  return out;
}

module.exports = { packLocal, stageLocal };
if (require.main === module) {
  console.log(JSON.stringify(packLocal(path.resolve(process.argv[2] || '.'))));
}
