'use strict';
// The WebAssembly fallback of the find() core: pregyp-find.wasm is the lean Rust core
// (src/binding/wasm.rs; the same config::find the native find() binary runs) for wasm32-unknown-unknown,
// opened where pregyp ships no native binary (FreeBSD, linux-arm, win32-arm64, ...).
// The module has no file system, process or environment: this file answers the few
// questions it asks (read, realpath, stat, has_entries, env, libc) and hands it the process
// facts once, with `init`. index.js opens it only when no native find() binary loads.
const fs = require('fs');

// wasm32's std paths are POSIX paths; on Windows a path goes in as `/C:/a/b` (UNC:
// `//server/share`) and comes back as `C:\a\b`. Paths inside messages are converted back
// too (those with a drive letter; a drive-less `\a\b` comes back as `\a\b` only in results).
function pathsFor(win) {
  if (!win) return { toCore: (p) => p, fromCore: (p) => p, message: (m) => m };
  const toCore = (p) => {
    const s = p.replace(/\\/g, '/');
    return /^[A-Za-z]:/.test(s) ? `/${s}` : s;
  };
  const fromCore = (p) => {
    const m = /^\/([A-Za-z]:)(\/.*)?$/.exec(p);
    return m ? `${m[1]}${(m[2] || '/').replace(/\//g, '\\')}` : p.replace(/\//g, '\\');
  };
  const message = (m) => m.replace(/\/[A-Za-z]:(?:\/[^\s'"`(),]*)?/g, fromCore);
  return { toCore, fromCore, message };
}

// Rust's io::Error text for the errors a read may meet, so that messages match the
// native binary's ("Permission denied (os error 13)").
const STRERROR = {
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
};
function osMessage(e) {
  // (`os` is required here, on the rare error: its first require costs ~0.1 ms.)
  const n = require('os').constants.errno[e.code];
  return STRERROR[e.code] && n ? `${STRERROR[e.code]} (os error ${n})` : String(e.message);
}

// The C library, as the native binary sees it: glibc (the one it asks first) with its
// version from ldd, as detect-libc (the reference's helper) reads it; else musl by its
// dynamic loader in /lib. This runs inside an addon's `require`, so the file is read as
// bytes and then decoded (readFileSync's own decoding costs ~0.1 ms more on its first use).
function libc() {
  if (process.platform !== 'linux') return 'unknown';
  let text = '';
  try {
    text = fs.readFileSync('/usr/bin/ldd').toString('latin1');
  } catch {}
  if (text.includes('GNU C Library') || text.includes('GLIBC')) {
    return `glibc ${glibcVersion(text) || process.report.getReport().header.glibcVersionRuntime || ''}`;
  }
  try {
    if (fs.readdirSync('/lib').some((n) => n.startsWith('ld-musl-'))) return 'musl ';
  } catch {}
  const v = process.report.getReport().header.glibcVersionRuntime;
  return v ? `glibc ${v}` : 'unknown';
}

// glibc's version in ldd's text, as detect-libc's /LIBC[a-z0-9 \-).]*?(\d+\.\d+)/i finds it,
// with the case spelt out (a case-insensitive pattern costs ~0.12 ms more to compile);
// '' when there is none.
function glibcVersion(text) {
  const m = /[Ll][Ii][Bb][Cc][a-zA-Z0-9 \-).]*?(\d+\.\d+)/.exec(text);
  return m ? m[1] : '';
}

/** Opens pregyp-find.wasm; the same operations as the native core (OPS), plus `wasm: true`. */
function open(file, info, win = process.platform === 'win32') {
  const P = pathsFor(win);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let x;
  let pending = new Uint8Array(0);
  const mem = () => new Uint8Array(x.memory.buffer);
  const text = (p, n) => dec.decode(mem().subarray(p, p + n));
  const arg = (p, n) => P.fromCore(text(p, n));
  const give = (v) => {
    pending = typeof v === 'string' ? enc.encode(v) : v;
  };
  const fail = (e) => {
    if (e.code === 'ENOENT') return 1;
    give(osMessage(e));
    return 2;
  };
  const host = {
    read(p, n) {
      try {
        give(fs.readFileSync(arg(p, n)));
        return 0;
      } catch (e) {
        return fail(e);
      }
    },
    realpath(p, n) {
      try {
        give(P.toCore(fs.realpathSync.native(arg(p, n))));
        return 0;
      } catch (e) {
        return fail(e);
      }
    },
    stat(p, n) {
      const f = arg(p, n);
      // POSIX: two access(2) calls, ~0.03 ms, where the first statSync costs ~0.16 ms (it
      // builds a Stats object): a path followed by a slash resolves only to a directory.
      if (!win) return !fs.existsSync(f) ? 0 : fs.existsSync(`${f}/`) ? 2 : 1;
      try {
        const s = fs.statSync(f, { throwIfNoEntry: false });
        return !s ? 0 : s.isFile() ? 1 : 2;
      } catch {
        return 0;
      }
    },
    has_entries(p, n) {
      let d;
      try {
        d = fs.opendirSync(arg(p, n));
        return d.readSync() ? 1 : 0;
      } catch {
        return 0;
      } finally {
        if (d) d.closeSync();
      }
    },
    env(p, n) {
      const v = process.env[text(p, n)];
      if (v === undefined) return 0;
      give(v);
      return 1;
    },
    libc() {
      give(libc());
      return 0;
    },
    pending_len: () => pending.length,
    take(dst) {
      mem().set(pending, dst);
      pending = new Uint8Array(0);
    },
  };
  x = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { pregyp: host }).exports;

  // One request, {op, ...}, and its answer (src/binding/wasm.rs).
  function send(request) {
    const req = enc.encode(JSON.stringify(request));
    const ptr = x.pregyp_alloc(req.length);
    mem().set(req, ptr);
    const n = x.pregyp_call(ptr, req.length);
    const at = x.pregyp_result();
    const out = JSON.parse(text(at, n));
    if ('ok' in out) return out.ok;
    const err = new Error(P.message(out.message));
    err.code = out.code;
    throw err;
  }
  const call = (op, path, opts, detail) => {
    const o = opts && typeof opts.moduleRoot === 'string' ? { ...opts, moduleRoot: P.toCore(opts.moduleRoot) } : opts;
    return send({ op, path, opts: o === undefined ? null : o, detail, cwd: P.toCore(process.cwd()) });
  };
  // `init`: the facts of this process, once.
  send({ op: 0, info });
  // Each answer as the native core gives it: paths (also inside messages and the
  // evaluated values) as the OS writes them.
  const convert = {
    none: () => undefined,
    path: (v) => P.fromCore(v),
    message: (v) => P.message(v),
    name: (v) => v,
    json: (v) => JSON.parse(v, (k, x) => (typeof x === 'string' && /^(module|module_path|staged_tarball|directory)$/.test(k) ? P.fromCore(x) : x)),
  };
  const core = { wasm: true };
  for (const [id, name, answer, takesPath] of OPS) if (id !== 0) core[name] = (p, o, d) => convert[answer](call(id, takesPath && typeof p === 'string' ? P.toCore(p) : p, o, d));
  return core;
}

// The find() core's operations: [number, name, answer, first argument is a path]
// (src/binding/ops.rs; written by
// `npm run types`).
// <generated:ops>
const OPS = [[0, 'init', 'name', false], [1, 'find', 'path', true], [2, 'check', 'path', true], [3, 'loadError', 'message', true], [4, 'platformPackage', 'name', true], [5, 'evaluate', 'json', true], [6, 'plan', 'json', false], [7, 'versioning', 'json', false]];
// </generated:ops>

module.exports = { open, pathsFor, libc, glibcVersion, OPS };
