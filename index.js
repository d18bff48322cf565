'use strict';
// pregyp's JS shim, kept to what find() and load() need: it runs inside every addon's
// `require`, where each file and its code cost compile time (BENCHMARKS.md). It opens the
// find() core of @pregyp/<triple> beside this package and asks it; the search elsewhere
// (lib/loader.js, whose fast part is copied below by `npm run types`), the rest of the API
// and the full binary (lib/api.js) are loaded on first use.
// <generated:loader>
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
// </generated:loader>

// Install on first use: `opts.install`, or PREGYP_INSTALL_ON_FIND=1|true (anything else is off
// and keeps find() on its fast path). Compared as strings: a regular expression's first use
// costs tens of microseconds here.
const wantsInstall = (opts) => Boolean(opts && opts.install) || ['1', 'true'].includes(process.env.PREGYP_INSTALL_ON_FIND);
// lib/api.js gets what it needs from here as an argument: no circular require.
let apiModule;
const api = () => apiModule || (apiModule = require('./lib/api')({ core: () => core, wantsInstall }));
// The usual candidate first, without the general search (lib/loader.js): the find() core of
// the @pregyp/<triple> package beside this one, where npm, pnpm, yarn and bun put it; on
// Linux the glibc one, then the musl one. Paths are put together by hand: `require('path')`
// alone costs 0.1 ms.
let core;
const SEP = P === 'win32' ? '\\' : '/';
const scope = `${__dirname.slice(0, __dirname.lastIndexOf(SEP))}${SEP}@pregyp${SEP}`;
const tried = [];
for (const t of HIDE_NATIVE ? [] : TRIPLES) {
  const file = `${scope}${t}${SEP}pregyp-find.${t}.node`;
  try {
    core = open(file, '@pregyp/' + t);
    break;
  } catch (e) {
    tried.push([file, e]);
  }
}
if (!core) {
  const loader = require('./lib/loader').bind(api);
  core = loader.loadBinding('pregyp-find', tried, () => loader.wasmCore(tried));
}

// find() keeps the reference's contract: it returns the path, found or not. Options, Yarn
// PnP and install on first use take lib/api.js's way.
exports.find = function find(packageJsonPath, opts) {
  return !opts && !process.versions.pnp && !wantsInstall() ? core.find(String(packageJsonPath)) : api().find(core, packageJsonPath, opts);
};

// load() requires the binding; a missing or unloadable one is an error that explains.
exports.load = function load(packageJsonPathOrDir, opts) {
  const s = String(packageJsonPathOrDir);
  const file = s.slice(-5).toLowerCase() === '.json' ? s : !s ? 'package.json' : s.endsWith(SEP) || s.endsWith('/') ? `${s}package.json` : `${s}${SEP}package.json`;
  const o = opts ? api().findOptions(opts) : undefined;
  let p;
  try {
    p = core.check(file, o);
  } catch (e) {
    p = api().missing(core, file, o, opts, e);
  }
  try {
    return require(p);
  } catch (e) {
    throw api().loadError(core, file, o, e);
  }
};
exports.binding = () => api().binding();
exports.run = (argv, opts) => api().run(argv, opts);
exports.reveal = (opts) => api().reveal(opts);
// node-pre-gyp's programmatic `Run` class (lib/run.js, on first use; see lib/api.js).
exports.Run = function Run(opts) {
  return api().construct(Run, this, opts, new.target);
};
// The rest of the API, for the shims of node-pre-gyp's deep modules (lib/util/).
exports[Symbol.for('pregyp.api')] = api;
// One function per command of src/config/spec.rs (written by `npm run types`).
// <generated:commands>
exports.clean = (opts) => api().command('clean', opts);
exports.install = (opts) => api().command('install', opts);
exports.reinstall = (opts) => api().command('reinstall', opts);
exports.build = (opts) => api().command('build', opts);
exports.rebuild = (opts) => api().command('rebuild', opts);
exports.package = (opts) => api().command('package', opts);
exports.testpackage = (opts) => api().command('testpackage', opts);
exports.publish = (opts) => api().command('publish', opts);
exports.unpublish = (opts) => api().command('unpublish', opts);
exports.info = (opts) => api().command('info', opts);
exports.testbinary = (opts) => api().command('testbinary', opts);
exports.configure = (opts) => api().command('configure', opts);
exports.postinstallBuild = (opts) => api().command('postinstall-build', opts);
exports.explain = (opts) => api().command('explain', opts);
exports.heal = (opts) => api().command('heal', opts);
exports.checksums = (opts) => api().command('checksums', opts);
exports.platformPackage = (opts) => api().command('platform-package', opts);
exports.optionalDeps = (opts) => api().command('optional-deps', opts);
exports.migrate = (opts) => api().command('migrate', opts);
// </generated:commands>
