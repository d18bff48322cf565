'use strict';
// `pregyp migrate` on a corpus of real node-pre-gyp packages from the npm registry (each
// checked to depend on a node-pre-gyp: @mapbox's, the original, or a fork), taken as
// published. For each:
//   - migrate runs (or refuses with its reason, changing nothing);
//   - every changed JavaScript file passes `node --check` (an ES module under ES module
//     rules), and parses again on the second run;
//   - a second run with the same arguments changes nothing;
//   - where the package has a load site, every module the rewritten code requires
//     resolves, both with pregyp installed as `pregyp` and, after `--keep-name`, as the
//     old name (the npm alias layout).
// The tarballs are cached outside git, in $PREGYP_CORPUS_CACHE (default
// ~/.cache/pregyp-corpus): the first run fetches them with `npm pack`, later ones run
// offline. The table of results is written to docs/migrate-corpus.md.
// PREGYP_CORPUS_ONLY=<name,...> limits the run to some packages.
const { test } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { tmpdir, cleanEnv, CLI } = require('./helpers/run');

const ROOT = path.join(__dirname, '..');
const CACHE = process.env.PREGYP_CORPUS_CACHE || path.join(os.homedir(), '.cache', 'pregyp-corpus');
const TARGETS = '--targets=linux-x64-glibc,darwin-arm64,win32-x64';

// spec, and what makes it worth having in the corpus.
const CORPUS = [
  ['bcrypt@5.1.1', 'napi_versions; find() then require() of the path'],
  ['bcrypt@3.0.8', 'the original node-pre-gyp name'],
  ['argon2@0.31.2', 'napi_versions; find()'],
  ['sqlite3@5.1.6', 'napi_versions; find() in lib/'],
  ['sqlite3@4.2.0', 'node-pre-gyp 0.11; node_abi in module_path'],
  ['canvas@2.11.2', 'requires ../build/Release/canvas.node'],
  ['grpc@1.24.11', 'deep import lib/pre-binding'],
  ['grpc-tools@1.12.4', 'an executable (protoc), no binding.gyp'],
  ['osrm@5.26.0', 'no binding.gyp (cmake through its own script); requires ./binding/node_osrm.node'],
  ['node-libcurl@4.0.0', 'TypeScript sources and dist/*.js requiring the .node'],
  ['wrtc@0.4.7', 'Debug then Release require; spawnSync(node-pre-gyp); own install script'],
  ['libxmljs@1.0.11', 'bindings through a variable; TypeScript sources'],
  ['libxmljs2@0.33.0', "require('bindings')('xmljs')"],
  ['v8-profiler-next@1.10.0', 'a fork (@xprofiler); own install script; deep import of lib/util/versioning'],
  ['nodejieba@2.6.0', 'find() at the package root'],
  ['@abandonware/bluetooth-hci-socket@0.5.3-12', 'scoped'],
  ['mapnik@4.5.9', 'find() in bin/ scripts too'],
  ['gdal-async@3.8.5', 'a large package (42 MB)'],
  ['gdal@0.11.1', 'find() in lib/'],
  ['@discordjs/opus@0.9.0', 'a fork (@discordjs); find taken by destructuring'],
  ['odbc@2.4.9', 'find() in two files'],
  ['@journeyapps/sqlcipher@5.3.1', 'scoped; find()'],
  ['pprof@3.2.1', 'compiled TypeScript (out/)'],
  ['skia-canvas@1.0.1', "Rust (neon) build, no binding.gyp; require('./v6')"],
  ['muhammara@4.1.0', 'node-pre-gyp bundled (bundleDependencies)'],
  ['@tensorflow/tfjs-node@4.22.0', 'own install script (downloads libtensorflow)'],
  ['@mapbox/vtquery@0.6.0', "requires ./binding/module.node"],
  ['@maplibre/maplibre-gl-native@5.4.0', 'a fork (@acalcutt); the path is built at run time'],
  ['hummus@1.0.110', 'node-pre-gyp 0.10'],
  ['nodegit@0.27.0', 'Release, else Debug when the error is MODULE_NOT_FOUND (compiled dist/)'],
  ['@mapbox/vtvalidate@0.3.1', 'scoped; @mapbox/node-pre-gyp 1'],
  ['@mapbox/carmen-cache@0.27.0', 'node-pre-gyp 0.10'],
  ['gdal-next@2.8.0', 'a fork of gdal'],
  ['v8-profiler@5.7.0', 'node-pre-gyp 0.6'],
  ['serialport@4.0.7', 'node-pre-gyp 0.6; bin scripts'],
  ['canvas-prebuilt@1.6.11', 'a prebuilt repackaging of canvas'],
  ['xprofiler@3.1.0', 'find() of a package with several bindings'],
  ['realm@2.29.2', 'node-pre-gyp 0.11; React Native and Node in one package'],
  ['@confluentinc/kafka-javascript@1.10.1', "@mapbox/node-pre-gyp 2; require('bindings') of a name unlike the package's"],
  ['gc-stats@1.4.0', 'find() in a var with several declarators'],
  ['@mapbox/mapbox-gl-native@5.0.2', 'the path built at run time per Node ABI; no binding.gyp (cmake)'],
  ['murmurhash-native@3.5.1', "a second binding beside find()'s path"],
];

