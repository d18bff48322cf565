'use strict';
// The platform triples pregyp ships a binary for, named as napi-rs names them,
// so that `pregyp.<triple>.node` and `@pregyp/<triple>` line up.

/** Candidate triples for this process, most likely first. */
function triples(platform = process.platform, arch = process.arch) {
  if (platform === 'linux') return [`linux-${arch}-gnu`, `linux-${arch}-musl`];
  if (platform === 'win32') return [`win32-${arch}-msvc`];
  return [`${platform}-${arch}`];
}

module.exports = { triples };
