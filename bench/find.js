#!/usr/bin/env node
'use strict';
// bench/find: in fresh Node processes, the in-process cost of `require(tool)` +
// `find(package.json)` for pregyp and the reference @mapbox/node-pre-gyp on the
// same package.json. Medians over interleaved runs; run by hand (npm run bench).
// Two more pregyp variants: find() when the binding comes from the platform package
// (module_path empty, so find() also resolves the platform package up node_modules),
// whose extra cost must stay <= 0.15 ms, and load(), which also requires the binding
// (a real 0.7 MB Node-API addon: pregyp's own find() binary stands in for one).
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

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
const tools = {
  pregyp: root,
  reference: require.resolve('@mapbox/node-pre-gyp', { paths: [root] }),
};
// The binding must exist for pregyp's find() (it explains missing ones).
const modulePath = require(tools.reference).find(pkgFile);
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
const relBinding = path.relative(dir, modulePath);
const ppBinding = path.join(nm, `bench-pp-${here}`, relBinding);
fs.mkdirSync(path.dirname(ppBinding), { recursive: true });
const triple = fs.readdirSync(root).map((f) => /^pregyp-find\.(.+)\.node$/.exec(f)).find(Boolean)[1];
fs.copyFileSync(path.join(root, `pregyp-find.${triple}.node`), ppBinding);
fs.writeFileSync(path.join(nm, `bench-pp-${here}`, 'package.json'), JSON.stringify({ name: `bench-pp-${here}`, version: '1.0.0' }));

const probe = (mod, call, file) => `
require(${JSON.stringify(warm)});
const t0 = process.hrtime.bigint();
const m = require(${JSON.stringify(mod)});
const p = m.${call}(${JSON.stringify(file)});
const t1 = process.hrtime.bigint();
process.stdout.write(String(Number(t1 - t0) / 1e6));`;

const variants = {
  pregyp: probe(tools.pregyp, 'find', pkgFile),
  reference: probe(tools.reference, 'find', pkgFile),
  platform: probe(tools.pregyp, 'find', ppFile),
  load: probe(tools.pregyp, 'load', ppAddon),
};
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, code] of Object.entries(variants)) {
    samples[name].push(Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' })));
  }
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p = median(samples.pregyp);
const r = median(samples.reference);
const pp = median(samples.platform);
const ld = median(samples.load);
const result = {
  bench: 'find', runs: RUNS, pregyp_ms: +p.toFixed(3), reference_ms: +r.toFixed(3), speedup: +(r / p).toFixed(1),
  platform_ms: +pp.toFixed(3), platform_extra_ms: +(pp - p).toFixed(3), load_ms: +ld.toFixed(3),
};
fs.rmSync(dir, { recursive: true, force: true });
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`bench/find: require + find(), median of ${RUNS} fresh processes each`);
  console.log(`  pregyp              ${p.toFixed(3)} ms`);
  console.log(`  @mapbox/node-pre-gyp ${r.toFixed(3)} ms`);
  console.log(`  ratio               ${(r / p).toFixed(1)}x faster (target: <= 1.0 ms and >= 30x)`);
  console.log(`  pregyp, binding from the platform package  ${pp.toFixed(3)} ms (+${(pp - p).toFixed(3)} ms; target: <= +0.15 ms)`);
  console.log(`  pregyp load() (find + require of a 0.7 MB addon from the platform package)  ${ld.toFixed(3)} ms`);
}
