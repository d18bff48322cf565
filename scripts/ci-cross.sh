#!/usr/bin/env bash
# The other platforms, in CI (.ci/run): installs the toolchains, emulators and Node builds
# (setup-cross.sh), builds pregyp for each platform that node-pre-gyp serves, and runs the
# portable suite under each one's own Node plus the symbol-floor test (test-cross.js).
#   linux-x64-gnu, linux-arm64-gnu   linked against glibc 2.28 (zig); arm64 under qemu
#   linux-x64-musl, linux-arm64-musl Node built for musl, on musl 1.2.5; arm64 under qemu
#   win32-x64                        mingw build, Windows Node under Wine
#   darwin-arm64                     `cargo check` of both binaries (no macOS linker, SDK
#                                    or emulator here; the release builds and tests both
#                                    on macOS; darwin-x64's is the same code:
#                                    scripts/platforms.js)
#   win32-x64 with MSVC              `cargo check` of the find() core, as the release builds
#                                    it: its raw Node-API code meets napi-sys's MSVC form
#                                    (functions looked up at load, not `extern "C"`)
# Both binaries are built with the unoptimised `cross-test` profile (Cargo.toml), so that
# the two builds of a target share its standard library (-Zbuild-std compiles it once per
# profile, and that takes as long as a build of the find() core itself), the host's proc
# macros and the dependencies they have in common. What the `lean` profile makes of the
# find() core (LTO, panic=abort, size) is the host suite's to test; here it is what each
# platform does. The symbol floors are checked here on these builds, and again by the
# release on the binaries it ships. From nothing, on 2 cores beside the test suites (.ci/run), the
# set-up, builds and checks take 50 to 60 minutes.
# The target dirs are target/cross/<triple>; --clean removes each once its binaries are at
# the root (CI: about 1 GB each, 6.7 GB for the seven otherwise).
#
# The binaries wait in target/cross-out until the tests, which take them from the root.
# .ci/run splits it in two, so that the builds use the cores its test suites leave idle
# (and the root holds only this machine's build while those suites run):
#   --background  the set-up and the builds; once every binary that the tests need is
#                 built, target/cross-out/ready marks it, and the checks of the targets
#                 that cannot link here follow
#   --foreground  moves the binaries to the root and runs the tests (beside those checks)
# Without either, all of it in turn.
set -euo pipefail
clean=false
part=all
for arg in "$@"; do
  case "$arg" in
    --clean) clean=true ;;
    --background | --foreground) part="${arg#--}" ;;
    *) echo "ci-cross.sh: unknown argument $arg (--clean, --background, --foreground)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
export PREGYP_PROFILE="${PREGYP_PROFILE:-cross-test}"
export PREGYP_LEAN_PROFILE="${PREGYP_LEAN_PROFILE:-$PREGYP_PROFILE}"

held=target/cross-out
# build <target>[:lean] [build-cross.js options]; a `:lean` target gets the find() core only.
build() {
  local target="$1" lean="" start=$SECONDS
  shift
  case "$target" in *:lean) target="${target%:lean}"; lean="--lean" ;; esac
  PREGYP_CROSS_OUT="$held" node scripts/build-cross.js --target "$target" $lean "$@"
  echo "ci-cross: $target built${lean:+ (find() core)}${1:+ ($*)} in $((SECONDS - start)) s"
  if $clean; then
    rm -rf "target/cross/$(node -p "require('./scripts/build-cross.js').resolve('$target').triple")"
  fi
}

if [ "$part" != foreground ]; then
  start=$SECONDS
  bash scripts/setup-cross.sh
  echo "ci-cross: toolchains, emulators and Node builds set up in $((SECONDS - start)) s"
fi
if [ "$part" != foreground ]; then
  rm -rf "$held"
  mkdir -p "$held"
  # The targets the tests run (scripts/platforms.js checks both lists against its table).
  for target in linux-x64-gnu linux-arm64-gnu linux-x64-musl win32-x64 linux-arm64-musl; do
    build "$target"
  done
  touch "$held/ready"
  # The ones that are only checked: macOS (no linker here) and the MSVC form of the core.
  for target in darwin-arm64; do
    build "$target"
  done
  build x86_64-pc-windows-msvc:lean --check
fi
[ "$part" = background ] && exit 0
mv "$held"/pregyp*.node .
node scripts/test-cross.js native linux-arm64-gnu win32-x64 linux-x64-musl linux-arm64-musl
