'use strict';
// package / testpackage / checksums / publish / unpublish / info against a real
// S3-compatible server (moto on 127.0.0.1), through the CLI as a user runs it.
//
// The endpoint reaches pregyp only through package.json (s3Env sets no
// AWS_ENDPOINT_URL), so these tests fail if pregyp ignores binary.host.
// Wrong-credential tests use a second moto in IAM mode (INITIAL_NO_AUTH_ACTION_COUNT
// = 0 via /moto-api/reset-auth): there moto checks SigV4 signatures against
// the access keys of IAM users created beforehand.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startMoto, s3Env, createBucket } = require('./helpers/moto');
const { runCli, copyFixture, tmpdir } = require('./helpers/run');
const { startConnectProxy } = require('./helpers/servers');
const { makeTestCA } = require('./helpers/tls');
const net = require('node:net');
const tls = require('node:tls');

const ROOT = path.join(__dirname, '..');
// Any real .node file will do as the "binding": package does not care what it is,
// and testpackage only needs something Node can load.
const A_NODE_FILE = path.join(ROOT, `pregyp.${require('../lib/loader').builtTriple(ROOT, 'pregyp')}.node`);

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

function request(method, url, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, 'content-length': body ? Buffer.byteLength(body) : 0 }, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// moto picks the service from the credential scope of the Authorization header;
// it does not check the signature until auth is switched on.
async function iam(endpoint, params) {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  const res = await request('POST', endpoint + '/', {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIAMSETUP/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  assert.equal(res.status, 200, res.body.toString());
  return res.body.toString();
}

/** A pregyp-ready copy of hello-addon whose binary lives in moto. */
function makePackage(endpoint, bucket, { objectHost = false, version = '1.0.0', remotePath = '{name}/v{version}' } = {}) {
  const dir = copyFixture('hello-addon');
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pj.version = version;
  const b = pj.binary;
  if (remotePath) b.remote_path = remotePath;
  if (objectHost) {
    b.host = { endpoint, bucket, region: 'us-east-1', s3ForcePathStyle: true };
  } else {
    Object.assign(b, { host: endpoint, bucket, region: 'us-east-1', s3ForcePathStyle: true });
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2) + '\n');
  return dir;
}

async function reveal(dir, key, env) {
  const r = await runCli(['reveal', key, '--silent'], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function addBinding(dir, env) {
  const modulePath = await reveal(dir, 'module_path', env);
  fs.mkdirSync(modulePath, { recursive: true });
  fs.copyFileSync(A_NODE_FILE, path.join(modulePath, 'hello.node'));
  return modulePath;
}

function cli(args, dir, env) {
  return runCli(args, { cwd: dir, env, timeout: 120_000 });
}

function ok(r, what) {
  assert.equal(r.code, 0, `${what} failed:\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

describe('package, publish, info, unpublish against moto', () => {
  let moto;
  let env;
  const BUCKET = 'pregyp-bins';

  before(async () => {
    moto = await startMoto();
    await createBucket(moto.endpoint, BUCKET);
    // An empty HOME: no ~/.node_pre_gyprc or ~/.aws of the developer running the tests.
    env = { ...s3Env(), HOME: tmpdir('pregyp-home-'), AWS_EC2_METADATA_DISABLED: 'true' };
  });
  after(async () => {
    if (moto) await moto.stop();
  });

  test('package without a binding fails with the reference message', async () => {
    const dir = makePackage(moto.endpoint, BUCKET);
    const r = await cli(['package'], dir, env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot package because .*hello\.node missing: run `pregyp rebuild` first/);
  });

  test('package: layout, dotfiles, reproducible bytes, .sha256, reference unpack', async () => {
    const dir = makePackage(moto.endpoint, BUCKET);
    const modulePath = await addBinding(dir, env);
    fs.writeFileSync(path.join(modulePath, '.hidden'), 'not packed');
    fs.mkdirSync(path.join(modulePath, 'sub'));
    fs.writeFileSync(path.join(modulePath, 'sub', 'data.txt'), 'packed');
    const base = path.basename(modulePath);

    const first = ok(await cli(['package'], dir, env), 'package');
    assert.match(first.stdout, new RegExp(`^packing ${base}/hello\\.node$`, 'm'));
    assert.match(first.stdout, new RegExp(`^skipping ${base}/\\.hidden$`, 'm'));
    const tarball = path.join(dir, await reveal(dir, 'staged_tarball', env));
    const bytes1 = fs.readFileSync(tarball);
    assert.equal(
      fs.readFileSync(tarball + '.sha256', 'utf8'),
      `${sha256(bytes1)}  ${path.basename(tarball)}\n`
    );

    // Same input, later mtimes: identical bytes.
    fs.utimesSync(path.join(modulePath, 'hello.node'), new Date(), new Date(Date.now() + 5000));
    const again = ok(await cli(['package', '--json'], dir, env), 'package');
    const data = JSON.parse(again.stdout.trim().split('\n').pop());
    assert.equal(data.sha256, sha256(bytes1));
    assert.equal(data.size, bytes1.length);
    assert.equal(data.tarball, tarball);
    assert.deepEqual(fs.readFileSync(tarball), bytes1);

    // The entries as tar(1) sees them: prefixed, normalized owners, fixed time.
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', tarball], { encoding: 'utf8' });
    assert.match(listing, new RegExp(`^-rwxr-xr-x 0/0 .* 1985-10-26 \\d\\d:\\d\\d ${base}/hello\\.node$`, 'm'));
    assert.match(listing, new RegExp(` ${base}/sub/data\\.txt$`, 'm'));
    assert.doesNotMatch(listing, /\.hidden/);

    // The reference's own unpack (tar.extract strip: 1) gets the files back.
    const tarPath = [path.join(ROOT, 'node_modules', 'tar'), '/tmp/ref/node_modules/tar'].find((p) => fs.existsSync(p));
    if (tarPath) {
      const tar = require(tarPath);
      const out = tmpdir('pregyp-unpack-');
      await tar.extract({ file: tarball, cwd: out, strip: 1 });
      assert.deepEqual(fs.readFileSync(path.join(out, 'hello.node')), fs.readFileSync(path.join(modulePath, 'hello.node')));
      assert.equal(fs.readFileSync(path.join(out, 'sub', 'data.txt'), 'utf8'), 'packed');
      assert.ok(!fs.existsSync(path.join(out, '.hidden')));
    }

    // testpackage loads the binding from the unpacked tarball.
    const tp = ok(await cli(['testpackage'], dir, env), 'testpackage');
    assert.match(tp.stdout, /^\[hello-addon\] Package appears valid$/m);
    // ... and leaves no temp folder behind.
    assert.deepEqual(
      fs.readdirSync(path.dirname(tarball)).sort(),
      [path.basename(tarball), path.basename(tarball) + '.sha256']
    );

    // checksums prints a binary.checksums entry; --write stores it, keeping the rest.
    const cs = ok(await cli(['checksums'], dir, env), 'checksums');
    assert.equal(cs.stdout.trim(), `"${path.basename(tarball)}": "${sha256(bytes1)}"`);
    ok(await cli(['checksums', '--write'], dir, env), 'checksums --write');
    const text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
    const pj = JSON.parse(text);
    assert.deepEqual(pj.binary.checksums, { [path.basename(tarball)]: sha256(bytes1) });
    assert.ok(text.endsWith('}\n') && text.includes('\n  "name": "hello-addon"'), text);
    assert.deepEqual(Object.keys(pj), ['name', 'version', 'main', 'binary']);
  });

  test('testpackage fails clearly when the binding cannot load', async () => {
    const dir = makePackage(moto.endpoint, BUCKET);
    const modulePath = await addBinding(dir, env);
    fs.writeFileSync(path.join(modulePath, 'hello.node'), 'not an ELF file');
    ok(await cli(['package'], dir, env), 'package');
    const r = await cli(['testpackage'], dir, env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /hello\.node cannot be loaded/);
    const missing = await cli(['testpackage'], makePackage(moto.endpoint, BUCKET), env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot test package because .* missing: run `pregyp package` first/);
  });

  test('publish -> refuse overwrite -> info -> anonymous GET -> unpublish', async () => {
    const dir = makePackage(moto.endpoint, BUCKET, { version: '2.0.0' });
    await addBinding(dir, env);
    const noTarball = await cli(['publish'], dir, env);
    assert.equal(noTarball.code, 1);
    assert.match(noTarball.stderr, /Cannot publish because .* missing: run `pregyp package` first/);

    ok(await cli(['package'], dir, env), 'package');
    const hostedPath = await reveal(dir, 'hosted_path', env);
    const hostedTarball = await reveal(dir, 'hosted_tarball', env);
    assert.equal(hostedPath, `${moto.endpoint}/${BUCKET}/hello-addon/v2.0.0/`);
    const tarball = path.join(dir, await reveal(dir, 'staged_tarball', env));
    const key = `hello-addon/v2.0.0/${path.basename(tarball)}`;

    const pub = ok(await cli(['publish'], dir, env), 'publish');
    assert.equal(pub.stdout.trim(), `[hello-addon] Success: published to ${hostedPath}`);
    assert.match(pub.stderr, /Putting object with ACL: public-read/);
    assert.doesNotMatch(pub.stdout + pub.stderr, /testing/, 'no secret in the output');

    const again = await cli(['publish'], dir, env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`Failed publishing to ${hostedPath.replace(/[.]/g, '\\.')}`));
    assert.match(again.stderr, /already published .*cannot publish over an existing version/);

    const info = ok(await cli(['info'], dir, env), 'info');
    assert.deepEqual(info.stdout.trim().split('\n'), [key, `${key}.sha256`]);
    const infoJson = ok(await cli(['info', '--json'], dir, env), 'info --json');
    const objects = JSON.parse(infoJson.stdout.trim());
    assert.equal(objects[0].key, key);
    assert.equal(objects[0].size, fs.statSync(tarball).size);
    assert.match(objects[0].last_modified, /^\d{4}-\d\d-\d\dT/);

    // public-read: anyone can download it, and the .sha256 beside it.
    const anon = await request('GET', hostedTarball);
    assert.equal(anon.status, 200);
    assert.equal(sha256(anon.body), sha256(fs.readFileSync(tarball)));
    const sum = await request('GET', hostedTarball + '.sha256');
    assert.equal(sum.status, 200);
    assert.equal(sum.body.toString(), `${sha256(anon.body)}  ${path.basename(tarball)}\n`);

    const un = ok(await cli(['unpublish'], dir, env), 'unpublish');
    assert.equal(un.stdout.trim(), `[hello-addon] Success: removed ${hostedTarball}`);
    assert.equal((await request('GET', hostedTarball)).status, 404);
    assert.equal((await request('GET', hostedTarball + '.sha256')).status, 404);

    const empty = ok(await cli(['info'], dir, env), 'info');
    assert.equal(empty.stdout.trim(), '');
    assert.match(empty.stderr, /\[hello-addon\] Not found: No objects at /);

    const un2 = ok(await cli(['unpublish'], dir, env), 'unpublish again');
    assert.equal(un2.stdout.trim(), `[hello-addon] Not found: ${hostedTarball}`);
  });

  test('private binaries: --acl=private refuses anonymous GET, credentials still work', async () => {
    const dir = makePackage(moto.endpoint, BUCKET, { version: '3.0.0' });
    await addBinding(dir, env);
    ok(await cli(['package'], dir, env), 'package');
    const pub = ok(await cli(['publish', '--acl=private'], dir, env), 'publish --acl=private');
    assert.match(pub.stderr, /Putting object with ACL: private/);
    const hostedTarball = await reveal(dir, 'hosted_tarball', env);
    assert.equal((await request('GET', hostedTarball)).status, 403);
    const info = ok(await cli(['info'], dir, env), 'info');
    assert.match(info.stdout, /hello-addon\/v3\.0\.0\/hello-v3\.0\.0-.*\.tar\.gz$/m);

    // install: the anonymous GET gets 403, then an authenticated S3 GetObject succeeds.
    const modulePath = await reveal(dir, 'module_path', env);
    fs.rmSync(modulePath, { recursive: true, force: true });
    const cache = tmpdir('pregyp-cache-');
    const inst = ok(await cli(['install', '--json', '--loglevel=info'], dir, { ...env, PREGYP_CACHE: cache }), 'install (private)');
    assert.match(inst.stderr, /Received 403 Forbidden - attempting authenticated download/);
    const res = JSON.parse(inst.stdout);
    assert.equal(res.source, 's3');
    assert.equal(res.sha256, sha256(fs.readFileSync(path.join(dir, await reveal(dir, 'staged_tarball', env)))));
    assert.deepEqual(fs.readFileSync(path.join(modulePath, 'hello.node')), fs.readFileSync(A_NODE_FILE));
    // Without credentials: a clear error that says what to do.
    fs.rmSync(modulePath, { recursive: true, force: true });
    const noCreds = { ...env, PREGYP_CACHE: tmpdir('pregyp-cache-'), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
    const denied = await cli(['install'], dir, noCreds);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Binary is private but AWS credentials not found/);
    assert.ok(!fs.existsSync(modulePath), 'nothing installed');
    ok(await cli(['unpublish'], dir, env), 'unpublish');

    // binary.acl in package.json works the same way.
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    pj.binary.acl = 'private';
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2) + '\n');
    ok(await cli(['publish'], dir, env), 'publish with binary.acl');
    assert.equal((await request('GET', hostedTarball)).status, 403);
    ok(await cli(['unpublish'], dir, env), 'unpublish');
  });

  test('8 concurrent publishes of one version: exactly one wins, the stored bytes are its own', async () => {
    // Eight CI jobs with eight different builds of the same version.
    const dirs = [];
    for (let i = 0; i < 8; i++) {
      const dir = makePackage(moto.endpoint, BUCKET, { version: '6.0.0' });
      const modulePath = await addBinding(dir, env);
      fs.writeFileSync(path.join(modulePath, 'job.txt'), `job ${i}`);
      ok(await cli(['package'], dir, env), 'package');
      dirs.push(dir);
    }
    const tarballs = await Promise.all(dirs.map(async (d) => fs.readFileSync(path.join(d, await reveal(d, 'staged_tarball', env)))));
    assert.equal(new Set(tarballs.map(sha256)).size, 8, 'eight different tarballs');
    const results = await Promise.all(dirs.map((d) => cli(['publish'], d, env)));
    const winners = results.map((r, i) => [r, i]).filter(([r]) => r.code === 0);
    assert.equal(winners.length, 1, results.map((r) => r.stderr).join('\n---\n'));
    for (const r of results.filter((x) => x.code !== 0)) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Failed publishing to .*: already published/);
    }
    const winner = winners[0][1];
    const hostedTarball = await reveal(dirs[0], 'hosted_tarball', env);
    const stored = await request('GET', hostedTarball);
    assert.equal(stored.status, 200);
    assert.equal(sha256(stored.body), sha256(tarballs[winner]), "the stored object is the winner's");
    const sum = await request('GET', hostedTarball + '.sha256');
    assert.equal(sum.body.toString().split(' ')[0], sha256(tarballs[winner]), "and so is its checksum");
    ok(await cli(['unpublish'], dirs[winner], env), 'unpublish');
  });

  test('a publish whose answer is lost: the retry meets its own object and the publish succeeds', async () => {
    // A relay in front of moto forwards the first PUT of the tarball, lets moto store it,
    // and resets the connection instead of passing the answer on; the SDK retries the
    // conditional PUT, which now finds an object: this tarball.
    let dropped = 0;
    const relay = net.createServer((client) => {
      const up = net.connect(Number(new URL(moto.endpoint).port), '127.0.0.1');
      client.on('error', () => up.destroy());
      up.on('error', () => client.destroy());
      let head = '';
      let drop = false;
      client.on('data', (d) => {
        if (head.length < 200) {
          head += d.toString('latin1');
          drop ||= dropped === 0 && /^PUT \S+\.tar\.gz[ ?]/.test(head);
          if (drop) dropped++;
        }
        up.write(d);
      });
      client.on('end', () => up.end());
      up.on('data', (d) => (drop ? client.resetAndDestroy() : client.write(d)));
      up.on('end', () => client.end());
    });
    await new Promise((r) => relay.listen(0, '127.0.0.1', r));
    try {
      const dir = makePackage(`http://127.0.0.1:${relay.address().port}`, BUCKET, { version: '6.1.0' });
      await addBinding(dir, env);
      ok(await cli(['package'], dir, env), 'package');
      const tarball = fs.readFileSync(path.join(dir, await reveal(dir, 'staged_tarball', env)));
      const pub = ok(await cli(['publish', '--loglevel=verbose'], dir, env), 'publish through the relay');
      assert.equal(dropped, 1, 'the first answer was dropped');
      assert.match(pub.stderr, /is this tarball .*an earlier attempt of this write landed/);
      assert.match(pub.stdout, /Success: published to/);
      const hostedTarball = await reveal(dir, 'hosted_tarball', env);
      const direct = hostedTarball.replace(/^http:\/\/127\.0\.0\.1:\d+/, moto.endpoint);
      assert.equal(sha256((await request('GET', direct)).body), sha256(tarball));
      assert.equal((await request('GET', direct + '.sha256')).body.toString().split(' ')[0], sha256(tarball));
      // Another build of the same version is still refused.
      fs.writeFileSync(path.join(await reveal(dir, 'module_path', env), 'job.txt'), 'another build');
      ok(await cli(['package'], dir, env), 'package again');
      const again = await cli(['publish'], dir, env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already published/);
      ok(await cli(['unpublish'], dir, env), 'unpublish');
    } finally {
      relay.close();
    }
  });

  test('publish and a private install go through a CONNECT proxy to an https S3 with the test CA', async () => {
    // moto behind TLS (the test CA's certificate), reached only through the proxy.
    const ca = makeTestCA();
    const motoPort = Number(new URL(moto.endpoint).port);
    const front = tls.createServer({ cert: fs.readFileSync(ca.certFile), key: fs.readFileSync(ca.keyFile) }, (sock) => {
      const up = net.connect(motoPort, '127.0.0.1');
      sock.on('error', () => up.destroy());
      up.on('error', () => sock.destroy());
      sock.pipe(up).pipe(sock);
    });
    await new Promise((r) => front.listen(0, '127.0.0.1', r));
    front.unref();
    const proxy = await startConnectProxy();
    try {
      const endpoint = `https://127.0.0.1:${front.address().port}`;
      const dir = makePackage(endpoint, BUCKET, { version: '7.0.0' });
      const penv = { ...env, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile };
      await addBinding(dir, penv);
      ok(await cli(['package'], dir, penv), 'package');

      // Without the CA: a clean failure naming the certificate problem, nothing stored.
      const noCa = await cli(['publish', '--acl=private'], dir, { ...penv, NODE_EXTRA_CA_CERTS: undefined });
      assert.equal(noCa.code, 1, noCa.stderr);
      assert.match(noCa.stderr, /certificate|UnknownIssuer|tls|TLS/);
      assert.doesNotMatch(noCa.stderr, /panicked/);

      const pub = ok(await cli(['publish', '--acl=private'], dir, penv), 'publish through the proxy');
      assert.match(pub.stdout, /Success: published to/);
      assert.ok(proxy.connects.includes(`127.0.0.1:${front.address().port}`), `CONNECTs: ${proxy.connects}`);

      // The private install: 403 for the anonymous GET, then GetObject, all through the proxy.
      const modulePath = await reveal(dir, 'module_path', penv);
      fs.rmSync(modulePath, { recursive: true, force: true });
      const before = proxy.connects.length;
      const inst = ok(await cli(['install', '--loglevel=info'], dir, { ...penv, PREGYP_CACHE: tmpdir('pregyp-cache-') }), 'private install through the proxy');
      assert.match(inst.stderr, /Received 403 Forbidden - attempting authenticated download/);
      assert.deepEqual(fs.readFileSync(path.join(modulePath, 'hello.node')), fs.readFileSync(A_NODE_FILE));
      assert.ok(proxy.connects.length > before, 'the install went through the proxy');
      ok(await cli(['unpublish'], dir, penv), 'unpublish through the proxy');
    } finally {
      await proxy.close();
      front.close();
    }
  });

  test('large tarballs go up in parts, with the ACL', async () => {
    const dir = makePackage(moto.endpoint, BUCKET, { version: '5.0.0' });
    const modulePath = await addBinding(dir, env);
    // 12 MiB that gzip cannot shrink; the threshold lowered to 5 MiB -> several parts.
    fs.writeFileSync(path.join(modulePath, 'assets.bin'), crypto.randomBytes(12 * 1024 * 1024));
    ok(await cli(['package'], dir, env), 'package');
    const e = { ...env, PREGYP_MULTIPART_THRESHOLD: String(5 * 1024 * 1024) };
    const pub = ok(await cli(['publish', '--verbose'], dir, e), 'publish (multipart)');
    assert.match(pub.stderr, /multipart upload of .* in [2-9] parts/);
    const tarball = path.join(dir, await reveal(dir, 'staged_tarball', env));
    const got = await request('GET', await reveal(dir, 'hosted_tarball', env));
    assert.equal(got.status, 200);
    assert.equal(sha256(got.body), sha256(fs.readFileSync(tarball)));
    ok(await cli(['unpublish'], dir, e), 'unpublish');
  });

  test('object host form {endpoint, bucket, region, s3ForcePathStyle}', async () => {
    const dir = makePackage(moto.endpoint, BUCKET, { objectHost: true, version: '4.0.0' });
    await addBinding(dir, env);
    ok(await cli(['package'], dir, env), 'package');
    const pub = ok(await cli(['publish'], dir, env), 'publish');
    assert.equal(pub.stdout.trim(), `[hello-addon] Success: published to ${moto.endpoint}/${BUCKET}/hello-addon/v4.0.0/`);
    const hostedTarball = await reveal(dir, 'hosted_tarball', env);
    assert.equal((await request('GET', hostedTarball)).status, 200);
    ok(await cli(['unpublish'], dir, env), 'unpublish');
    assert.equal((await request('GET', hostedTarball)).status, 404);
  });

  test('an S3 server that cannot be reached: one readable line naming it, no SDK dump', async () => {
    const closed = net.createServer();
    await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${closed.address().port}`;
    await new Promise((r) => closed.close(r));
    const dir = makePackage(endpoint, BUCKET, { objectHost: true, version: '4.1.0' });
    const r = await cli(['info'], dir, env);
    assert.equal(r.code, 1);
    const err = r.stderr.split('\n').filter((l) => l.includes('ERR!'));
    assert.equal(err.length, 1, r.stderr);
    assert.match(err[0], new RegExp(`S3 list s3://${BUCKET}/.* failed: cannot reach ${endpoint}: .*Connection refused`));
    // The AWS SDK's DisplayErrorContext appends its Debug form: `(DispatchFailure(... { source: ...`.
    assert.doesNotMatch(err[0], /DispatchFailure\(|\{ source|ConnectorError/);
  });

  test('an S3 endpoint that answers 502 with a page of its own: the status and the start of that page', async () => {
    const srv = http.createServer((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>\n<body>Bad gateway: upstream minio is down</body>\n</html>');
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const dir = makePackage(`http://127.0.0.1:${srv.address().port}`, BUCKET, { objectHost: true, version: '4.2.0' });
      const r = await cli(['info'], dir, env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /failed: HTTP 502: <html> <body>Bad gateway: upstream minio is down<\/body> <\/html>/);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  test('a host that is no S3 host: the reference\'s words, the host, and what the S3 commands need', async () => {
    const dir = makePackage('https://downloads.example.com/addons', BUCKET);
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const k of ['bucket', 'region', 's3ForcePathStyle']) delete pj.binary[k];
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj));
    const r = await cli(['info'], dir, env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not parse s3 bucket name from virtual host url\. \(the host is "https:\/\/downloads\.example\.com\/addons\/": the S3 commands need https:\/\/<bucket>\.s3\[\.<region>\]\.amazonaws\.com\/\.\.\., binary\.bucket and binary\.region beside the host, or a host object/);
  });

  test('Node-API packages: package and publish once per version', async () => {
    const dir = copyFixture('napi-addon');
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    Object.assign(pj.binary, { host: moto.endpoint, bucket: BUCKET, region: 'us-east-1', s3ForcePathStyle: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2) + '\n');
    for (const v of [3, 6]) {
      const mp = path.join(dir, 'lib', 'binding', `napi-v${v}`);
      fs.mkdirSync(mp, { recursive: true });
      fs.copyFileSync(A_NODE_FILE, path.join(mp, 'napi_hello.node'));
    }
    const pkg = ok(await cli(['package', '--json'], dir, env), 'package');
    const lines = pkg.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.match(lines[0].tarball, /napi-v3-linux/);
    assert.match(lines[1].tarball, /napi-v6-linux/);
    const pub = ok(await cli(['publish'], dir, env), 'publish');
    assert.equal(pub.stdout.trim().split('\n').length, 2);
    const info = ok(await cli(['info'], dir, env), 'info');
    assert.equal(info.stdout.trim().split('\n').filter((k) => k.endsWith('.tar.gz')).length, 2);
    const un = ok(await cli(['unpublish'], dir, env), 'unpublish');
    assert.equal(un.stdout.trim().split('\n').filter((l) => l.includes('Success: removed')).length, 2);
  });
});

describe('S3 credentials against moto in IAM mode', () => {
  let moto;
  let keyId;
  let secret;
  let dir;
  let home;
  const BUCKET = 'pregyp-auth';
  // No credentials at all unless a test adds them.
  const base = () => ({
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_REGION: 'us-east-1',
  });

  before(async () => {
    moto = await startMoto();
    await createBucket(moto.endpoint, BUCKET);
    await iam(moto.endpoint, { Action: 'CreateUser', UserName: 'publisher' });
    const created = await iam(moto.endpoint, { Action: 'CreateAccessKey', UserName: 'publisher' });
    keyId = /<AccessKeyId>([^<]+)</.exec(created)[1];
    secret = /<SecretAccessKey>([^<]+)</.exec(created)[1];
    await iam(moto.endpoint, {
      Action: 'PutUserPolicy',
      UserName: 'publisher',
      PolicyName: 's3',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
    });
    // From now on every request must be signed by a known IAM key.
    const r = await request('POST', `${moto.endpoint}/moto-api/reset-auth`, { body: '0', headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 200, r.body.toString());

    // No remote_path: moto's SigV4 check rejects correctly signed ListObjectsV2
    // requests whose prefix contains '/' (it canonicalizes the query differently).
    dir = makePackage(moto.endpoint, BUCKET, { remotePath: null });
    home = tmpdir('pregyp-home-');
    await addBinding(dir, base());
    ok(await cli(['package'], dir, base()), 'package');
  });
  after(async () => {
    if (moto) await moto.stop();
  });

  test('moto really checks credentials (sanity)', async () => {
    const r = await cli(['info'], dir, { ...base(), AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', AWS_SECRET_ACCESS_KEY: 'x' });
    assert.equal(r.code, 1);
  });

  test('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY', async () => {
    const e = { ...base(), AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret };
    ok(await cli(['publish'], dir, e), 'publish');
    const info = ok(await cli(['info'], dir, e), 'info');
    assert.match(info.stdout, /hello-v1\.0\.0-.*\.tar\.gz$/m);
    ok(await cli(['unpublish'], dir, e), 'unpublish');
  });

  test('node_pre_gyp_accessKeyId / node_pre_gyp_secretAccessKey, and they beat AWS_*', async () => {
    const e = { ...base(), node_pre_gyp_accessKeyId: keyId, node_pre_gyp_secretAccessKey: secret };
    ok(await cli(['info'], dir, e), 'info with node_pre_gyp_*');
    ok(await cli(['info'], dir, { ...e, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', AWS_SECRET_ACCESS_KEY: 'wrong' }), 'info with both');
  });

  test('~/.node_pre_gyprc, and it beats AWS_*', async () => {
    const rcHome = tmpdir('pregyp-rc-home-');
    fs.writeFileSync(path.join(rcHome, '.node_pre_gyprc'), JSON.stringify({ accessKeyId: keyId, secretAccessKey: secret }));
    const e = { ...base(), HOME: rcHome };
    const r = ok(await cli(['info', '--verbose'], dir, e), 'info with rc file');
    assert.match(r.stderr, /credentials from ~\/\.node_pre_gyprc/);
    assert.ok(!r.stderr.includes(secret), 'secret not logged');
    ok(await cli(['info'], dir, { ...e, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', AWS_SECRET_ACCESS_KEY: 'wrong' }), 'info rc + AWS');
  });

  test('wrong access key id: clear error, exit 1, no secret shown', async () => {
    const r = await cli(['publish'], dir, { ...base(), AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', AWS_SECRET_ACCESS_KEY: secret });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed: (InvalidAccessKeyId|HTTP 403)/);
    assert.match(r.stderr, /credentials from AWS_ACCESS_KEY_ID/);
    assert.ok(!r.stderr.includes(secret));
    const i = await cli(['info'], dir, { ...base(), AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000', AWS_SECRET_ACCESS_KEY: secret });
    assert.equal(i.code, 1);
    assert.match(i.stderr, /InvalidAccessKeyId: .*check the credentials/);
  });

  test('wrong secret: SignatureDoesNotMatch explained', async () => {
    const r = await cli(['info'], dir, { ...base(), node_pre_gyp_accessKeyId: keyId, node_pre_gyp_secretAccessKey: 'not-the-secret' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SignatureDoesNotMatch: .*secret access key from node_pre_gyp_accessKeyId\/node_pre_gyp_secretAccessKey .*does not match/);
    assert.ok(!r.stderr.includes('not-the-secret'));
  });

  test('no credentials anywhere: says how to provide them', async () => {
    const r = await cli(['publish'], dir, base());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AWS credentials not found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    const half = await cli(['info'], dir, { ...base(), node_pre_gyp_accessKeyId: keyId });
    assert.equal(half.code, 1);
    assert.match(half.stderr, /incomplete: node_pre_gyp_accessKeyId provides accessKeyId but no secretAccessKey/);
  });
});
