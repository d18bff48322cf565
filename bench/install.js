#!/usr/bin/env node
'use strict';
// bench/install: a tarball of SIZE_MB (default 40) MB of binaries served over HTTPS
// from 127.0.0.1 (test CA; the mirror variable points every tool at it). Median wall
// time and peak RSS, interleaved in the same rounds, of
//   pregyp install --update-binary            (fresh cache each run: a real download)
//   @mapbox/node-pre-gyp install --update-binary
//   curl URL | tar xz                         (the physical floor of a download)
//   pregyp install --update-binary, cached    (the tarball already in pregyp's cache)
//   tar xzf <that cached tarball>             (the physical floor of a cached install)
// Run by hand (npm run bench); not part of the tests. NO_REFERENCE=1 skips the reference
// (for big sizes: it buffers the whole tarball).
const fs = require('fs');
const https = require('https');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { tarBuffer } = require('../__test__/helpers/tarballs');
const { makeTestCA } = require('../__test__/helpers/tls');
const { root, median, timed, payload, cleanEnv } = require('./helpers');

const RUNS = Number(process.env.RUNS || 7);
const SIZE_MB = Number(process.env.SIZE_MB || 40);
const NO_REFERENCE = /^(1|true)$/.test(process.env.NO_REFERENCE || '');
const reference = path.join(path.dirname(require.resolve('@mapbox/node-pre-gyp/package.json', { paths: [root] })), 'bin', 'node-pre-gyp');

