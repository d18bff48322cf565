#!/usr/bin/env node
'use strict';
// pregyp's own `preinstall`: a fallback for installs that omit optional dependencies
// (`npm install --omit=optional`) while running scripts. pregyp's full tool (commands:
// install, build, ...) ships in the @pregyp/<triple> platform package, an optional
// dependency; the small find()/load() binary is in this package itself, so addons load
// either way. Without the platform package a dependent's `node-pre-gyp install` script
// could not run, so this fetches that one package with npm, from the registry the
// install uses, and puts its binary next to index.js (where the loader looks first).
// It never fails the install: on any problem it says so and exits 0.
// `preinstall` rather than `install`: npm runs every package's preinstall before any
// install script, so the binary is in place before dependents' install scripts run.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const root = path.join(__dirname, '..');
const { version } = require('../package.json');

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

function main() {
  // A clone of pregyp itself builds its binaries (`prepare`).
  if (fs.existsSync(path.join(root, 'Cargo.toml'))) return;
  const t = require('./loader').hostTriples()[0];
  const file = `pregyp.${t}.node`;
  if (fs.existsSync(path.join(root, file))) return;
  try {
    require.resolve(`@pregyp/${t}/${file}`, { paths: [root] });
    return; // the optional dependency is installed: nothing to do
  } catch {
    // omitted: fetch it below
  }
  const spec = `@pregyp/${t}@${version}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-self-'));
  try {
    const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
    const [cmd, args] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
    const r = spawnSync(cmd, [...args, 'pack', spec, '--json', '--ignore-scripts', '--pack-destination', tmp], { encoding: 'utf8', shell: !npmCli && process.platform === 'win32' });
    if (r.status !== 0) throw new Error((r.stderr || r.error || '').toString().trim().split('\n').pop());
    const tgz = path.join(tmp, JSON.parse(r.stdout)[0].filename);
    const files = untarFiles(tgz, [`package/${file}`]);
    const bytes = files[`package/${file}`];
    if (!bytes) throw new Error(`${spec} has no ${file}`);
    fs.writeFileSync(path.join(root, `${file}.tmp`), bytes, { mode: 0o755 });
    fs.renameSync(path.join(root, `${file}.tmp`), path.join(root, file));
    console.error(`pregyp: optional dependencies were omitted; fetched ${spec} (the pregyp commands) with npm`);
  } catch (e) {
    console.error(`pregyp: optional dependencies were omitted and ${spec} could not be fetched (${e.message}); the pregyp commands will not run here. Install with optional dependencies (npm install --include=optional).`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
