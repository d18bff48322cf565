#!/usr/bin/env node
'use strict';
// npm run bench: runs every bench REPEATS (default 3) times, each run in its own
// process measuring pregyp, the reference and the physical floor interleaved in the
// same rounds, and prints ONE table: per measure the median of the runs' medians and,
// in brackets, their range. Run by hand on a quiet machine (about 5-8 minutes on 2 cores).
//   REPEATS=n        runs per bench (default 3)
//   BENCH=find,heal  only these rows' benches
const { execFileSync } = require('child_process');
const os = require('os');
const path = require('path');
const { median } = require('./helpers');

const REPEATS = Math.max(1, Number(process.env.REPEATS || 3));
const only = process.env.BENCH ? new Set(process.env.BENCH.split(',')) : null;

// One job per bench invocation; `env` tunes it. The 400 MB install skips the reference
// (it buffers whole tarballs) and each of its runs is one round, to stay quick.
const jobs = [
  { key: 'find', script: 'find' },
  { key: 'install', script: 'install' },
  { key: 'install400', script: 'install', env: { SIZE_MB: '400', RUNS: '1', NO_REFERENCE: '1', GZIP_LEVEL: '1' } },
  { key: 'heal', script: 'heal' },
  { key: 'package', script: 'package' },
].filter((j) => !only || only.has(j.key));