function tarballName(spec) {
  const at = spec.lastIndexOf('@');
  return `${spec.slice(0, at).replace(/^@/, '').replace('/', '-')}-${spec.slice(at + 1)}.tgz`;
}

function fetchTarball(spec) {
  const file = path.join(CACHE, tarballName(spec));
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(CACHE, { recursive: true });
  const r = spawnSync('npm', ['pack', spec, '--silent', '--pack-destination', CACHE], { encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: 'true' } });
  assert.strictEqual(r.status, 0, `npm pack ${spec}: ${r.stderr}`);
  assert.ok(fs.existsSync(file), `npm pack ${spec} made no ${file}`);
  return file;
}

function unpack(file) {
  const dir = tmpdir('pregyp-corpus-');
  const pkg = path.join(dir, 'pkg');
  fs.mkdirSync(pkg);
  const r = spawnSync('tar', ['xzf', file, '-C', pkg, '--strip-components=1', '--no-same-owner'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return { dir, pkg };
}

function snapshot(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(path.relative(dir, p).split(path.sep).join('/'), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

function changed(before, after) {
  const files = new Set([...before.keys(), ...after.keys()]);
  return [...files].filter((f) => before.get(f) !== after.get(f)).sort();
}

function migrate(pkg, extra = []) {
  const r = spawnSync(process.execPath, [CLI, 'migrate', '--yes', '--json', TARGETS, ...extra], { cwd: pkg, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
  let res = null;
  const last = r.stdout.trim().split('\n').pop();
  try {
    res = JSON.parse(last);
  } catch {}
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, res };
}

// The module specifiers a file's code requires or imports.
function specifiers(text) {
  const out = new Set();
  for (const m of text.matchAll(/(?:require\(\s*|from\s+|import\(\s*)(['"])([^'"\n]+)\1/g)) out.add(m[2]);
  return [...out];
}

const isEsm = (pkg, rel, text, type) => rel.endsWith('.mjs') || (rel.endsWith('.js') && (type === 'module' || /^\s*(import|export)\s/m.test(text)));

function nodeCheck(pkg, rel, type) {
  const file = path.join(pkg, rel);
  const text = fs.readFileSync(file, 'utf8');
  let target = file;
  if (isEsm(pkg, rel, text, type) && !rel.endsWith('.mjs')) {
    target = file.replace(/\.[cm]?js$/, '') + '.pregyp-check.mjs';
    fs.writeFileSync(target, text);
  }
  const r = spawnSync(process.execPath, ['--check', target], { encoding: 'utf8' });
  if (target !== file) fs.rmSync(target);
  return r.status === 0 ? null : r.stderr.trim().split('\n').slice(0, 5).join(' ');
}

// Installs this pregyp into <dir>/node_modules under `name` (a link, as npm's alias
// layout puts pregyp's files under the old name).
function linkAs(dir, name) {
  const at = path.join(dir, 'node_modules', name);
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(ROOT, at, 'dir');
}

// The specifiers of pregyp (under `installed`) that the changed files require, each
// resolved from its file; returns the ones that do not resolve.
function unresolved(pkg, files, installed) {
  const bad = [];
  for (const rel of files.filter((f) => /\.[cm]?js$/.test(f))) {
    const file = path.join(pkg, rel);
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (spec !== installed && !spec.startsWith(installed + '/')) continue;
      const script = `require(require.resolve(${JSON.stringify(spec)}, { paths: [${JSON.stringify(path.dirname(file))}] }))`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      if (r.status !== 0) bad.push(`${rel}: ${spec}: ${r.stderr.trim().split('\n').find((l) => /Error/.test(l)) || r.stderr.trim()}`);
    }
  }
  return bad;
}

const GENERIC_TODO = /^(first publish|trusted publishing|binary host|package-lock\.json|build and test as before|pregyp is in devDependencies)/;
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

const rows = [];
const only = (process.env.PREGYP_CORPUS_ONLY || '').split(',').filter(Boolean);
const selected = CORPUS.filter(([spec]) => !only.length || only.some((o) => spec.startsWith(o + '@')));

for (const [spec, shape] of selected) {
  test(`migrate on ${spec}`, { timeout: 240_000 }, () => {
    const file = fetchTarball(spec);
    const original = JSON.parse(spawnSync('tar', ['xzOf', file, 'package/package.json'], { encoding: 'utf8', maxBuffer: 1 << 24 }).stdout);
    const oldName = Object.keys({ ...original.dependencies, ...original.devDependencies }).find((d) => d === 'node-pre-gyp' || d.endsWith('/node-pre-gyp'));
    assert.ok(oldName, `${spec} depends on no node-pre-gyp`);

    const row = { spec, shape, changed: [], person: [], why: [] };
    for (const keep of [false, true]) {
      const { dir, pkg } = unpack(file);
      const before = snapshot(pkg);
      const first = migrate(pkg, keep ? ['--keep-name'] : []);
      if (first.code !== 0) {
        // A refusal: one clear line, and nothing changed.
        assert.match(first.stderr, /Nothing was changed|nothing was changed/, first.stderr);
        assert.deepStrictEqual(changed(before, snapshot(pkg)), [], 'a refusal changed files');
        if (!keep) {
          row.changed.push('nothing (refused)');
          row.person.push(first.stderr.trim().replace(/^pregyp ERR!?\s*/i, ''));
          row.why.push('refused');
        }
        continue;
      }
      const res = first.res;
      assert.ok(res, first.stdout);
      const after = snapshot(pkg);
      const files = changed(before, after);
      assert.deepStrictEqual(files, [...res.files].sort(), 'the files it reports are the files it changed');
      for (const rel of files.filter((f) => /\.[cm]?js$/.test(f))) {
        assert.strictEqual(nodeCheck(pkg, rel, JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).type), null, `${rel} fails node --check`);
      }
      // The second run: same arguments, nothing changes, every changed file parses.
      const second = migrate(pkg, keep ? ['--keep-name'] : []);
      assert.strictEqual(second.code, 0, second.stderr);
      assert.deepStrictEqual(second.res.files, [], `second run changed ${second.res.files}`);
      assert.deepStrictEqual(changed(after, snapshot(pkg)), []);
      const unparsedNow = new Set(second.res.unparsed);
      for (const u of unparsedNow) assert.ok(res.unparsed.includes(u), `a changed file no longer parses: ${u}`);
      // Every module the rewritten code requires resolves, in this layout.
      const installed = keep ? oldName : 'pregyp';
      linkAs(dir, installed);
      assert.deepStrictEqual(unresolved(pkg, files, installed), [], `unresolved under ${installed}`);
      if (!keep) {
        row.changed = files;
        row.person = [...res.manual, ...res.unparsed.map((u) => `not parsed: ${u}`)];
        row.why = res.todo.filter((t) => !GENERIC_TODO.test(t));
      }
    }
    rows.push(row);
  });
}

test('the corpus table (docs/migrate-corpus.md)', () => {
  if (only.length) return;
  assert.ok(rows.length >= 25, `${rows.length} packages in the corpus`);
  const order = new Map(CORPUS.map(([s], i) => [s, i]));
  rows.sort((a, b) => order.get(a.spec) - order.get(b.spec));
  const lines = [
    '# `pregyp migrate` on real node-pre-gyp packages',
    '',
    'Generated by `__test__/migrate-corpus.test.js` (do not edit by hand): each package as published on',
    'the npm registry, migrated with `pregyp migrate --yes ' + TARGETS + '`. Every changed file passes',
    '`node --check`, a second run changes nothing, and every module the rewritten code requires resolves',
    'under `pregyp` and, after `--keep-name`, under the old name.',
    '',
    '| package | shape | what changed | left for a person | why (to-do items specific to the package) |',
    '|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${cell(r.spec)} | ${cell(r.shape)} | ${cell(r.changed.join(', ') || 'nothing')} | ${cell(r.person.join('<br>') || 'nothing')} | ${cell(r.why.join('<br>') || '')} |`);
  }
  fs.writeFileSync(path.join(ROOT, 'docs', 'migrate-corpus.md'), lines.join('\n') + '\n');
});
