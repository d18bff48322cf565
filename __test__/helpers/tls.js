'use strict';
// Test PKI: one CA and one server leaf signed by it, made with the openssl CLI.
//
// Why a CA *and* a leaf instead of one self-signed cert: rustls (pregyp's TLS
// stack) rejects a certificate that is both the trust anchor and the end
// entity, and wants a proper X509v3 leaf (SAN, CA:FALSE, serverAuth EKU).
// Node's own client is happy with the same chain, so one PKI serves both.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

// Keyed by target dir (or '' for "our own temp dir"): key generation costs a
// noticeable fraction of a second, so every test in a process shares one CA.
const cache = new Map();
const bundles = new Map();

function openssl(args, cwd) {
  // Bounded so a wedged openssl (e.g. waiting on a prompt) cannot hang a test.
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

/**
 * makeTestCA(dir?) -> { caFile, certFile, keyFile, ca, cert, key }
 * Files are written to `dir` if given (created if needed), else to a temp dir
 * under os.tmpdir() that is removed when the process exits.
 */
function makeTestCA(dir) {
  const key = dir ? path.resolve(dir) : '';
  if (cache.has(key)) return cache.get(key);

  let out = key;
  if (!out) {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'pregyp-test-ca-'));
    process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  } else {
    fs.mkdirSync(out, { recursive: true });
  }

  // Explicit CA extensions: openssl's defaults vary between builds/configs.
  openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=pregyp test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
  ], out);
  openssl([
    'req', '-newkey', 'rsa:2048', '-nodes', '-sha256',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost',
  ], out);
  // `x509 -req` ignores extensions in the CSR, so they must come from -extfile.
  fs.writeFileSync(path.join(out, 'server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid,issuer',
    '',
  ].join('\n'));
  // A random serial avoids the ca.srl side file of -CAcreateserial.
  const serial = '0x' + require('node:crypto').randomBytes(8).toString('hex');
  openssl([
    'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
    '-set_serial', serial, '-days', '825', '-sha256',
    '-extfile', 'server.ext', '-out', 'server.crt',
  ], out);

  const caFile = path.join(out, 'ca.crt');
  const certFile = path.join(out, 'server.crt');
  const keyFile = path.join(out, 'server.key');
  const result = {
    caFile,
    certFile,
    keyFile,
    ca: fs.readFileSync(caFile, 'utf8'),
    cert: fs.readFileSync(certFile, 'utf8'),
    key: fs.readFileSync(keyFile, 'utf8'),
  };
  cache.set(key, result);
  return result;
}

/**
 * bundleWithSystemCAs(caFile) -> path of (system CA bundle + caFile).
 * For npm's `cafile`, which *replaces* npm's CA list: pointing it at the test
 * CA alone would cut npm off from the real registry.
 */
function bundleWithSystemCAs(caFile) {
  const abs = path.resolve(caFile);
  if (bundles.has(abs)) return bundles.get(abs);
  const system = fs.existsSync(SYSTEM_BUNDLE) ? fs.readFileSync(SYSTEM_BUNDLE, 'utf8') : '';
  let test = fs.readFileSync(abs, 'utf8');
  const out = path.join(path.dirname(abs), 'bundle-with-system.pem');
  // Guard the join: a system bundle without a final newline would glue the
  // two PEM blocks together on one line and break parsing.
  const sep = system && !system.endsWith('\n') ? '\n' : '';
  if (!test.endsWith('\n')) test += '\n';
  fs.writeFileSync(out, system + sep + test);
  bundles.set(abs, out);
  return out;
}

module.exports = { makeTestCA, bundleWithSystemCAs, SYSTEM_BUNDLE };
