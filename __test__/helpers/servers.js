'use strict';
// Declarative HTTP(S) servers and a CONNECT proxy for tests, all on 127.0.0.1.
//
// Routes are plain objects (not callbacks) so a test reads like a table of
// "what the network does": a 500 then a 200, a reset after 10 bytes, a stall.
// Every server tracks its sockets so close() ends stalled or keep-alive
// connections at once; otherwise `node --test` would wait for them.

const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { makeTestCA } = require('./tls');

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

function toBuffer(body) {
  if (body === undefined || body === null) return Buffer.alloc(0);
  return Buffer.isBuffer(body) ? body : Buffer.from(String(body));
}

// Sends a real TCP RST where Node allows it, so clients see ECONNRESET rather
// than a clean FIN. TLS sockets wrap the TCP socket (`_parent`), and only the
// TCP one can reset.
function resetSocket(socket) {
  for (const s of [socket, socket._parent]) {
    if (s && typeof s.resetAndDestroy === 'function') {
      try {
        s.resetAndDestroy();
        break;
      } catch {
        // Not a TCP handle (TLS wrapper) or already gone: try the next one.
      }
    }
  }
  socket.destroy();
}

// The short pause lets the peer read the data already sent before the RST
// arrives: libuv reports data+RST landing together as a clean EOF, which
// would turn a reset into a truncation for Node clients and for the proxy.
function resetSoon(socket) {
  setTimeout(() => resetSocket(socket), 20);
}

// Writes the headers announcing the *full* length, then only `after` bytes,
// and calls `then` once those bytes are handed to the socket.
function sendPartial(res, spec, then) {
  const body = toBuffer(spec.body === undefined ? Buffer.alloc(1024, 'x') : spec.body);
  const after = Math.max(0, Math.min(spec.after || 0, body.length));
  res.writeHead(spec.status || 200, {
    'content-type': 'application/octet-stream',
    ...(spec.headers || {}),
    'content-length': body.length,
  });
  if (after > 0) res.write(body.subarray(0, after), () => then());
  else {
    res.flushHeaders();
    // Let the header bytes reach the socket before cutting it.
    setImmediate(then);
  }
}

function trickle(res, spec) {
  const body = toBuffer(spec.body);
  const { bytes = 1, everyMs = 100 } = spec.trickle;
  res.writeHead(spec.status || 200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(body.subarray(sent, sent + bytes));
    sent += bytes;
    if (sent >= body.length) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  timer.unref();
}

function serve(spec, req, res, state) {
  if (spec.sequence) {
    const n = state.count++;
    return serve(spec.sequence[Math.min(n, spec.sequence.length - 1)], req, res, {});
  }
  if (spec.handler) return spec.handler(req, res);
  // Declarative specs never read the request body; drain it so a PUT/POST
  // does not stall the connection.
  req.resume();
  const socket = res.socket;
  if (spec.reset) return sendPartial(res, spec, () => resetSoon(socket));
  // end() sends FIN (and TLS close_notify): a clean close, short of the length.
  if (spec.truncate) return sendPartial(res, spec, () => socket.end());
  if (spec.stall) return sendPartial(res, spec, () => {});
  // A slow but moving transfer: `trickle.bytes` bytes every `trickle.everyMs`.
  if (spec.trickle) return trickle(res, spec);
  if (spec.redirect) {
    res.writeHead(spec.status || 302, { location: spec.redirect, 'content-length': 0, ...(spec.headers || {}) });
    return res.end();
  }
  const status = spec.status || 200;
  // A bare error status gets its reason phrase as body, which helps when a
  // CLI prints the response it failed on.
  const body = spec.body !== undefined ? toBuffer(spec.body) : status === 200 ? Buffer.alloc(0) : Buffer.from(`${status} ${http.STATUS_CODES[status] || ''}\n`);
  res.writeHead(status, { 'content-type': 'application/octet-stream', ...(spec.headers || {}), 'content-length': body.length });
  res.end(body); // Node drops the body for HEAD by itself.
}

// Tracks raw sockets and returns a close() that ends everything promptly.
// Server-side handles are unref'd: a test that forgets close() still lets
// its process exit, while any client still waiting on us (a ref'd socket or
// child process on the test's side) keeps the process alive as it should.
function closable(server, extraSockets = new Set()) {
  const sockets = new Set();
  server.unref();
  server.on('connection', (s) => {
    s.unref();
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let closing;
  return () => {
    if (!closing) {
      closing = new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of [...sockets, ...extraSockets]) s.destroy();
        if (server.closeAllConnections) server.closeAllConnections();
      });
    }
    return closing;
  };
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/**
 * startServer({ tls = false, routes = {} }) -> Promise<{ url, port, requests, close() }>
 * Routes match the exact request target, else its path without the query.
 * Unknown paths answer 404. See the route spec kinds in serve() above.
 */
async function startServer({ tls = false, routes = {} } = {}) {
  const requests = [];
  const states = new Map(); // per-route sequence counters
  const onRequest = (req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, at: Date.now() });
    const pathname = req.url.split('?')[0];
    const key = Object.prototype.hasOwnProperty.call(routes, req.url) ? req.url
      : Object.prototype.hasOwnProperty.call(routes, pathname) ? pathname : null;
    if (key === null) return serve({ status: 404 }, req, res, {});
    if (!states.has(key)) states.set(key, { count: 0 });
    serve(routes[key], req, res, states.get(key));
  };
  let server;
  if (tls) {
    const { cert, key } = makeTestCA();
    server = https.createServer({ cert, key }, onRequest);
  } else {
    server = http.createServer(onRequest);
  }
  // Stalls are deliberate; do not let Node's idle timers end them early.
  server.timeout = 0;
  server.keepAliveTimeout = 1000;
  const close = closable(server);
  const port = await listen(server);
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, port, requests, close };
}

