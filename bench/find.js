#!/usr/bin/env node
'use strict';
// bench/find: in fresh Node processes, the in-process cost of `require(tool)` +
// `find(package.json)` for pregyp and the reference @mapbox/node-pre-gyp on the
// same package.json, next to the physical floor: `require` of an empty C Node-API
// addon (built here with the real node-gyp). Every variant runs once per round, in
// its own process, rounds interleaved; medians (and range) over the rounds.
// Run by hand (npm run bench); not part of the tests. PREGYP_BASELINE: see below.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { median, buildEmptyAddon, writeBareShim, writeJsFind } = require('./helpers');

const RUNS = Number(process.env.RUNS || 40);
const root = path.join(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-bench-find-'));
const pkgFile = path.join(dir, 'package.json');
fs.writeFileSync(pkgFile, JSON.stringify({
  name: 'bench-addon', version: '1.0.0', main: 'index.js',
  binary: { module_name: 'bench', module_path: './lib/binding/{configuration}/{node_abi}-{platform}-{arch}/', host: 'https://example.com/' },
}));
// Any real app has loaded modules before an addon calls find(): warm Node's module
// loader with one unrelated file so its one-off start-up cost is not counted.
const warm = path.join(dir, 'warm.js');
fs.writeFileSync(warm, 'module.exports = 1;');
const reference = require.resolve('@mapbox/node-pre-gyp', { paths: [root] });
// The binding must exist for pregyp's find() (it explains missing ones).
const modulePath = require(reference).find(pkgFile);
fs.mkdirSync(path.dirname(modulePath), { recursive: true });
fs.writeFileSync(modulePath, '');

// An app with an addon whose binding is only in its platform package (npm layout).
const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
const here = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
const nm = path.join(dir, 'app', 'node_modules');
const ppAddon = path.join(nm, 'bench-pp');
fs.mkdirSync(ppAddon, { recursive: true });
const ppFile = path.join(ppAddon, 'package.json');
fs.writeFileSync(ppFile, JSON.stringify({
  name: 'bench-pp', version: '1.0.0', main: 'index.js',
  binary: { module_name: 'bench', module_path: './lib/binding/{configuration}/{node_abi}-{platform}-{arch}/', host: 'https://example.com/', platform_packages: { targets: [here] } },
}));
// As `pregyp platform-package` lays out a non-Node-API addon's builds: each Node ABI's
// under abi/<node_abi>/, listed in the package's pregyp.abis.
const relBinding = path.relative(dir, modulePath);
const abi = `node-v${process.versions.modules}`;
const ppBinding = path.join(nm, `bench-pp-${here}`, 'abi', abi, relBinding);
fs.mkdirSync(path.dirname(ppBinding), { recursive: true });
const triple = require('../lib/loader').builtTriple(root);
fs.copyFileSync(path.join(root, `pregyp-find.${triple}.node`), ppBinding);
fs.writeFileSync(path.join(nm, `bench-pp-${here}`, 'package.json'), JSON.stringify({ name: `bench-pp-${here}`, version: '1.0.0', pregyp: { abis: [abi] } }));

// pregyp as a consumer has it: the JS in node_modules/pregyp, the find() core in its
// platform package @pregyp/<triple> (nothing at the package root).
const installed = path.join(nm, 'pregyp');
fs.mkdirSync(path.join(installed, 'lib'), { recursive: true });
for (const f of ['index.js', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(installed, f));
fs.cpSync(path.join(root, 'lib'), path.join(installed, 'lib'), { recursive: true });
const corePkg = path.join(nm, '@pregyp', triple);
fs.mkdirSync(corePkg, { recursive: true });
fs.copyFileSync(path.join(root, 'npm', triple, 'package.json'), path.join(corePkg, 'package.json'));
fs.copyFileSync(path.join(root, `pregyp-find.${triple}.node`), path.join(corePkg, `pregyp-find.${triple}.node`));

// The least any JS package can do around this core: a 7-line shim in its own folder that
// opens the same @pregyp/<triple> binary, hands it the process facts and calls find().
// What pregyp's shim costs beyond it is the price of its checks and fallbacks; what this
// costs beyond the floor, no JS shim can save.
const bare = writeBareShim(nm, path.join(corePkg, `pregyp-find.${triple}.node`));
// And the least a design with no native call can do: find() in a few lines of JS that read
// package.json and fill the template, with none of the checks (the other bound).
const jsFind = writeJsFind(nm);

const J = JSON.stringify;
// The floor: an addon whose init does nothing, built by node-gyp as any addon is; or, to
// run this bench under another platform's Node (musl's, say), that platform's build of it:
// PREGYP_BENCH_FLOOR=<empty.node> (scripts/test-cross.js builds one per platform).
const emptyAddon = process.env.PREGYP_BENCH_FLOOR ? path.resolve(process.env.PREGYP_BENCH_FLOOR) : buildEmptyAddon(path.join(dir, 'empty-addon'));

// Where pregyp's time goes, next to the floor: a one-line JS module (what any JS shim
// costs before it does anything) and the find() binary opened and asked directly, with no
// JS module around it (what the native side costs).
const oneLine = path.join(dir, 'one-line.js');
fs.writeFileSync(oneLine, 'module.exports = 1;');
const leanBinary = path.join(root, `pregyp-find.${triple}.node`);
const rawFind = `const m = { exports: {} }; process.dlopen(m, ${J(leanBinary)}); const V = process.versions;
m.exports(0, { node: V.node, modules: +V.modules, napi: +V.napi, v8: V.v8, platform: process.platform, arch: process.arch, execPath: process.execPath });
m.exports(1, ${J(pkgFile)});`;

// The variants: each a name and the code timed in a fresh process after the warm-up.
// Add one by adding a line.
const variants = [
  { name: 'empty C addon (floor)', code: `require(${J(emptyAddon)});` },
  { name: 'pregyp', code: `require(${J(root)}).find(${J(pkgFile)});` },
  { name: '@mapbox/node-pre-gyp', code: `require(${J(reference)}).find(${J(pkgFile)});` },
  // find() when the binding comes from the platform package (module_path empty), whose
  // extra cost must stay <= 0.15 ms; load(), which also requires the binding (a real
  // 0.7 MB Node-API addon: pregyp's own find() binary stands in for one).
  { name: 'pregyp, platform package', code: `require(${J(root)}).find(${J(ppFile)});` },
  { name: 'pregyp load()', code: `require(${J(root)}).load(${J(ppAddon)});` },
  { name: 'pregyp as installed (core from @pregyp/<triple>)', code: `require(${J(installed)}).find(${J(pkgFile)});` },
  { name: 'a 7-line shim around the same core', code: `require(${J(bare)}).find(${J(pkgFile)});` },
  { name: 'find() in plain JS, no checks', code: `require(${J(jsFind)}).find(${J(pkgFile)});` },
  { name: 'one-line JS module', code: `require(${J(oneLine)});` },
  { name: 'find() binary alone (no JS)', code: rawFind },
];
// PREGYP_BASELINE=<folder of another pregyp build>: that build too, in the same rounds, so
// that "no regression" is a comparison within one run, not against another day's figure.
if (process.env.PREGYP_BASELINE) {
  const base = path.resolve(process.env.PREGYP_BASELINE);
  variants.push({ name: `pregyp at ${base}`, code: `require(${J(base)}).find(${J(pkgFile)});` });
}
const FLOOR = variants[0].name;
const PREGYP = 'pregyp';
const REFERENCE = '@mapbox/node-pre-gyp';

const probe = (code) => `
require(${J(warm)});
const t0 = process.hrtime.bigint();
${code}
const t1 = process.hrtime.bigint();
process.stdout.write(String(Number(t1 - t0) / 1e6));`;

const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const v of variants) {
    samples[v.name].push(Number(execFileSync(process.execPath, ['-e', probe(v.code)], { encoding: 'utf8' })));
  }
}
fs.rmSync(dir, { recursive: true, force: true });

