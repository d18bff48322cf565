#!/usr/bin/env node
'use strict';
// bench/install: a tarball of ~40 MB of binaries served from 127.0.0.1. It is served
// over plain HTTP through the mirror variable (the reference refuses http: only in
// binary.host), because Node's TLS server would be the bottleneck for every tool.
// Median wall time and peak RSS of
//   pregyp install --update-binary            (fresh cache each run: a real download)
//   @mapbox/node-pre-gyp install --update-binary
//   curl -s URL | tar xz                     (the physical baseline)
// in the same run, interleaved. Run by hand (npm run bench); not part of the tests.
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { tarBuffer } = require('../__test__/helpers/tarballs');

const RUNS = Number(process.env.RUNS || 7);
const SIZE_MB = Number(process.env.SIZE_MB || 40);
const root = path.join(__dirname, '..');
const reference = path.join(path.dirname(require.resolve('@mapbox/node-pre-gyp/package.json', { paths: [root] })), 'bin', 'node-pre-gyp');

// Binary-like content: half random (incompressible), half repetitive, like real .node files.
function payload(bytes) {
  const buf = Buffer.alloc(bytes);
  crypto.randomFillSync(buf, 0, bytes >> 1);
  for (let i = bytes >> 1; i < bytes; i++) buf[i] = (i * 31) & 0x3f;
  return buf;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-bench-install-'));
  const files = [{ name: 'binding/', type: 'dir' }, { name: 'binding/bench.node', type: 'file', content: payload(Math.round(SIZE_MB * 0.75) << 20) }];
  for (let i = 0; i < 8; i++) files.push({ name: `binding/lib/part${i}.so`, type: 'file', content: payload(Math.round(SIZE_MB * 0.25 / 8 * (1 << 20))) });
  const tarball = zlib.gzipSync(tarBuffer(files), { level: 6 });
  const server = http.createServer((req, res) => {
    if (req.url !== '/bench.tar.gz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': tarball.length, 'content-type': 'application/gzip' });
    res.end(tarball);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const mirror = `http://127.0.0.1:${server.address().port}/`;
  const url = `${mirror}bench.tar.gz`;
  const pkgDir = path.join(work, 'pkg');
  fs.mkdirSync(pkgDir);
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({
    name: 'bench-install', version: '1.0.0', main: 'index.js',
    binary: { module_name: 'bench', module_path: './lib/binding/', host: 'https://binaries.example.invalid/', package_name: 'bench.tar.gz' },
  }));
  const curlDir = path.join(work, 'curl');
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/.test(k)) delete env[k];
  env.npm_config_bench_binary_host_mirror = mirror;

  // The server runs in this process, so every command runs in a child: spawn asynchronously.
  const { spawn } = require('child_process');
  function timed(cmd, args, opts) {
    return new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const child = spawn('/usr/bin/time', ['-f', '%M', cmd, ...args], { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} failed:\n${err}`));
        const rssKb = Number(err.trim().split('\n').pop());
        resolve({ ms, rssMb: rssKb / 1024 });
      });
    });
  }
  const tools = {
    pregyp: (i) => timed(process.execPath, [path.join(root, 'bin', 'pregyp.js'), 'install', '--update-binary', '--silent'], { cwd: pkgDir, env: { ...env, PREGYP_CACHE: path.join(work, `cache-${i}`) } }),
    reference: () => timed(process.execPath, [reference, 'install', '--update-binary', '--loglevel=error'], { cwd: pkgDir, env }),
    'curl | tar': () => {
      fs.rmSync(curlDir, { recursive: true, force: true });
      fs.mkdirSync(curlDir);
      return timed('sh', ['-c', `curl -s ${url} | tar xzf - -C ${curlDir}`], { env });
    },
  };
  const samples = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(tools)) samples[name].push(await run(i));
    fs.rmSync(path.join(work, `cache-${i}`), { recursive: true, force: true });
  }
  server.close();
  const median = (a) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const stats = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ms: median(v.map((x) => x.ms)), rssMb: Math.max(...v.map((x) => x.rssMb)) }]));
  fs.rmSync(work, { recursive: true, force: true });
  const result = {
    bench: 'install',
    tarball_mb: +(tarball.length / 1048576).toFixed(1),
    unpacked_mb: SIZE_MB,
    runs: RUNS,
    pregyp_ms: +stats.pregyp.ms.toFixed(1),
    reference_ms: +stats.reference.ms.toFixed(1),
    curl_tar_ms: +stats['curl | tar'].ms.toFixed(1),
    pregyp_rss_mb: +stats.pregyp.rssMb.toFixed(1),
    reference_rss_mb: +stats.reference.rssMb.toFixed(1),
    curl_tar_rss_mb: +stats['curl | tar'].rssMb.toFixed(1),
    vs_reference: +(stats.reference.ms / stats.pregyp.ms).toFixed(2),
    vs_curl_tar: +(stats.pregyp.ms / stats['curl | tar'].ms).toFixed(2),
  };
  return result;
}

main().then((r) => {
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
  } else {
    console.log(`bench/install: ${r.tarball_mb} MB tarball (${r.unpacked_mb} MB unpacked) over HTTP on 127.0.0.1, median of ${r.runs}`);
    console.log(`  pregyp               ${r.pregyp_ms} ms, peak RSS ${r.pregyp_rss_mb} MB`);
    console.log(`  @mapbox/node-pre-gyp ${r.reference_ms} ms, peak RSS ${r.reference_rss_mb} MB`);
    console.log(`  curl | tar           ${r.curl_tar_ms} ms (curl's and tar's RSS: ${r.curl_tar_rss_mb} MB)`);
    console.log(`  pregyp is ${r.vs_reference}x faster than the reference and takes ${r.vs_curl_tar}x curl|tar's time (targets: >= 3x, <= 1.1x, RSS <= 64 MB)`);
  }
});
