#!/usr/bin/env node
'use strict';
// bench/find: in fresh Node processes, the in-process cost of `require(tool)` +
// `find(package.json)` for pregyp and the reference @mapbox/node-pre-gyp on the
// same package.json. Medians over interleaved runs; run by hand (npm run bench).
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

const probe = (mod) => `
require(${JSON.stringify(warm)});
const t0 = process.hrtime.bigint();
const m = require(${JSON.stringify(mod)});
const p = m.find(${JSON.stringify(pkgFile)});
const t1 = process.hrtime.bigint();
process.stdout.write(String(Number(t1 - t0) / 1e6));`;

const samples = { pregyp: [], reference: [] };
for (let i = 0; i < RUNS; i++) {
  for (const [name, mod] of Object.entries(tools)) {
    samples[name].push(Number(execFileSync(process.execPath, ['-e', probe(mod)], { encoding: 'utf8' })));
  }
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p = median(samples.pregyp);
const r = median(samples.reference);
const result = { bench: 'find', runs: RUNS, pregyp_ms: +p.toFixed(3), reference_ms: +r.toFixed(3), speedup: +(r / p).toFixed(1) };
fs.rmSync(dir, { recursive: true, force: true });
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`bench/find: require + find(), median of ${RUNS} fresh processes each`);
  console.log(`  pregyp              ${p.toFixed(3)} ms`);
  console.log(`  @mapbox/node-pre-gyp ${r.toFixed(3)} ms`);
  console.log(`  ratio               ${(r / p).toFixed(1)}x faster (target: <= 1.0 ms and >= 30x)`);
}
