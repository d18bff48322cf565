'use strict';
// Real prebuild-install packages, their binaries built here once and packed as
// prebuild-install names them, cached outside the repository across runs (compiling
// sqlite3 takes minutes on two cores; every later run takes the cached tarball).
//
// Cache: $PREGYP_HEAL_CACHE, else ~/.cache/pregyp-heal. One folder per package, version,
// Node ABI, platform and arch; a `.complete` marker records a finished build.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cleanEnv } = require('./run');
// `npm pack <spec>`, cached: the registry's tarball of a real package.
const { realPackage: packed } = require('./toolchain');

const CACHE = process.env.PREGYP_HEAL_CACHE || path.join(os.homedir(), '.cache', 'pregyp-heal');
const NODE_GYP = [
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ...(process.env.PATH || '').split(path.delimiter).map((d) => path.join(d, 'node-gyp')),
].find((p) => fs.existsSync(p));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 1_800_000, env: cleanEnv(), ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}${r.error || ''}`);
  return r.stdout;
}

/** prebuild-install@7.1.3 unpacked with its dependencies (for checking our rules against its util.js). */
function prebuildInstall() {
  const dir = path.join(CACHE, 'prebuild-install-7.1.3');
  if (fs.existsSync(path.join(dir, '.complete'))) return path.join(dir, 'node_modules', 'prebuild-install');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pi-check', version: '1.0.0', private: true, dependencies: { 'prebuild-install': '7.1.3' } }));
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return path.join(dir, 'node_modules', 'prebuild-install');
}

/**
 * built(spec, { napi, module }) -> { file, name, version, tarball, sha256 }
 * Builds `spec` (e.g. 'sqlite3@6.0.1') from source once with node-gyp and packs
 * build/Release/<module>.node as `<name>-v<version>-<runtime>-v<abi>-<platform><libc>-<arch>.tar.gz`
 * (runtime napi with `napi`, the best of binary.napi_versions; node otherwise).
 */
function built(spec, { napi = false, module }) {
  const tgz = packed(spec);
  const stem = path.basename(tgz, '.tgz');
  const key = `${stem}-node-v${process.versions.modules}-${process.platform}-${process.arch}`;
  const dir = path.join(CACHE, 'builds', key);
  const pkgDir = path.join(dir, 'package');
  const meta = path.join(dir, 'built.json');
  if (fs.existsSync(path.join(dir, '.complete'))) return { ...JSON.parse(fs.readFileSync(meta, 'utf8')), tgz };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  run('tar', ['xzf', tgz, '-C', dir]);
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  // Its build needs its dependencies (node-addon-api), never its scripts.
  run('npm', ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: pkgDir });
  let runtime = 'node';
  let abi = process.versions.modules;
  if (napi) {
    runtime = 'napi';
    abi = String(Math.max(...pkg.binary.napi_versions.filter((v) => v <= Number(process.versions.napi))));
  }
  const gypArgs = [NODE_GYP, 'rebuild', '--release', `--jobs=${os.availableParallelism()}`];
  if (napi) gypArgs.push(`--napi_build_version=${abi}`);
  run(process.execPath, gypArgs, { cwd: pkgDir });
  const node = path.join(pkgDir, 'build', 'Release', `${module}.node`);
  if (!fs.existsSync(node)) throw new Error(`${spec}: no ${node} after the build`);
  const libc = process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime ? 'musl' : '';
  const name = pkg.name.replace(/^@[^/]+\//, '');
  const file = `${name}-v${pkg.version}-${runtime}-v${abi}-${process.platform}${libc}-${process.arch}.tar.gz`;
  const out = path.join(dir, file);
  // prebuild packs build/Release/<module>.node, relative to the package folder.
  run('tar', ['czf', out, '-C', pkgDir, `build/Release/${module}.node`]);
  const sha256 = require('node:crypto').createHash('sha256').update(fs.readFileSync(out)).digest('hex');
  const result = { file, name: pkg.name, version: pkg.version, tarball: out, sha256, runtime, abi };
  fs.writeFileSync(meta, JSON.stringify(result, null, 2));
  result.tgz = tgz;
  fs.rmSync(path.join(pkgDir, 'node_modules'), { recursive: true, force: true });
  fs.rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true });
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return result;
}

const SQLITE3 = 'sqlite3@6.0.1';
const BETTER_SQLITE3 = 'better-sqlite3@12.4.1';

/** Both real packages' binaries: { sqlite3, betterSqlite3 }. */
function sqliteBinaries() {
  return {
    sqlite3: built(SQLITE3, { napi: true, module: 'node_sqlite3' }),
    betterSqlite3: built(BETTER_SQLITE3, { module: 'better_sqlite3' }),
  };
}

module.exports = { built, prebuildInstall, sqliteBinaries, SQLITE3, BETTER_SQLITE3, CACHE, NODE_GYP };

if (require.main === module) {
  const t = Date.now();
  console.log(JSON.stringify(sqliteBinaries(), null, 2));
  console.log(`prebuild-install at ${prebuildInstall()}`);
  console.log(`${Date.now() - t} ms`);
}
