'use strict';
// The documentation against the code: docs/reference/ is generated from the current
// src/config/spec.rs (scripts/gen-docs.js), every relative Markdown link and every
// repository path cited in a comment resolves (scripts/check-links.js), every error code
// is documented, and the README stays short. Each check is also shown to fail on a
// planted fault.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { tmpdir } = require('./helpers/run');
const { check } = require('../scripts/check-links');
const { stale } = require('../scripts/gen-docs');

const ROOT = path.join(__dirname, '..');
const spec = JSON.parse(require(ROOT).binding().spec());

test('docs/reference/ is generated from the current src/config/spec.rs', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-docs.js'), '--check'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
});

test('a changed declaration makes the reference stale', () => {
  assert.deepStrictEqual(stale(spec).map((p) => p.name), []);
  const planted = structuredClone(spec);
  planted.options.push({ name: 'planted-option', short: null, kind: 'flag', values: [], env: ['PLANTED_VAR'], help: 'planted', commands: [], arg: 'value' });
  assert.deepStrictEqual(stale(planted).map((p) => p.name), ['options.md', 'environment.md']);
  const fewer = structuredClone(spec);
  fewer.commands.pop();
  assert.deepStrictEqual(stale(fewer).map((p) => p.name), ['commands.md']);
});

test('every relative link and every cited repository path resolves', () => {
  assert.deepStrictEqual(check(ROOT), []);
});

test('a broken link, a missing anchor and a stale cited path are each reported', () => {
  const dir = tmpdir('links-');
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'README.md'), [
    '# Title', '', '## Quick start: a new addon', '',
    'Good: [guide](docs/guide.md), [anchor](#quick-start-a-new-addon), [there](docs/guide.md#the-part), [web](https://example.com/x).',
    'Bad: [gone](docs/gone.md) and [no anchor](docs/guide.md#nowhere).',
    '', '```md', '[in code](docs/not-checked.md)', '```', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'docs', 'guide.md'), '# Guide\n\n## The part\n\n[back](../README.md#title)\n');
  const slashes = '/'.repeat(2); // (this file's own comments are checked too)
  fs.writeFileSync(path.join(dir, 'src', 'a.rs'), `${slashes}! See src/a.rs and docs/guide.md.\n${slashes} Moved: src/old.rs no longer exists.\nfn main() { let _ = "https://x/src/not-a-comment.rs"; }\n`);
  assert.deepStrictEqual(check(dir), [
    'README.md:6: link docs/gone.md: docs/gone.md does not exist',
    'README.md:6: link docs/guide.md#nowhere: no heading #nowhere in docs/guide.md',
    'src/a.rs:2: cites src/old.rs, which does not exist',
  ]);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'check-links.js'), dir], { encoding: 'utf8' });
  assert.strictEqual(r.status, 1);
  assert.match(r.stderr, /3 broken link\(s\) or cited path\(s\)/);
});

test('every error code is documented in docs/api.md', () => {
  const api = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
  const dts = fs.readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8');
  const codes = [...dts.matchAll(/^ {2}\| '(E_[A-Z0-9_]+)'/gm)].map((m) => m[1]);
  assert.ok(codes.length > 30, 'the ErrorCode union of index.d.ts');
  const missing = codes.filter((c) => !api.includes(`| \`${c}\` |`));
  assert.deepStrictEqual(missing, [], 'codes missing from the table in docs/api.md');
});

test('the README is short and names the test command near the top', () => {
  const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
  assert.ok(lines.length <= 250, `README.md has ${lines.length} lines`);
  assert.ok(lines.slice(0, 40).some((l) => l.includes('npm test')), '`npm test` in the first 40 lines');
});
