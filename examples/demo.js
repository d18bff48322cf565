#!/usr/bin/env node
'use strict';
// npm run demo: the whole life of a native package that ships prebuilt binaries
// with pregyp, offline, on this machine:
//   build the example addon (both Node-API versions) -> package -> start a local
//   S3-compatible server -> publish -> in a fresh project, `npm install` the example
//   as a user would (the binary comes from the bucket, not a compiler) -> require it
//   and call it. Then the other path, with no install script at all: platform packages
//   (`platform-package --from`, `optional-deps --write`) published with the example to
//   a local npm registry (verdaccio), installed with `npm install --ignore-scripts`, the
//   binding loaded from the platform package -> a summary of every step and its time.
//   Cleans up; fails loudly.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startMoto, s3Env, createBucket } = require('../__test__/helpers/moto');
const { packLocal, stageLocal } = require('../scripts/pack-local');
const { startRegistry } = require('../__test__/helpers/registry');

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'pregyp.js');
const BUCKET = 'pregyp-demo';
const steps = [];
let moto;
let work;
let registry;

function fail(message, detail = '') {
  console.error(`\n✖ demo failed: ${message}`);
  if (detail) console.error(detail.trim().split('\n').slice(-30).join('\n'));
  cleanup();
  process.exit(1);
}

function cleanup() {
  if (moto) moto.stop().catch(() => {});
  if (registry) registry.stop();
  if (work && !process.env.PREGYP_KEEP_DEMO) fs.rmSync(work, { recursive: true, force: true });
}

// Runs a command, records its time, fails the demo on a non-zero exit.
function run(title, cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts, env: { ...process.env, ...opts.env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error || r.status !== 0) fail(`${title}: \`${[path.basename(cmd), ...args].join(' ')}\` exited ${r.status}`, `${r.stdout || ''}\n${r.stderr || ''}${r.error ? r.error.message : ''}`);
  steps.push({ title, ms });
  console.log(`✔ ${title} (${ms.toFixed(0)} ms)`);
  return r;
}

async function timed(title, fn) {
  const t0 = process.hrtime.bigint();
  try {
    const v = await fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    steps.push({ title, ms });
    console.log(`✔ ${title} (${ms.toFixed(0)} ms)`);
    return v;
  } catch (e) {
    return fail(title, e.stack || String(e));
  }
}

// node-gyp would download Node's headers; use the installed ones when they match.
function nodedirEnv() {
  try {
    const h = fs.readFileSync('/usr/include/node/node_version.h', 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => (new RegExp(`#define NODE_${k}_VERSION (\\d+)`).exec(h) || [])[1]).join('.');
    return `v${v}` === process.version ? { npm_config_nodedir: '/usr' } : {};
  } catch {
    return {};
  }
}

