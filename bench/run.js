#!/usr/bin/env node
'use strict';
// npm run bench: runs bench/find, bench/install and bench/package (each in its own
// process, each measuring pregyp against the reference and the physical baseline in
// the same run) and prints one table. Run by hand on a quiet machine.
const { execFileSync } = require('child_process');
const path = require('path');

function run(name) {
  process.stderr.write(`running bench/${name} ...\n`);
  const out = execFileSync(process.execPath, [path.join(__dirname, `${name}.js`), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop());
}

const find = run('find');
const install = run('install');
const pkg = run('package');
const rows = [
  ['find: require + find()', `${find.pregyp_ms} ms`, `${find.reference_ms} ms`, '-', `${find.speedup}x faster`, '<= 1.0 ms, >= 30x'],
  ['find() from the platform package', `${find.platform_ms} ms`, '-', `module_path ${find.pregyp_ms} ms`, `+${find.platform_extra_ms} ms`, '<= +0.15 ms'],
  ['load() (find + require, 0.7 MB addon)', `${find.load_ms} ms`, '-', '-', '-', '-'],
  ['install --update-binary', `${install.pregyp_ms} ms, ${install.pregyp_rss_mb} MB RSS`, `${install.reference_ms} ms, ${install.reference_rss_mb} MB RSS`, `curl|tar ${install.curl_tar_ms} ms`, `${install.vs_reference}x faster; ${install.vs_curl_tar}x curl|tar`, '>= 3x; <= 1.1x; <= 64 MB'],
  ['package', `${pkg.pregyp_ms} ms, ${pkg.pregyp_rss_mb} MB RSS, ${pkg.pregyp_mb} MB`, `${pkg.reference_ms} ms`, `tar czf ${pkg.tar_ms} ms, ${pkg.tar_mb} MB`, `${pkg.vs_reference}x faster; ${pkg.vs_tar}x tar's time; size ${pkg.size_vs_tar}x`, '>= 3x; <= 0.7x; size within 2%'],
];
const head = ['benchmark', 'pregyp', '@mapbox/node-pre-gyp', 'baseline', 'ratio', 'target'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
