'use strict';
// Self-test of the test helpers, using only Node's own clients: if these
// fail, a failing pregyp test says nothing about pregyp.

const { test, describe, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const https = require('node:https');
const path = require('node:path');
const tls = require('node:tls');

const { makeTestCA, bundleWithSystemCAs } = require('./helpers/tls');
const { startServer, startConnectProxy } = require('./helpers/servers');
const { startMoto, s3Env, createBucket } = require('./helpers/moto');
const { makeTarball, tarBuffer, makeGzipBomb, sha256File } = require('./helpers/tarballs');
const { runCli, cleanEnv, tmpdir, copyFixture, NODEDIR } = require('./helpers/run');

// GET with Node's client. Resolves { status, headers, body } on a complete
// response, or { error, status, headers, body } when the body is cut short.
function get(url, { ca, agent, method = 'GET', timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    let error = null;
    let started = false;
    const req = mod.request(url, { method, ca, agent: agent ?? false }, (res) => {
      started = true;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => (error = error || e));
      res.on('close', () => {
        const body = Buffer.concat(chunks);
        if (!res.complete && !error) error = new Error('incomplete');
        resolve({ error, status: res.statusCode, headers: res.headers, body });
      });
    });
    req.setTimeout(timeout, () => req.destroy(new Error('client timeout')));
    // After the headers, a socket error is the body being cut: report it
    // with the response instead of failing the request.
    req.on('error', (e) => (started ? (error = error || e) : reject(e)));
    req.end();
  });
}

describe('tls', () => {
  test('CA and leaf are a valid X509v3 chain for 127.0.0.1', () => {
    const pki = makeTestCA();
    assert.equal(makeTestCA(), pki, 'cached per process');
    for (const f of [pki.caFile, pki.certFile, pki.keyFile]) assert.ok(fs.existsSync(f), f);
    assert.match(pki.ca, /BEGIN CERTIFICATE/);
    assert.match(pki.key, /PRIVATE KEY/);
    const out = execFileSync('openssl', ['verify', '-CAfile', pki.caFile, pki.certFile], { encoding: 'utf8' });
    assert.match(out, /OK/);
    const leaf = new crypto.X509Certificate(pki.cert);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIP('127.0.0.1'));
    assert.ok(leaf.checkHost('localhost'));
    assert.ok(leaf.verify(new crypto.X509Certificate(pki.ca).publicKey));
    assert.ok(new crypto.X509Certificate(pki.ca).ca);
  });

  test('bundle = system CAs + test CA', () => {
    const { caFile, ca } = makeTestCA();
    const bundle = fs.readFileSync(bundleWithSystemCAs(caFile), 'utf8');
    assert.ok(bundle.endsWith(ca.endsWith('\n') ? ca : ca + '\n'));
    if (fs.existsSync('/etc/ssl/certs/ca-certificates.crt')) {
      assert.ok(bundle.split('BEGIN CERTIFICATE').length > 10, 'system CAs included');
    }
  });
});