// The interquartile range: the spread without the stray descheduled run.
const quartiles = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
};
const stats = Object.fromEntries(variants.map((v) => [v.name, { ms: median(samples[v.name]), iqr: quartiles(samples[v.name]) }]));
const f = stats[FLOOR].ms;
const p = stats[PREGYP].ms;
const r = stats[REFERENCE].ms;
const result = {
  bench: 'find',
  runs: RUNS,
  load: os.loadavg()[0],
  pregyp_ms: +p.toFixed(3),
  reference_ms: +r.toFixed(3),
  floor_ms: +f.toFixed(3),
  speedup: +(r / p).toFixed(1),
  vs_floor: +(p / f).toFixed(2),
  platform_ms: +stats['pregyp, platform package'].ms.toFixed(3),
  platform_extra_ms: +(stats['pregyp, platform package'].ms - p).toFixed(3),
  load_ms: +stats['pregyp load()'].ms.toFixed(3),
  installed_ms: +stats['pregyp as installed (core from @pregyp/<triple>)'].ms.toFixed(3),
  installed_vs_floor: +(stats['pregyp as installed (core from @pregyp/<triple>)'].ms / f).toFixed(2),
  installed_speedup: +(r / stats['pregyp as installed (core from @pregyp/<triple>)'].ms).toFixed(1),
  bare_shim_ms: +stats['a 7-line shim around the same core'].ms.toFixed(3),
  bare_shim_vs_floor: +(stats['a 7-line shim around the same core'].ms / f).toFixed(2),
  js_find_ms: +stats['find() in plain JS, no checks'].ms.toFixed(3),
  js_find_vs_floor: +(stats['find() in plain JS, no checks'].ms / f).toFixed(2),
  one_line_js_ms: +stats['one-line JS module'].ms.toFixed(3),
  find_binary_alone_ms: +stats['find() binary alone (no JS)'].ms.toFixed(3),
  variants: Object.fromEntries(variants.map((v) => [v.name, { ms: +stats[v.name].ms.toFixed(3), iqr: stats[v.name].iqr.map((x) => +x.toFixed(3)), vs_floor: +(stats[v.name].ms / f).toFixed(2) }])),
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`bench/find: require + find(), median (interquartile range) of ${RUNS} fresh processes each, load ${os.loadavg()[0].toFixed(2)}`);
  const w = Math.max(...variants.map((v) => v.name.length));
  for (const v of variants) {
    const s = result.variants[v.name];
    console.log(`  ${v.name.padEnd(w)}  ${s.ms.toFixed(3)} ms (${s.iqr[0].toFixed(3)}-${s.iqr[1].toFixed(3)})  ${s.vs_floor.toFixed(2)}x the floor`);
  }
  console.log(`  pregyp as installed: ${result.installed_vs_floor}x the floor (target <= 2.0x; the bounds: a 7-line shim around the same core ${result.bare_shim_vs_floor}x, find() in plain JS with no checks ${result.js_find_vs_floor}x), ${result.installed_speedup}x faster than the reference`);
}
