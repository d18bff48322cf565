'use strict';
// The release workflow cannot run here; what can be checked is: actionlint finds
// nothing in it, every platform package in npm/ is built by a job on its own OS that
// also runs the tests, and the per-target code generation the binaries need is set.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const { actionlint } = require('./helpers/toolchain');

const lint = actionlint();
// Without it, say so; under CI=true that is a failure, not a skip.
const SKIP = lint.errors && !process.env.CI && `actionlint could not be installed: ${lint.errors.join('; ')}`;

test('actionlint finds nothing in the workflows', { skip: SKIP }, () => {
  assert.ok(!lint.errors, `actionlint could not be installed: ${lint.errors && lint.errors.join('; ')}`);
  const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  const r = spawnSync(lint.cmd, ['-no-color', ...files.map((f) => path.join(WORKFLOWS, f))], { encoding: 'utf8', env: lint.env, cwd: ROOT });
  assert.strictEqual(r.stdout + r.stderr, '');
  assert.strictEqual(r.status, 0);
  // And it does report a broken workflow (so a silent run means something).
  const bad = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pregyp-wf-')), 'bad.yml');
  fs.writeFileSync(bad, 'on: push\njobs:\n  a:\n    runs-on: macos-13\n    steps:\n      - run: echo ${{ matrix.nope }}\n');
  const b = spawnSync(lint.cmd, ['-no-color', bad], { encoding: 'utf8', env: lint.env });
  assert.notStrictEqual(b.status, 0);
  assert.match(b.stdout, /macos-13/);
});

test('every platform package is built and tested on its own OS', () => {
  const yml = fs.readFileSync(path.join(WORKFLOWS, 'release.yml'), 'utf8');
  const rows = [...yml.matchAll(/- \{ triple: ([\w-]+), os: ([\w.-]+), target: ([\w-]+) \}/g)].map((m) => ({ triple: m[1], os: m[2], target: m[3] }));
  // npm/<triple> (the find() cores); npm/full-<triple> and npm/cli follow the same table.
  const packages = fs.readdirSync(path.join(ROOT, 'npm')).filter((d) => d !== 'cli' && !d.startsWith('full-') && fs.existsSync(path.join(ROOT, 'npm', d, 'package.json')));
  assert.deepStrictEqual(rows.map((r) => r.triple).sort(), packages.sort());
  assert.ok(packages.includes('linux-arm64-musl'));
  const optional = Object.keys(require('../package.json').optionalDependencies).map((n) => n.replace('@pregyp/', ''));
  assert.deepStrictEqual(optional.sort(), packages.sort());
  for (const { triple, os, target } of rows) {
    // The runner's OS and CPU are the target's (no cross build, so the tests run there).
    const arm = /arm64/.test(triple);
    if (triple.startsWith('linux')) assert.match(os, arm ? /^ubuntu-.*-arm$/ : /^ubuntu-[\d.]+$/, triple);
    if (triple.startsWith('win32')) assert.match(os, /^windows-/, triple);
    if (triple === 'darwin-x64') assert.match(os, /^macos-\d+-intel$/, triple);
    if (triple === 'darwin-arm64') assert.match(os, /^macos-(\d+|latest)$/, triple);
    assert.ok(!/^macos-1[0-3]\b/.test(os), `${triple}: ${os} is retired`);
    assert.ok(target.startsWith(arm ? 'aarch64' : 'x86_64'), triple);
  }
  // Every job that builds runs the tests after it, with CI=true (so no test skips for a missing tool).
  for (const job of yml.split(/\n  (?=\w+:\n)/).filter((j) => /scripts\/build\.js/.test(j))) {
    assert.ok(job.indexOf('npm test') > job.indexOf('scripts/build.js'), job.slice(0, 40));
    assert.match(job, /CI[=:] ?'?true/);
    assert.match(job, /--target/);
  }
  assert.match(yml, /export PATH="\$HOME\/\.cargo\/bin:\$PATH"/);
});

test('MSVC links the C runtime statically; musl keeps the cdylib', () => {
  const config = fs.readFileSync(path.join(ROOT, '.cargo', 'config.toml'), 'utf8');
  const flags = (triple) => (new RegExp(`\\[target\\.${triple}\\]\\nrustflags = (\\[.*\\])`).exec(config) || [])[1];
  for (const t of ['x86_64-pc-windows-msvc', 'aarch64-pc-windows-msvc']) assert.deepStrictEqual(JSON.parse(flags(t)), ['-C', 'target-feature=+crt-static'], t);
  for (const t of ['x86_64-unknown-linux-musl', 'aarch64-unknown-linux-musl']) assert.deepStrictEqual(JSON.parse(flags(t)), ['-C', 'target-feature=-crt-static'], t);
  // RUSTFLAGS would replace those: the workflow must not set it.
  assert.doesNotMatch(fs.readFileSync(path.join(WORKFLOWS, 'release.yml'), 'utf8'), /RUSTFLAGS/);
});
