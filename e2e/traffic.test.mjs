// Traffic tests: every change is made through the running portal's API (as the guest, an owner)
// and judged by real requests through real Envoy sidecars in the local mesh's data plane
// (local-mesh/dataplane). Run by scripts/test after the portal is up; they need the data plane.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../local-mesh/dataplane/load.mjs';
import { envoyAdmin, envoyCounter, envoyRouteWeights, eventually, podOf } from '../local-mesh/dataplane/probe.mjs';
import { readState } from '../local-mesh/dataplane/state.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const backend = process.env.BACKEND_URL ?? 'http://localhost:7007';
const meshBin = name => path.join(repo, 'local-mesh', 'bin', name);
const BACKEND_HOST = 'backend.prod.svc.cluster.local';
const sh = (cmd, args, input) => execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'], timeout: 300000 });

let token;
async function apply(entity, body, { takeOver = false } = {}) {
  const query = takeOver ? '?takeOver=true' : '';
  const res = await fetch(`${backend}/api/mesh/entities/default/component/${entity}/apply${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `apply ${JSON.stringify(body)} to ${entity}: ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

const share = (r, version) => (r.byVersion[version] ?? 0) / r.total;
const onlyStatus = (r, code) => Object.keys(r.byStatus).length === 1 && r.byStatus[code] === r.total;

// A "non-Istio service" (the handbook's words): a plain pod in a namespace without injection.
const OUTSIDER = `apiVersion: v1
kind: Namespace
metadata:
  name: outside
  labels: {local-mesh.io/data-plane: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: outsider, namespace: outside}
spec:
  replicas: 1
  selector: {matchLabels: {app: outsider}}
  template:
    metadata: {labels: {app: outsider, version: v1}}
    spec:
      containers:
      - name: outsider
        image: gcr.io/google-samples/hello-app:1.0
        ports: [{containerPort: 8080}]
`;

let kubectlPath;
const k = (args, input) => sh(kubectlPath, ['--kubeconfig', path.join(repo, '.local-mesh', 'kubeconfig'), ...args], input);
// The data plane's log lines matching `pattern`, for failure messages.
const dataPlaneLog = pattern => {
  try {
    return fs.readFileSync(path.join(repo, '.local-mesh', 'logs', 'dataplane.log'), 'utf8').split('\n').filter(l => pattern.test(l));
  } catch {
    return [];
  }
};

before(async () => {
  assert.ok(readState(), 'the local data plane is running (local-mesh/bin/up starts it)');
  kubectlPath = sh(meshBin('which'), ['kubectl']).trim();
  k(['delete', 'namespace', 'outside', '--ignore-not-found', '--wait=true', '--timeout=120s']);
  sh(meshBin('scenario'), ['--reset']);
  k(['apply', '--server-side', '--field-manager=traffic-test', '-f', '-'], OUTSIDER);
  sh(meshBin('dataplane-wait'), ['prod', 'shop', 'outside', 'istio-system']);
  const res = await fetch(`${backend}/api/auth/guest/refresh`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
  token = (await res.json()).backstageIdentity.token;
});

after(() => {
  k(['delete', 'namespace', 'outside', '--ignore-not-found', '--wait=false']);
});

test('canary on backend from the portal: 1,000 requests from frontend follow 90/10, 50/50, promote, rollback; none fails meanwhile', async t => {
  const frontend = podOf('prod', 'frontend');
  const url = `http://${BACKEND_HOST}/`;
  const cluster = v => `outbound|80|${v}|${BACKEND_HOST}`;
  const routes = async (v1, v2) =>
    eventually(`frontend's Envoy routes v1=${v1} v2=${v2}`, async () => {
      const w = await envoyRouteWeights(frontend.netns, BACKEND_HOST);
      if (v2 === 0) return w?.[cluster('v1')] === 100 && !w?.[cluster('v2')];
      if (v1 === 0) return w?.[cluster('v2')] === 100 && !w?.[cluster('v1')];
      return w?.[cluster('v1')] === v1 && w?.[cluster('v2')] === v2;
    });

  // Traffic all along the changes: make-before-break means not one request fails.
  const stop = new AbortController();
  const background = load({ from: 'prod/frontend', url, count: 100000, concurrency: 2, deadlineMs: 240000, signal: stop.signal });
  try {
    await apply('backend', { action: 'canary', preset: '90/10' });
    await routes(90, 10);
    const r90 = await load({ from: 'prod/frontend', url, count: 1000 });
    assert.ok(onlyStatus(r90, '200'), JSON.stringify(r90.byStatus));
    assert.ok(Math.abs(share(r90, 'v2') - 0.1) <= 0.03, `v2 share at 90/10: ${JSON.stringify(r90.byVersion)}`);
    t.diagnostic(`90/10: ${JSON.stringify(r90.byVersion)} p50 ${r90.p50Ms} ms p99 ${r90.p99Ms} ms`);

    await apply('backend', { action: 'canary', preset: '50/50' });
    await routes(50, 50);
    const r50 = await load({ from: 'prod/frontend', url, count: 1000 });
    assert.ok(onlyStatus(r50, '200'), JSON.stringify(r50.byStatus));
    assert.ok(Math.abs(share(r50, 'v2') - 0.5) <= 0.05, `v2 share at 50/50: ${JSON.stringify(r50.byVersion)}`);
    t.diagnostic(`50/50: ${JSON.stringify(r50.byVersion)}`);

    await apply('backend', { action: 'canary', preset: 'promote' });
    await routes(0, 100);
    const rPromote = await load({ from: 'prod/frontend', url, count: 1000 });
    assert.deepEqual(rPromote.byVersion, { v2: 1000 });

    await apply('backend', { action: 'canary', preset: 'rollback', stable: 'v1' });
    await routes(100, 0);
    const rBack = await load({ from: 'prod/frontend', url, count: 1000 });
    assert.deepEqual(rBack.byVersion, { v1: 1000 });
  } finally {
    stop.abort();
  }
  const bg = await background;
  assert.ok(bg.total > 100, `background load ran (${bg.total} requests)`);
  assert.deepEqual(bg.byStatus, { 200: bg.total }, 'no request failed while the split changed');
  t.diagnostic(`background during the changes: ${bg.total} requests, ${JSON.stringify(bg.byStatus)}`);
});

test('mTLS from the portal: STRICT on prod refuses a plaintext caller and keeps sidecar-to-sidecar calls; PERMISSIVE accepts both', async t => {
  const backendPod = podOf('prod', 'backend');
  const plaintext = () => load({ from: 'outside/outsider', url: `http://${backendPod.ip}:8080/`, count: 3, timeoutMs: 2000 });
  const before = await plaintext();
  assert.ok(onlyStatus(before, '200'), `plaintext before STRICT: ${JSON.stringify(before.byStatus)}`);

  await apply('backend', { action: 'mtls', mode: 'STRICT', scope: 'namespace' });
  const refused = await eventually('plaintext refused under STRICT', async () => {
    const r = await plaintext();
    return (r.byStatus['200'] ?? 0) === 0 ? r : undefined;
  });
  assert.equal(refused.total, 3);
  assert.ok(refused.byStatus.ECONNRESET || refused.byStatus.EPIPE || refused.byStatus.ECONNREFUSED, JSON.stringify(refused.byStatus));
  t.diagnostic(`plaintext under STRICT: ${JSON.stringify(refused.byStatus)}; before: ${JSON.stringify(before.byStatus)}`);
  // backend's port is unnamed (as in the handbook): its sidecar takes mTLS as TCP (no XFCC), so
  // the proof is frontend's Envoy: every connection it opened to backend was a TLS handshake
  // (Istio mTLS), and every call under STRICT succeeded.
  const meshed = await load({ from: 'prod/frontend', url: `http://${BACKEND_HOST}/`, count: 200 });
  assert.ok(onlyStatus(meshed, '200'), JSON.stringify(meshed.byStatus));
  assert.equal(meshed.viaEnvoy, 200);
  const frontend = podOf('prod', 'frontend');
  const backendClusters = `outbound\\|80\\|.*\\|${BACKEND_HOST.replace(/\./g, '\\.')}`;
  const connections = await envoyCounter(frontend.netns, `${backendClusters}.*\\.upstream_cx_total$`);
  const handshakes = await envoyCounter(frontend.netns, `${backendClusters}.*\\.ssl\\.handshake$`);
  assert.ok(connections > 0 && handshakes === connections, `frontend → backend: ${handshakes} TLS handshakes on ${connections} connections`);
  t.diagnostic(`sidecar → sidecar under STRICT: ${JSON.stringify(meshed.byStatus)}, ${handshakes} TLS handshakes on ${connections} connections`);

  await apply('backend', { action: 'mtls', mode: 'PERMISSIVE', scope: 'namespace' });
  await eventually('plaintext accepted under PERMISSIVE', async () => onlyStatus(await plaintext(), '200'));
  const meshedAfter = await load({ from: 'prod/frontend', url: `http://${BACKEND_HOST}/`, count: 50 });
  assert.ok(onlyStatus(meshedAfter, '200'));
});

test('STRICT from the portal takes effect when an older namespace-wide PeerAuthentication exists (Istio uses the oldest)', async t => {
  // A policy someone wrote by hand earlier (kubectl create: an Update manager, not a GitOps applier)
  // and none of ours: the earlier test's `default` would otherwise be the oldest.
  k(['-n', 'prod', 'delete', 'peerauthentications.security.istio.io', '--all']);
  k(['-n', 'prod', 'create', '-f', '-'], `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: legacy, namespace: prod}
spec: {mtls: {mode: PERMISSIVE}}
`);
  try {
    await new Promise(r => setTimeout(r, 1100)); // creationTimestamp has second resolution
    const backendPod = podOf('prod', 'backend');
    const plaintext = () => load({ from: 'outside/outsider', url: `http://${backendPod.ip}:8080/`, count: 3, timeoutMs: 2000 });
    assert.ok(onlyStatus(await plaintext(), '200'));
    // The plan changes `legacy`, which a person wrote with kubectl: the owner confirms taking
    // its fields over (without it the apply is a 409 and nothing changes).
    const refusedTakeOver = await fetch(`${backend}/api/mesh/entities/default/component/backend/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'mtls', mode: 'STRICT', scope: 'namespace' }),
    });
    assert.equal(refusedTakeOver.status, 409);
    assert.match((await refusedTakeOver.json()).error.message, /^takeOver: .*legacy/);
    await apply('backend', { action: 'mtls', mode: 'STRICT', scope: 'namespace' }, { takeOver: true });
    const legacy = JSON.parse(k(['-n', 'prod', 'get', 'peerauthentications.security.istio.io', 'legacy', '-o', 'json']));
    assert.equal(legacy.spec.mtls.mode, 'STRICT', 'the plan changed the policy Istio uses');
    const refused = await eventually('plaintext refused under STRICT', async () => {
      const r = await plaintext();
      return (r.byStatus['200'] ?? 0) === 0 ? r : undefined;
    });
    t.diagnostic(`plaintext with legacy → STRICT: ${JSON.stringify(refused.byStatus)}`);
    const meshed = await load({ from: 'prod/frontend', url: `http://${BACKEND_HOST}/`, count: 50 });
    assert.ok(onlyStatus(meshed, '200'), JSON.stringify(meshed.byStatus));
  } finally {
    k(['-n', 'prod', 'delete', 'peerauthentications.security.istio.io', '--all']);
  }
});

test('onboarding shop from the portal: checkout restarts with a sidecar, its calls to payments go through Envoy over mTLS, and STRICT then holds', async () => {
  const url = 'http://payments.shop.svc.cluster.local/';
  const unmeshed = await load({ from: 'shop/checkout', url, count: 20 });
  assert.ok(onlyStatus(unmeshed, '200'), `checkout → payments before onboarding: ${JSON.stringify(unmeshed.byStatus)}`);
  assert.equal(unmeshed.viaEnvoy, 0, 'no Envoy on the path before onboarding');
  const oldCheckout = podOf('shop', 'checkout').name;

  await apply('payments', { action: 'onboard', scope: 'namespace' });
  await apply('checkout', { action: 'onboard', scope: 'namespace' });
  await eventually('checkout and payments run new pods with sidecars', async () => {
    sh(meshBin('dataplane-wait'), ['--timeout', '60', 'shop']);
    const pods = readState().pods.filter(p => p.namespace === 'shop');
    return pods.length >= 2 && pods.every(p => p.role === 'sidecar' && p.ready) && !pods.some(p => p.name === oldCheckout);
  }, 180000, 1000);

  const meshed = await load({ from: 'shop/checkout', url, count: 100 });
  assert.ok(onlyStatus(meshed, '200'), JSON.stringify(meshed.byStatus));
  assert.equal(meshed.viaEnvoy, 100, 'every call went through checkout\'s Envoy');
  assert.equal(meshed.mtls, 100, 'every call arrived at payments over mTLS');

  await apply('payments', { action: 'mtls', mode: 'STRICT', scope: 'namespace' });
  const paymentsPod = podOf('shop', 'payments');
  await eventually('plaintext refused by payments under STRICT', async () => {
    const r = await load({ from: 'outside/outsider', url: `http://${paymentsPod.ip}:8080/`, count: 3, timeoutMs: 2000 });
    return (r.byStatus['200'] ?? 0) === 0;
  });
  const strict = await load({ from: 'shop/checkout', url, count: 100 });
  assert.ok(onlyStatus(strict, '200'), `checkout → payments under STRICT: ${JSON.stringify(strict.byStatus)}`);
});

test('ingress: the handbook\'s frontend-gateway answers through the gateway, and an exposure made in the portal answers for its host', async () => {
  const handbook = await load({ ingress: true, url: 'http://mesh-portal.test/', count: 20 });
  assert.ok(onlyStatus(handbook, '200'), JSON.stringify(handbook.byStatus));
  assert.ok(Object.keys(handbook.byHostname).every(h => h.startsWith('frontend-')), JSON.stringify(handbook.byHostname));

  await apply('backend', { action: 'expose', hosts: ['backend.mesh-portal.test'] });
  const exposed = await eventually('backend.mesh-portal.test routed by the gateway', async () => {
    const r = await load({ ingress: true, url: 'http://backend.mesh-portal.test/', count: 20 });
    return onlyStatus(r, '200') && Object.keys(r.byHostname).every(h => h.startsWith('backend-')) ? r : undefined;
  });
  assert.equal(exposed.total, 20);
  // the handbook's catch-all still answers for every other host
  const other = await load({ ingress: true, url: 'http://mesh-portal.test/', count: 5 });
  assert.ok(Object.keys(other.byHostname).every(h => h.startsWith('frontend-')));
  // Undo the exposure: with its VirtualService beside the mesh one, the later canary requests
  // would have to name the split they change (virtualService).
  k(['-n', 'prod', 'delete', 'virtualservices.networking.istio.io', 'backend-ingress', '--ignore-not-found']);
});

test('Prometheus holds per-version request counts of the real requests', async () => {
  const prom = readState().prometheus;
  // Envoy's own stats (no istio_requests_total with upstream Envoy): the caller's per-subset
  // clusters count what each version answered.
  const query = `sum by (cluster_name) (envoy_cluster_upstream_rq_completed{namespace="prod",app="frontend",cluster_name=~"outbound\\\\|80\\\\|v[12]\\\\|${BACKEND_HOST}"})`;
  const result = await eventually('per-version request counts in Prometheus', async () => {
    const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = await res.json();
    const bySubset = Object.fromEntries(body.data.result.map(r => [r.metric.cluster_name.split('|')[2], Number(r.value[1])]));
    return bySubset.v1 >= 2000 && bySubset.v2 >= 1400 ? bySubset : undefined;
  }, 60000, 2000);
  // the canary test alone sent ~900 + ~500 + 1,000 requests to v1 and ~100 + ~500 + 1,000 to v2
  assert.ok(result.v1 >= 2000 && result.v2 >= 1400, JSON.stringify(result));
});

// A Postgres-style service (unnamed port 5432) onboarded from the portal keeps its TCP calls:
// the plan must not declare the port HTTP (Envoy would then parse the bytes as HTTP and close).
const LEDGER_NS = 'ledger-db';
const LEDGER = `apiVersion: v1
kind: Namespace
metadata:
  name: ${LEDGER_NS}
  labels: {local-mesh.io/data-plane: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ledger, namespace: ${LEDGER_NS}, labels: {app: ledger, version: v1}}
spec:
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger, version: v1}}
    spec:
      containers: [{name: ledger, image: postgres:17, ports: [{containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: ${LEDGER_NS}, labels: {app: ledger}}
spec:
  selector: {app: ledger}
  ports: [{port: 5432, targetPort: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: teller, namespace: ${LEDGER_NS}}
spec:
  selector: {matchLabels: {app: teller}}
  template:
    metadata: {labels: {app: teller, version: v1, sidecar.istio.io/inject: "true"}}
    spec:
      containers: [{name: teller, image: teller:1, ports: [{containerPort: 8080}]}]
`;
const LEDGER_ENTITY = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger-db
  annotations:
    backstage.io/kubernetes-id: ledger
    backstage.io/kubernetes-namespace: ${LEDGER_NS}
    backstage.io/kubernetes-label-selector: app=ledger
spec:
  type: service
  lifecycle: experimental
  owner: group:default/shop-team
  system: shop
`;

test('onboarding a Postgres-style TCP service from the portal keeps its TCP calls working', async t => {
  k(['delete', 'namespace', LEDGER_NS, '--ignore-not-found', '--wait=true', '--timeout=120s']);
  k(['apply', '--server-side', '--field-manager=traffic-test', '-f', '-'], LEDGER);
  const server = http.createServer((req, res) =>
    req.url === '/ledger-db/catalog-info.yaml' ? res.writeHead(200).end(LEDGER_ENTITY) : res.writeHead(404).end(),
  );
  await new Promise(ok => server.listen(7099, '127.0.0.1', ok));
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let locationId;
  try {
    const target = 'http://localhost:7099/ledger-db/catalog-info.yaml';
    // a location an interrupted earlier run left behind goes first (its next read is minutes away)
    const known = await (await fetch(`${backend}/api/catalog/locations`, { headers: auth })).json();
    const stale = known.map(l => l.data).find(l => l.target === target);
    if (stale) await fetch(`${backend}/api/catalog/locations/${stale.id}`, { method: 'DELETE', headers: auth });
    const loc = await fetch(`${backend}/api/catalog/locations`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'url', target }) });
    const locBody = await loc.text();
    assert.equal(loc.status, 201, locBody);
    locationId = JSON.parse(locBody).location.id;
    await eventually('ledger-db in the catalog', async () =>
      (await fetch(`${backend}/api/catalog/entities/by-name/component/default/ledger-db`, { headers: auth })).status === 200, 60000, 1000);
    sh(meshBin('dataplane-wait'), [LEDGER_NS]);
    const url = `tcp://ledger.${LEDGER_NS}.svc.cluster.local:5432/`;
    const before = await load({ from: `${LEDGER_NS}/teller`, url, tcp: true, count: 20 });
    assert.deepEqual(before.byStatus, { 'tcp-ok': 20 }, 'TCP from a sidecar to the unmeshed ledger');

    // The plan asks about the port instead of declaring it; applying it leaves the port to Istio.
    const planRes = await fetch(`${backend}/api/mesh/entities/default/component/ledger-db/plans`, {
      method: 'POST', headers: auth, body: JSON.stringify({ action: 'onboard', scope: 'namespace' }),
    });
    const plan = await planRes.json();
    assert.equal(planRes.status, 200, JSON.stringify(plan).slice(0, 300));
    const question = plan.findings.find(f => f.code === 'MESH-009');
    assert.ok(question && /5432/.test(question.message), JSON.stringify(plan.findings));
    t.diagnostic(`onboarding plan: ${question.message}`);
    await apply('ledger-db', { action: 'onboard', scope: 'namespace' });
    const svc = JSON.parse(k(['-n', LEDGER_NS, 'get', 'service', 'ledger', '-o', 'json']));
    assert.notEqual(svc.spec.ports[0].appProtocol, 'http', 'the Postgres port is not declared HTTP');
    await eventually('ledger restarted with a sidecar', async () => {
      sh(meshBin('dataplane-wait'), ['--timeout', '60', LEDGER_NS]);
      return readState().pods.some(p => p.namespace === LEDGER_NS && p.name.startsWith('ledger-') && p.role === 'sidecar' && p.ready);
    }, 120000, 1000);
    const after = await load({ from: `${LEDGER_NS}/teller`, url, tcp: true, count: 50 });
    assert.deepEqual(after.byStatus, { 'tcp-ok': 50 }, 'TCP calls still work through both sidecars after onboarding');
  } finally {
    if (locationId) await fetch(`${backend}/api/catalog/locations/${locationId}`, { method: 'DELETE', headers: auth });
    const e = await fetch(`${backend}/api/catalog/entities/by-name/component/default/ledger-db`, { headers: auth });
    if (e.status === 200) await fetch(`${backend}/api/catalog/entities/by-uid/${(await e.json()).metadata.uid}`, { method: 'DELETE', headers: auth });
    server.close();
    k(['delete', 'namespace', LEDGER_NS, '--ignore-not-found', '--wait=false']);
  }
});

// Retries and timeouts set from the portal, judged by real requests. v1 of backend is made to
// fail (local-mesh.io/fault-* pod annotations put a fault shim in front of its echo server).
// Status 500, not 503: Istio's default retry policy already retries 503 twice
// (pilot/pkg/networking/core/route/retry/retry.go, DefaultPolicy), which would hide the baseline.
test('resilience from the portal: retries on 5xx lift a 30 %-failing version above 95 %, a 100 ms timeout cuts a 300 ms answer to 504', async t => {
  const url = `http://${BACKEND_HOST}/`;
  const selector = 'app=backend,version=v1';
  const annotate = (...kv) => k(['-n', 'prod', 'annotate', 'pods', '-l', selector, '--overwrite', ...kv]);
  // the rollback at the end of the canary test left every request on v1
  await apply('backend', { action: 'canary', weights: { v1: 100 }, stable: 'v1' });
  try {
    annotate('local-mesh.io/fault-percent=30', 'local-mesh.io/fault-status=500');
    const failing = await eventually('v1 answers 500 for a share of requests', async () => {
      sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
      const r = await load({ from: 'prod/frontend', url, count: 300 });
      return (r.byStatus['500'] ?? 0) > 0 ? r : undefined;
    }, 120000, 1000);
    const baseline = await load({ from: 'prod/frontend', url, count: 1000 });
    const baselineOk = (baseline.byStatus['200'] ?? 0) / baseline.total;
    assert.ok(baselineOk >= 0.6 && baselineOk <= 0.8, `without retries ~70 % succeed: ${JSON.stringify(baseline.byStatus)}`);
    t.diagnostic(`no retries set (Istio's default does not retry 500): ${JSON.stringify(baseline.byStatus)} (first probe ${JSON.stringify(failing.byStatus)})`);

    await apply('backend', { action: 'resilience', retries: { attempts: 3, retryOn: '5xx' } });
    const retried = await eventually('retries on 5xx take effect', async () => {
      const r = await load({ from: 'prod/frontend', url, count: 1000 });
      return (r.byStatus['200'] ?? 0) / r.total >= 0.95 ? r : undefined;
    }, 60000, 1000);
    t.diagnostic(`retries 3 on 5xx: ${JSON.stringify(retried.byStatus)} p50 ${retried.p50Ms} ms p99 ${retried.p99Ms} ms`);

    annotate('local-mesh.io/fault-percent=0', 'local-mesh.io/fault-delay-ms=300');
    await apply('backend', { action: 'resilience', timeout: '100ms', retries: { attempts: 0 } });
    const cut = await eventually('the 100 ms timeout answers 504 before the 300 ms reply', async () => {
      sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
      const r = await load({ from: 'prod/frontend', url, count: 20, concurrency: 4, timeoutMs: 2000 });
      return onlyStatus(r, '504') ? r : undefined;
    }, 120000, 1000);
    assert.ok(cut.p50Ms >= 90 && cut.p99Ms < 280, `504 after ~100 ms, not after the 300 ms reply: p50 ${cut.p50Ms} ms, p99 ${cut.p99Ms} ms`);
    t.diagnostic(`timeout 100ms against a 300 ms reply: ${JSON.stringify(cut.byStatus)} p50 ${cut.p50Ms} ms p99 ${cut.p99Ms} ms`);
  } finally {
    annotate('local-mesh.io/fault-percent-', 'local-mesh.io/fault-status-', 'local-mesh.io/fault-delay-ms-');
    await apply('backend', { action: 'resilience', timeout: null, retries: null });
  }
  await eventually('backend answers normally again', async () => {
    sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
    return onlyStatus(await load({ from: 'prod/frontend', url, count: 50 }), '200');
  }, 120000, 1000);
});

test('outlier detection from the portal: of two v1 pods the one failing every request is ejected, and the other then answers all', async t => {
  const url = `http://${BACKEND_HOST}/`;
  // Requests and Envoy's flags from one and the same frontend pod: each Envoy keeps its own
  // outlier state.
  const frontend = podOf('prod', 'frontend');
  const from = `prod/${frontend.name}`;
  const v1PodObjects = () =>
    JSON.parse(k(['-n', 'prod', 'get', 'pods', '-l', 'app=backend,version=v1', '-o', 'json'])).items
      .filter(p => !p.metadata.deletionTimestamp && p.status.phase === 'Running')
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const v1Pods = () => v1PodObjects().map(p => p.metadata.name);
  const zoneOf = nodeName =>
    JSON.parse(k(['get', 'node', nodeName, '-o', 'json'])).metadata.labels?.['topology.kubernetes.io/zone'] ?? '';
  await apply('backend', { action: 'canary', weights: { v1: 100 }, stable: 'v1' });
  k(['-n', 'prod', 'scale', 'deployment/backend-v1', '--replicas=2']);
  let failingPod;
  try {
    const pods = await eventually('backend-v1 runs two pods', async () => {
      const running = v1PodObjects();
      return running.length === 2 ? running : undefined;
    }, 120000, 1000);
    sh(meshBin('dataplane-wait'), ['--timeout', '120', 'prod']);
    // The failing pod must be one the frontend sends to first. Outlier detection also turns on
    // Istio's locality failover (meshConfig.localityLbSetting is enabled by default): endpoints
    // in the caller's zone get priority 0, the others a lower priority that Envoy uses only when
    // priority 0 has too few healthy hosts ("Failover needs outlier detection",
    // pilot/pkg/networking/core/loadbalancer/loadbalancer.go ApplyLocalityLoadBalancer). The
    // local mesh's nodes are in zones local-a and local-b: a failing pod in the other zone than
    // the frontend's would get no request once the policy is in, and never be ejected.
    const frontendZone = zoneOf(JSON.parse(k(['-n', 'prod', 'get', 'pod', frontend.name, '-o', 'json'])).spec.nodeName);
    const zones = pods.map(p => zoneOf(p.spec.nodeName));
    const failingIndex = Math.max(0, zones.indexOf(frontendZone));
    failingPod = pods[failingIndex].metadata.name;
    const healthyPod = pods[1 - failingIndex].metadata.name;
    t.diagnostic(`frontend in zone ${frontendZone}; failing ${failingPod} in ${zones[failingIndex]}, healthy ${healthyPod} in ${zones[1 - failingIndex]}`);
    k(['-n', 'prod', 'annotate', 'pod', failingPod, '--overwrite', 'local-mesh.io/fault-percent=100', 'local-mesh.io/fault-status=500']);
    const baseline = await eventually('one of the two v1 pods answers 500 to everything', async () => {
      sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
      const r = await load({ from, url, count: 400 });
      const failed = (r.byStatus['500'] ?? 0) / r.total;
      return failed >= 0.3 && failed <= 0.7 ? r : undefined;
    }, 120000, 1000);
    t.diagnostic(`no outlier detection: ${JSON.stringify(baseline.byStatus)} from ${JSON.stringify(baseline.byHostname)}`);

    const withOutlier = await apply('backend', {
      action: 'resilience',
      outlierDetection: { consecutive5xxErrors: 2, interval: '1s', baseEjectionTime: '3m', maxEjectionPercent: 100 },
    });
    // The plan tells what this test has to work around: traffic now stays in the caller's zone.
    assert.ok(withOutlier.plan.findings.some(f => /locality failover/.test(f.message)),
      `the plan names the locality failover: ${JSON.stringify(withOutlier.plan.findings)}`);
    // Istio sets Envoy's panic threshold from minHealthPercent (default 0), so with one of two
    // hosts ejected Envoy sends everything to the healthy one instead of falling back to both
    // (pilot/pkg/networking/core/cluster_traffic_policy.go applyOutlierDetection).
    const ejected = await eventually('the failing pod is ejected', async () => {
      const r = await load({ from, url, count: 1000 });
      return (r.byStatus['200'] ?? 0) >= 995 ? r : undefined;
    }, 60000, 1000);
    assert.deepEqual(Object.keys(ejected.byHostname).filter(h => (ejected.byHostname[h] ?? 0) > 5), [healthyPod],
      `after the ejection the healthy pod answers: ${JSON.stringify(ejected.byHostname)}`);
    // Envoy's own view: the failing pod's endpoint carries the outlier flag (admin /clusters;
    // Istio's default stats inclusion list drops the outlier_detection counters).
    // A later config push for the cluster (istiod pushes again when endpoints or policies change)
    // starts Envoy's outlier state afresh, and it ejects again after the next two failures: send
    // requests and read the flags until the ejection shows. The pod's address is read each round
    // (the data plane gives a pod a fresh one when kwok handed its address out twice).
    let seen = [];
    const flags = await eventually(`frontend's Envoy marks ${failingPod} as ejected`, async () => {
      const failingIp = JSON.parse(k(['-n', 'prod', 'get', 'pod', failingPod, '-o', 'json'])).status.podIP;
      const round = await load({ from, url, count: 50 });
      seen = [`${failingPod} at ${failingIp}: statuses ${JSON.stringify(round.byStatus)} from ${JSON.stringify(round.byHostname)}`, ...(await envoyAdmin(frontend.netns, '/clusters'))
        .split('\n')
        .filter(l => l.startsWith('outbound|80|v1|backend.prod.svc.cluster.local::') && l.includes('::health_flags::'))];
      return seen.some(l => l.includes(`::${failingIp}:`) && l.includes('failed_outlier_check')) ? seen : undefined;
    }, 60000, 500).catch(error => {
      const dataPlane = dataPlaneLog(/backend-v1|reconcile|could not/).slice(-15).join('\n');
      throw new Error(`${error.message}; Envoy's last flags: ${seen.join(' | ') || 'none for the v1 subset'}\ndata plane log:\n${dataPlane}`);
    });
    t.diagnostic(`outlier detection (2 consecutive 5xx, 3m ejection): ${JSON.stringify(ejected.byStatus)} from ${JSON.stringify(ejected.byHostname)}; Envoy: ${flags.join(' | ')}`);
  } finally {
    if (failingPod) k(['-n', 'prod', 'annotate', 'pod', failingPod, '--overwrite', 'local-mesh.io/fault-percent-', 'local-mesh.io/fault-status-']);
    k(['-n', 'prod', 'scale', 'deployment/backend-v1', '--replicas=1']);
    await apply('backend', { action: 'resilience', outlierDetection: null });
  }
  await eventually('backend answers normally from one v1 pod again', async () => {
    sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
    return v1Pods().length === 1 && onlyStatus(await load({ from: 'prod/frontend', url, count: 50 }), '200');
  }, 120000, 1000);
});

// Guided canary runs: the backend's scheduler steps the split by the health Prometheus reads
// from the sidecars' stats (the test portal ticks every 3 s over a 30 s window).
async function runs(entity, method = 'GET', suffix = '', body) {
  const res = await fetch(`${backend}/api/mesh/entities/default/component/${entity}/canary-runs${suffix}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.ok(res.status < 300, `${method} canary-runs${suffix}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}
const runById = async id => (await runs('backend')).items.find(r => r.id === id);
const describeRun = r =>
  r.history.map(s => `${s.decision}@${s.weight}%${s.successRate !== undefined ? ` ok ${s.successRate}%` : ''}${s.reason ? ` (${s.reason})` : ''}`).join(' → ');

test('guided canary from the portal: a healthy v2 is promoted step by step; a v2 failing 30 % of requests is rolled back by the run', async t => {
  const url = `http://${BACKEND_HOST}/`;
  const frontend = podOf('prod', 'frontend');
  const cluster = v => `outbound|80|${v}|${BACKEND_HOST}`;
  const v2Pods = 'app=backend,version=v2';
  await apply('backend', { action: 'canary', weights: { v1: 100 }, stable: 'v1' });
  const stop = new AbortController();
  const background = load({ from: 'prod/frontend', url, count: 100000, concurrency: 2, deadlineMs: 400000, signal: stop.signal });
  try {
    const started = Date.now();
    const healthy = await runs('backend', 'POST', '', { service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 50, 100], intervalSeconds: 10 });
    assert.equal(healthy.weight, 10, 'the first step is applied when the run starts');
    const promoted = await eventually('the healthy run ends', async () => {
      const r = await runById(healthy.id);
      return r && r.state !== 'running' ? r : undefined;
    }, 240000, 2000);
    assert.equal(promoted.state, 'completed', `${promoted.outcome}: ${describeRun(promoted)}`);
    t.diagnostic(`healthy v2 in ${Math.round((Date.now() - started) / 1000)} s: ${describeRun(promoted)}`);
    await eventually('frontend routes everything to v2', async () => (await envoyRouteWeights(frontend.netns, BACKEND_HOST))?.[cluster('v2')] === 100);
    assert.deepEqual((await load({ from: 'prod/frontend', url, count: 200 })).byVersion, { v2: 200 });

    // Back to v1, then v2 fails 30 % of its requests with 500 (Istio does not retry 500 by default).
    await apply('backend', { action: 'canary', weights: { v1: 100 }, stable: 'v1' });
    k(['-n', 'prod', 'annotate', 'pods', '-l', v2Pods, '--overwrite', 'local-mesh.io/fault-percent=30', 'local-mesh.io/fault-status=500']);
    await eventually('v2 fails a share of its requests', async () => {
      sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
      const v2 = podOf('prod', 'backend-v2');
      const r = await load({ from: 'prod/frontend', url: `http://${v2.ip}:8080/`, count: 20 });
      return (r.byStatus['500'] ?? 0) > 0;
    }, 120000, 1000);
    const failingStart = Date.now();
    const failing = await runs('backend', 'POST', '', { service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 50, 100], intervalSeconds: 10 });
    const rolledBack = await eventually('the failing run ends', async () => {
      const r = await runById(failing.id);
      return r && r.state !== 'running' ? r : undefined;
    }, 240000, 2000);
    assert.equal(rolledBack.state, 'rolled-back', `${rolledBack.outcome}: ${describeRun(rolledBack)}`);
    // The card's health reads the same numbers: v2 below the success threshold, marked failing.
    const v2Health = await eventually('the health route shows v2 failing', async () => {
      const res = await fetch(`${backend}/api/mesh/entities/default/component/backend/health`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body).slice(0, 300));
      const split = body.clusters[0].splits?.find(x => x.namespace === 'prod' && x.versions.some(v => v.version === 'v2'));
      const v2 = split?.versions.find(v => v.version === 'v2');
      return v2?.verdict === 'failing' && v2.successRate < 99 ? v2 : undefined;
    }, 20000, 1000);
    t.diagnostic(`health route after the rollback: v2 ${v2Health.verdict}, success ${v2Health.successRate.toFixed(2)} %, ${(v2Health.reasons ?? []).join('; ')}`);
    assert.ok(!rolledBack.history.some(s => s.decision === 'advance'), `never went past 10 %: ${describeRun(rolledBack)}`);
    t.diagnostic(`failing v2 rolled back after ${Math.round((Date.now() - failingStart) / 1000)} s: ${rolledBack.outcome}; ${describeRun(rolledBack)}`);
    await eventually('frontend routes everything to v1', async () => (await envoyRouteWeights(frontend.netns, BACKEND_HOST))?.[cluster('v1')] === 100);
    const after = await load({ from: 'prod/frontend', url, count: 200 });
    assert.deepEqual(after.byVersion, { v1: 200 });
    assert.ok(onlyStatus(after, '200'), JSON.stringify(after.byStatus));
  } finally {
    stop.abort();
    k(['-n', 'prod', 'annotate', 'pods', '-l', v2Pods, 'local-mesh.io/fault-percent-', 'local-mesh.io/fault-status-']);
  }
  const bg = await background;
  t.diagnostic(`background during both runs: ${bg.total} requests, ${JSON.stringify(bg.byStatus)}`);
  await eventually('backend v2 answers normally again', async () => {
    sh(meshBin('dataplane-wait'), ['--timeout', '60', 'prod']);
    return onlyStatus(await load({ from: 'prod/frontend', url: `http://${podOf('prod', 'backend-v2').ip}:8080/`, count: 20 }), '200');
  }, 120000, 1000);
});