describe('startServer', () => {
  const body = crypto.randomBytes(64 * 1024);
  let srv;
  let tlsSrv;
  after(async () => {
    await srv?.close();
    await tlsSrv?.close();
  });

  test('http routes: body, status, 404 fallback, sequence, redirect, handler', async () => {
    srv = await startServer({
      routes: {
        '/ok': { body: 'hello', headers: { 'x-test': '1' } },
        '/forbidden': { status: 403 },
        '/flaky': { sequence: [{ status: 500 }, { status: 503 }, { body: 'finally' }] },
        '/moved': { redirect: '/ok' },
        '/moved301': { redirect: 'http://127.0.0.1:1/x', status: 301 },
        '/custom': { handler: (req, res) => res.end(`custom ${req.method}`) },
      },
    });
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    let r = await get(srv.url + '/ok');
    assert.deepEqual([r.status, r.body.toString(), r.headers['x-test']], [200, 'hello', '1']);
    r = await get(srv.url + '/ok?query=1');
    assert.equal(r.status, 200, 'query string ignored for matching');
    assert.equal((await get(srv.url + '/forbidden')).status, 403);
    assert.equal((await get(srv.url + '/nope')).status, 404);
    const seq = [];
    for (let i = 0; i < 4; i++) seq.push((await get(srv.url + '/flaky')).status);
    assert.deepEqual(seq, [500, 503, 200, 200], 'last spec repeats');
    r = await get(srv.url + '/moved');
    assert.deepEqual([r.status, r.headers.location], [302, '/ok']);
    r = await get(srv.url + '/moved301');
    assert.deepEqual([r.status, r.headers.location], [301, 'http://127.0.0.1:1/x']);
    assert.equal((await get(srv.url + '/custom')).body.toString(), 'custom GET');
    r = await get(srv.url + '/ok', { method: 'HEAD' });
    assert.deepEqual([r.status, r.headers['content-length'], r.body.length], [200, '5', 0]);
    assert.equal(srv.requests[0].method, 'GET');
    assert.equal(srv.requests[0].url, '/ok');
    assert.ok(srv.requests[0].headers.host);
    assert.equal(srv.requests.length, 12);
  });

  test('https with the test CA; rejected without it', async () => {
    tlsSrv = await startServer({ tls: true, routes: { '/bin/a.tar.gz': { body } } });
    assert.match(tlsSrv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { ca } = makeTestCA();
    const r = await get(tlsSrv.url + '/bin/a.tar.gz', { ca });
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(body));
    const viaName = await get(`https://localhost:${tlsSrv.port}/bin/a.tar.gz`, { ca });
    assert.equal(viaName.status, 200, 'SAN covers localhost');
    await assert.rejects(get(tlsSrv.url + '/bin/a.tar.gz'), /self.signed|unable to verify|local issuer/i);
  });

  for (const tlsMode of [false, true]) {
    const ca = tlsMode ? makeTestCA().ca : undefined;
    const name = tlsMode ? 'https' : 'http';

    test(`${name}: reset and truncate cut the body after \`after\` bytes`, async () => {
      const s = await startServer({
        tls: tlsMode,
        routes: {
          '/reset': { reset: true, after: 1000, body },
          '/reset0': { reset: true, body },
          '/trunc': { truncate: true, after: 2000, body },
        },
      });
      try {
        let r = await get(s.url + '/reset', { ca });
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-length'], String(body.length));
        assert.equal(r.error?.code, 'ECONNRESET');
        assert.ok(r.body.length <= 1000);
        r = await get(s.url + '/reset0', { ca });
        assert.ok(r.error);
        assert.equal(r.body.length, 0);
        r = await get(s.url + '/trunc', { ca });
        assert.equal(r.status, 200);
        assert.ok(r.error);
        assert.equal(r.body.length, 2000, 'clean close delivers exactly `after` bytes');
        assert.ok(r.body.equals(body.subarray(0, 2000)));
      } finally {
        await s.close();
      }
    });

    test(`${name}: reset is a real RST, truncate a clean close`, async () => {
      const s = await startServer({
        tls: tlsMode,
        routes: { '/reset': { reset: true, after: 1000, body }, '/trunc': { truncate: true, after: 1000, body } },
      });
      // Raw socket, so we see what the transport did rather than how an
      // HTTP client words it (Node's says "aborted" for both).
      const raw = (p) => new Promise((resolve) => {
        const sock = tlsMode ? tls.connect({ host: '127.0.0.1', port: s.port, ca }) : net.connect(s.port, '127.0.0.1');
        sock.on(tlsMode ? 'secureConnect' : 'connect', () => sock.write(`GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`));
        let n = 0;
        sock.on('data', (d) => (n += d.length));
        sock.on('error', (e) => resolve({ how: e.code, n }));
        sock.on('end', () => resolve({ how: 'end', n }));
      });
      try {
        const r = await raw('/reset');
        assert.equal(r.how, 'ECONNRESET');
        assert.ok(r.n > 1000, 'headers and `after` bytes arrive before the reset');
        assert.equal((await raw('/trunc')).how, 'end');
      } finally {
        await s.close();
      }
    });

    test(`${name}: stall keeps the socket open until close()`, async () => {
      const s = await startServer({ tls: tlsMode, routes: { '/stall': { stall: true, after: 100, body } } });
      const got = await new Promise((resolve, reject) => {
        const mod = tlsMode ? https : http;
        const req = mod.get(s.url + '/stall', { ca, agent: false }, (res) => {
          let n = 0;
          res.on('data', (c) => {
            n += c.length;
            if (n >= 100) resolve({ res, n });
          });
        });
        req.on('error', reject);
      });
      assert.equal(got.n, 100);
      // Nothing more arrives while stalled.
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!got.res.complete);
      const closedByServer = new Promise((r) => got.res.on('close', r));
      const t0 = Date.now();
      await s.close();
      await closedByServer;
      assert.ok(Date.now() - t0 < 2000, 'close() ends stalled sockets promptly');
      assert.ok(!got.res.complete);
    });
  }

  test('close() also ends idle keep-alive connections', async () => {
    const s = await startServer({ routes: { '/': { body: 'x' } } });
    const agent = new http.Agent({ keepAlive: true });
    await get(s.url + '/', { agent });
    const t0 = Date.now();
    await s.close();
    assert.ok(Date.now() - t0 < 1000);
    agent.destroy();
  });
});

