#!/usr/bin/env node
'use strict';
// bench/heal: a project whose node_modules holds PACKAGES native packages installed
// without their binaries (npm --ignore-scripts), each served by a local mirror on
// 127.0.0.1: a real, loadable Node-API binding (an empty addon built with node-gyp)
// plus PAYLOAD_MB of binary-like data. Median wall time and peak RSS of
//   pregyp heal                 (every binding missing, fresh cache)
//   pregyp install              (one of those packages alone, fresh cache)
// interleaved, and their ratio (target: heal <= 3x one install). The reference has
// no heal. Run by hand (npm run bench); not part of the tests.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { tarBuffer } = require('../__test__/helpers/tarballs');
const { root, median, buildEmptyAddon, timed, payload, cleanEnv } = require('./helpers');

const RUNS = Number(process.env.RUNS || 5);
const PACKAGES = Number(process.env.PACKAGES || 20);
const PAYLOAD_MB = Number(process.env.PAYLOAD_MB || 2);

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-bench-heal-'));
  const addon = fs.readFileSync(buildEmptyAddon(path.join(work, 'addon')));
  const tarball = zlib.gzipSync(tarBuffer([
    { name: 'binding/', type: 'dir' },
    { name: 'binding/hello.node', type: 'file', content: addon },
    { name: 'binding/data.bin', type: 'file', content: payload(PAYLOAD_MB << 20) },
  ]), { level: 6 });
  const server = http.createServer((req, res) => {
    if (!/^\/native-\d+\.tar\.gz$/.test(req.url)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': tarball.length, 'content-type': 'application/gzip' });
    res.end(tarball);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));

  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'bench-heal', version: '1.0.0', private: true }));
  const pkgs = [];
  for (let i = 1; i <= PACKAGES; i++) {
    const dir = path.join(project, 'node_modules', `native-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
      name: `native-${i}`, version: '1.0.0', main: 'index.js',
      binary: { module_name: 'hello', module_path: './lib/binding/', host: 'https://binaries.example.invalid/', package_name: `native-${i}.tar.gz` },
    }));
    pkgs.push(dir);
  }
  const unheal = () => {
    for (const d of pkgs) fs.rmSync(path.join(d, 'lib'), { recursive: true, force: true });
  };
  const env = { ...cleanEnv(), PREGYP_BINARY_HOST_MIRROR: `http://127.0.0.1:${server.address().port}/` };
  const cli = path.join(root, 'bin', 'pregyp.js');
  let n = 0;
  const cache = () => path.join(work, `cache-${n++}`);
  const tools = {
    heal: () => {
      unheal();
      return timed(process.execPath, [cli, 'heal', '--silent'], { cwd: project, env: { ...env, PREGYP_CACHE: cache() } });
    },
    'one install': () => {
      unheal();
      return timed(process.execPath, [cli, 'install', '--silent'], { cwd: pkgs[0], env: { ...env, PREGYP_CACHE: cache() } });
    },
  };
  const samples = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(tools)) samples[name].push(await run());
  }
  // Every binding must be in place after a heal (and load: heal test-loads each).
  unheal();
  await timed(process.execPath, [cli, 'heal', '--silent'], { cwd: project, env: { ...env, PREGYP_CACHE: cache() } });
  const missing = pkgs.filter((d) => !fs.existsSync(path.join(d, 'lib', 'binding', 'hello.node')));
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
  if (missing.length) throw new Error(`heal left ${missing.length} binding(s) missing`);
  const stat = (k) => ({ ms: median(samples[k].map((x) => x.ms)), rssMb: Math.max(...samples[k].map((x) => x.rssMb)) });
  const heal = stat('heal');
  const one = stat('one install');
  return {
    bench: 'heal',
    packages: PACKAGES,
    tarball_mb: +(tarball.length / 1048576).toFixed(2),
    runs: RUNS,
    load: os.loadavg()[0],
    heal_ms: +heal.ms.toFixed(1),
    heal_rss_mb: +heal.rssMb.toFixed(1),
    one_install_ms: +one.ms.toFixed(1),
    one_install_rss_mb: +one.rssMb.toFixed(1),
    vs_one_install: +(heal.ms / one.ms).toFixed(2),
  };
}

main().then((r) => {
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
  } else {
    console.log(`bench/heal: ${r.packages} packages missing their binding (${r.tarball_mb} MB tarball each) from a mirror on 127.0.0.1, median of ${r.runs}, load ${r.load.toFixed(2)}`);
    console.log(`  pregyp heal          ${r.heal_ms} ms, peak RSS ${r.heal_rss_mb} MB`);
    console.log(`  pregyp install (one) ${r.one_install_ms} ms, peak RSS ${r.one_install_rss_mb} MB`);
    console.log(`  heal takes ${r.vs_one_install}x one install (target: <= 3x)`);
  }
}, (e) => {
  console.error(e);
  process.exit(1);
});