async function main() {
  for (const f of fs.readdirSync(ROOT)) if (/^pregyp-find\..+\.node$/.test(f)) work = true;
  if (!work) fail('pregyp is not built here: run `npm install` first');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-demo-'));
  process.on('SIGINT', () => fail('interrupted'));

  moto = await timed('start a local S3-compatible server (moto)', async () => {
    const m = await startMoto();
    await createBucket(m.endpoint, BUCKET);
    return m;
  });

  // The maintainer's side: the example, pointed at the local bucket.
  const addon = path.join(work, 'hello');
  fs.cpSync(path.join(__dirname, 'hello'), addon, { recursive: true });
  const pkgFile = path.join(addon, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  Object.assign(pkg.binary, { host: moto.endpoint, bucket: BUCKET, region: 'us-east-1', s3ForcePathStyle: true });
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const maintainerEnv = { ...s3Env(), ...nodedirEnv() };
  for (const k of Object.keys(process.env)) if (/^npm_(config|package|lifecycle)_/.test(k)) maintainerEnv[k] = undefined;
  const cleanEnv = Object.fromEntries(Object.entries({ ...process.env, ...maintainerEnv }).filter(([, v]) => v !== undefined));
  const pregyp = (title, args) => run(title, process.execPath, [CLI, ...args, '--loglevel=warn'], { cwd: addon, env: cleanEnv });

  pregyp('build the example with node-gyp (Node-API v3 and v8)', ['rebuild']);
  const packaged = pregyp('package both builds (reproducible .tar.gz + .sha256)', ['package', '--json']);
  const tarballs = packaged.stdout.trim().split('\n').map((l) => JSON.parse(l));
  pregyp('test the staged packages in a child node', ['testpackage']);
  pregyp('publish to the bucket (public-read)', ['publish']);
  const info = pregyp('list what the bucket holds', ['info']);

  // The user's side: a fresh project installs the example from tarballs, as from a registry.
  const packs = path.join(work, 'packs');
  const { root: pregypTgz, platform: platformTgz, full: fullTgz, triple } = await timed('pack pregyp and its platform packages', () => packLocal(packs, { stubs: false }));
  run('pack the example', 'npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packs], { cwd: addon });
  const consumer = path.join(work, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({
    name: 'demo-consumer', version: '1.0.0', private: true,
    // npm 11 runs dependencies' install scripts only when allowed: the user approves this one.
    allowScripts: { 'pregyp-example-hello': true },
    dependencies: {
      pregyp: `file:${pregypTgz}`,
      [`@pregyp/${triple}`]: `file:${platformTgz}`,
      // The commands, which the example's install script runs (an author would add @pregyp/cli).
      [`@pregyp/full-${triple}`]: `file:${fullTgz}`,
      'pregyp-example-hello': `file:${path.join(packs, 'pregyp-example-hello-1.0.0.tgz')}`,
    },
  }, null, 2));
  // No registry: an unreachable one makes npm skip pregyp's optional platform packages
  // for other systems at once instead of looking them up.
  const userEnv = Object.fromEntries(Object.entries({ ...process.env, ...s3Env(), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }).filter(([k, v]) => v !== undefined && !/^npm_(config|package|lifecycle)_/.test(k)));
  const installed = run('npm install the example in a fresh project (binary from the bucket)', 'npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--registry=http://127.0.0.1:9/', '--fetch-retries=0'], { cwd: consumer, env: userEnv });
  const log = installed.stdout + installed.stderr;
  const dep = path.join(consumer, 'node_modules', 'pregyp-example-hello');
  if (!/is installed via remote/.test(log)) fail('the install did not report a download from the bucket', log);
  if (fs.existsSync(path.join(dep, 'build'))) fail('the example was compiled on install instead of downloaded', log);
  const call = run('require the example and call it', process.execPath, ['-e', "console.log(require('pregyp-example-hello').greet('demo'))"], { cwd: consumer, env: userEnv });
  const greeting = call.stdout.trim();
  if (!/^hello, demo \(Node-API v\d+\)$/.test(greeting)) fail(`unexpected answer from the addon: ${greeting}`);

  // The second path: platform packages on an npm registry, install scripts blocked.
  const stageDir = path.join(work, 'artifacts', 'job-this-machine');
  fs.cpSync(path.join(addon, 'build', 'stage'), stageDir, { recursive: true });
  const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
  const here = process.platform === 'linux' ? `linux-${process.arch}-${glibc ? 'glibc' : 'musl'}` : `${process.platform}-${process.arch}`;
  // This machine builds one target; a CI matrix builds them all (docs/platform-packages.md, "CI matrix workflow").
  pkg.binary.platform_packages.targets = [here];
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const made = pregyp('platform packages from the staged tarballs (platform-package --from)', ['platform-package', '--from', path.join(work, 'artifacts')]);
  pregyp('optionalDependencies on them (optional-deps --write)', ['optional-deps', '--write']);
  registry = await timed('start a local npm registry (verdaccio)', () => startRegistry());
  await timed('publish pregyp, the platform package, then the example', () => {
    const own = stageLocal(path.join(work, 'pregyp-packages'));
    for (const d of [own.platform, ...Object.values(own.others), own.root]) registry.publish(d);
    registry.publish(path.join(addon, 'build', 'npm', '@pregyp-example', `hello-${here}`));
    registry.publish(addon);
  });
  const noScripts = path.join(work, 'consumer-no-scripts');
  fs.mkdirSync(noScripts);
  fs.writeFileSync(path.join(noScripts, 'package.json'), JSON.stringify({ name: 'demo-no-scripts', version: '1.0.0', private: true, dependencies: { 'pregyp-example-hello': '1.0.0' } }, null, 2));
  registry.writeNpmrc(noScripts);
  const userEnv2 = { ...userEnv, PREGYP_CACHE: path.join(work, 'empty-cache') };
  run('npm install --ignore-scripts from the registry (no install script runs)', 'npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: noScripts, env: userEnv2 });
  const call2 = run('require the example and call it (binding from the platform package)', process.execPath, ['-e', "const d=require('path').dirname(require.resolve('pregyp-example-hello/package.json'));console.log(require('pregyp-example-hello').greet('demo'));console.log(require('pregyp').find(d+'/package.json'))"], { cwd: noScripts, env: userEnv2 });
  const [greeting2, from2] = call2.stdout.trim().split('\n');
  if (greeting2 !== greeting) fail(`unexpected answer from the addon: ${greeting2}`);
  if (!from2.includes(`@pregyp-example/hello-${here}`)) fail(`the binding did not come from the platform package: ${from2}`);
  if (fs.existsSync(path.join(noScripts, 'node_modules', 'pregyp-example-hello', 'lib'))) fail('something was installed into module_path');

  const total = steps.reduce((a, s) => a + s.ms, 0);
  const width = Math.max(...steps.map((s) => s.title.length));
  console.log('\npregyp demo: all steps passed\n');
  for (const s of steps) console.log(`  ${s.title.padEnd(width)}  ${s.ms.toFixed(0).padStart(6)} ms`);
  console.log(`  ${'total'.padEnd(width)}  ${total.toFixed(0).padStart(6)} ms\n`);
  console.log(`  published objects:\n${info.stdout.trim().split('\n').map((l) => `    ${l}`).join('\n')}`);
  console.log(`  tarballs: ${tarballs.flat().map((t) => `${path.basename(t.tarball)} (${(t.size / 1024).toFixed(1)} KiB)`).join(', ')}`);
  console.log(`  the addon says: ${greeting}`);
  console.log(`  with install scripts blocked, from ${path.relative(noScripts, from2)}`);
  console.log(`  platform package: ${made.stdout.trim().split('\n').join('; ')}`);
  cleanup();
}

main().catch((e) => fail('unexpected error', e.stack || String(e)));
