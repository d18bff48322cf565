'use strict';
// Builds .tar.gz files for tests with a tiny tar writer in JS.
//
// Why not tar(1) or Python's tarfile: both normalise on the way in (strip a
// leading '/', refuse or rewrite '..', drop setuid bits, need real device
// nodes). Unpack tests need the raw attack entries byte for byte, so each
// header here is written exactly as given.

const crypto = require('node:crypto');
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const zlib = require('node:zlib');

const BLOCK = 512;
// Fixed so the same entries give the same bytes (stable sha256 in tests).
const DEFAULT_MTIME = 1_700_000_000;
const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' };
const DEFAULT_MODE = { file: 0o644, dir: 0o755, symlink: 0o777, hardlink: 0o644, chardev: 0o644, blockdev: 0o644, fifo: 0o644 };

// Numeric header fields are NUL-terminated octal; sizes too big for the
// octal field (>= 8 GiB in 12 bytes) use the GNU base-256 form instead.
function writeNumber(buf, offset, width, value) {
  const octal = value.toString(8);
  if (octal.length <= width - 1) {
    buf.write(octal.padStart(width - 1, '0') + '\0', offset, width, 'latin1');
    return;
  }
  let v = BigInt(value);
  for (let i = width - 1; i >= 1; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  buf[offset] = 0x80;
}

function header({ name, typeflag, size = 0, mode = 0o644, linkname = '', mtime = DEFAULT_MTIME, uid = 0, gid = 0, devmajor = 0, devminor = 0 }) {
  const h = Buffer.alloc(BLOCK);
  Buffer.from(name).copy(h, 0, 0, 100);
  writeNumber(h, 100, 8, mode);
  writeNumber(h, 108, 8, uid);
  writeNumber(h, 116, 8, gid);
  writeNumber(h, 124, 12, size);
  writeNumber(h, 136, 12, mtime);
  h.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  h.write(typeflag, 156, 1, 'latin1');
  Buffer.from(linkname).copy(h, 157, 0, 100);
  h.write('ustar\0' + '00', 257, 8, 'latin1');
  h.write('root', 265, 32, 'latin1');
  h.write('root', 297, 32, 'latin1');
  writeNumber(h, 329, 8, devmajor);
  writeNumber(h, 337, 8, devminor);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

function pad(len) {
  return Buffer.alloc((BLOCK - (len % BLOCK)) % BLOCK);
}

// A PAX extended header carries names/link targets longer than the 100-byte
// ustar fields verbatim (no prefix splitting, which would reinterpret them).
function paxRecords(fields) {
  let body = '';
  for (const [k, v] of Object.entries(fields)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    body += len + rest;
  }
  const data = Buffer.from(body);
  return [header({ name: 'PaxHeader', typeflag: 'x', size: data.length }), data, pad(data.length)];
}

function entryBlocks(entry, contentLength) {
  const type = entry.type || 'file';
  const typeflag = entry.typeflag || TYPEFLAG[type];
  if (!typeflag) throw new Error(`unknown tar entry type ${type}`);
  const name = entry.name;
  const linkname = entry.linkname || '';
  const blocks = [];
  const long = {};
  if (Buffer.byteLength(name) > 100) long.path = name;
  if (Buffer.byteLength(linkname) > 100) long.linkpath = linkname;
  if (Object.keys(long).length) blocks.push(...paxRecords(long));
  const isDev = type === 'chardev' || type === 'blockdev';
  blocks.push(header({
    name,
    typeflag,
    size: entry.size !== undefined ? entry.size : contentLength,
    mode: entry.mode !== undefined ? entry.mode : DEFAULT_MODE[type] ?? 0o644,
    linkname,
    mtime: entry.mtime,
    uid: entry.uid,
    gid: entry.gid,
    // Default device: 1,3 is /dev/null on Linux.
    devmajor: entry.devmajor ?? (isDev ? 1 : 0),
    devminor: entry.devminor ?? (isDev ? 3 : 0),
  }));
  return blocks;
}

/**
 * tarBuffer(entries) -> Buffer of an uncompressed tar.
 * entry: { name, type?: 'file'|'dir'|'symlink'|'hardlink'|'chardev'|'blockdev'|'fifo',
 *          content?, linkname?, mode?, mtime?, uid?, gid?, devmajor?, devminor?,
 *          size? (header size; lie about it to test truncated archives), typeflag? (raw) }
 */
function tarBuffer(entries) {
  const parts = [];
  for (const e of entries) {
    const content = e.content === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.content) ? e.content : Buffer.from(String(e.content));
    parts.push(...entryBlocks(e, content.length));
    if (content.length) parts.push(content, pad(content.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end-of-archive marker
  return Buffer.concat(parts);
}

/**
 * makeTarball(outFile, entries) -> outFile (synchronous; entries as in tarBuffer).
 */
function makeTarball(outFile, entries) {
  fs.writeFileSync(outFile, zlib.gzipSync(tarBuffer(entries)));
  return outFile;
}

/**
 * makeGzipBomb(outFile, { entryName = 'bomb.bin', size = 1 GiB, level = 9 }) -> Promise<outFile>
 * One file entry of `size` zero bytes, streamed through gzip so memory use
 * stays flat whatever the size. Level 9 gives ~1000:1 (1 GiB -> ~1 MB, ~4 s
 * here); level 1 is ~4x faster but only ~230:1, fine when a test only needs
 * "more than the limit" rather than a high ratio.
 */
async function makeGzipBomb(outFile, { entryName = 'bomb.bin', size = 1024 ** 3, level = 9 } = {}) {
  const chunk = Buffer.alloc(1024 * 1024);
  async function* tar() {
    yield Buffer.concat(entryBlocks({ name: entryName, type: 'file' }, size));
    let left = size;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
      left -= n;
    }
    yield Buffer.concat([pad(size), Buffer.alloc(BLOCK * 2)]);
  }
  await pipeline(tar, zlib.createGzip({ level }), fs.createWriteStream(outFile));
  return outFile;
}

/**
 * sha256File(file) -> Promise<hex string>, streamed (works for big files).
 */
async function sha256File(file) {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

module.exports = { makeTarball, tarBuffer, makeGzipBomb, sha256File };
