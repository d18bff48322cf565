#!/usr/bin/env node
'use strict';
// Builds pregyp-find.wasm: the lean find() core (`--no-default-features`, the same Rust
// the native find() binary runs) for wasm32-unknown-unknown, the fallback where pregyp has
// no native binary (lib/wasm.js). Needs Debian's rustc-web + rust-web-src (the standard
// library's source, for -Zbuild-std) and lld's wasm-ld: scripts/setup-wasm.sh installs
// them. `npm run build` calls this only when they are there (`available()`).
//
// Why wasm32-unknown-unknown and not wasm32-wasip1 under node:wasi: node:wasi prints an
// ExperimentalWarning into every addon's `require`, maps paths through preopens (no
// Windows drive letters, and the whole disk would have to be preopened), and its std
// brings more code. find() asks only five questions of the host; lib/wasm.js answers them.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const RUSTC = process.env.PREGYP_WASM_RUSTC || '/usr/bin/rustc';
const CARGO = process.env.PREGYP_WASM_CARGO || '/usr/bin/cargo';
const LINKER = process.env.PREGYP_WASM_LINKER || 'wasm-ld';
const TRIPLE = 'wasm32-unknown-unknown';

function available() {
  const src = spawnSync(RUSTC, ['--print', 'sysroot'], { encoding: 'utf8' });
  if (src.status !== 0) return false;
  const lib = path.join(src.stdout.trim(), 'lib/rustlib/src/rust/library/std');
  return fs.existsSync(lib) && spawnSync(LINKER, ['--version']).status === 0;
}

function build() {
  const targetDir = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'wasm');
  const env = {
    ...process.env,
    RUSTC_BOOTSTRAP: '1',
    RUSTC,
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER: LINKER,
    // Size over speed: the module is compiled at every require (bench/wasm.js).
    CARGO_PROFILE_LEAN_OPT_LEVEL: 's',
    RUSTFLAGS: '',
  };
  const t0 = Date.now();
  const r = spawnSync(
    CARGO,
    ['build', '-Zbuild-std=std,panic_abort', '--target', TRIPLE, '--profile', 'lean', '--lib', '--no-default-features', '--ignore-rust-version', '--target-dir', targetDir],
    { cwd: root, stdio: 'inherit', env }
  );
  if (r.error || r.status !== 0) {
    console.error(`pregyp build: the wasm build failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
  }
  const out = path.join(root, 'pregyp-find.wasm');
  fs.copyFileSync(path.join(targetDir, TRIPLE, 'lean', 'pregyp.wasm'), out + '.tmp');
  fs.renameSync(out + '.tmp', out);
  console.error(`pregyp build: pregyp-find.wasm (${(fs.statSync(out).size / 1e3).toFixed(0)} kB, ${((Date.now() - t0) / 1e3).toFixed(0)} s)`);
}

module.exports = { available, build };
if (require.main === module) {
  if (!available()) {
    console.error('pregyp build: no wasm toolchain (run scripts/setup-wasm.sh)');
    process.exit(1);
  }
  build();
}
