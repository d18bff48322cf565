#!/bin/sh
# Installs what pregyp-find.wasm (the WebAssembly fallback of the find() core) needs, from
# Debian's archive, and builds it: rustc-web + cargo-web (a second Rust under /usr; the
# host's rustup toolchain stays as it is), rust-web-src (the standard library's source, for
# -Zbuild-std: no rustup target download), lld (wasm-ld, the linker). .ci/run calls this
# before `npm test`; afterwards `npm run build` builds the module too.
# Measured on 2 loaded cores: apt about 40 s, the build about 70 s.
set -eu
cd "$(dirname "$0")/.."
if ! command -v wasm-ld >/dev/null 2>&1 || [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library/std ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rustc-web cargo-web rust-web-src lld
fi
node scripts/build-wasm.js