describe('startConnectProxy', () => {
  test('CONNECT tunnel to the HTTPS server, GET forwarding, non-loopback refused', async () => {
    const proxy = await startConnectProxy();
    const origin = await startServer({ tls: true, routes: { '/via': { body: 'tunnelled' } } });
    const plain = await startServer({ routes: { '/plain': { body: 'forwarded' } } });
    const { ca } = makeTestCA();
    try {
      assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const target = `127.0.0.1:${origin.port}`;
      const socket = await new Promise((resolve, reject) => {
        http.request(proxy.url, { method: 'CONNECT', path: target, agent: false })
          .on('connect', (res, sock) => (res.statusCode === 200 ? resolve(sock) : reject(new Error(`CONNECT ${res.statusCode}`))))
          .on('error', reject)
          .end();
      });
      const agent = new https.Agent({ keepAlive: false });
      agent.createConnection = (opts) => tls.connect({ socket, servername: 'localhost', ca });
      const r = await get(origin.url + '/via', { ca, agent });
      assert.deepEqual([r.status, r.body.toString()], [200, 'tunnelled']);
      assert.deepEqual(proxy.connects, [target]);
      assert.equal(origin.requests[0].url, '/via');

      // Plain http via absolute-URI request line.
      const fwd = await new Promise((resolve, reject) => {
        http.request({ host: '127.0.0.1', port: proxy.port, path: plain.url + '/plain', agent: false }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve({ status: res.statusCode, body: b }));
        }).on('error', reject).end();
      });
      assert.deepEqual(fwd, { status: 200, body: 'forwarded' });
      assert.equal(plain.requests[0].url, '/plain');
      assert.ok(proxy.requests.some((q) => q.method === 'GET' && q.url === plain.url + '/plain'));

      // Non-loopback targets are refused without being dialled.
      const refused = await new Promise((resolve, reject) => {
        http.request(proxy.url, { method: 'CONNECT', path: 'example.com:443', agent: false })
          .on('connect', (res, sock) => {
            sock.destroy();
            resolve(res.statusCode);
          })
          .on('error', reject)
          .end();
      });
      assert.equal(refused, 403);
      const refusedGet = await new Promise((resolve, reject) => {
        http.request({ host: '127.0.0.1', port: proxy.port, path: 'http://example.com/x', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject).end();
      });
      assert.equal(refusedGet, 403);
      assert.deepEqual(proxy.connects, [target, 'example.com:443']);
    } finally {
      await proxy.close();
      await origin.close();
      await plain.close();
    }
  });
});

