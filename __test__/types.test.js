'use strict';
// index.d.ts and index.js against their sources (src/config/spec.rs, src/error.rs,
// src/results.rs, lib/loader.js): the generated parts are up to date, every declared
// command is a function of the API (and an ES module named export), and a usage file that
// calls every function compiles with `tsc --strict`. (The Rust test
// results::index_d_ts_is_current checks the result types without a rebuilt binary.)
const { test } = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const pregyp = require(ROOT);
const spec = JSON.parse(pregyp.binding().spec());

test('index.d.ts and index.js are generated from the current declarations', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-types.js'), '--check'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
});

test('every declared command is an API function; every option and error code is typed', () => {
  const dts = require('node:fs').readFileSync(path.join(ROOT, 'index.d.ts'), 'utf8');
  for (const c of spec.commands) {
    assert.strictEqual(typeof pregyp[c.api], 'function', `pregyp.${c.api} (${c.name})`);
    assert.match(dts, new RegExp(`export function ${c.api}\\(`), c.name);
  }
  for (const o of spec.options) assert.ok(dts.includes(`${/-/.test(o.name) ? `'${o.name}'` : o.name}?:`), `option ${o.name}`);
  for (const code of spec.errorCodes) assert.ok(dts.includes(`'${code}'`), `error code ${code}`);
});

test('a file using every function compiles with tsc --strict', () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2020', '--module', 'commonjs', '--moduleResolution', 'node', path.join(__dirname, 'types', 'usage.ts')], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
});

test('every API function is a named export for ES modules too', () => {
  const names = ['find', 'load', 'run', 'reveal', 'Run', ...spec.commands.filter((c) => c.name !== 'reveal').map((c) => c.api)];
  const code = `import * as p from ${JSON.stringify(path.join(ROOT, 'index.js'))};\nconst missing = ${JSON.stringify(names)}.filter((n) => typeof p[n] !== 'function');\nif (missing.length) { console.error('not named exports: ' + missing.join(', ')); process.exit(1); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
});
