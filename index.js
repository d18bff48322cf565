'use strict';
// pregyp's JS shim: loads the native binding for this platform and exports a
// node-pre-gyp compatible API. Kept tiny: find() runs inside every addon's require.
const path = require('path');

function loadBinding() {
  const { triples } = require('./scripts/triple');
  const tried = [];
  for (const triple of triples()) {
    for (const id of [path.join(__dirname, `pregyp.${triple}.node`), `@pregyp/${triple}`]) {
      try {
        return require(id);
      } catch (e) {
        tried.push(`  ${id}: ${e.code === 'MODULE_NOT_FOUND' ? 'not installed' : e.message.split('\n')[0]}`);
      }
    }
  }
  const err = new Error(
    `pregyp has no native binary for ${process.platform}-${process.arch} (Node ${process.version}). Tried:\n` +
      tried.join('\n') +
      '\nInstall with optional dependencies enabled (npm install --include=optional), or build it from a clone with Rust: npm install.'
  );
  err.code = 'E_PREGYP_NO_BINARY';
  throw err;
}

const binding = loadBinding();
binding.init({
  node: process.versions.node,
  modules: Number(process.versions.modules) || undefined,
  napi: Number(process.versions.napi) || undefined,
  v8: process.versions.v8,
  electron: process.versions.electron,
  nodeWebkit: process.versions['node-webkit'],
  platform: process.platform,
  arch: process.arch,
  execPath: process.execPath,
});

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
    if (k === 'args') argv.push(...v);
    else if (v === true) argv.push(`--${k}`);
    else if (v === false) argv.push(`--no-${k}`);
    else argv.push(`--${k}=${v}`);
  }
  return argv;
}

function find(packageJsonPath, opts) {
  if (opts) {
    const o = {};
    for (const k of ['runtime', 'target', 'target_arch', 'target_platform', 'target_libc', 'module_root']) {
      if (opts[k] !== undefined && opts[k] !== null) o[k === 'module_root' ? 'moduleRoot' : k.replace(/_(\w)/g, (_, c) => c.toUpperCase())] = String(opts[k]);
    }
    if (opts.debug !== undefined) o.debug = Boolean(opts.debug) && opts.debug !== 'false';
    if (opts.check !== undefined) o.check = Boolean(opts.check);
    return binding.find(String(packageJsonPath), o);
  }
  return binding.find(String(packageJsonPath));
}

// Each command is an async N-API function taking command-line style flags.
function command(name) {
  return (opts) =>
    binding[name](toArgv(opts)).then((json) => JSON.parse(json), rethrow);
}

module.exports = {
  find,
  install: command('install'),
  build: command('build'),
  rebuild: command('rebuild'),
  configure: command('configure'),
  clean: command('clean'),
  package: command('package'),
  testpackage: command('testpackage'),
  testbinary: command('testbinary'),
  publish: command('publish'),
  unpublish: command('unpublish'),
  info: command('info'),
  postinstallBuild: command('postinstallBuild'),
  explain: command('explain'),
  heal: command('heal'),
  /** Runs a command line (without `node` and the script); resolves to the exit code. */
  run: (argv) => binding.run(argv.map(String)).catch(rethrow),
  /** The evaluated configuration of the package in opts.directory (or cwd), per Node-API version. */
  reveal: (opts) => binding.reveal(toArgv(opts)).map((j) => JSON.parse(j)),
};
