#!/usr/bin/env node
'use strict';
// Compiles the Rust addon and copies it next to index.js as pregyp.<triple>.node.
// Runs as the package's `prepare` script, so `npm install` in a clone builds it.
// PREGYP_PROFILE=dist gives the LTO build used for published platform packages.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { triples } = require('./triple');

const root = path.join(__dirname, '..');
const profile = process.env.PREGYP_PROFILE || 'release';
const r = spawnSync('cargo', ['build', '--profile', profile, '--lib'], { cwd: root, stdio: 'inherit' });
if (r.error) {
  console.error(`pregyp build: cannot run cargo (${r.error.message}); install Rust from https://rustup.rs`);
  process.exit(1);
}
if (r.status !== 0) process.exit(r.status || 1);

const libName = { darwin: 'libpregyp.dylib', win32: 'pregyp.dll' }[process.platform] || 'libpregyp.so';
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const built = path.join(targetDir, profile, libName);
let triple = triples()[0];
if (process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime) {
  triple = triples()[1]; // musl
}
const out = path.join(root, `pregyp.${triple}.node`);
// Copy to a temp name then rename: a running process may have the old file mapped.
fs.copyFileSync(built, out + '.tmp');
fs.renameSync(out + '.tmp', out);
console.error(`pregyp build: ${path.relative(root, out)} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB, profile ${profile})`);
