#!/usr/bin/env node
'use strict';
// bench/cross-find: find() of pregyp against the reference's under the same Node, for the
// emulated platforms (scripts/test-cross.js --bench starts it under arm64 Node in qemu,
// Windows Node in Wine and musl Node, with that platform's binaries), or natively:
//   node bench/cross-find.js [<pregyp package folder>] [<output file>] [<floor addon>]
// The first require + find() of each tool (cold: its modules, for pregyp also its binary,
// are loaded then), and the median of 200 rounds of 20 further calls.
// The floor, when given: the first require of a small C Node-API addon built for this
// platform (what loading any native binary costs here; bench/find.js's floor natively).
// Under an emulator every variant pays the same translation cost; the ratios count.
// `pregyp_installed`: the same, as a consumer installs pregyp (the core in @pregyp/<triple>).
// `bare_shim`: the least any JS package can do around the same core (bench/find.js's bound).
// `js_find`: find() in plain JS with no checks, the least a design with no native call can do
// (bench/find.js's other bound).
// PREGYP_BENCH_ONLY=floor|installed|bare|js|clone|reference measures that one alone, so that each
// variant can have fresh processes of its own (test-cross.js --bench does, as bench/find.js
// does natively); otherwise all, in one process. Run by hand; not part of the tests.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { median, writeBareShim, writeJsFind } = require('./helpers');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));
const out = process.argv[3];
const floorAddon = process.argv[4];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-cross-find-'));
const file = path.join(dir, 'package.json');
fs.writeFileSync(file, JSON.stringify({
  name: 'bench-addon', version: '1.0.0', main: 'index.js',
  binary: { module_name: 'bench', module_path: './lib/binding/{configuration}/{node_abi}-{platform}-{arch}/', host: 'https://example.com/' },
}));
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

function measure(load) {
  let t = process.hrtime.bigint();
  const tool = load();
  const first = tool.find(file);
  const cold = ms(t);
  // pregyp's find() explains a missing binding: make it exist.
  fs.mkdirSync(path.dirname(first), { recursive: true });
  fs.writeFileSync(first, '');
  const rounds = [];
  for (let r = 0; r < 200; r++) {
    t = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) tool.find(file);
    rounds.push((ms(t) * 1000) / 20);
  }
  return { cold_ms: cold, per_call_us: median(rounds) };
}

// A real app has loaded modules before an addon calls find(): warm Node's module loader
// with an unrelated file, so that neither tool pays its one-off start-up.
fs.writeFileSync(path.join(dir, 'warm.js'), 'module.exports = 1;');
require(path.join(dir, 'warm.js'));
const only = process.env.PREGYP_BENCH_ONLY;
const wanted = (v) => !only || only === v;
let floorMs;
if (floorAddon && wanted('floor')) {
  const t = process.hrtime.bigint();
  require(floorAddon);
  floorMs = ms(t);
}
// pregyp as a consumer has it: its JS in node_modules/pregyp and this platform's find() core
// in node_modules/@pregyp/<triple> (only the one the package manager picks for this libc).
function installedCopy() {
  const { hostTriples } = require(path.join(root, 'lib', 'loader'));
  // Set up before any timing: process.report is slow, and a glibc machine may have musl's loader too.
  const musl = process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime;
  const triple = hostTriples().find((t) => (musl ? t.endsWith('-musl') : !t.endsWith('-musl')));
  const core = path.join(root, `pregyp-find.${triple}.node`);
  if (!triple || !fs.existsSync(core)) return null;
  const nm = path.join(dir, 'node_modules');
  const pkg = path.join(nm, 'pregyp');
  fs.mkdirSync(path.join(pkg, 'lib'), { recursive: true });
  for (const f of ['index.js', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(pkg, f));
  fs.cpSync(path.join(root, 'lib'), path.join(pkg, 'lib'), { recursive: true });
  const corePkg = path.join(nm, '@pregyp', triple);
  fs.mkdirSync(corePkg, { recursive: true });
  fs.writeFileSync(path.join(corePkg, 'package.json'), JSON.stringify({ name: `@pregyp/${triple}`, version: require(path.join(root, 'package.json')).version }));
  fs.copyFileSync(core, path.join(corePkg, path.basename(core)));
  return { pkg, core: path.join(corePkg, path.basename(core)) };
}
const copy = wanted('installed') || wanted('bare') ? installedCopy() : null;
const installed = copy && wanted('installed') ? copy.pkg : null;
// The least any JS package can do around the same core (bench/find.js's bound).
const bare = copy && wanted('bare') ? writeBareShim(path.join(dir, 'node_modules'), copy.core) : null;
// The least a design with no native call can do (bench/find.js's other bound).
const js = wanted('js') ? writeJsFind(path.join(dir, 'node_modules')) : null;
const reference = wanted('reference') ? measure(() => require(path.join(root, 'node_modules', '@mapbox', 'node-pre-gyp'))) : undefined;
// The installed copy first: the second pregyp in this process finds Node-API warmer.
const pregypInstalled = installed ? measure(() => require(installed)) : undefined;
const pregyp = wanted('clone') ? measure(() => require(root)) : undefined;
const bareShimResult = bare ? measure(() => require(bare)) : undefined;
const jsFind = js ? measure(() => require(js)) : undefined;
const result = {
  platform: `${process.platform}-${process.arch}`,
  node: process.version,
  pregyp,
  pregyp_installed: pregypInstalled,
  bare_shim: bareShimResult,
  js_find: jsFind,
  reference,
  floor_ms: floorMs,
};
// Windows keeps a loaded .node file: its copy stays behind in the temp folder.
try {
  fs.rmSync(dir, { recursive: true, force: true });
} catch {}
const text = JSON.stringify(result);
if (out) fs.writeFileSync(out, text);
else console.log(text);
