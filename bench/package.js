#!/usr/bin/env node
'use strict';
// Benchmark of `package` (run by hand, not part of the tests):
//   node bench/package.js [--runs N] [--size-mb M] [--keep]
//
// Builds a ~100 MB module_path of realistic binary-ish data, then times, in
// interleaved rounds, `pregyp package`, the reference `node-pre-gyp package`, and the
// physical baseline `tar czf` (GNU tar + gzip -6, what a shell script would do).
// Reports the median wall time, peak RSS (GNU time -v, else the child's
// resourceUsage) and the output size, with ratios against pregyp.
//
// The data: real ELF shared libraries from the system (what addons and their bundled
// libraries look like), ~20% incompressible bytes (bundled compressed assets), ~10%
// source-like text, spread over a few dozen files in nested folders plus a dotfile.
// Where the system has too few libraries, a deterministic synthetic mix replaces them.

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Math.max(5, Number(opt('runs', 5)));
const SIZE_MB = Number(opt('size-mb', 100));
const KEEP = args.includes('--keep');

function findReference() {
  for (const p of [
    path.join(ROOT, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp'),
    '/tmp/ref/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp',
  ]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

// Deterministic pseudo-random bytes (no dependency on crypto state).
function prng(seed, len) {
  const out = Buffer.alloc(len);
  let h = crypto.createHash('sha256').update(String(seed)).digest();
  for (let off = 0; off < len; off += 32) {
    h.copy(out, off, 0, Math.min(32, len - off));
    h = crypto.createHash('sha256').update(h).digest();
  }
  return out;
}

function textLike(seed, len) {
  const words = ['function', 'return', 'const', 'napi_value', 'env', 'status', 'if', 'else', 'uint32_t', 'buffer', 'length', 'callback', 'error', 'module', 'exports', '{', '}', '(', ')', ';', '\n', '  '];
  const r = prng(seed, len);
  let s = '';
  for (let i = 0; s.length < len; i++) s += words[r[i % r.length] % words.length] + ' ';
  return Buffer.from(s.slice(0, len));
}

function systemLibraries(budget) {
  const dir = '/usr/lib/x86_64-linux-gnu';
  let files = [];
  try {
    files = fs.readdirSync(dir).filter((f) => /\.so(\.|$)/.test(f)).sort();
  } catch {
    return [];
  }
  const picked = [];
  let total = 0;
  for (const f of files) {
    const p = path.join(dir, f);
    let st;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (!st.isFile() || st.size < 200_000 || st.size > 12_000_000) continue;
    if (total + st.size > budget) continue;
    picked.push(p);
    total += st.size;
  }
  return total > budget * 0.8 ? picked : [];
}

function prepare(root) {
  const total = SIZE_MB * 1024 * 1024;
  const pkg = path.join(root, 'pkg');
  const mp = path.join(pkg, 'lib', 'binding', 'node-v-bench-linux-x64');
  fs.mkdirSync(path.join(mp, 'deps', 'lib'), { recursive: true });
  fs.mkdirSync(path.join(mp, 'assets'), { recursive: true });
  fs.mkdirSync(path.join(mp, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({
      name: 'bench-addon',
      version: '1.0.0',
      main: 'index.js',
      binary: { module_name: 'bench', module_path: './lib/binding/node-v-bench-linux-x64', host: 'https://example.com/' },
    }, null, 2) + '\n'
  );
  let binaryBudget = Math.round(total * 0.7);
  const libs = systemLibraries(binaryBudget);
  let first = true;
  for (const lib of libs) {
    const dest = first ? path.join(mp, 'bench.node') : path.join(mp, 'deps', 'lib', path.basename(lib));
    fs.copyFileSync(lib, dest);
    first = false;
    binaryBudget -= fs.statSync(lib).size;
  }
  // Synthetic "binary" for what the system could not provide: code-like structure
  // (repeated instruction patterns with random operands) compresses about 2-3x.
  for (let i = 0; binaryBudget > 0; i++) {
    const len = Math.min(binaryBudget, 8 * 1024 * 1024);
    const r = prng(`bin${i}`, len);
    for (let j = 0; j < len; j += 16) r.write('\x48\x89\xe5\x48\x83\xec', j, 'latin1');
    fs.writeFileSync(first ? path.join(mp, 'bench.node') : path.join(mp, 'deps', 'lib', `libsynth${i}.so`), r);
    first = false;
    binaryBudget -= len;
  }
  const randomTotal = Math.round(total * 0.2);
  for (let i = 0, left = randomTotal; left > 0; i++) {
    const len = Math.min(left, 4 * 1024 * 1024);
    fs.writeFileSync(path.join(mp, 'assets', `blob${i}.bin`), prng(`rand${i}`, len));
    left -= len;
  }
  const textTotal = Math.round(total * 0.1);
  for (let i = 0, left = textTotal; left > 0; i++) {
    const len = Math.min(left, 512 * 1024);
    fs.writeFileSync(path.join(mp, 'src', `file${i}.js`), textLike(`text${i}`, len));
    left -= len;
  }
  fs.writeFileSync(path.join(mp, '.DS_Store'), 'skip me');
  return { pkg, mp };
}

function duSize(dir) {
  let n = 0;
  let files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const r = duSize(p);
      n += r.bytes;
      files += r.files;
    } else {
      n += fs.statSync(p).size;
      files += 1;
    }
  }
  return { bytes: n, files };
}

const HAVE_GNU_TIME = fs.existsSync('/usr/bin/time');

// Runs one command; returns { ms, rssKb, cpuMs } (cpu = user + system, which does
// not depend on how many cores other processes leave free).
function measure(cmd, argv, cwd, env) {
  if (HAVE_GNU_TIME) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-v', cmd, ...argv], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
    const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
    return { ms, rssKb: m ? Number(m[1]) : NaN, cpuMs: user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : NaN };
  }
  // Without GNU time: a small node wrapper reports its child's peak RSS.
  const wrapper = `const r=require('child_process').spawnSync(process.argv[1],process.argv.slice(2),{stdio:'ignore'});` +
    `if(r.status!==0)process.exit(1);const u=process.resourceUsage();` +
    `process.stdout.write(JSON.stringify({rss:u.maxRSS}))`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', wrapper, cmd, ...argv], { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed`);
  return { ms, rssKb: JSON.parse(r.stdout).rss, cpuMs: NaN };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-bench-'));
  try {
    const { pkg, mp } = prepare(root);
    const { bytes, files } = duSize(mp);
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
    const ref = findReference();
    const contenders = [
      {
        name: 'pregyp package',
        cmd: process.execPath,
        argv: [path.join(ROOT, 'bin', 'pregyp.js'), 'package', '--silent'],
        out: () => fs.readdirSync(path.join(pkg, 'build', 'stage')).filter((f) => f.endsWith('.tar.gz')).map((f) => path.join(pkg, 'build', 'stage', f))[0],
      },
      ...(ref
        ? [{
          name: 'node-pre-gyp package',
          cmd: process.execPath,
          argv: [ref, 'package', '--silent'],
          out: () => fs.readdirSync(path.join(pkg, 'build', 'stage')).filter((f) => f.endsWith('.tar.gz')).map((f) => path.join(pkg, 'build', 'stage', f))[0],
        }]
        : []),
      {
        name: 'tar czf',
        cmd: 'tar',
        argv: ['czf', path.join(root, 'baseline.tar.gz'), '-C', path.dirname(mp), path.basename(mp)],
        out: () => path.join(root, 'baseline.tar.gz'),
      },
    ];
    console.error(`bench: ${(bytes / 1048576).toFixed(1)} MiB in ${files} files at ${mp}`);
    console.error(`bench: ${RUNS} interleaved rounds; reference: ${ref || 'not found (skipped)'}; RSS via ${HAVE_GNU_TIME ? 'GNU time -v' : 'process.resourceUsage'}`);
    const results = contenders.map((c) => ({ ...c, ms: [], rss: [], cpu: [], size: 0 }));
    // A warm-up round (page cache, Node startup), not counted.
    for (const c of results) {
      fs.rmSync(path.join(pkg, 'build'), { recursive: true, force: true });
      measure(c.cmd, c.argv, pkg, env);
    }
    for (let round = 0; round < RUNS; round++) {
      // Rotate the order every round so no contender always runs first.
      const order = results.map((_, i) => results[(i + round) % results.length]);
      for (const c of order) {
        fs.rmSync(path.join(pkg, 'build'), { recursive: true, force: true });
        const m = measure(c.cmd, c.argv, pkg, env);
        c.ms.push(m.ms);
        c.rss.push(m.rssKb);
        c.cpu.push(m.cpuMs);
        c.size = fs.statSync(c.out()).size;
      }
      console.error(`bench: round ${round + 1}/${RUNS}: ` + results.map((c) => `${c.name} ${c.ms[c.ms.length - 1].toFixed(0)} ms`).join(', '));
    }
    const base = results[0];
    const bm = median(base.ms);
    const br = median(base.rss);
    const rows = results.map((c) => {
      const m = median(c.ms);
      const r = median(c.rss);
      return {
        command: c.name,
        'median ms': m.toFixed(0),
        'min..max ms': `${Math.min(...c.ms).toFixed(0)}..${Math.max(...c.ms).toFixed(0)}`,
        'cpu ms': median(c.cpu).toFixed(0),
        'peak RSS MB': (r / 1024).toFixed(1),
        'output MB': (c.size / 1048576).toFixed(2),
        'time / pregyp': (m / bm).toFixed(2),
        'best / pregyp best': (Math.min(...c.ms) / Math.min(...base.ms)).toFixed(2),
        'RSS / pregyp': (r / br).toFixed(2),
        'size / pregyp': (c.size / base.size).toFixed(4),
      };
    });
    const tarRow = results.find((c) => c.name === 'tar czf');
    const refRow = results.find((c) => c.name === 'node-pre-gyp package');
    if (process.argv.includes('--json')) {
      const mb = (x) => +(x / 1048576).toFixed(2);
      console.log(JSON.stringify({
        bench: 'package',
        input_mb: mb(bytes),
        runs: RUNS,
        pregyp_ms: +bm.toFixed(0),
        pregyp_rss_mb: +(br / 1024).toFixed(1),
        pregyp_mb: mb(base.size),
        reference_ms: refRow ? +median(refRow.ms).toFixed(0) : null,
        tar_ms: +median(tarRow.ms).toFixed(0),
        tar_mb: mb(tarRow.size),
        vs_reference: refRow ? +(median(refRow.ms) / bm).toFixed(2) : null,
        vs_tar: +(bm / median(tarRow.ms)).toFixed(2),
        size_vs_tar: +(base.size / tarRow.size).toFixed(4),
      }));
      return;
    }
    console.table(rows);
    console.log(`pregyp vs tar czf: ${(bm / median(tarRow.ms)).toFixed(2)}x the time (target <= 0.7), size ${((base.size / tarRow.size - 1) * 100).toFixed(2)}% (target within 2%)`);
    if (refRow) {
      console.log(`pregyp vs node-pre-gyp: ${(median(refRow.ms) / bm).toFixed(2)}x faster by median, ${(Math.min(...refRow.ms) / Math.min(...base.ms)).toFixed(2)}x by best run (target >= 3)`);
    }
    console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (pregyp compresses on all of them; busy cores slow it most)`);
  } finally {
    if (KEEP) console.error(`bench: kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
}

main();
