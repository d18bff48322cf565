#!/usr/bin/env node
'use strict';
// `npm run build -- --target <name>`: builds pregyp.<name>.node and pregyp-find.<name>.node
// for another platform, at the package root as the host build does. <name> is a platform
// name as the loader (lib/loader.js) spells it, or a Rust target triple.
//
// No rustup target is needed: Debian's rustc-web ships the standard library's source, and
// `-Zbuild-std` compiles std for the target (RUSTC_BOOTSTRAP=1 unlocks it on that stable
// compiler). The host build keeps the rustup toolchain. scripts/setup-cross.sh installs the
// compiler, the linkers and zig. Each target has its own target dir, target/cross/<triple>.
//
// Options: --lean (the find() binary only), --check (`cargo check` only: macOS, whose
// linker and SDK are not available here). PREGYP_PROFILE as for the host build.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const cache = path.join(root, '.cross');
const RUSTC = process.env.PREGYP_CROSS_RUSTC || '/usr/bin/rustc';
const CARGO = process.env.PREGYP_CROSS_CARGO || '/usr/bin/cargo';

// name -> Rust triple, file name of the cdylib, and how to link. `out`: the name the loader
// looks for. Windows is built with the GNU toolchain here (mingw; MSVC's linker and SDK are
// not on the registries) and carries the loader's win32-x64-msvc name, as the release's
// MSVC build does: the cfg(windows) code is the same.
const TARGETS = {
  'linux-arm64-gnu': { triple: 'aarch64-unknown-linux-gnu', lib: 'libpregyp.so' },
  'linux-x64-gnu': { triple: 'x86_64-unknown-linux-gnu', lib: 'libpregyp.so' },
  'linux-x64-musl': { triple: 'x86_64-unknown-linux-musl', lib: 'libpregyp.so' },
  'linux-arm64-musl': { triple: 'aarch64-unknown-linux-musl', lib: 'libpregyp.so' },
  'win32-x64-msvc': { triple: 'x86_64-pc-windows-gnu', lib: 'pregyp.dll' },
  'darwin-x64': { triple: 'x86_64-apple-darwin', lib: 'libpregyp.dylib', check: true },
  'darwin-arm64': { triple: 'aarch64-apple-darwin', lib: 'libpregyp.dylib', check: true },
};
TARGETS['win32-x64'] = TARGETS['win32-x64-msvc'];
TARGETS['win32-x64-gnu'] = TARGETS['win32-x64-msvc'];

function resolve(name) {
  if (TARGETS[name]) return { name: name.startsWith('win32') ? 'win32-x64-msvc' : name, ...TARGETS[name] };
  const hit = Object.entries(TARGETS).find(([, t]) => t.triple === name);
  if (hit) return { name: hit[0], ...hit[1] };
  throw new Error(`unknown target ${name}; one of ${Object.keys(TARGETS).join(', ')}`);
}

const up = (triple) => triple.toUpperCase().replace(/-/g, '_');
const zigbuild = path.join(cache, 'venv', 'bin', 'cargo-zigbuild');

// What cargo needs to link and to compile the C in dependencies (aws-lc, zstd...) for `t`.
function envFor(t) {
  const T = up(t.triple);
  const c = t.triple.replace(/-/g, '_');
  const env = {
    RUSTC_BOOTSTRAP: '1',
    RUSTC,
    // The host's RUSTFLAGS (if any) are for the host.
    RUSTFLAGS: '',
  };
  switch (t.triple) {
    case 'aarch64-unknown-linux-gnu':
      Object.assign(env, {
        [`CARGO_TARGET_${T}_LINKER`]: 'aarch64-linux-gnu-gcc',
        [`CC_${c}`]: 'aarch64-linux-gnu-gcc',
        [`AR_${c}`]: 'aarch64-linux-gnu-ar',
      });
      break;
    case 'x86_64-unknown-linux-musl':
      // musl targets link statically by default, which drops the cdylib.
      Object.assign(env, {
        [`CARGO_TARGET_${T}_LINKER`]: 'musl-gcc',
        [`CARGO_TARGET_${T}_RUSTFLAGS`]: '-C target-feature=-crt-static',
        [`CC_${c}`]: 'musl-gcc',
      });
      break;
    case 'aarch64-unknown-linux-musl':
      Object.assign(env, { [`CARGO_TARGET_${T}_RUSTFLAGS`]: '-C target-feature=-crt-static' });
      break;
    case 'x86_64-pc-windows-gnu':
      Object.assign(env, {
        [`CARGO_TARGET_${T}_LINKER`]: 'x86_64-w64-mingw32-gcc',
        [`CC_${c}`]: 'x86_64-w64-mingw32-gcc',
        [`AR_${c}`]: 'x86_64-w64-mingw32-ar',
        // napi-build links against `node`: an import library of node.exe (setup-cross.sh).
        LIBNODE_PATH: path.join(cache, 'libnode'),
      });
      break;
    default:
      break;
  }
  return env;
}