describe('tarballs', () => {
  const dir = tmpdir('pregyp-helpers-tar-');

  test('entries are written verbatim, attack names included', async () => {
    const long = 'lib/' + 'a'.repeat(120) + '/b.node';
    const file = makeTarball(path.join(dir, 'evil.tar.gz'), [
      { name: 'lib/', type: 'dir' },
      { name: 'lib/ok.node', content: 'binary' },
      { name: '../evil', content: 'x' },
      { name: '/abs/evil', content: 'x' },
      { name: 'lib/binding/../../../evil', content: 'x' },
      { name: 'lib/etc', type: 'symlink', linkname: '/etc' },
      { name: 'lib/up', type: 'symlink', linkname: '../../x' },
      { name: 'lib/hard', type: 'hardlink', linkname: '/etc/passwd' },
      { name: 'lib/suid', content: '#!/bin/sh\n', mode: 0o4755 },
      { name: 'lib/null', type: 'chardev' },
      { name: 'lib/fifo', type: 'fifo' },
      { name: long, content: 'long' },
    ]);
    const listing = execFileSync('tar', ['tvzf', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = listing.trim().split('\n');
    assert.equal(lines.length, 12);
    assert.match(lines[0], /^d.* lib\/$/);
    assert.match(lines[1], /^-rw-r--r-- .* 6 .* lib\/ok\.node$/);
    assert.match(lines[2], / \.\.\/evil$/);
    assert.match(lines[3], / \/abs\/evil$/);
    assert.match(lines[4], / lib\/binding\/\.\.\/\.\.\/\.\.\/evil$/);
    assert.match(lines[5], /^l.* lib\/etc -> \/etc$/);
    assert.match(lines[6], /^l.* lib\/up -> \.\.\/\.\.\/x$/);
    assert.match(lines[7], /^h.* lib\/hard link to /);
    assert.match(lines[8], /^-rwsr-xr-x .* lib\/suid$/);
    assert.match(lines[9], /^c.* 1,3 .* lib\/null$/);
    assert.match(lines[10], /^p.* lib\/fifo$/);
    assert.ok(lines[11].endsWith(long), 'long names survive (PAX)');
    // Deterministic bytes, so hashes can be asserted.
    assert.ok(tarBuffer([{ name: 'a', content: 'b' }]).equals(tarBuffer([{ name: 'a', content: 'b' }])));
    const expected = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    assert.equal(await sha256File(file), expected);
  });

  test('gzip bomb streams a big entry into a small file', async () => {
    const size = 64 * 1024 * 1024;
    const file = await makeGzipBomb(path.join(dir, 'bomb.tar.gz'), { entryName: 'lib/huge.node', size });
    assert.ok(fs.statSync(file).size < size / 500, 'compresses far below its size');
    const listing = execFileSync('tar', ['tvzf', file], { encoding: 'utf8' });
    assert.match(listing, new RegExp(` ${size} .* lib/huge\\.node\\n$`));
  });
});

describe('run', () => {
  test('cleanEnv drops npm/AWS/proxy variables', () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      npm_config_registry: 'x', NPM_CONFIG_CAFILE: 'x', npm_package_name: 'x', npm_lifecycle_event: 'x',
      AWS_SECRET_ACCESS_KEY: 'x', HTTPS_PROXY: 'x', http_proxy: 'x', NO_PROXY: 'x', PREGYP_KEEP: 'kept',
    });
    try {
      const env = cleanEnv();
      for (const k of ['npm_config_registry', 'NPM_CONFIG_CAFILE', 'npm_package_name', 'npm_lifecycle_event', 'AWS_SECRET_ACCESS_KEY', 'HTTPS_PROXY', 'http_proxy', 'NO_PROXY']) {
        assert.ok(!(k in env), k);
      }
      assert.equal(env.PREGYP_KEEP, 'kept');
      assert.equal(env.npm_config_nodedir, NODEDIR ?? undefined);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
  });

  test('runCli runs a script with the cleaned env and bounded time', async () => {
    const dir = tmpdir();
    const script = path.join(dir, 'fake-cli.js');
    fs.writeFileSync(script, `
      process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }));
      process.stderr.write('to stderr');
      if (process.argv[2] === 'hang') setInterval(() => {}, 1000);
      else process.exitCode = 3;
    `);
    const r = await runCli(['a', 'b'], { cwd: dir, bin: script, env: { EXTRA: 1, PATH: process.env.PATH } });
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'to stderr');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.argv, ['a', 'b']);
    assert.equal(fs.realpathSync(out.cwd), fs.realpathSync(dir));
    assert.equal(out.env.EXTRA, '1');
    await assert.rejects(runCli(['hang'], { bin: script, timeout: 500 }), (err) => err.timedOut === true);
  });

  test('copyFixture copies into a fresh temp dir', () => {
    const a = copyFixture('hello-addon');
    const b = copyFixture('hello-addon');
    assert.notEqual(a, b);
    for (const f of ['package.json', 'binding.gyp', 'index.js', 'src/hello.c']) assert.ok(fs.existsSync(path.join(a, f)), f);
    assert.equal(JSON.parse(fs.readFileSync(path.join(a, 'package.json'), 'utf8')).binary.module_name, 'hello');
  });
});

