#!/usr/bin/env node
'use strict';
// Compiles the two native binaries and copies them next to index.js:
//   pregyp.<triple>.node       the whole tool (commands, HTTP, S3, tar)
//   pregyp-find.<triple>.node  find() only, small so that `require` stays fast
// Runs before `npm test` and `npm run demo` (pretest, predemo): the package a user installs
// carries no lifecycle script, so nothing builds at install time.
// PREGYP_PROFILE=dist gives the LTO build used for published platform packages.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { hostTriples } = require('../lib/loader');

// `npm run build -- --target <platform>`: another platform's binaries (scripts/build-cross.js).
if (process.argv.includes('--target')) {
  require('./build-cross').main(process.argv.slice(2));
  buildWasm();
  return;
}

const root = path.join(__dirname, '..');
const profile = process.env.PREGYP_PROFILE || 'release';
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const libName = { darwin: 'libpregyp.dylib', win32: 'pregyp.dll' }[process.platform] || 'libpregyp.so';
const triple = hostTriples()[0];

function cargo(args) {
  const r = spawnSync('cargo', args, { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`pregyp build: cannot run cargo (${r.error.message}); install Rust from https://rustup.rs`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status || 1);
}

// Copy to a temp name then rename: a running process may have the old file mapped.
function install(from, name) {
  const out = path.join(root, name);
  fs.copyFileSync(from, out + '.tmp');
  fs.renameSync(out + '.tmp', out);
  console.error(`pregyp build: ${name} (${(fs.statSync(out).size / 1e6).toFixed(2)} MB)`);
}

cargo(['build', '--profile', profile, '--lib']);
install(path.join(targetDir, profile, libName), `pregyp.${triple}.node`);
// The lean build has its own target dir so the two feature sets never rebuild each other.
const leanDir = path.join(targetDir, 'lean');
cargo(['build', '--profile', 'lean', '--lib', '--no-default-features', '--target-dir', leanDir]);
install(path.join(leanDir, 'lean', libName), `pregyp-find.${triple}.node`);

// The WebAssembly fallback of the find() core (lib/wasm.js), when its toolchain is there
// (scripts/setup-wasm.sh installs it); PREGYP_WASM=0 skips it.
buildWasm();

function buildWasm() {
  const wasm = require('./build-wasm');
  if (process.env.PREGYP_WASM === '0') return;
  if (wasm.available()) wasm.build();
  else console.error('pregyp build: pregyp-find.wasm not built (no wasm toolchain: scripts/setup-wasm.sh)');
}