// The C compilers Debian has cover every linked target but aarch64 musl, which goes
// through zig (cargo-zigbuild), as does a glibc floor (`.2.28` suffix).
function usesZig(t, opts) {
  return t.triple === 'aarch64-unknown-linux-musl' || Boolean(opts.glibc);
}

function cargo(t, opts, args) {
  const env = { ...process.env, ...envFor(t) };
  let cmd = CARGO;
  let triple = t.triple;
  if (!opts.check && usesZig(t, opts)) {
    cmd = zigbuild;
    // cargo-zigbuild runs `cargo` from PATH: Debian's, whose rustc has the std source.
    env.PATH = `${path.join(cache, 'bin')}:${path.dirname(zigbuild)}:${env.PATH}`;
    if (opts.glibc) triple = `${t.triple}.${opts.glibc}`;
  }
  const full = [opts.check ? 'check' : cmd === zigbuild ? 'zigbuild' : 'build', '-Zbuild-std=std,panic_abort', '--target', triple, '--ignore-rust-version', ...args];
  const t0 = Date.now();
  const r = spawnSync(cmd, full, { cwd: root, stdio: 'inherit', env });
  if (r.error || r.status !== 0) {
    console.error(`pregyp build: ${cmd} ${full.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
  }
  return (Date.now() - t0) / 1e3;
}

function install(from, name) {
  const out = path.join(root, name);
  fs.copyFileSync(from, out + '.tmp');
  fs.renameSync(out + '.tmp', out);
  return fs.statSync(out).size;
}

function build(name, opts = {}) {
  const t = resolve(name);
  const profile = process.env.PREGYP_PROFILE || 'release';
  const targetDir = path.join(process.env.PREGYP_CROSS_TARGET_DIR || path.join(root, 'target', 'cross'), t.triple);
  const check = opts.check || t.check;
  const o = { ...opts, check };
  const report = [];
  if (!opts.lean) {
    const s = cargo(t, o, ['--profile', profile, '--lib', '--target-dir', targetDir]);
    if (check) report.push(`cargo check (full): ${s.toFixed(0)} s`);
    else {
      const size = install(path.join(targetDir, t.triple, profile, t.lib), `pregyp.${t.name}.node`);
      report.push(`pregyp.${t.name}.node ${(size / 1e6).toFixed(2)} MB in ${s.toFixed(0)} s`);
    }
  }
  const s = cargo(t, o, ['--profile', 'lean', '--lib', '--no-default-features', '--target-dir', targetDir]);
  if (check) report.push(`cargo check (lean): ${s.toFixed(0)} s`);
  else {
    const size = install(path.join(targetDir, t.triple, 'lean', t.lib), `pregyp-find.${t.name}.node`);
    report.push(`pregyp-find.${t.name}.node ${(size / 1e6).toFixed(2)} MB in ${s.toFixed(0)} s`);
  }
  for (const line of report) console.error(`pregyp build (${t.triple}): ${line}`);
  return report;
}

function main(argv) {
  const i = argv.indexOf('--target');
  const g = argv.indexOf('--glibc');
  build(argv[i + 1], { lean: argv.includes('--lean'), check: argv.includes('--check'), glibc: g >= 0 ? argv[g + 1] : undefined });
}

module.exports = { build, resolve, main, TARGETS };
if (require.main === module) main(process.argv.slice(2));
