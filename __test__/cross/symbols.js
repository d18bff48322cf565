'use strict';
// What the Linux binaries at the package root ask of the C library, read from their
// dynamic symbol tables (readelf reads any architecture):
// - linux-*-gnu: no symbol version above GLIBC_2.28 (Debian 10, Ubuntu 20.04, RHEL 8: the
//   oldest glibc that Node 18-24 support);
// - linux-*-musl: no renameat2, and every libc symbol they import exists in musl 1.2.3
//   (Debian 12's, as Alpine 3.17), so that they load there.
// Run by scripts/test-cross.js (the host's own dev build links against this machine's
// glibc; the floor is a property of the binaries built with `--target`).
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = process.env.PREGYP_SYMBOLS_DIR || path.join(__dirname, '..', '..');
const FLOOR = [2, 28];
const MUSL_123 = '/usr/lib/x86_64-linux-musl/libc.so';

function dynsyms(file) {
  const out = execFileSync('readelf', ['-W', '--dyn-syms', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const syms = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^\d+:$/.test(f[0])) continue;
    const [name, version = ''] = f[7].split(/@+/);
    syms.push({ name, version, undefined: f[6] === 'UND', type: f[3], weak: f[4] === 'WEAK' });
  }
  return syms;
}

const files = (libc) => fs.readdirSync(ROOT).filter((f) => new RegExp(`^pregyp(-find)?\\.linux-[a-z0-9]+-${libc}\\.node$`).test(f));

for (const file of files('gnu')) {
  test(`${file}: needs at most GLIBC_${FLOOR.join('.')}`, () => {
    const over = dynsyms(path.join(ROOT, file))
      .filter((s) => s.undefined && /^GLIBC_\d/.test(s.version))
      .filter((s) => {
        const [a, b] = s.version.slice(6).split('.').map(Number);
        return a > FLOOR[0] || (a === FLOOR[0] && b > FLOOR[1]);
      })
      .map((s) => `${s.name}@${s.version}`);
    assert.deepStrictEqual(over, []);
  });
}

for (const file of files('musl')) {
  test(`${file}: imports no renameat2, and only what musl 1.2.3 exports`, { skip: !fs.existsSync(MUSL_123) && `no ${MUSL_123} (Debian's musl package)` }, () => {
    // A weak import that is missing is null at run time, not a load failure.
    const imports = dynsyms(path.join(ROOT, file)).filter((s) => s.undefined && s.name && !s.weak);
    const names = imports.map((s) => s.name);
    assert.ok(!names.includes('renameat2'), 'renameat2 is imported');
    const musl = new Set(dynsyms(MUSL_123).filter((s) => !s.undefined).map((s) => s.name));
    // Node-API comes from the Node executable; the unwinder from libgcc_s (Alpine: libgcc).
    const missing = names.filter((n) => !musl.has(n) && !/^(napi_|node_api_|_Unwind_)/.test(n));
    assert.deepStrictEqual(missing, []);
  });
}