function findFile(dir, re) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, re);
      if (f) return f;
    } else if (re.test(e.name)) return p;
  }
  return null;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-bench-install-'));
  const ca = makeTestCA(path.join(work, 'ca'));
  // One big binding and a few libraries beside it, like an addon with bundled .so files.
  const files = [{ name: 'binding/', type: 'dir' }, { name: 'binding/bench.node', type: 'file', content: payload(Math.round(SIZE_MB * 0.75) << 20) }];
  for (let i = 0; i < 8; i++) files.push({ name: `binding/lib/part${i}.so`, type: 'file', content: payload(Math.round(SIZE_MB * 0.25 / 8 * (1 << 20))) });
  const tarball = zlib.gzipSync(tarBuffer(files), { level: Number(process.env.GZIP_LEVEL || 6) });
  files.length = 0;
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    if (req.url !== '/bench.tar.gz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': tarball.length, 'content-type': 'application/gzip' });
    res.end(tarball);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const mirror = `https://127.0.0.1:${server.address().port}/`;
  const url = `${mirror}bench.tar.gz`;
  const pkgDir = path.join(work, 'pkg');
  fs.mkdirSync(pkgDir);
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({
    name: 'bench-install', version: '1.0.0', main: 'index.js',
    binary: { module_name: 'bench', module_path: './lib/binding/', host: 'https://binaries.example.invalid/', package_name: 'bench.tar.gz' },
  }));
  const outDir = path.join(work, 'out');
  // Each tool trusts the test CA its own way: curl with --cacert, pregyp with npm's
  // cafile setting, the reference (Node's TLS) through NODE_EXTRA_CA_CERTS. Not the latter
  // for pregyp: it makes Node build its whole root store at start-up (~30 ms here) for a
  // process whose TLS is all in Rust.
  const env = { ...cleanEnv(), npm_config_bench_binary_host_mirror: mirror };
  delete env.NODE_EXTRA_CA_CERTS;
  const pregyp = (cache) => timed(process.execPath, [path.join(root, 'bin', 'pregyp.js'), 'install', '--update-binary', '--silent'], { cwd: pkgDir, env: { ...env, npm_config_cafile: ca.caFile, PREGYP_CACHE: cache } });
  const fresh = () => {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir);
  };

  // The cached case: one install fills a cache that later runs are served from.
  const warmCache = path.join(work, 'cache-warm');
  await pregyp(warmCache);
  // The blob itself (content/<sha256>), not the index entry naming it.
  const cached = findFile(path.join(warmCache, 'content'), /^[0-9a-f]{64}$/);
  if (!cached) throw new Error(`no tarball in ${warmCache}`);

  let n = 0;
  const tools = {
    pregyp: () => pregyp(path.join(work, `cache-${n++}`)),
    reference: () => timed(process.execPath, [reference, 'install', '--update-binary', '--loglevel=error'], { cwd: pkgDir, env: { ...env, NODE_EXTRA_CA_CERTS: ca.caFile } }),
    'curl | tar': () => {
      fresh();
      return timed('sh', ['-c', `curl -s --cacert ${ca.caFile} ${url} | tar xzf - -C ${outDir}`], { env });
    },
    'pregyp, cached': () => pregyp(warmCache),
    'tar xzf cached': () => {
      fresh();
      return timed('tar', ['xzf', cached, '-C', outDir]);
    },
  };
  if (NO_REFERENCE) delete tools.reference;
  const samples = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(tools)) {
      samples[name].push(await run());
      if (name === 'pregyp') fs.rmSync(path.join(work, `cache-${n - 1}`), { recursive: true, force: true });
    }
  }
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
  const stats = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { ms: median(v.map((x) => x.ms)), rssMb: Math.max(...v.map((x) => x.rssMb)) }]));
  const r1 = (x) => (x === undefined ? null : +x.toFixed(1));
  return {
    bench: 'install',
    tarball_mb: +(tarball.length / 1048576).toFixed(1),
    unpacked_mb: SIZE_MB,
    runs: RUNS,
    load: os.loadavg()[0],
    pregyp_ms: r1(stats.pregyp.ms),
    pregyp_rss_mb: r1(stats.pregyp.rssMb),
    reference_ms: r1(stats.reference && stats.reference.ms),
    reference_rss_mb: r1(stats.reference && stats.reference.rssMb),
    curl_tar_ms: r1(stats['curl | tar'].ms),
    curl_tar_rss_mb: r1(stats['curl | tar'].rssMb),
    cached_ms: r1(stats['pregyp, cached'].ms),
    cached_rss_mb: r1(stats['pregyp, cached'].rssMb),
    tar_xzf_ms: r1(stats['tar xzf cached'].ms),
    vs_reference: stats.reference ? +(stats.reference.ms / stats.pregyp.ms).toFixed(2) : null,
    vs_curl_tar: +(stats.pregyp.ms / stats['curl | tar'].ms).toFixed(2),
    cached_vs_tar: +(stats['pregyp, cached'].ms / stats['tar xzf cached'].ms).toFixed(2),
  };
}

main().then((r) => {
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
  } else {
    console.log(`bench/install: ${r.tarball_mb} MB tarball (${r.unpacked_mb} MB unpacked) over HTTPS on 127.0.0.1, median of ${r.runs}, load ${r.load.toFixed(2)}`);
    console.log(`  pregyp               ${r.pregyp_ms} ms, peak RSS ${r.pregyp_rss_mb} MB`);
    if (r.reference_ms !== null) console.log(`  @mapbox/node-pre-gyp ${r.reference_ms} ms, peak RSS ${r.reference_rss_mb} MB`);
    console.log(`  curl | tar           ${r.curl_tar_ms} ms (curl's and tar's RSS: ${r.curl_tar_rss_mb} MB)`);
    console.log(`  pregyp, cached       ${r.cached_ms} ms, peak RSS ${r.cached_rss_mb} MB`);
    console.log(`  tar xzf (cached)     ${r.tar_xzf_ms} ms`);
    console.log(`  download: ${r.vs_curl_tar}x curl|tar (target <= 0.75x)${r.vs_reference ? `, ${r.vs_reference}x faster than the reference` : ''}; cached: ${r.cached_vs_tar}x tar xzf (target <= 1x); RSS target <= 64 MB`);
  }
}, (e) => {
  console.error(e);
  process.exit(1);
});
