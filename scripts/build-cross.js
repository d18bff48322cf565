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
// linker and SDK are not available here; zig compiles the C of the build scripts),
// --glibc <version|native> (linux-gnu: 2.28 by default). PREGYP_PROFILE as for the host
// build; PREGYP_LEAN_PROFILE, the find() binary's (`lean` by default, as it ships);
// PREGYP_CROSS_OUT, a folder for the binaries instead of the package root. With rustup's
// own target installed (the release runners) it is plain cargo, without -Zbuild-std.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const cache = path.join(root, '.cross');
const RUSTC = process.env.PREGYP_CROSS_RUSTC || '/usr/bin/rustc';
const CARGO = process.env.PREGYP_CROSS_CARGO || '/usr/bin/cargo';

// The loader's name -> Rust triple and file name of the cdylib. Windows is built with the
// GNU toolchain here (mingw; MSVC's linker and SDK are not on the registries) and carries
// the loader's win32-x64-msvc name, as the release's MSVC build does: the cfg(windows) code
// is the same.
const TARGETS = {
  'linux-arm64-gnu': { triple: 'aarch64-unknown-linux-gnu', lib: 'libpregyp.so' },
  'linux-x64-gnu': { triple: 'x86_64-unknown-linux-gnu', lib: 'libpregyp.so' },
  'linux-x64-musl': { triple: 'x86_64-unknown-linux-musl', lib: 'libpregyp.so' },
  'linux-arm64-musl': { triple: 'aarch64-unknown-linux-musl', lib: 'libpregyp.so' },
  'win32-x64-msvc': { triple: 'x86_64-pc-windows-gnu', lib: 'pregyp.dll' },
  'darwin-x64': { triple: 'x86_64-apple-darwin', lib: 'libpregyp.dylib', check: true, zig: 'x86_64-macos' },
  'darwin-arm64': { triple: 'aarch64-apple-darwin', lib: 'libpregyp.dylib', check: true, zig: 'aarch64-macos' },
};
// The release builds Windows with MSVC on its own runner.
TARGETS['x86_64-pc-windows-msvc'] = { triple: 'x86_64-pc-windows-msvc', lib: 'pregyp.dll', name: 'win32-x64-msvc' };
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

// What cargo needs to link and to compile the C in dependencies (ring's) for `t`.
function envFor(t) {
  const T = up(t.triple);
  const c = t.triple.replace(/-/g, '_');
  const env = {};
  switch (t.triple) {
    case 'aarch64-unknown-linux-gnu':
      Object.assign(env, {
        [`CARGO_TARGET_${T}_LINKER`]: 'aarch64-linux-gnu-gcc',
        [`CC_${c}`]: 'aarch64-linux-gnu-gcc',
        [`AR_${c}`]: 'aarch64-linux-gnu-ar',
      });
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
      // macOS: `cargo check` still runs the build scripts, and ring's compiles C.
      // zig carries macOS's libc headers, which is all that C needs (no link, no SDK).
      if (t.zig) Object.assign(env, { [`CC_${c}`]: zigWrapper(t.zig, 'cc'), [`AR_${c}`]: zigWrapper(t.zig, 'ar') });
      break;
  }
  return env;
}

