#!/usr/bin/env bash
# The other platforms, in CI (.ci/run): installs the toolchains, emulators and Node builds
# (setup-cross.sh), builds pregyp for each platform that node-pre-gyp serves, and runs the
# portable suite under each one's own Node plus the symbol-floor test (test-cross.js).
#   linux-x64-gnu, linux-arm64-gnu   linked against glibc 2.28 (zig); arm64 under qemu
#   linux-x64-musl, linux-arm64-musl Node built for musl, on musl 1.2.5; arm64 under qemu
#                                    (linux-arm64-musl: the find() core, see below)
#   win32-x64                        mingw build, Windows Node under Wine
#   darwin-arm64                     `cargo check` (no macOS linker, SDK or emulator here;
#                                    darwin-x64's is the same code: scripts/platforms.js)
#   win32-x64 with MSVC              `cargo check` of the find() core, as the release builds
#                                    it: its raw Node-API code meets napi-sys's MSVC form
#                                    (functions looked up at load, not `extern "C"`)
# Both binaries are built with the unoptimised `cross-test` profile (Cargo.toml), so that
# the two builds of a target share its standard library (-Zbuild-std compiles it once per
# profile, and that takes as long as a build of the find() core itself), the host's proc
# macros and the dependencies they have in common. What the `lean` profile makes of the
# find() core (LTO, panic=abort, size) is the host suite's to test; here it is what each
# platform does. The symbol floors are checked here on these builds, and again by the
# release on the binaries it ships. About 20 minutes from nothing on 2 cores.
# The target dirs are target/cross/<triple>; --clean removes each once its binaries are at
# the root (CI: about 1 GB each, 6.7 GB for the seven otherwise).
set -euo pipefail
clean=false
[ "${1:-}" = "--clean" ] && clean=true
cd "$(dirname "$0")/.."
start=$SECONDS
bash scripts/setup-cross.sh
echo "ci-cross: toolchains, emulators and Node builds set up in $((SECONDS - start)) s"
export PREGYP_PROFILE="${PREGYP_PROFILE:-cross-test}"
export PREGYP_LEAN_PROFILE="${PREGYP_LEAN_PROFILE:-$PREGYP_PROFILE}"
# linux-arm64-musl: the find() core only (test-cross.js runs its find() and load() tests).
# The full tool's arm64 code is tested under linux-arm64-gnu and its musl build under
# linux-x64-musl; leaving out a fifth build of it keeps CI inside its time.
for target in linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl:lean win32-x64 darwin-arm64; do
  start=$SECONDS
  lean=""
  case "$target" in *:lean) target="${target%:lean}"; lean="--lean"; rm -f "pregyp.$target.node" ;; esac
  node scripts/build-cross.js --target "$target" $lean
  echo "ci-cross: $target built in $((SECONDS - start)) s"
  if $clean; then
    rm -rf "target/cross/$(node -p "require('./scripts/build-cross.js').resolve('$target').triple")"
  fi
done
start=$SECONDS
node scripts/build-cross.js --target x86_64-pc-windows-msvc --lean --check
echo "ci-cross: the find() core checked for MSVC in $((SECONDS - start)) s"
if $clean; then rm -rf target/cross/x86_64-pc-windows-msvc; fi
node scripts/test-cross.js native linux-arm64-gnu win32-x64 linux-x64-musl linux-arm64-musl
