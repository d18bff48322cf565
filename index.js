'use strict';
// pregyp's JS shim. find() runs inside every addon's `require`, so this file is
// kept tiny: it opens only the small find() binary; the rest of the API (lib/api.js)
// and the full binary are loaded on first use.
const P = process.platform;
const A = process.arch;
const TRIPLES = P === 'linux' ? [`linux-${A}-gnu`, `linux-${A}-musl`] : P === 'win32' ? [`win32-${A}-msvc`] : [`${P}-${A}`];
const V = process.versions;
const INFO = {
  node: V.node,
  modules: Number(V.modules) || undefined,
  napi: Number(V.napi) || undefined,
  v8: V.v8,
  electron: V.electron,
  nodeWebkit: V['node-webkit'],
  platform: P,
  arch: A,
  execPath: process.execPath,
};

const api = () => require('./lib/api');

// pregyp[-find].<triple>.node from this folder (a local build), else from the
// @pregyp/<triple> platform package. `tried`: [path, error] pairs already tried.
function loadBinding(stem, tried = []) {
  for (const triple of TRIPLES) {
    const file = `${stem}.${triple}.node`;
    for (const where of [__dirname, `@pregyp/${triple}`]) {
      let path = where;
      try {
        path = where === __dirname ? `${where}/${file}` : require.resolve(`${where}/${file}`);
        if (tried.some((t) => t[0] === path)) continue;
        const m = { exports: {} };
        process.dlopen(m, path);
        m.exports.init(INFO);
        return m.exports;
      } catch (e) {
        tried.push([path, e]);
      }
    }
  }
  throw api().noBinaryError(tried);
}

// The usual first candidate (a local build beside this file) without running the general
// search: ~0.1 ms less in a cold process (bench/find.js). On failure the search goes on
// from the next candidate, with this one's error in its report.
let core;
const first = __dirname + '/pregyp-find.' + TRIPLES[0] + '.node';
try {
  const m = { exports: {} };
  process.dlopen(m, first);
  m.exports.init(INFO);
  core = m.exports;
} catch (e) {
  core = loadBinding('pregyp-find', [[first, e]]);
}
let full;
exports.binding = () => full || (full = loadBinding('pregyp'));

// Installed under the old name (`"@mapbox/node-pre-gyp": "npm:pregyp@..."`), find() keeps
// the reference's contract of returning the path even when nothing is there, because
// code written for it may test the path itself. Under its own name it explains instead.
// (String tests, not a regex: compiling one costs a cold process ~0.1 ms, bench/find.js.)
const AS_REFERENCE = __dirname.endsWith('/node-pre-gyp') || __dirname.endsWith('\\node-pre-gyp') ? { check: false } : undefined;

exports.find = function find(packageJsonPath, opts) {
  if (!opts && !process.env.PREGYP_INSTALL_ON_FIND) return core.find(String(packageJsonPath), AS_REFERENCE);
  return api().find(core, packageJsonPath, opts && AS_REFERENCE ? { ...AS_REFERENCE, ...opts } : opts || AS_REFERENCE);
};

// Everything else is defined in lib/api.js, loaded when first used. One loop rather than
// sixteen closures: less for V8 to parse in every process that requires an addon.
for (const name of ['run', 'reveal', 'install', 'build', 'rebuild', 'configure', 'clean', 'package', 'testpackage', 'testbinary', 'publish', 'unpublish', 'info', 'postinstallBuild', 'explain', 'heal']) exports[name] = (opts) => api()[name](opts);