// An executable that runs `zig <tool>` for a zig target, as cc-rs wants one program for
// CC. cc-rs passes clang's --target=<llvm triple> (arm64-apple-macosx), which zig refuses:
// the zig target given here stands for it.
function zigWrapper(zigTarget, tool) {
  const file = path.join(cache, 'bin', `zig${tool}-${zigTarget}`);
  const python = path.join(cache, 'venv', 'bin', 'python');
  const target = tool === 'cc' ? ` -target ${zigTarget}` : '';
  const script = `#!/bin/sh\nfor a do shift; case "$a" in --target=*) ;; *) set -- "$@" "$a" ;; esac; done\nexec '${python}' -m ziglang ${tool}${target} "$@"\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== script) fs.writeFileSync(file, script, { mode: 0o755 });
  return file;
}

// The C compilers Debian has cover arm64 glibc (`--glibc native`) and Windows. musl from
// another host goes through zig (cargo-zigbuild): Debian's musl-gcc cannot link a dynamic
// musl library (it hides libgcc_s, which Rust's unwinder needs); Alpine builds for itself.
// So does a glibc floor (`.2.28` suffix).
function usesZig(t, opts) {
  return (t.triple.endsWith('-linux-musl') && t.triple !== hostTriple()) || Boolean(opts.glibc);
}

// The rustup toolchain's own target, when installed (the release runners, each building
// for itself or with `rustup target add`): plain cargo, no -Zbuild-std.
// The rustup toolchain's facts, asked once.
let rustup;
function rustupInfo() {
  if (!rustup) {
    const sysroot = spawnSync('rustc', ['--print', 'sysroot'], { encoding: 'utf8' });
    const vv = spawnSync('rustc', ['-vV'], { encoding: 'utf8' }).stdout || '';
    rustup = { sysroot: sysroot.status === 0 ? sysroot.stdout.trim() : undefined, host: (/^host: (\S+)$/m.exec(vv) || [])[1] };
  }
  return rustup;
}
function rustupHas(triple) {
  const { sysroot } = rustupInfo();
  return Boolean(sysroot) && fs.existsSync(path.join(sysroot, 'lib', 'rustlib', triple, 'lib'));
}
const hostTriple = () => rustupInfo().host;

function cargo(t, opts, args) {
  const own = rustupHas(t.triple);
  const zig = !opts.check && usesZig(t, opts);
  // Building for the machine itself needs no cross linker or C compiler; zig is both.
  const env = { ...process.env, ...(own ? {} : { RUSTC_BOOTSTRAP: '1', RUSTC }), ...(t.triple === hostTriple() || zig ? {} : envFor(t)) };
  // The host's RUSTFLAGS (if any) are for the host, and any RUSTFLAGS, even empty, would
  // replace .cargo/config.toml's per-target flags.
  delete env.RUSTFLAGS;
  delete env.CARGO_ENCODED_RUSTFLAGS;
  let cmd = own ? 'cargo' : CARGO;
  let triple = t.triple;
  if (zig) {
    cmd = fs.existsSync(zigbuild) ? zigbuild : 'cargo-zigbuild';
    // cargo-zigbuild runs `cargo` and zig from PATH: zig from the venv, and without the
    // rustup target, Debian's cargo, whose rustc has the std source.
    env.PATH = [...(own ? [] : [path.join(cache, 'bin')]), path.dirname(zigbuild), env.PATH].join(path.delimiter);
    if (opts.glibc) triple = `${t.triple}.${opts.glibc}`;
  }
  const std = own ? [] : ['-Zbuild-std=std,panic_abort', '--ignore-rust-version'];
  const full = [opts.check ? 'check' : cmd.endsWith('cargo-zigbuild') ? 'zigbuild' : 'build', ...std, '--target', triple, ...args];
  const t0 = Date.now();
  const r = spawnSync(cmd, full, { cwd: root, stdio: 'inherit', env });
  if (r.error || r.status !== 0) {
    console.error(`pregyp build: ${cmd} ${full.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
  }
  return (Date.now() - t0) / 1e3;
}

// At the package root, or in PREGYP_CROSS_OUT (scripts/ci-cross.sh keeps them there while
// the test suites run on the root's).
function install(from, name) {
  const dir = path.resolve(root, process.env.PREGYP_CROSS_OUT || '.');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, name);
  fs.copyFileSync(from, out + '.tmp');
  fs.renameSync(out + '.tmp', out);
  return fs.statSync(out).size;
}

function build(name, opts = {}) {
  const t = resolve(name);
  const profile = process.env.PREGYP_PROFILE || 'release';
  const targetDir = path.join(process.env.PREGYP_CROSS_TARGET_DIR || path.join(root, 'target', 'cross'), t.triple);
  // macOS links only on macOS (its SDK): elsewhere `cargo check`.
  const check = opts.check || (t.check && !rustupHas(t.triple));
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
  const leanProfile = process.env.PREGYP_LEAN_PROFILE || 'lean';
  const s = cargo(t, o, ['--profile', leanProfile, '--lib', '--no-default-features', '--target-dir', targetDir]);
  if (check) report.push(`cargo check (lean): ${s.toFixed(0)} s`);
  else {
    const size = install(path.join(targetDir, t.triple, leanProfile, t.lib), `pregyp-find.${t.name}.node`);
    report.push(`pregyp-find.${t.name}.node ${(size / 1e6).toFixed(2)} MB in ${s.toFixed(0)} s`);
  }
  for (const line of report) console.error(`pregyp build (${t.triple}): ${line}`);
  return report;
}

// The linux-gnu binaries link against glibc 2.28 (through zig): Debian 10, Ubuntu 20.04 and
// RHEL 8, the oldest that Node 18-24 support, load them. `--glibc native` links against
// the build machine's glibc instead (a development build).
const GLIBC_FLOOR = '2.28';

function main(argv) {
  const i = argv.indexOf('--target');
  const g = argv.indexOf('--glibc');
  const t = resolve(argv[i + 1]);
  let glibc = g >= 0 ? argv[g + 1] : t.triple.endsWith('-linux-gnu') ? GLIBC_FLOOR : undefined;
  if (glibc === 'native') glibc = undefined;
  if (glibc && !fs.existsSync(zigbuild) && spawnSync('cargo-zigbuild', ['--version']).status !== 0) {
    console.error(`pregyp build: linking ${t.triple} against glibc ${glibc} needs zig and cargo-zigbuild (pip install ziglang cargo-zigbuild, or scripts/setup-cross.sh); --glibc native links against this machine's`);
    process.exit(1);
  }
  build(argv[i + 1], { lean: argv.includes('--lean'), check: argv.includes('--check'), glibc });
}

module.exports = { build, resolve, main, TARGETS };
if (require.main === module) main(process.argv.slice(2));