// Zero trust from the catalog: checkout dependsOn payments (catalog/shop.yaml). The access
// policy allows checkout's identity alone; shop was onboarded above, payments is STRICT.
async function accessOf(entity) {
  const res = await fetch(`${backend}/api/mesh/entities/default/component/${entity}/access`, { headers: { authorization: `Bearer ${token}` } });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json).slice(0, 500));
  return json.clusters[0].services.find(s => s.service === entity);
}

test('access from the portal: payments allows its declared caller checkout; another meshed caller is counted in dry-run and refused (403) once enforced', async t => {
  const url = 'http://payments.shop.svc.cluster.local/';
  const policy = () => JSON.parse(k(['-n', 'shop', 'get', 'authorizationpolicies.security.istio.io', 'payments-allow-declared-callers', '-o', 'json']));
  const fromCheckout = () => load({ from: 'shop/checkout', url, count: 50 });
  const fromFrontend = () => load({ from: 'prod/frontend', url, count: 50 });
  assert.ok(onlyStatus(await fromFrontend(), '200'), 'frontend calls payments before any policy');
  try {
    await apply('payments', { action: 'access', mode: 'dry-run' });
    const dryRun = policy();
    assert.equal(dryRun.metadata.annotations['istio.io/dry-run'], 'true');
    assert.deepEqual(dryRun.spec.rules[0].from[0].source.principals, ['cluster.local/ns/shop/sa/checkout']);
    // In dry-run both callers get through; the sidecar counts the other one as would-be denied.
    const payments = podOf('shop', 'payments');
    const shadowDenied = () => envoyCounter(payments.netns, 'rbac\\..*shadow_denied$');
    const before = await shadowDenied();
    await eventually('payments\' Envoy holds the dry-run policy', async () => {
      assert.ok(onlyStatus(await fromFrontend(), '200'));
      return (await shadowDenied()) > before;
    }, 60000, 1000);
    const counted = (await shadowDenied()) - before;
    assert.ok(onlyStatus(await fromCheckout(), '200'));
    t.diagnostic(`dry-run: frontend and checkout both 200; payments' Envoy counted ${counted} would-be denials`);
    const seen = await eventually('the portal shows the would-be denials from Prometheus', async () => {
      const access = await accessOf('payments');
      return access.mode === 'dry-run' && access.denials.state === 'ok' && access.denials.total > 0 ? access.denials : undefined;
    }, 90000, 3000);
    t.diagnostic(`portal: ${seen.total} would-be denials over ${seen.window}`);

    await apply('payments', { action: 'access', mode: 'enforce' });
    assert.equal(policy().metadata.annotations?.['istio.io/dry-run'], undefined);
    const refused = await eventually('frontend refused once enforced', async () => {
      const r = await fromFrontend();
      return onlyStatus(r, '403') ? r : undefined;
    }, 60000, 1000);
    const allowed = await fromCheckout();
    assert.ok(onlyStatus(allowed, '200'), `checkout still allowed: ${JSON.stringify(allowed.byStatus)}`);
    t.diagnostic(`enforced: frontend ${JSON.stringify(refused.byStatus)}, checkout ${JSON.stringify(allowed.byStatus)}`);
  } finally {
    await apply('payments', { action: 'access', mode: 'remove' }).catch(e => t.diagnostic(`remove: ${e.message}`));
  }
  await eventually('frontend allowed again after remove', async () => onlyStatus(await fromFrontend(), '200'), 60000, 1000);
});
