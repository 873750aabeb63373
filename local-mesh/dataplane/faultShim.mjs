// An HTTP fault shim in front of a pod's echo server, for pods annotated with
// `local-mesh.io/fault-*` (see podPlan.mjs faultsOf): it listens on the pod's declared HTTP
// ports, answers a given share of requests with an error status, delays every answer, and passes
// the rest to the echo server on its shifted port. Tests use it to make one version of a service
// unhealthy (canary health, guided rollback) or slow and flaky (retries, timeouts) on real traffic.
//
// Usage: node faultShim.mjs '<json>' where json = { percent, status, delayMs, ports: [{listen, target}] }
import http from 'node:http';

const config = JSON.parse(process.argv[2]);
const percent = Math.min(100, Math.max(0, Number(config.percent) || 0));
const status = Number(config.status) || 500;
const delayMs = Math.max(0, Number(config.delayMs) || 0);

/** Request n (0-based) fails when it crosses the next multiple of 100/percent: the failures are
 * spread evenly and their share is exact over any run of 100 requests, so tests count without
 * statistical slack (no two failures in a row below 50 %). */
let served = 0;
function failsNext() {
  const n = served++;
  return Math.floor(((n + 1) * percent) / 100) > Math.floor((n * percent) / 100);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

for (const { listen, target } of config.ports) {
  const server = http.createServer((req, res) => {
    const fail = failsNext();
    setTimeout(() => {
      if (fail) {
        res.writeHead(status, { 'content-type': 'text/plain', 'x-local-mesh-fault': 'injected' });
        res.end(`fault injected by local-mesh: ${status}\n`);
        return;
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers, agent },
        up => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', e => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault shim: echo server unreachable: ${e.message}\n`);
      });
      req.pipe(upstream);
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(listen, '0.0.0.0');
}