function parseTarget(authority) {
  // "host:port" or "[v6]:port"; we only ever accept the loopback names.
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(authority || '');
  if (!m) return null;
  return { host: m[1].toLowerCase(), port: Number(m[2]) };
}

/**
 * startConnectProxy() -> Promise<{ url, connects, requests, close() }>
 * CONNECT tunnels (https targets) and absolute-URI forwarding (http targets),
 * to 127.0.0.1/localhost only: anything else gets 403 without being dialled,
 * so a bug that leaks a real host name into a test never reaches the network.
 */
async function startConnectProxy() {
  const connects = [];
  const requests = [];
  const upstreams = new Set();
  const track = (s) => {
    s.unref();
    upstreams.add(s);
    s.on('close', () => upstreams.delete(s));
    return s;
  };

  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, at: Date.now() });
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400, { 'content-length': 0 });
      return res.end();
    }
    if (target.protocol !== 'http:' || !LOOPBACK_NAMES.has(target.hostname)) {
      res.writeHead(403, { 'content-length': 0 });
      return res.end();
    }
    const headers = { ...req.headers };
    for (const h of ['proxy-authorization', 'proxy-connection']) delete headers[h];
    // Whether the origin closed cleanly (FIN) or reset, so we can cut the
    // client's connection the same way: a truncation stays a truncation.
    let originEnded = false;
    const cut = () => (originEnded ? req.socket.end() : resetSoon(req.socket));
    const up = http.request({
      host: '127.0.0.1',
      port: Number(target.port) || 80,
      method: req.method,
      path: target.pathname + target.search,
      headers,
      agent: false,
    }, (upRes) => {
      res.writeHead(upRes.statusCode, upRes.headers);
      upRes.pipe(res);
      upRes.on('aborted', cut);
    });
    up.on('socket', (s) => {
      track(s);
      s.once('end', () => (originEnded = true));
    });
    up.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-length': 0 });
        res.end();
      } else cut();
    });
    req.pipe(up);
  });

  server.on('connect', (req, client, head) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, at: Date.now() });
    connects.push(req.url);
    client.on('error', () => {});
    const target = parseTarget(req.url);
    if (!target || !LOOPBACK_NAMES.has(target.host)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // Dial the loopback address itself, never a resolved name.
    const up = track(net.connect(target.port, '127.0.0.1'));
    let established = false;
    up.on('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head && head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => {
      if (established) resetSoon(client);
      else client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    // A clean upstream end reaches the client through pipe(); only an abrupt
    // one needs passing on (destroying here could drop bytes still queued).
    up.on('close', (hadError) => {
      if (established && hadError) resetSoon(client);
    });
    client.on('close', () => up.destroy());
  });

  server.timeout = 0;
  const close = closable(server, upstreams);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, connects, requests, close };
}

module.exports = { startServer, startConnectProxy };
