'use strict';
// The rest of pregyp's JS API, loaded on first use (index.js keeps find() cheap).
// index.js calls this module's function with what it needs (`core()`, the find() core it
// opened, and `wantsInstall(opts)`), so the two files do not require each other.
const fs = require('fs');
const path = require('path');

module.exports = function api(shim) {
  // The search beyond index.js's fast path, and the wasm core (lib/loader.js).
  let loaderModule;
  const loader = () => loaderModule || (loaderModule = require('./loader').bind(() => self));

  // The full binary (the commands). Its platform package may have been left out
  // (--omit=optional): then it is fetched once, now, rather than by an install script.
  let full;
  function binding() {
    if (full) return full;
    const tried = [];
    try {
      full = loader().loadBinding('pregyp', tried);
    } catch (e) {
      if (e.code !== 'E_PREGYP_NO_BINARY') throw e;
      full = loader().open(fetchFull(tried));
    }
    return full;
  }

  // A find() core that also plans command lines (the wasm one, opened once), for the CLI
  // without the full binary and for node-pre-gyp's deep modules.
  let wasm;
  const evaluator = () => (shim.core().plan ? shim.core() : wasm || (wasm = loader().wasmCore([])));

  // Install on first use, as index.js decides it.
  const { wantsInstall } = shim;

  // `stem`: pregyp (the commands, @pregyp/full-<triple>) or pregyp-find (the find() core,
  // @pregyp/<triple>, an optional dependency of pregyp).
  function noBinaryError(tried, fetchFailure, stem = 'pregyp') {
    const lines = tried.map(([p, e]) => `  ${p}: ${e.code === 'MODULE_NOT_FOUND' || /ENOENT|cannot open shared object/.test(e.message) ? 'not installed' : e.message.split('\n')[0]}`);
    const version = require('../package.json').version;
    const triple = require('./loader').hostTriples()[0];
    const full = stem === 'pregyp';
    const pkg = full ? `@pregyp/full-${triple}` : `@pregyp/${triple}`;
    const err = new Error(
      `pregyp has no native binary for ${process.platform}-${process.arch} (Node ${process.version}). Tried:\n${lines.join('\n')}\n` +
        (fetchFailure ? `Fetching ${pkg}@${version} on first use failed: ${fetchFailure}\n` : '') +
        (full ? `Install pregyp's commands with your dependencies (npm install --save-dev @pregyp/cli@${version}), ` : 'Install with optional dependencies enabled (npm install --include=optional), ') +
        `or fetch it by hand: npm pack ${pkg}@${version}, then put package/${stem}.${triple}.node from that tarball next to ${path.join(__dirname, '..', 'index.js')}; ` +
        'or build it from a clone with Rust (npm install).'
    );
    err.code = 'E_PREGYP_NO_BINARY';
    return err;
  }

  // Where @pregyp/full-<triple> may be: beside pregyp (npm, yarn and bun hoist it), or
  // beside an @pregyp/cli of the project or of pregyp's parent (pnpm keeps it there).
  function fullFrom() {
    const from = [path.join(__dirname, '..')];
    for (const dir of [process.cwd(), path.join(__dirname, '..')]) {
      try {
        from.push(path.dirname(require.resolve('@pregyp/cli/package.json', { paths: [dir] })));
      } catch {
        // no @pregyp/cli there
      }
    }
    return from;
  }

  // The commands' binary when its platform package is missing: fetched once (lib/fetch-self.js).
  // Only when nothing was there: a platform package of another release, or a binary that
  // does not load, is reported as it is (reinstalling is the fix, not a second copy).
  function fetchFull(tried) {
    const absent = (e) => e.code === 'MODULE_NOT_FOUND' || /ENOENT|cannot open shared object file: No such file/.test(e.message);
    if (!tried.every(([, e]) => absent(e))) throw noBinaryError(tried, undefined, 'pregyp');
    try {
      return require('./fetch-self').fetchSelf(require('./loader').hostTriples()[0]);
    } catch (e) {
      throw noBinaryError(tried, e.message, 'pregyp');
    }
  }

  // The platform package that holds `file` must be this release: its binary and
  // this JS speak one protocol. (napi-rs's generated loaders check the same.)
  // `binary`: the version the binary itself answered, when it answers one.
  function checkVersion(pkg, file, binary) {
    const want = require('../package.json').version;
    let dir = path.dirname(file);
    while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const got = binary || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    if (got !== want) {
      const err = new Error(`${pkg}@${got} (${dir}) does not match pregyp@${want}: reinstall your dependencies (npm install) so that both are the same release`);
      err.code = 'E_PREGYP_VERSION_MISMATCH';
      throw err;
    }
  }

  // find() with options (the reference's names), and opt-in install on first use: a
  // missing binding (none in module_path, none in a platform package) is downloaded
  // synchronously, then looked up again. find() itself never throws for a missing one.
  function find(core, packageJsonPath, opts) {
    const o = findOptions(opts);
    if (process.versions.pnp) {
      try {
        const p = pnpCheck(core, String(packageJsonPath), o);
        if (p) return p;
      } catch {
        // find() never throws for a missing binding: the lookup below answers.
      }
    }
    if (!wantsInstall(opts)) return core.find(String(packageJsonPath), o);
    try {
      return core.check(String(packageJsonPath), o);
    } catch (e) {
      if (e.code !== 'E_BINDING_MISSING') throw e;
      try {
        installMissing(packageJsonPath);
      } catch (failed) {
        // find() never throws for a missing binding: the caller's require says the rest.
        console.error(`pregyp: installing it failed: ${failed.message}`);
      }
      return core.find(String(packageJsonPath), o);
    }
  }

  // Yarn Plug'n'Play has no node_modules folders, so the core's lookup finds no platform
  // package; PnP answers `require.resolve` from the addon's own package.json (PnP patches
  // Module), and yarn unplugs packages holding .node files onto disk, where the core reads
  // them. Returns the binding's path, or null when there is no platform package to resolve.
  function pnpCheck(core, packageJsonPath, o) {
    const name = core.platformPackage(packageJsonPath, o);
    if (!name) return null;
    let dir;
    try {
      dir = path.dirname(require('module').createRequire(path.resolve(packageJsonPath)).resolve(`${name}/package.json`));
    } catch {
      return null; // not installed here either: the caller's error stands
    }
    return core.check(packageJsonPath, { ...(o || {}), platformPackageDir: dir });
  }

  // `install` for the package of this package.json, blocking (see docs/api.md, "Install on first use").
  // With --fallback-to-build, as the install script that platform packages replace had it:
  // where no platform package fits and the host has nothing, it builds from source.
  // A source build is tried only where one is possible (a binding.gyp, or the copy
  // shipped as pregyp-binding.gyp): elsewhere a failed download is the answer.
  function installMissing(packageJsonPath) {
    const s = path.resolve(String(packageJsonPath));
    const dir = /\.json$/i.test(s) ? path.dirname(s) : s;
    const buildable = ['binding.gyp', 'pregyp-binding.gyp'].some((f) => fs.existsSync(path.join(dir, f)));
    console.error(`pregyp: no binding installed for ${dir} (no platform package fits, or scripts and optional dependencies were left out); installing it now (PREGYP_INSTALL_ON_FIND): download${buildable ? ', else build from source' : ''}`);
    binding().installSync([`--directory=${dir}`, ...(buildable ? ['--fallback-to-build'] : []), '--loglevel=warn']);
  }

  // The reference's option names -> the binding's.
  function findOptions(opts) {
    if (!opts) return undefined;
    const o = {};
    for (const [k, key] of [['runtime', 'runtime'], ['target', 'target'], ['target_arch', 'targetArch'], ['target_platform', 'targetPlatform'], ['target_libc', 'targetLibc'], ['module_root', 'moduleRoot']]) {
      if (opts[k] !== undefined && opts[k] !== null) o[key] = String(opts[k]);
    }
    if (opts.debug !== undefined) o.debug = Boolean(opts.debug) && opts.debug !== 'false';
    return o;
  }

  // Async binding errors arrive as "<code>\u0001<message>": restore err.code.
  function rethrow(e) {
    const i = typeof e.message === 'string' ? e.message.indexOf('\u0001') : -1;
    if (i > 0) {
      const err = new Error(e.message.slice(i + 1));
      err.code = e.message.slice(0, i);
      throw err;
    }
    throw e;
  }

  // Options objects become command-line flags, so the API and the CLI share one parser.
  function toArgv(opts) {
    const argv = [];
    for (const [k, v] of Object.entries(opts || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'args') argv.push(...v.map(String));
      else if (v === true) argv.push(`--${k}`);
      else if (v === false) argv.push(`--no-${k}`);
      else argv.push(`--${k}=${v}`);
    }
    return argv;
  }

  // Every command goes through the one N-API entry, with command-line style flags.
  // (A missing binary rejects the promise rather than throwing.)
  const command = (name) => (opts) =>
    new Promise((resolve) => resolve(binding().command(name, toArgv(opts)))).then((json) => JSON.parse(json), rethrow);
  let runClass;
  let spec;

  // load() when the core found no binding (`e`, its E_BINDING_MISSING): under Yarn
  // Plug'n'Play, the platform package PnP resolves; else, when asked, install it now. The
  // usual explanation stays first; what the install said follows it.
  function missing(core, file, o, opts, e) {
    if (e.code !== 'E_BINDING_MISSING') throw e;
    const p = process.versions.pnp ? pnpCheck(core, file, o) : null;
    if (p) return p;
    if (!wantsInstall(opts)) throw e;
    try {
      installMissing(file);
    } catch (failed) {
      e.message += `\nInstalling it on first use (PREGYP_INSTALL_ON_FIND) failed: ${failed.message}`;
      throw e;
    }
    return core.check(file, o);
  }

  // load() when `require` of the binding threw `e`: what was loaded, for which target, and why.
  function loadError(core, file, o, e) {
    const err = new Error(core.loadError(file, o, String(e && e.message)));
    err.code = 'E_BINDING_LOAD';
    err.cause = e;
    return err;
  }

  // index.js's `Run(opts)`, with or without `new`: the prototype then inherits from lib/run.js's
  // class, so that `instanceof` and subclasses work, `util.inherits` ones included.
  function construct(Run, that, opts, newTarget) {
    const Impl = self.Run();
    if (Object.getPrototypeOf(Run.prototype) !== Impl.prototype) Object.setPrototypeOf(Run.prototype, Impl.prototype);
    if (newTarget) return Reflect.construct(Impl, [opts], newTarget);
    if (that instanceof Run) return void Impl.init(that, opts);
    return new Run(opts);
  }

  const self = {
    binding,
    evaluator,
    missing,
    loadError,
    construct,
    noBinaryError,
    fetchFull,
    fullFrom,
    pnpCheck,
    checkVersion,
    find,
    findOptions,
    installMissing,
    /**
     * Runs a command line (without `node` and the script); resolves to the exit code.
     * `opts.program`: the name it runs under (`node-pre-gyp` logs in the reference's shape);
     * `opts.library`: as one command of node-pre-gyp's `Run` (lib/run.js): without the bin's
     * opening and closing log lines, and a failure, reported as the CLI reports it, rejects.
     */
    run: (argv, opts) => {
      let b;
      try {
        b = binding();
      } catch (e) {
        // No full binary for this platform: node-gyp builds still run (lib/no-binary.js).
        if (e.code !== 'E_PREGYP_NO_BINARY') throw e;
        return require('./no-binary').run(argv.map(String), evaluator(), e);
      }
      return b.run(argv.map(String), (opts && opts.program) || 'pregyp', Boolean(opts && opts.library)).catch(rethrow);
    },
    /** The declared commands, options and error codes (src/config/spec.rs), parsed once. */
    spec: () => spec || (spec = JSON.parse(binding().spec())),
    /** The evaluated configuration of the package in opts.directory (or cwd), per Node-API version. */
    reveal: (opts) => binding().reveal(toArgv(opts)).map((j) => JSON.parse(j)),
    /** Runs the command `name` of src/config/spec.rs with an options object; resolves to its results. */
    command: (name, opts) => command(name)(opts),
    /** A command line (without `node` and the script) as the CLI reads it, nothing evaluated (lib/run.js). */
    parse: (argv) => evaluator().plan(JSON.stringify({ argv, env: {}, windows: process.platform === 'win32', parse_only: true })),
    /** node-pre-gyp's versioning.evaluate (lib/util/versioning.js), by the wasm core's `versioning`. */
    versioning: (packageJson, options, napiBuildVersion) =>
      evaluator().versioning(
        JSON.stringify({ package_json: packageJson, napi_build_version: Number(napiBuildVersion) || null, toolset: options.toolset, acl: options.acl }),
        findOptions(options)
      ),
    /** node-pre-gyp's programmatic `Run` class (lib/run.js). */
    Run: () => runClass || (runClass = require('./run')(self)),
  };
  return self;
};
