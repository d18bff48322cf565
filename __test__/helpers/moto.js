'use strict';
// A real S3-compatible server (moto) on 127.0.0.1 for publish/install tests.
//
// The server is spawned directly (no shell) so child.pid is the server's own
// PID and stop() kills the server, not a wrapper that would orphan it. Under
// pyenv, `python3` is a bash shim, but it `exec`s the real
// interpreter, so the PID stays the same one we spawned.

const { spawn, execFile } = require('node:child_process');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const READY_TIMEOUT_MS = 20_000;
const PIP_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 3_000;

let pipTried = false;
const running = new Set();

// Last resort if a test forgets stop(): a SIGKILL at exit cannot leave a
// moto server behind (exit handlers may only do synchronous work).
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpRequest(method, url, { timeout = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout, headers: { 'content-length': 0 } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Spawns one candidate command and resolves once the endpoint answers HTTP,
// or rejects (after killing it) if it exits or does not answer in time.
async function tryStart(cmd, args, port) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  // moto logs every request to stderr; keep only a tail for error messages,
  // but always drain, or a full pipe would block the server.
  let log = '';
  const keep = (d) => {
    log = (log + d).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      exited = { error: err };
      running.delete(child);
      resolve();
    });
  });
  running.add(child);

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    try {
      await httpRequest('GET', endpoint + '/', { timeout: 1000 });
      break;
    } catch {
      await sleep(100);
    }
  }
  if (exited || Date.now() >= deadline) {
    if (!exited) {
      child.kill('SIGKILL');
      await exitPromise;
    }
    const why = exited.error ? exited.error.message : `exit ${exited.code ?? exited.signal}`;
    const err = new Error(`${cmd} ${args.join(' ')}: ${why}\n${log}`);
    err.addressInUse = /address already in use/i.test(log);
    throw err;
  }

  // Let the test process exit even if a test forgets stop(); the exit hook
  // above then kills the server.
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();

  let stopping;
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        if (exited) return;
        // Re-ref so the process waits for the exit we are about to cause.
        child.ref();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exitPromise;
        clearTimeout(timer);
      })();
    }
    return stopping;
  };
  return { endpoint, pid: child.pid, stop, child };
}

// moto's server, one request at a time (see moto-server.py for why).
const MOTO_SERVER = path.join(__dirname, 'moto-server.py');

/**
 * startMoto() -> Promise<{ endpoint, pid, stop() }>
 * Runs moto's server (single-threaded, see moto-server.py) with `python3`; if moto is
 * not installed, runs `pip install moto[server]` once per process and tries again.
 */
async function startMoto() {
  const errors = [];
  for (let round = 0; round < 2; round++) {
    // Retry a lost race for the port (another process took it between freePort()
    // closing it and moto binding it).
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        const m = await tryStart('python3', [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], port);
        return { endpoint: m.endpoint, pid: m.pid, stop: m.stop };
      } catch (err) {
        errors.push(err.message);
        if (!err.addressInUse) break;
      }
    }
    if (round === 0) {
      if (pipTried) break;
      pipTried = true;
      try {
        await new Promise((resolve, reject) => {
          execFile('python3', ['-m', 'pip', 'install', '--quiet', 'moto[server]'], { timeout: PIP_TIMEOUT_MS }, (err, _out, stderr) =>
            err ? reject(new Error(`pip install moto[server] failed: ${stderr || err.message}`)) : resolve());
        });
      } catch (err) {
        errors.push(err.message);
        break;
      }
    }
  }
  throw new Error('could not start moto:\n' + errors.join('\n---\n'));
}

/**
 * s3Env() -> env vars for an AWS SDK talking to moto.
 * Static credentials and a region keep the SDK's default chain from probing
 * the cloud metadata address; the shared config files are pointed at an
 * empty file so a developer's ~/.aws profile cannot change the outcome.
 * AWS_ENDPOINT_URL(_S3) are deliberately NOT set (an argument is accepted and
 * ignored for compatibility): pregyp must take the endpoint from package.json,
 * and an env endpoint honoured by the SDK would hide a bug where it does not.
 */
function s3Env(_endpoint) {
  const env = {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  return env;
}

/**
 * createBucket(endpoint, name) -> Promise<void>
 * A plain unsigned PUT (path style): moto accepts it, so tests need no SDK.
 */
async function createBucket(endpoint, name) {
  const res = await httpRequest('PUT', `${endpoint}/${encodeURIComponent(name)}`, { timeout: 5000 });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`create bucket ${name}: HTTP ${res.status} ${res.body}`);
  }
}

module.exports = { startMoto, s3Env, createBucket };
