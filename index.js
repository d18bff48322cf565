'use strict';
// pregyp's JS shim. find() runs inside every addon's `require`, so this file is the fast
// path only: it opens the small find() binary of @pregyp/<triple> beside this package and
// asks it. The search elsewhere (lib/loader.js, whose fast part is copied below by
// `npm run types`), the rest of the API (lib/api.js) and the full binary are loaded on
// first use.
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

// lib/api.js gets what it needs from here as an argument: no circular require.
let apiModule;
// `evaluator()`: a find() core that also plans command lines (the wasm one, opened once), for
// the CLI without the full binary and for node-pre-gyp's deep modules.
// Install on first use: `opts.install`, or PREGYP_INSTALL_ON_FIND=1|true (anything else is off
// and keeps find() on its fast path).
// (Compared as strings: a regular expression's first use costs tens of microseconds here.)
const wantsInstall = (opts) => Boolean(opts && opts.install) || ['1', 'true'].includes(process.env.PREGYP_INSTALL_ON_FIND);
const api = () => apiModule || (apiModule = require('./lib/api')({ binding: () => exports.binding(), evaluator: () => (core.plan ? core : wasm || (wasm = loader().wasmCore([]))), wantsInstall }));
let wasm;
// The search beyond the fast path, the wasm core (lib/loader.js).
let loaderModule;
const loader = () => loaderModule || (loaderModule = require('./lib/loader').bind(api));

// The usual candidates without running the general search (module resolution costs
// about 0.1 ms in a cold process, bench/find.js): the find() core of the @pregyp/<triple>
// package beside this one, where npm, pnpm, yarn and bun all put it; on Linux the glibc
// one, then the musl one (the package manager installs only the one for this libc, so on
// musl the first costs a failed open of a missing file, not a module resolution). On
// failure the search goes on (a local build, then module resolution), with these errors
// in its report. The paths are put together by hand: `require('path')` alone costs 0.1 ms.
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
core = core || loader().loadBinding('pregyp-find', tried, () => loader().wasmCore(tried));
let full;
exports.binding = () => full || (full = loadFull());
// The full binary (the commands). Its platform package may have been left out
// (--omit=optional): then it is fetched once, now, rather than by an install script.
function loadFull() {
  const tried = [];
  try {
    return loader().loadBinding('pregyp', tried);
  } catch (e) {
    if (e.code !== 'E_PREGYP_NO_BINARY') throw e;
    return open(api().fetchFull(tried));
  }
}

// find() keeps the reference's contract under every name (`pregyp`, or the old name
// through an npm alias): it returns the path, found or not, because code written for the
// reference asks for candidate paths and `require`s each in a try/catch.
exports.find = function find(packageJsonPath, opts) {
  if (!opts && !process.versions.pnp && !wantsInstall()) return core.find(String(packageJsonPath));
  return api().find(core, packageJsonPath, opts);
};

// A folder's package.json, put together by hand as the fast path's paths are (the core folds
// `.` and `..` itself); a path ending in .json is taken as it is.
const packageJson = (s) => (s.slice(-5).toLowerCase() === '.json' ? s : !s ? 'package.json' : s.endsWith(SEP) || s.endsWith('/') ? `${s}package.json` : `${s}${SEP}package.json`);

// load() finds and requires the binding; a missing or unloadable one is an error that
// explains what was looked for, for which target, why it is not there and the fix.
exports.load = function load(packageJsonPathOrDir, opts) {
  const file = packageJson(String(packageJsonPathOrDir));
  const o = opts ? api().findOptions(opts) : undefined;
  let p;
  try {
    p = core.check(file, o);
  } catch (e) {
    if (e.code !== 'E_BINDING_MISSING') throw e;
    // Yarn Plug'n'Play: no node_modules to look in; PnP resolves the platform package.
    p = process.versions.pnp ? api().pnpCheck(core, file, o) : null;
    if (!p) {
      if (!wantsInstall(opts)) throw e;
      try {
        api().installMissing(file);
      } catch (failed) {
        // The usual explanation stays first; what the install said follows it.
        e.message += `\nInstalling it on first use (PREGYP_INSTALL_ON_FIND) failed: ${failed.message}`;
        throw e;
      }
      p = core.check(file, o);
    }
  }
  try {
    return require(p);
  } catch (e) {
    const err = new Error(core.loadError(file, o, String(e && e.message)));
    err.code = 'E_BINDING_LOAD';
    err.cause = e;
    throw err;
  }
};

// Everything else is defined in lib/api.js, loaded when first used.
exports.run = (argv, opts) => api().run(argv, opts);
exports.reveal = (opts) => api().reveal(opts);
// node-pre-gyp's programmatic `Run` class, for scripts that drive it as a library
// (lib/run.js, loaded on first use; this function's prototype then inherits from it, so
// that `instanceof` and subclasses work, `util.inherits` ones included).
exports.Run = function Run(opts) {
  const Impl = api().Run();
  if (Object.getPrototypeOf(Run.prototype) !== Impl.prototype) Object.setPrototypeOf(Run.prototype, Impl.prototype);
  if (new.target) return Reflect.construct(Impl, [opts], new.target);
  if (this instanceof Run) return void Impl.init(this, opts);
  return new Run(opts);
};
// The rest of the API, for pregyp's shims of node-pre-gyp's deep modules (lib/util/); a
// symbol, so that it is no named export.
exports[Symbol.for('pregyp.api')] = api;
// One function per command declared in src/config/spec.rs (written by scripts/gen-types.js).
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
