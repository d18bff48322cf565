'use strict';
// Shared by the benches: statistics, a timed child process, and the physical floor's
// empty C Node-API addon built with the real node-gyp.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// node-gyp downloads Node's headers unless told where they are: the tests' detection of
// matching headers under this machine's Node prefix.
const nodedir = () => require('../__test__/helpers/run').NODEDIR;

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
}

/** Builds (with node-gyp) an addon whose init does nothing under `dir`; returns the .node path. */
function buildEmptyAddon(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'empty', sources: ['empty.c'] }] }));
  fs.writeFileSync(path.join(dir, 'empty.c'), '#include <node_api.h>\nNAPI_MODULE_INIT() { return exports; }\n');
  const env = { ...process.env };
  const nd = nodedir();
  if (nd) env.npm_config_nodedir = nd;
  execFileSync(process.execPath, [nodeGyp(), 'rebuild', '--loglevel=error'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(dir, 'build', 'Release', 'empty.node');
}

/** Runs cmd under /usr/bin/time; resolves to { ms, rssMb } (wall time, peak RSS). */
function timed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} failed:\n${err}`));
      resolve({ ms, rssMb: Number(err.trim().split('\n').pop()) / 1024 });
    });
  });
}

/** Binary-like content: half random (incompressible), half repetitive, like real .node files. */
function payload(bytes) {
  const buf = Buffer.alloc(bytes);
  require('crypto').randomFillSync(buf, 0, bytes >> 1);
  for (let i = bytes >> 1; i < bytes; i++) buf[i] = (i * 31) & 0x3f;
  return buf;
}

/** The environment without npm's variables (an `npm run bench` sets many). */
function cleanEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  return env;
}

/**
 * The least any JS package can do around pregyp's find() core (the benches' bound): writes a
 * package `bare-shim` under `nodeModules` whose 7-line index.js opens `core`, hands it the
 * process facts and calls find(); returns its folder.
 */
function writeBareShim(nodeModules, core) {
  const shim = path.join(nodeModules, 'bare-shim');
  fs.mkdirSync(shim, { recursive: true });
  fs.writeFileSync(path.join(shim, 'package.json'), JSON.stringify({ name: 'bare-shim', version: '1.0.0', main: 'index.js' }));
  fs.writeFileSync(path.join(shim, 'index.js'), `'use strict';
const V = process.versions;
const m = { exports: {} };
process.dlopen(m, ${JSON.stringify(core)});
const x = m.exports;
x(0, { node: V.node, modules: +V.modules, napi: +V.napi, v8: V.v8, platform: process.platform, arch: process.arch, execPath: process.execPath });
exports.find = (p) => x(1, p);
`);
  return shim;
}

/**
 * The least any design can do without a native call (the benches' other bound): writes a
 * package `js-find` under `nodeModules` whose index.js reads package.json, fills the
 * bench's module_path template by hand and stats the binding. It checks
 * nothing else (no field, version or host validation, no mirrors, no platform package):
 * whatever a full JS implementation of find() costs, it is at least this.
 */
function writeJsFind(nodeModules) {
  const dir = path.join(nodeModules, 'js-find');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'js-find', version: '1.0.0', main: 'index.js' }));
  fs.writeFileSync(path.join(dir, 'index.js'), `'use strict';
const fs = require('fs');
const SEP = process.platform === 'win32' ? '\\\\' : '/';
exports.find = (file) => {
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  const b = pkg.binary;
  const values = { module_name: b.module_name, version: pkg.version, configuration: 'Release', node_abi: 'node-v' + process.versions.modules, platform: process.platform, arch: process.arch };
  let t = b.module_path;
  for (const k in values) t = t.split('{' + k + '}').join(values[k]);
  const p = file.slice(0, file.lastIndexOf(SEP) + 1) + t.replace('./', '') + b.module_name + '.node';
  // The stat pregyp's find() does (it looks further for a missing binding); the reference's
  // contract: the path, found or not.
  fs.existsSync(p);
  return p;
};
`);
  return dir;
}

module.exports = { root, median, nodedir, buildEmptyAddon, timed, payload, cleanEnv, writeBareShim, writeJsFind };
