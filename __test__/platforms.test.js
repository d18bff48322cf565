'use strict';
// The platform table (scripts/platforms.js) and everything that lists the platforms: the
// package manifests it writes (npm/*, the root's optionalDependencies) and the build and CI
// scripts it checks (build-cross.js, ci-cross.sh, test-cross.js, release.yml). Each must
// agree with it, and a change to any one of them alone must be reported.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { tmpdir } = require('./helpers/run');
const platforms = require('../scripts/platforms');

const ROOT = path.join(__dirname, '..');
const FILES = ['package.json', 'npm', 'scripts/ci-cross.sh', 'scripts/build-cross.js', 'scripts/test-cross.js', '.github/workflows/release.yml'];

function copy() {
  const dir = tmpdir('pregyp-platforms-');
  for (const f of FILES) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  return dir;
}

function edit(dir, file, from, to) {
  const f = path.join(dir, file);
  const text = fs.readFileSync(f, 'utf8');
  assert.ok(text.includes(from), `${file} has no ${from}`);
  fs.writeFileSync(f, text.replace(from, to));
}

test('every place that lists the platforms agrees with scripts/platforms.js', () => {
  assert.deepStrictEqual(platforms.run(), []);
  // Three packages per platform, plus @pregyp/cli; the root depends on the find() cores only.
  const names = platforms.PLATFORMS.map((p) => p.name);
  assert.deepStrictEqual(fs.readdirSync(path.join(ROOT, 'npm')).sort(), [...names, ...names.map((n) => `full-${n}`), 'cli'].sort());
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.deepStrictEqual(Object.keys(root.optionalDependencies).sort(), names.map((n) => `@pregyp/${n}`).sort());
  const cli = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', 'cli', 'package.json'), 'utf8'));
  assert.deepStrictEqual(Object.keys(cli.optionalDependencies).sort(), names.map((n) => `@pregyp/full-${n}`).sort());
  for (const n of names) {
    const find = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', n, 'package.json'), 'utf8'));
    const full = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', `full-${n}`, 'package.json'), 'utf8'));
    assert.deepStrictEqual(find.files, [`pregyp-find.${n}.node`]);
    assert.deepStrictEqual(full.files, [`pregyp.${n}.node`]);
    assert.deepStrictEqual([find.os, find.cpu, find.libc], [full.os, full.cpu, full.libc], n);
  }
});

test('a platform changed in one place only is reported, naming the file', () => {
  const cases = [
    ['scripts/ci-cross.sh', 'win32-x64 linux-arm64-musl;', 'win32-x64;', /scripts\/ci-cross\.sh: the targets it builds/],
    // The find() core only where the table says a full build, or a full check.
    ['scripts/ci-cross.sh', 'linux-arm64-musl;', 'linux-arm64-musl:lean;', /scripts\/ci-cross\.sh: the targets it builds/],
    ['scripts/ci-cross.sh', 'in darwin-arm64;', 'in darwin-arm64:lean;', /scripts\/ci-cross\.sh: the targets it builds/],
    ['.github/workflows/release.yml', '{ triple: darwin-x64, os: macos-15-intel', '{ triple: darwin-x64, os: macos-13', /release\.yml: the build matrix/],
    ['scripts/test-cross.js', "  'linux-arm64-musl': {", "  'linux-arm64-musl-x': {", /scripts\/test-cross\.js: the platforms it runs/],
    ['scripts/build-cross.js', "  'darwin-x64': { triple: 'x86_64-apple-darwin', lib: 'libpregyp.dylib', check: true,", "  'darwin-x64': { triple: 'x86_64-apple-darwin', lib: 'libpregyp.dylib', check: false,", /build-cross\.js: the targets built with --check only/],
    ['package.json', '"@pregyp/win32-x64-msvc": "0.1.0"', '"@pregyp/win32-arm64-msvc": "0.1.0"', /package\.json: optionalDependencies differ/],
    ['npm/linux-x64-musl/package.json', '"musl"', '"glibc"', /npm\/linux-x64-musl\/package\.json is out of date/],
  ];
  for (const [file, from, to, want] of cases) {
    const dir = copy();
    edit(dir, file, from, to);
    const problems = platforms.run({ root: dir });
    assert.strictEqual(problems.length, 1, `${file}: ${problems.join('\n')}`);
    assert.match(problems[0], want);
  }
  // A platform folder the table does not know.
  const dir = copy();
  fs.mkdirSync(path.join(dir, 'npm', 'freebsd-x64'));
  assert.match(platforms.run({ root: dir }).join('\n'), /npm\/freebsd-x64 is not a platform of scripts\/platforms\.js/);
  // Writing fixes what is generated.
  const w = copy();
  edit(w, 'npm/linux-x64-musl/package.json', '"musl"', '"glibc"');
  platforms.run({ root: w, write: true });
  assert.deepStrictEqual(platforms.run({ root: w }), []);
});
