'use strict';
// pregyp's full tool (the commands: install, build, heal, ...) ships in the
// @pregyp/full-<triple> package, which no consumer installs: addons need only find()/load()
// (the @pregyp/<triple> find() core, or the WebAssembly one). Authors who want the commands
// in their lockfile add @pregyp/cli to devDependencies; everyone else gets them here: the
// first use of a command fetches that one package with `npm pack` (npm checks the tarball
// against the registry's integrity field), from the registry the project's npm config
// names, and keeps its binary. No install script does it: npm 12, pnpm, yarn 4 and bun
// block them by default. PREGYP_FETCH_SELF=0 turns it off.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const root = path.join(__dirname, '..');

// The few files wanted from a package tarball (ustar, as npm packs it).
function untarFiles(tgz, wanted) {
  const data = zlib.gunzipSync(fs.readFileSync(tgz));
  const out = {};
  for (let off = 0; off + 512 <= data.length; ) {
    const h = data.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a, b) => h.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const name = (str(345, 500) ? `${str(345, 500)}/` : '') + str(0, 100);
    const size = parseInt(str(124, 136).trim() || '0', 8);
    const type = str(156, 157) || '0';
    off += 512;
    if (type === '0' && wanted.includes(name)) out[name] = data.subarray(off, off + size);
    off += Math.ceil(size / 512) * 512;
  }
  return out;
}

// Where a fetched binary is kept: beside index.js (where the loader looks first) when that
// folder is writable, else in pregyp's cache folder.
function cacheDir(version) {
  const base = process.env.PREGYP_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pregyp');
  return path.join(base, 'self', version);
}

function writable(dir) {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// Why npm failed, in its own words: the error lines (`code E404`, `404 Not Found - GET …`),
// not the closing "A complete log of this run can be found in …" line alone.
function npmReason(r) {
  try {
    const e = JSON.parse(r.stdout).error;
    if (e && (e.code || e.summary)) return [e.code, e.summary].filter(Boolean).join(': ');
  } catch {
    // not JSON: read stderr below
  }
  const lines = (r.stderr || '')
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim())
    .filter((l) => l && !/complete log of this run/i.test(l));
  return lines.slice(0, 4).join('; ') || `exit code ${r.status}`;
}

/**
 * The path of pregyp.<triple>.node for this platform: one fetched before (cache), or fetched
 * now. Throws an Error with the reason; the caller adds the fix.
 */
function fetchSelf(triple) {
  const { version } = require('../package.json');
  const file = `pregyp.${triple}.node`;
  const cached = path.join(cacheDir(version), file);
  if (fs.existsSync(cached)) return cached;
  if (/^(0|false|no)$/i.test(process.env.PREGYP_FETCH_SELF || '')) throw new Error('PREGYP_FETCH_SELF=0 turns fetching it off');
  const spec = `@pregyp/full-${triple}@${version}`;
  console.error(`pregyp: the pregyp commands are in ${spec}, which is not installed (add @pregyp/cli to devDependencies to install it with the project); fetching it once with npm pack (no script runs)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-self-'));
  try {
    const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
    const [cmd, args] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
    const r = spawnSync(cmd, [...args, 'pack', spec, '--json', '--ignore-scripts', '--pack-destination', tmp, '--loglevel=error'], {
      encoding: 'utf8',
      shell: !npmCli && process.platform === 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.error) throw new Error(`could not run npm: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`npm pack ${spec} failed: ${npmReason(r)}`);
    // npm 11 prints an array of packed packages, npm 12 an object keyed by package name.
    const packed = JSON.parse(r.stdout);
    const tgz = path.join(tmp, (Array.isArray(packed) ? packed[0] : Object.values(packed)[0]).filename);
    const bytes = untarFiles(tgz, [`package/${file}`])[`package/${file}`];
    if (!bytes) throw new Error(`${spec} has no ${file}`);
    const dir = writable(root) ? root : cacheDir(version);
    fs.mkdirSync(dir, { recursive: true });
    const dest = path.join(dir, file);
    fs.writeFileSync(`${dest}.${process.pid}.tmp`, bytes, { mode: 0o755 });
    fs.renameSync(`${dest}.${process.pid}.tmp`, dest);
    console.error(`pregyp: fetched ${spec} -> ${dest}`);
    return dest;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { npmReason, fetchSelf, untarFiles };
