'use strict';
// The native loader: which binary to open for this platform, where to look for it, and
// the version check against the @pregyp/<triple> platform package (as napi-rs's generated
// loaders do). find() runs in every addon's `require`, where each file resolved and compiled
// and each `require` of a builtin costs about 0.1 ms (bench/find.js). So the region
// between `// <loader>` and `// </loader>` (what the fast path needs: this process's
// facts, open() and the operations) is copied into index.js by `npm run types`, and the
// test suite fails when the copy is stale; the search below it (the package folder, module
// resolution, the wasm core) is required from here only when that fast path fails.
// In the region, `api()` loads lib/api.js (index.js passes it to bind()).
// <loader>
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

// Opens a binary and hands it the facts of this process. The find() binary exports one
// function, `pregyp(op, ...args)` (see src/binding/napi_find.rs), whose init answers its
// version: from a platform package (`pkg`), it must be this release's; the full binary
// exports an object.
function open(path, pkg) {
  const m = { exports: {} };
  process.dlopen(m, path);
  const x = m.exports;
  if (typeof x !== 'function') {
    x.init(INFO);
    return x;
  }
  const v = x(0, INFO);
  if (pkg && v !== VERSION) api().checkVersion(pkg, path, String(v));
  return ops(x);
}

// pregyp's version (package.json's; written by `npm run types`).
// <generated:version>
const VERSION = '0.1.0';
// </generated:version>

// The find() core's operations by name, over `x(op, ...args)` (src/binding/ops.rs; written
// by `npm run types`): the native core's one export, or a stand-in that throws.
// <generated:ops>
const ops = (x) => ({ find: (p, o) => x(1, p, o), check: (p, o) => x(2, p, o), loadError: (p, o, d) => x(3, p, o, d), platformPackage: (p, o) => x(4, p, o), evaluate: (p, o) => JSON.parse(x(5, p, o)) });
// </generated:ops>

const HIDE = process.env.PREGYP_TEST_HIDE_NATIVE;
const HIDE_NATIVE = HIDE === '1' || process.env.PREGYP_FIND_CORE === 'wasm';
// </loader>

// The package folder (a local build, or binaries fetched on first use, sit there).
const ROOT = require('path').join(__dirname, '..');
let api = () => {
  throw new Error('lib/loader.js: bind(api) first');
};

// pregyp[-find].<triple>.node from the package folder (a local build, or a binary fetched
// on first use), else from its platform package: @pregyp/<triple> holds the find() core,
// @pregyp/full-<triple> the commands (found beside pregyp, or beside @pregyp/cli where the
// package manager does not hoist). A platform package must be of this very version (an
// older one left by a partial upgrade would not match this JS). `tried`: [path, error]
// pairs already tried; `none()` is what to do when nothing loads (by default, throw the
// explanation).
function loadBinding(stem, tried = [], none = () => {
  throw api().noBinaryError(tried, undefined, stem);
}) {
  if (HIDE === '1' || (HIDE_NATIVE && stem === 'pregyp-find')) {
    tried.push([HIDE === '1' ? 'PREGYP_TEST_HIDE_NATIVE' : 'PREGYP_FIND_CORE=wasm', new Error('native binaries hidden')]);
    return none();
  }
  const full = stem === 'pregyp';
  // The package folder for every triple first, then the platform packages: on musl the
  // glibc triple, tried first, then costs a failed open but no failed module resolution
  // (require + first find() 1.51 -> 1.41 ms on musl x64; glibc's order is unchanged).
  // Nothing cheap tells musl at this point (process.report takes 4 ms).
  for (const local of [true, false]) {
    for (const triple of TRIPLES) {
      const file = `${stem}.${triple}.node`;
      const pkg = full ? `@pregyp/full-${triple}` : `@pregyp/${triple}`;
      let path = local ? `${ROOT}/${file}` : pkg;
      try {
        if (!local) path = require.resolve(`${pkg}/${file}`, full ? { paths: api().fullFrom() } : undefined);
        if (tried.some((t) => t[0] === path)) continue;
        // The find() core's version is checked by open(), from its init's answer: this
        // runs in every addon's `require`, where lib/api.js and file reads cost.
        if (!local && full) api().checkVersion(pkg, path);
        return open(path, local || full ? undefined : pkg);
      } catch (e) {
        tried.push([path, e]);
      }
    }
  }
  return none();
}

// The find() core when no native binary loads: the same Rust compiled to WebAssembly
// (lib/wasm.js), so that `require` never throws. Without it either, find() and load() throw
// the E_PREGYP_NO_BINARY explanation. PREGYP_FIND_CORE=wasm uses it even where a native
// find() core loads; for the tests, PREGYP_TEST_HIDE_NATIVE=1 hides every native binary
// (a platform without any).
function wasmCore(tried) {
  const file = `${ROOT}/pregyp-find.wasm`;
  try {
    return require('./wasm').open(file, INFO);
  } catch (e) {
    tried.push([file, e]);
    const fail = () => {
      throw api().noBinaryError(tried, undefined, 'pregyp-find');
    };
    // Every operation explains, the WebAssembly core's own (plan, versioning) too, unless
    // lib/wasm.js itself is what is missing.
    const stub = ops(fail);
    try {
      for (const [id, name] of require('./wasm').OPS) if (id) stub[name] = fail;
    } catch {}
    return stub;
  }
}

// pregyp's own scripts (scripts/build.js, scripts/gen-types.js, lib/fetch-self.js) take
// the platform list from here too: this platform's triples, the running libc's first.
const hostTriples = () => (P === 'linux' && !process.report.getReport().header.glibcVersionRuntime ? [...TRIPLES].reverse() : TRIPLES);
module.exports = {
  hostTriples,
  loadBinding,
  wasmCore,
  // index.js hands over its lib/api.js loader, for the explanations and version checks.
  bind(a) {
    api = a;
    return module.exports;
  },
  // Opens a find() core binary as index.js does (the tests compare it with the wasm core).
  open,
  // This platform's first triple with `<stem>.<triple>.node` in `dir` (a local build at the
  // package root, which may also hold other platforms' binaries), or undefined.
  builtTriple: (dir, stem = 'pregyp-find') => hostTriples().find((t) => require('fs').existsSync(require('path').join(dir, `${stem}.${t}.node`))),
};
