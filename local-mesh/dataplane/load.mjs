#!/usr/bin/env node
// The load tool: send N requests from a pod (through its sidecar when it has one) or through the
// ingress gateway, and print how many each version answered and each status code.
//
//   bin/load --from prod/frontend http://backend.prod.svc.cluster.local/ [--count 1000]
//   bin/load --ingress http://frontend.example.com/ [--count 100]
//   bin/load --from shop/checkout http://10.245.0.7:8080/   (a pod IP: bypasses the Service)
//
// Options: --count N (default 100, at most 100000), --concurrency C (4), --timeout-ms MS per
// request (5000), --deadline-ms MS for the whole run (120000), --header 'K: V', --json,
// --tcp (raw TCP: tcp://HOST:PORT URLs; each connection sends a line and reads the answer).
// --from NS/NAME: a pod, or a workload (Deployment/StatefulSet name or `app` label): its first
// ready pod. Service names resolve like cluster DNS (short names in the source's namespace) to
// the Service's ClusterIP. Addresses outside the local mesh are refused.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kubeFromData, readState } from './state.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const worker = path.join(here, 'loadWorker.mjs');

export function parseArgs(argv) {
  const o = { count: 100, concurrency: 4, timeoutMs: 5000, deadlineMs: 120000, headers: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--from') o.from = v();
    else if (a === '--ingress') o.ingress = true;
    else if (a === '--count') o.count = Number(v());
    else if (a === '--concurrency') o.concurrency = Number(v());
    else if (a === '--timeout-ms') o.timeoutMs = Number(v());
    else if (a === '--deadline-ms') o.deadlineMs = Number(v());
    else if (a === '--header' || a === '-H') o.headers.push(v());
    else if (a === '--json') o.json = true;
    else if (a === '--tcp') o.tcp = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else o.url = a;
  }
  if (!o.url) throw new Error('a URL is required');
  if (!o.from === !o.ingress) throw new Error('give exactly one of --from NS/NAME and --ingress');
  for (const k of ['count', 'concurrency', 'timeoutMs', 'deadlineMs']) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`--${k.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)} must be a positive integer`);
  }
  if (o.count > 100000) throw new Error('--count is at most 100000');
  return o;
}

/** The pod to send from: by pod name, or the first ready pod of a workload. */
export function findSourcePod(state, from) {
  const [ns, name] = from.split('/');
  if (!ns || !name) throw new Error(`--from must be NAMESPACE/NAME, got ${from}`);
  const pods = (state?.pods ?? []).filter(p => p.namespace === ns && p.ready && p.role !== 'router');
  const pod =
    pods.find(p => p.name === name) ??
    pods.find(p => p.labels?.app === name) ??
    pods.find(p => p.name.startsWith(`${name}-`));
  if (!pod) throw new Error(`no ready data-plane pod for ${from} (bin/dataplane-wait ${ns}; is the namespace labelled local-mesh.io/data-plane=enabled?)`);
  return pod;
}

/** Cluster DNS for Services: `svc`, `svc.ns`, `svc.ns.svc[.cluster.local]` → [name, namespace]. */
export function serviceOf(host, sourceNamespace) {
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length === 1) return [parts[0], sourceNamespace];
  if (parts.length === 2) return [parts[0], parts[1]];
  if (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === 'cluster.local')) return [parts[0], parts[1]];
  return undefined;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

async function resolveTarget(kube, state, url, sourceNamespace) {
  const port = Number(url.port || 80);
  if (IPV4.test(url.hostname)) {
    // Only addresses of the local mesh: a served pod's IP or a Service's ClusterIP.
    const known = (state?.pods ?? []).some(p => p.ip === url.hostname);
    const svcs = await kube.get('/api/v1/services');
    const isClusterIp = svcs.items.some(s => s.spec.clusterIP === url.hostname);
    if (!known && !isClusterIp) throw new Error(`${url.hostname} is not an address of the local mesh (a served pod or a Service)`);
    return { connect: `${url.hostname}:${port}`, host: url.host };
  }
  const svc = serviceOf(url.hostname, sourceNamespace);
  if (!svc) throw new Error(`${url.hostname}: not a Service name of the local mesh (svc, svc.ns, svc.ns.svc.cluster.local)`);
  const s = await kube.get(`/api/v1/namespaces/${svc[1]}/services/${svc[0]}`).catch(() => undefined);
  if (!s?.spec?.clusterIP || s.spec.clusterIP === 'None') throw new Error(`Service ${svc[1]}/${svc[0]} not found (or headless)`);
  return { connect: `${s.spec.clusterIP}:${port}`, host: url.host };
}

/** Runs the worker (inside `netns` when given); `signal` aborts it early, keeping its counts. */
export function runWorker(argv, netns, signal) {
  const cmd = netns ? 'ip' : process.execPath;
  const args = netns ? ['netns', 'exec', netns, process.execPath, worker, ...argv] : [worker, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    signal?.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('close', code => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load worker exited ${code}`))));
  });
}

/** Runs a load as described by the options (see parseArgs; `o.signal` stops it early); returns
 * the worker's counts. */
export async function load(options) {
  const o = { count: 100, concurrency: 4, timeoutMs: 5000, deadlineMs: 120000, headers: [], ...options };
  const state = readState();
  if (!state) throw new Error('the data plane is not running (local-mesh/bin/up starts it)');
  const url = new URL(o.url);
  if (url.protocol !== (o.tcp ? 'tcp:' : 'http:')) throw new Error(o.tcp ? '--tcp takes tcp://HOST:PORT URLs' : 'only http:// URLs (TLS is the sidecars\' business)');
  let netns;
  let target;
  if (o.ingress) {
    const ingress = new URL(state.ingress);
    target = { connect: `127.0.0.1:${ingress.port}`, host: url.host };
  } else {
    const pod = findSourcePod(state, o.from);
    netns = pod.netns;
    target = await resolveTarget(kubeFromData(), state, url, pod.namespace);
  }
  const argv = ['--connect', target.connect, '--host', target.host, '--path', `${url.pathname}${url.search}`,
    '--count', String(o.count), '--concurrency', String(o.concurrency), '--timeout-ms', String(o.timeoutMs),
    '--deadline-ms', String(o.deadlineMs), ...o.headers.flatMap(h => ['--header', h]), ...(o.tcp ? ['--tcp'] : [])];
  return runWorker(argv, netns, o.signal);
}

export function formatResult(r, o) {
  const lines = [`${r.total} requests ${o.ingress ? 'through the ingress gateway' : `from ${o.from}`} to ${o.url} in ${r.durationMs} ms${r.stoppedAtDeadline ? ' (stopped at the deadline)' : ''}`];
  const share = n => `${n}`.padStart(6) + `  ${((100 * n) / Math.max(1, r.total)).toFixed(1).padStart(5)} %`;
  lines.push('by version:');
  for (const [k, n] of Object.entries(r.byVersion).sort()) lines.push(`  ${k.padEnd(14)}${share(n)}`);
  lines.push('by status:');
  for (const [k, n] of Object.entries(r.byStatus).sort()) lines.push(`  ${k.padEnd(14)}${share(n)}`);
  lines.push(`through Envoy: ${r.viaEnvoy}, arrived over mTLS: ${r.mtls}, latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const r = await load(o);
    console.log(o.json ? JSON.stringify(r) : formatResult(r, o));
  } catch (e) {
    console.error(`load: ${e.message}`);
    process.exit(2);
  }
}
