#!/usr/bin/env node
'use strict';
// bench/wasm: what the WebAssembly fallback (pregyp-find.wasm) costs against the native
// find() binary, in the same rounds: the in-process time of `require('pregyp')` + one
// `find()` in fresh processes (the cost every addon's `require` pays), the time of a
// further find() call (1000 in a warm process), and the sizes on disk. The wasm variant
// hides the native find() binary (PREGYP_FIND_CORE=wasm), as on a platform
// without one. Ratios are wasm / native (the floor: the same core, compiled natively) and
// wasm / the reference (@mapbox/node-pre-gyp's find(), what such a platform's users had),
// all within this run. Run by hand: node bench/wasm.js [--json]
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { median, cleanEnv } = require('./helpers');

const RUNS = Number(process.env.RUNS || 30);
const root = path.join(__dirname, '..');
const wasmFile = path.join(root, 'pregyp-find.wasm');
const triple = require('../lib/loader').builtTriple(root);
const nativeFile = `pregyp-find.${triple}.node`;
if (!fs.existsSync(wasmFile) || !triple) {
  console.error('bench/wasm: build pregyp-find.wasm and the native find() binary first (npm run build)');
  process.exit(1);
}
const reference = require.resolve('@mapbox/node-pre-gyp', { paths: [root] });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-bench-wasm-'));
const pkgFile = path.join(dir, 'package.json');
fs.writeFileSync(pkgFile, JSON.stringify({
  name: 'bench-addon', version: '1.0.0', main: 'index.js',
  binary: { module_name: 'bench', module_path: './lib/binding/{configuration}/{node_abi}-{platform}-{arch}/', host: 'https://example.com/' },
}));
const warm = path.join(dir, 'warm.js');
fs.writeFileSync(warm, 'module.exports = 1;');

// One fresh process: [require+find µs, per-call find µs over 1000 calls].
const child = `
require(${JSON.stringify(warm)});
const t0 = process.hrtime.bigint();
const p = require(process.env.BENCH_MODULE);
const a = p.find(${JSON.stringify(pkgFile)});
const t1 = process.hrtime.bigint();
for (let i = 0; i < 1000; i++) p.find(${JSON.stringify(pkgFile)});
const t2 = process.hrtime.bigint();
console.log(JSON.stringify([Number(t1 - t0) / 1e3, Number(t2 - t1) / 1e6, a]));
`;
const variants = {
  native: { BENCH_MODULE: root },
  wasm: { BENCH_MODULE: root, PREGYP_FIND_CORE: 'wasm' },
  reference: { BENCH_MODULE: reference },
};
const samples = { native: [[], []], wasm: [[], []], reference: [[], []] };
const paths = new Set();
for (let i = 0; i < RUNS; i++) {
  for (const [name, env] of Object.entries(variants)) {
    const [first, each, found] = JSON.parse(execFileSync(process.execPath, ['-e', child], { env: { ...cleanEnv(), ...env }, encoding: 'utf8' }));
    samples[name][0].push(first);
    samples[name][1].push(each);
    paths.add(found);
  }
}
if (paths.size !== 1) throw new Error(`native, wasm and the reference found different paths: ${[...paths].join(', ')}`);
const size = (f) => fs.statSync(f).size;
const gz = (f) => zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length;
const m = (a) => median(a);
const out = {
  runs: RUNS,
  requireFindUs: { native: m(samples.native[0]), wasm: m(samples.wasm[0]), reference: m(samples.reference[0]) },
  findCallUs: { native: m(samples.native[1]), wasm: m(samples.wasm[1]), reference: m(samples.reference[1]) },
  bytes: { native: size(path.join(root, nativeFile)), wasm: size(wasmFile), nativeGzip: gz(path.join(root, nativeFile)), wasmGzip: gz(wasmFile) },
};
out.ratio = { requireFind: out.requireFindUs.wasm / out.requireFindUs.native, findCall: out.findCallUs.wasm / out.findCallUs.native, bytes: out.bytes.wasm / out.bytes.native };
out.vsReference = { requireFind: out.requireFindUs.wasm / out.requireFindUs.reference, findCall: out.findCallUs.wasm / out.findCallUs.reference };
if (process.argv.includes('--json')) console.log(JSON.stringify(out));
else {
  const f = (x) => x.toFixed(1);
  console.log(`bench/wasm (${RUNS} fresh processes per variant, medians)`);
  const r = (x) => `x${x.toFixed(x < 1 ? 2 : 1)}`;
  console.log(`  require + first find():  native ${f(out.requireFindUs.native)} µs   wasm ${f(out.requireFindUs.wasm)} µs (${r(out.ratio.requireFind)} native)   reference ${f(out.requireFindUs.reference)} µs (wasm ${r(out.vsReference.requireFind)} of it)`);
  console.log(`  each further find():     native ${f(out.findCallUs.native)} µs   wasm ${f(out.findCallUs.wasm)} µs (${r(out.ratio.findCall)} native)   reference ${f(out.findCallUs.reference)} µs (wasm ${r(out.vsReference.findCall)} of it)`);
  console.log(`  size:                    native ${out.bytes.native} B (${out.bytes.nativeGzip} gzipped)   wasm ${out.bytes.wasm} B (${out.bytes.wasmGzip} gzipped)`);
}
fs.rmSync(dir, { recursive: true, force: true });