function run(job, i) {
  process.stderr.write(`running bench/${job.script}${job.env ? ` ${JSON.stringify(job.env)}` : ''} (${i + 1}/${REPEATS}) ...\n`);
  const out = execFileSync(process.execPath, [path.join(__dirname, `${job.script}.js`), '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...job.env },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

const results = {};
const loads = [];
for (const job of jobs) {
  results[job.key] = [];
  for (let i = 0; i < REPEATS; i++) {
    results[job.key].push(run(job, i));
    loads.push(os.loadavg()[0]);
  }
}

// "median [min-max]" of one field over the runs, with a unit and precision.
function cell(key, field, unit = 'ms', digits = 0) {
  const v = (results[key] || []).map((r) => r[field]).filter((x) => typeof x === 'number');
  if (!v.length) return '-';
  const f = (x) => x.toFixed(digits);
  const range = v.length > 1 ? ` [${f(Math.min(...v))}-${f(Math.max(...v))}]` : '';
  return `${f(median(v))}${unit}${range}`;
}
const has = (key) => results[key] && results[key].length;

const rows = [];
if (has('find')) {
  rows.push([
    'require + find(), pregyp as installed (core from @pregyp/<triple>)',
    cell('find', 'installed_ms', ' ms', 3),
    cell('find', 'reference_ms', ' ms', 1),
    `empty C addon ${cell('find', 'floor_ms', ' ms', 3)}`,
    `${cell('find', 'installed_vs_floor', 'x', 2)} floor; ${cell('find', 'installed_speedup', 'x', 0)} faster than ref`,
    '<= 2.0x floor',
  ]);
  rows.push([
    'require + find(), a build in a clone (core beside index.js)',
    cell('find', 'pregyp_ms', ' ms', 3),
    '-',
    `empty C addon ${cell('find', 'floor_ms', ' ms', 3)}`,
    `${cell('find', 'vs_floor', 'x', 2)} floor`,
    '-',
  ]);
}
if (has('find')) {
  rows.push([
    'find() from the platform package',
    cell('find', 'platform_ms', ' ms', 3),
    '-',
    `module_path ${cell('find', 'pregyp_ms', ' ms', 3)}`,
    `+${cell('find', 'platform_extra_ms', ' ms', 3)}`,
    '<= +0.15 ms',
  ]);
  rows.push(['load() (find + require of a 0.7 MB addon)', cell('find', 'load_ms', ' ms', 3), '-', '-', '-', '-']);
  // Where find()'s time goes: any JS module, and the native side without one.
  rows.push(['  share: require of a one-line JS module', cell('find', 'one_line_js_ms', ' ms', 3), '-', '-', '-', '-']);
  rows.push(['  share: find() binary opened and called, no JS', cell('find', 'find_binary_alone_ms', ' ms', 3), '-', '-', '-', '-']);
  // The least any JS package can do around the same core (no checks, no fallbacks).
  rows.push(['  bound: a 7-line shim around the same core', cell('find', 'bare_shim_ms', ' ms', 3), '-', `empty C addon ${cell('find', 'floor_ms', ' ms', 3)}`, `${cell('find', 'bare_shim_vs_floor', 'x', 2)} floor`, '-']);
  // The least a design with no native call can do (find() in plain JS, no checks).
  rows.push(['  bound: find() in plain JS, no checks', cell('find', 'js_find_ms', ' ms', 3), '-', `empty C addon ${cell('find', 'floor_ms', ' ms', 3)}`, `${cell('find', 'js_find_vs_floor', 'x', 2)} floor`, '-']);
}
if (has('install')) {
  const r = results.install[0];
  rows.push([
    `install --update-binary, ${r.tarball_mb} MB tarball (${r.unpacked_mb} MB) over HTTPS`,
    `${cell('install', 'pregyp_ms')}, ${cell('install', 'pregyp_rss_mb', ' MB')}`,
    `${cell('install', 'reference_ms')}, ${cell('install', 'reference_rss_mb', ' MB')}`,
    `curl | tar xz ${cell('install', 'curl_tar_ms')}`,
    `${cell('install', 'vs_curl_tar', 'x', 2)} curl|tar; ${cell('install', 'vs_reference', 'x', 1)} faster than ref`,
    '<= 0.75x; <= 64 MB',
  ]);
  rows.push([
    'repeat install --update-binary from the cache',
    `${cell('install', 'cached_ms')}, ${cell('install', 'cached_rss_mb', ' MB')}`,
    '-',
    `tar xzf ${cell('install', 'tar_xzf_ms')}`,
    `${cell('install', 'cached_vs_tar', 'x', 2)} tar xzf`,
    '<= 1x; <= 64 MB',
  ]);
}
if (has('install400')) {
  const r = results.install400[0];
  rows.push([
    `install --update-binary, ${r.tarball_mb} MB tarball (${r.unpacked_mb} MB) over HTTPS`,
    `${cell('install400', 'pregyp_ms')}, ${cell('install400', 'pregyp_rss_mb', ' MB')}`,
    '(not run)',
    `curl | tar xz ${cell('install400', 'curl_tar_ms')}`,
    `${cell('install400', 'vs_curl_tar', 'x', 2)} curl|tar`,
    'flat RSS (<= 64 MB)',
  ]);
}
if (has('heal')) {
  const r = results.heal[0];
  rows.push([
    `heal: ${r.packages} packages missing their binding, local mirror`,
    `${cell('heal', 'heal_ms')}, ${cell('heal', 'heal_rss_mb', ' MB')}`,
    '(no heal)',
    `one install ${cell('heal', 'one_install_ms')}`,
    `${cell('heal', 'vs_one_install', 'x', 2)} one install`,
    '<= 3x',
  ]);
}
if (has('package')) {
  const r = results.package[0];
  rows.push([
    `package, ${r.input_mb} MiB module_path`,
    `${cell('package', 'pregyp_ms')}, ${cell('package', 'pregyp_rss_mb', ' MB')}`,
    cell('package', 'reference_ms'),
    `tar czf ${cell('package', 'tar_ms')}`,
    `${cell('package', 'vs_tar', 'x', 2)} tar's time; size ${cell('package', 'size_vs_tar', 'x', 3)}; ${cell('package', 'vs_reference', 'x', 1)} faster than ref`,
    '<= 0.7x; size within 2%',
  ]);
}

// A `|` inside a cell (`curl | tar`) would end it in Markdown.
for (const r of rows) for (let i = 0; i < r.length; i++) r[i] = r[i].replace(/\|/g, '\\|');
const head = ['measure', 'pregyp', '@mapbox/node-pre-gyp', 'physical floor', 'ratio', 'target'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`median of ${REPEATS} runs [range]; load average ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)} on ${os.cpus().length} cores`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
