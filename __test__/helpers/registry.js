'use strict';
// A real npm registry on 127.0.0.1 for tests: verdaccio, installed on first use into
// node_modules/.cache (through the npm registry, with npm's ordinary client) and started
// on a free port with a fresh storage folder.
//
// verdaccio 6.8.0 is the last release that runs on Node 20; its node-fetch 3 dependency
// does not, hence the override to node-fetch 2.7.0.
//
// The test's own packages (pregyp, @pregyp/*, pregyp-example-*, @pregyp-example/*) live
// only here (never proxied, so nothing from the public registry can shadow them); every
// other name is proxied to the registry npm is configured with, so `npx pnpm@10` and
// `npx yarn@1` work through it.

const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { cleanEnv, tmpdir } = require('./run');

const VERDACCIO = '6.8.0';
const CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', `pregyp-verdaccio-${VERDACCIO}`);
const LOCAL = ['pregyp', '@pregyp/*', 'pregyp-example-*', '@pregyp-example/*'];

/** Installs verdaccio once (a marker file records a complete install). */
function ensureVerdaccio() {
  const bin = path.join(CACHE, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (fs.existsSync(path.join(CACHE, '.complete')) && fs.existsSync(bin)) return bin;
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(path.join(CACHE, 'package.json'), JSON.stringify({
    name: 'pregyp-test-registry', version: '1.0.0', private: true,
    dependencies: { verdaccio: VERDACCIO },
    overrides: { 'node-fetch': '2.7.0' },
  }, null, 2));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: CACHE, encoding: 'utf8', env: cleanEnv(), timeout: 600_000 });
  if (r.status !== 0) throw new Error(`installing verdaccio@${VERDACCIO} failed:\n${r.stdout}\n${r.stderr}`);
  fs.writeFileSync(path.join(CACHE, '.complete'), '');
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function ping(url) {
  return new Promise((resolve) => {
    const req = http.get(`${url}-/ping`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/**
 * startRegistry({ local }) -> Promise<{ url, npmrc, requests(name), publish(dir), writeNpmrc(dir), stop() }>
 * `local`: more name patterns served only from here (never proxied), e.g. the real
 * packages a test republishes after changing them.
 * `npmrc` is a test-only user config (registry + a dummy token, which verdaccio accepts
 * for `publish: $all`); `writeNpmrc(dir)` puts the same in a project's .npmrc.
 */
async function startRegistry({ local = [] } = {}) {
  const bin = ensureVerdaccio();
  const work = tmpdir('pregyp-registry-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  let uplink = '';
  try {
    uplink = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', env: cleanEnv() }).trim();
  } catch {
    // No npm config: the test's own packages still work, public ones do not.
  }
  const localNames = [...LOCAL, ...local].map((p) => `  '${p}':\n    access: $all\n    publish: $all\n    unpublish: $all\n`).join('');
  const config = [
    `storage: ${JSON.stringify(path.join(work, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(work, 'htpasswd'))}`,
    '    max_users: -1',
    uplink ? `uplinks:\n  upstream:\n    url: ${JSON.stringify(uplink)}\n    timeout: 60s` : 'uplinks: {}',
    'packages:',
    localNames.trimEnd(),
    "  '**':",
    '    access: $all',
    '    publish: $all',
    uplink ? '    proxy: upstream' : '',
    'log: { type: stdout, format: pretty, level: warn }',
    // pregyp's own platform package (the full tool, about 8 MB packed) is larger than
    // verdaccio's default 10 MB request limit once npm base64-encodes it.
    'max_body_size: 200mb',
    'server:',
    '  keepAliveTimeout: 60',
    '',
  ].filter((l) => l !== '').join('\n');
  const configFile = path.join(work, 'config.yaml');
  fs.writeFileSync(configFile, config + '\n');
  const out = fs.openSync(path.join(work, 'verdaccio.log'), 'a');
  const child = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', out, out], env: cleanEnv() });
  const deadline = Date.now() + 60_000;
  while (!(await ping(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`verdaccio did not start:\n${fs.readFileSync(path.join(work, 'verdaccio.log'), 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const rc = `registry=${url}\n//127.0.0.1:${port}/:_authToken=dummy-test-token\n`;
  const npmrc = path.join(work, 'npmrc');
  fs.writeFileSync(npmrc, rc);
  return {
    url,
    npmrc,
    log: path.join(work, 'verdaccio.log'),
    /** Puts the registry settings in `dir/.npmrc` (npm, pnpm and yarn 1 read it). */
    writeNpmrc(dir) {
      fs.writeFileSync(path.join(dir, '.npmrc'), rc);
    },
    /** `npm publish` of a package folder to this registry (`tag`: a prerelease needs one). */
    publish(dir, { tag } = {}) {
      const r = spawnSync('npm', ['publish', '--ignore-scripts', '--access=public', `--userconfig=${npmrc}`, `--registry=${url}`, ...(tag ? [`--tag=${tag}`] : [])], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
      if (r.status !== 0) throw new Error(`npm publish ${dir} failed:\n${r.stdout}\n${r.stderr}`);
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

module.exports = { startRegistry, ensureVerdaccio, LOCAL };
