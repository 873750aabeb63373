#!/usr/bin/env node
// Sends N HTTP requests to one address and prints what answered, as JSON. bin/load runs it inside
// a pod's network namespace (so a sidecar captures its traffic) or on the host for the ingress.
//   node loadWorker.mjs --connect IP:PORT --host HOST [--path /] [--count N] [--concurrency C]
//                       [--timeout-ms MS] [--deadline-ms MS] [--header 'K: V']... [--tcp]
// --tcp: raw TCP instead of HTTP: each "request" is a connection that sends one line and reads
// the echo server's answer (status `tcp-ok`, or the error code / `closed` when nothing came back).
// Bounded: at most 100,000 requests, and it stops at the deadline whatever is left.
import http from 'node:http';
import net from 'node:net';

const opts = { path: '/', count: 100, concurrency: 4, timeoutMs: 5000, deadlineMs: 120000, headers: {} };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const v = () => argv[++i];
  if (a === '--connect') opts.connect = v();
  else if (a === '--host') opts.host = v();
  else if (a === '--path') opts.path = v();
  else if (a === '--count') opts.count = Number(v());
  else if (a === '--concurrency') opts.concurrency = Number(v());
  else if (a === '--timeout-ms') opts.timeoutMs = Number(v());
  else if (a === '--deadline-ms') opts.deadlineMs = Number(v());
  else if (a === '--tcp') opts.tcp = true;
  else if (a === '--header') {
    const h = v();
    const c = h.indexOf(':');
    opts.headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
  } else throw new Error(`unknown argument ${a}`);
}
if (!opts.connect) throw new Error('--connect IP:PORT is required');
opts.count = Math.min(Math.max(1, opts.count), 100000);
const [address, port] = [opts.connect.slice(0, opts.connect.lastIndexOf(':')), Number(opts.connect.slice(opts.connect.lastIndexOf(':') + 1))];

const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
const result = { total: 0, ok: 0, byStatus: {}, byVersion: {}, byHostname: {}, viaEnvoy: 0, mtls: 0, latencyMs: [] };
const bump = (map, k) => (map[k] = (map[k] ?? 0) + 1);

/** One request; the echo server answers with `key=value` lines (ServiceVersion, Hostname, the
 * request headers it received: an X-Forwarded-Client-Cert means the request arrived over
 * Istio mTLS through the server's sidecar). */
function once() {
  return new Promise(resolve => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      { host: address, port, path: opts.path, agent, headers: { host: opts.host ?? address, ...opts.headers }, timeout: opts.timeoutMs },
      res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', d => (body += d.length + body.length < 65536 ? d : ''));
        res.on('end', () => {
          result.latencyMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
          bump(result.byStatus, String(res.statusCode));
          if (res.statusCode < 500) result.ok++;
          const version = /^ServiceVersion=(.*)$/m.exec(body)?.[1];
          const hostname = /^Hostname=(.*)$/m.exec(body)?.[1];
          if (version !== undefined) bump(result.byVersion, version || '(none)');
          if (hostname) bump(result.byHostname, hostname);
          if (res.headers['x-envoy-upstream-service-time'] !== undefined || res.headers.server === 'envoy') result.viaEnvoy++;
          if (/^RequestHeader=X-Forwarded-Client-Cert:/im.test(body)) result.mtls++;
          resolve();
        });
        res.on('error', e => {
          bump(result.byStatus, e.code ?? 'error');
          resolve();
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', e => {
      bump(result.byStatus, e.code ?? 'error');
      resolve();
    });
    req.end();
  });
}

/** One TCP exchange: connect, send a line, read until the echo server's fields arrived. */
function onceTcp() {
  return new Promise(resolve => {
    const t0 = process.hrtime.bigint();
    let body = '';
    let done = false;
    const finish = status => {
      if (done) return;
      done = true;
      socket.destroy();
      bump(result.byStatus, status);
      if (status === 'tcp-ok') {
        result.ok++;
        result.latencyMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const version = /^ServiceVersion=(.*)$/m.exec(body)?.[1];
        const hostname = /^Hostname=(.*)$/m.exec(body)?.[1];
        if (version !== undefined) bump(result.byVersion, version || '(none)');
        if (hostname) bump(result.byHostname, hostname);
      }
      resolve();
    };
    const socket = net.connect({ host: address, port, timeout: opts.timeoutMs }, () => socket.write('mesh-portal load\n'));
    socket.setEncoding('utf8');
    socket.on('data', d => {
      body += d;
      // the echo server writes its fields (ending with the Hostname line) before echoing
      if (/^Hostname=.*\n/m.test(body)) finish('tcp-ok');
    });
    socket.on('timeout', () => finish('TIMEOUT'));
    socket.on('end', () => finish(/^ServiceVersion=/m.test(body) ? 'tcp-ok' : 'closed'));
    socket.on('error', e => finish(e.code ?? 'error'));
  });
}

const started = Date.now();
let next = 0;
// SIGTERM ends the run early (a background load stopped by its caller) and still reports.
let stopRequested = false;
process.on('SIGTERM', () => (stopRequested = true));
async function lane() {
  while (!stopRequested && next < opts.count && Date.now() - started < opts.deadlineMs) {
    next++;
    await (opts.tcp ? onceTcp() : once());
    result.total++;
  }
}
await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.count) }, lane));
agent.destroy();
const sorted = result.latencyMs.sort((a, b) => a - b);
const pct = q => (sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2)) : null);
delete result.latencyMs;
result.p50Ms = pct(0.5);
result.p99Ms = pct(0.99);
result.durationMs = Date.now() - started;
result.stoppedAtDeadline = result.total < opts.count;
process.stdout.write(`${JSON.stringify(result)}\n`);