describe('fixtures', () => {
  // The fixtures are real addons; prove they build offline with the real
  // node-gyp and load through index.js (with a stub standing in for pregyp).
  const nodeGyp = '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js';
  const skip = !NODEDIR || !fs.existsSync(nodeGyp) ? 'needs node-gyp and matching headers in /usr' : false;

  test('napi-addon builds with --napi_build_version and loads via index.js', { skip, timeout: 60_000 }, () => {
    const dir = copyFixture('napi-addon');
    const modulePath = path.join(dir, 'lib', 'binding', 'napi-v3');
    execFileSync(process.execPath, [nodeGyp, 'rebuild', '--nodedir=/usr', '--module_name=napi_hello', `--module_path=${modulePath}`, '--napi_build_version=3'], {
      cwd: dir, env: cleanEnv(), stdio: 'ignore', timeout: 60_000,
    });
    const stub = path.join(dir, 'stub-pregyp.js');
    fs.writeFileSync(stub, `exports.find = () => ${JSON.stringify(path.join(modulePath, 'napi_hello.node'))};`);
    const out = execFileSync(process.execPath, ['-p', `const b = require(${JSON.stringify(dir)}); b.hello() + ' ' + b.add(2, 3)`], {
      env: { ...cleanEnv(), PREGYP_UNDER_TEST: stub }, encoding: 'utf8', timeout: 10_000,
    });
    assert.equal(out.trim(), 'napi-3 5');
  });
});

describe('moto', () => {
  test('starts, serves S3, stops', { timeout: 60_000 }, async () => {
    const env = s3Env('http://127.0.0.1:1');
    assert.equal(env.AWS_EC2_METADATA_DISABLED, 'true');
    assert.equal(env.AWS_ACCESS_KEY_ID, 'testing');
    assert.equal(env.AWS_REGION, 'us-east-1');
    const moto = await startMoto();
    try {
      assert.match(moto.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      const cmdline = fs.readFileSync(`/proc/${moto.pid}/cmdline`, 'utf8');
      assert.match(cmdline, /python/, 'pid is the server, not a shell');
      await createBucket(moto.endpoint, 'pregyp-test-bucket');
      const list = await get(moto.endpoint + '/');
      assert.match(list.body.toString(), /<Name>pregyp-test-bucket<\/Name>/);
    } finally {
      await moto.stop();
    }
    assert.throws(() => process.kill(moto.pid, 0), { code: 'ESRCH' });
  });
});
