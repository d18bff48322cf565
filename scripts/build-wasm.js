#!/usr/bin/env node
'use strict';
// Builds pregyp-find.wasm: the lean find() core (`--no-default-features`, the same Rust
// the native find() binary runs) for wasm32-unknown-unknown, the fallback where pregyp has
// no native binary (lib/wasm.js). Needs Debian's rustc-web + rust-web-src (the standard
// library's source, for -Zbuild-std) and lld's wasm-ld: scripts/setup-wasm.sh installs
// them; or rustup's wasm32 target. `npm run build` calls this only when one is there.
//
// Why wasm32-unknown-unknown and not wasm32-wasip1 under node:wasi: node:wasi prints an
// ExperimentalWarning into every addon's `require`, maps paths through preopens (no
// Windows drive letters, and the whole disk would have to be preopened), and its std
// brings more code. find() asks only five questions of the host; lib/wasm.js answers them.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const TRIPLE = 'wasm32-unknown-unknown';

function sysroot(rustc) {
  const r = spawnSync(rustc, ['--print', 'sysroot'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

// How to build: with rustup's own wasm32 target (CI runners: `rustup target add
// wasm32-unknown-unknown`), plain cargo; else with Debian's rustc-web + rust-web-src
// (this machine, .ci/run: scripts/setup-wasm.sh), std built from its source by -Zbuild-std.
function toolchain() {
  const host = sysroot('rustc');
  if (host && fs.existsSync(path.join(host, 'lib', 'rustlib', TRIPLE))) return { cargo: 'cargo', env: {}, args: [] };
  const RUSTC = process.env.PREGYP_WASM_RUSTC || '/usr/bin/rustc';
  const LINKER = process.env.PREGYP_WASM_LINKER || 'wasm-ld';
  const debian = sysroot(RUSTC);
  if (!debian || !fs.existsSync(path.join(debian, 'lib/rustlib/src/rust/library/std')) || spawnSync(LINKER, ['--version']).status !== 0) return null;
  return {
    cargo: process.env.PREGYP_WASM_CARGO || '/usr/bin/cargo',
    env: { RUSTC_BOOTSTRAP: '1', RUSTC, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER: LINKER },
    // Debian's Rust may be older than some dependencies' declared minimum; they build.
    args: ['-Zbuild-std=std,panic_abort', '--ignore-rust-version'],
  };
}

const available = () => toolchain() !== null;

function build() {
  const tc = toolchain();
  const targetDir = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'wasm');
  const env = {
    ...process.env,
    ...tc.env,
    // Size over speed: the module is compiled at every require (bench/wasm.js).
    CARGO_PROFILE_LEAN_OPT_LEVEL: 's',
    RUSTFLAGS: '',
  };
  const t0 = Date.now();
  const r = spawnSync(
    tc.cargo,
    ['build', ...tc.args, '--target', TRIPLE, '--profile', 'lean', '--lib', '--no-default-features', '--target-dir', targetDir],
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
