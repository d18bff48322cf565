'use strict';
// pregyp as users get it: the root package and this platform's @pregyp/<triple>
// package, packed with `npm pack` and installed into fresh projects with npm, pnpm
// and yarn (no registry needed: an unreachable one makes the managers skip the
// optional packages for other platforms). Then `npx pregyp --version`,
// `npx node-pre-gyp reveal` and find() must work there.
const { test, before } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { tmpdir, cleanEnv } = require('./helpers/run');
const { packLocal } = require('../scripts/pack-local');

const VERSION = require('../package.json').version;
let packs;

before(() => {
  packs = packLocal(tmpdir('pregyp-packs-'));
});

const MANAGERS = {
  npm: { install: ['npm', ['install', '--no-audit', '--no-fund', '--registry=http://127.0.0.1:9/', '--fetch-retries=0']], npx: ['npx', ['--no-install']] },
  pnpm: { install: ['npx', ['--yes', 'pnpm@10', 'install', '--registry=http://127.0.0.1:9/']], npx: ['npx', ['--yes', 'pnpm@10', 'exec']] },
  yarn: { install: ['npx', ['--yes', 'yarn@1', 'install', '--registry', 'http://127.0.0.1:9/', '--non-interactive']], npx: ['npx', ['--yes', 'yarn@1', 'run', '--silent']] },
};

// The package managers themselves come from the npm registry (through npx); when that
// is not reachable the manager's test is skipped with the reason.
function available(name) {
  if (name === 'npm') return null;
  const [cmd, args] = MANAGERS[name].install;
  const r = spawnSync(cmd, [...args.slice(0, 2), '--version'], { encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
  return r.status === 0 ? null : `${name} unavailable: ${(r.stderr || '').trim().split('\n').pop()}`;
}

function project(pm) {
  const dir = tmpdir(`pregyp-dist-${pm}-`);
  const native = path.join(dir, 'native');
  fs.mkdirSync(native);
  fs.writeFileSync(path.join(native, 'package.json'), JSON.stringify({
    name: 'native', version: '1.0.0', main: 'index.js',
    binary: { module_name: 'native', module_path: './lib/{node_abi}', host: 'https://example.com/' },
  }));
  fs.mkdirSync(path.join(native, 'lib', `node-v${process.versions.modules}`), { recursive: true });
  fs.writeFileSync(path.join(native, 'lib', `node-v${process.versions.modules}`, 'native.node'), '');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'consumer', version: '1.0.0', private: true,
    // yarn runs scripts from package.json; npm and pnpm use exec.
    scripts: { pregyp: 'pregyp', 'node-pre-gyp': 'node-pre-gyp' },
    dependencies: { pregyp: `file:${packs.root}`, [`@pregyp/${packs.triple}`]: `file:${packs.platform}` },
    // Until the platform packages are on a registry, yarn 1 needs them resolvable.
    ...(pm === 'yarn' ? { resolutions: Object.fromEntries(Object.entries({ ...packs.others, [`@pregyp/${packs.triple}`]: packs.platform }).map(([n, f]) => [n, `file:${f}`])) } : {}),
  }, null, 2));
  return dir;
}

for (const pm of Object.keys(MANAGERS)) {
  test(`installs with ${pm}: npx pregyp, npx node-pre-gyp and find() work`, (t) => {
    const why = available(pm);
    if (why) return t.skip(why);
    const dir = project(pm);
    const env = cleanEnv();
    const [icmd, iargs] = MANAGERS[pm].install;
    const inst = spawnSync(icmd, iargs, { cwd: dir, encoding: 'utf8', env, timeout: 180_000 });
    assert.strictEqual(inst.status, 0, `${pm} install failed:\n${inst.stdout}\n${inst.stderr}`);
    const [xcmd, xargs] = MANAGERS[pm].npx;
    const exec = (args, cwd = dir) => spawnSync(xcmd, [...xargs, ...args], { cwd, encoding: 'utf8', env, timeout: 120_000 });
    const v = exec(pm === 'yarn' ? ['pregyp', '--version'] : ['pregyp', '--version']);
    assert.strictEqual(v.stdout.trim().split('\n').pop(), `v${VERSION}`, v.stderr);
    const reveal = pm === 'yarn'
      ? exec(['node-pre-gyp', 'reveal', 'module_name', '-C', 'native'])
      : exec(['node-pre-gyp', 'reveal', 'module_name'], path.join(dir, 'native'));
    assert.strictEqual(reveal.status, 0, reveal.stderr);
    assert.strictEqual(reveal.stdout.trim().split('\n').pop(), 'native');
    const find = spawnSync(process.execPath, ['-e', "console.log(require('pregyp').find(require('path').resolve('native/package.json')))"], { cwd: dir, encoding: 'utf8', env });
    assert.strictEqual(find.stdout.trim(), fs.realpathSync(path.join(dir, 'native', 'lib', `node-v${process.versions.modules}`, 'native.node')), find.stderr);
  });
}

test('installed under the old name (npm alias), find() keeps the reference contract', () => {
  const dir = tmpdir('pregyp-alias-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'consumer', version: '1.0.0', private: true,
    dependencies: { '@mapbox/node-pre-gyp': `file:${packs.root}`, [`@pregyp/${packs.triple}`]: `file:${packs.platform}` },
  }));
  const inst = spawnSync('npm', MANAGERS.npm.install[1], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 180_000 });
  assert.strictEqual(inst.status, 0, inst.stderr);
  fs.writeFileSync(path.join(dir, 'pkg.json'), JSON.stringify({ name: 'x', version: '1.0.0', main: 'i.js', binary: { module_name: 'm', module_path: 'lib', host: 'https://h/' } }));
  const script = "const p = require('@mapbox/node-pre-gyp').find(require('path').resolve('pkg.json')); console.log(p, require('fs').existsSync(p))";
  const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
  assert.strictEqual(r.stdout.trim(), `${fs.realpathSync(dir)}/lib/m.node false`, r.stderr);
  const bin = spawnSync('npx', ['--no-install', 'node-pre-gyp', '--version'], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
  assert.strictEqual(bin.stdout.trim(), `v${VERSION}`);
});

test('the loader explains clearly when no binary fits', () => {
  const dir = tmpdir('pregyp-nobin-');
  spawnSync('tar', ['xzf', packs.root, '-C', dir]);
  const r = spawnSync(process.execPath, ['-e', "require('./package')"], { cwd: dir, encoding: 'utf8' });
  assert.notStrictEqual(r.status, 0);
  assert.match(r.stderr, /pregyp has no native binary for linux-x64 \(Node v[\d.]+\)\. Tried:/);
  assert.match(r.stderr, /@pregyp\/linux-x64-gnu/);
  assert.match(r.stderr, /npm install --include=optional/);
});
