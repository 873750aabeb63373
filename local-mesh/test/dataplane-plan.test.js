'use strict';
// The data plane's pure decisions (dataplane/podPlan.mjs, dataplane/load.mjs) on plain pod objects.
const { test } = require('node:test');
const assert = require('node:assert/strict');

const plan = () => import('../dataplane/podPlan.mjs');
const loadTool = () => import('../dataplane/load.mjs');

function injectedPod(overrides = {}) {
  return {
    metadata: {
      name: 'backend-v2-abc',
      namespace: 'prod',
      uid: '1234-5678-9abc-def0',
      creationTimestamp: '2026-12-02T10:00:00Z',
      labels: { app: 'backend', version: 'v2', 'security.istio.io/tlsMode': 'istio' },
      annotations: { 'sidecar.istio.io/status': '{"initContainers":["istio-init","istio-proxy"]}' },
    },
    spec: {
      nodeName: 'kwok-node-0',
      serviceAccountName: 'backend',
      initContainers: [
        { name: 'istio-init', args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info'] },
        {
          name: 'istio-proxy',
          restartPolicy: 'Always',
          args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning'],
          resources: { limits: { cpu: '2', memory: '1Gi' } },
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'INSTANCE_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
            { name: 'CA_ADDR', value: 'istiod.istio-system.svc:15012' },
            { name: 'PROXY_CONFIG', value: '{"holdApplicationUntilProxyStarts":true}\n' },
            { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
            { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
            { name: 'ISTIO_META_APP_CONTAINERS', value: 'backend' },
            { name: 'ISTIO_META_WORKLOAD', value: '$(POD_NAMESPACE)/backend' },
          ],
        },
      ],
      containers: [{ name: 'backend', ports: [{ containerPort: 8080 }, { containerPort: 5432, name: 'tcp-db' }] }],
    },
    status: { phase: 'Running', podIP: '10.245.0.7' },
    ...overrides,
  };
}

const opts = { istiodAddress: '127.0.0.1:15012', envoyPath: '/dp/bin/envoy', node: { cpu: 2, memory: 2 ** 34 } };

test('an injected pod runs its sidecar with the injected container\'s own args and env', async () => {
  const { planPod } = await plan();
  const p = planPod(injectedPod(), opts);
  assert.equal(p.role, 'sidecar');
  assert.deepEqual(p.agent.args, ['proxy', 'sidecar', '--domain', 'prod.svc.cluster.local', '--proxyLogLevel=warning']);
  assert.equal(p.agent.env.POD_NAME, 'backend-v2-abc');
  assert.equal(p.agent.env.INSTANCE_IP, '10.245.0.7');
  assert.equal(p.agent.env.SERVICE_ACCOUNT, 'backend');
  assert.equal(p.agent.env.GOMAXPROCS, '2');
  assert.equal(p.agent.env.GOMEMLIMIT, String(2 ** 30));
  assert.equal(p.agent.env.ISTIO_META_WORKLOAD, 'prod/backend');
  // istiod is reached through the pod's loopback relay; Envoy's path rides in ProxyConfig
  assert.equal(p.agent.env.CA_ADDR, '127.0.0.1:15012');
  assert.deepEqual(JSON.parse(p.agent.env.PROXY_CONFIG), {
    holdApplicationUntilProxyStarts: true,
    discoveryAddress: '127.0.0.1:15012',
    binaryPath: '/dp/bin/envoy',
  });
  assert.equal(p.capture[0], 'istio-iptables');
  assert.ok(p.capture.includes('15090,15021,15020'));
  assert.match(p.podInfo.labels, /^app="backend"\nsecurity\.istio\.io\/tlsMode="istio"\nversion="v2"$/);
});

test('the app answers on the declared ports with the pod\'s version; server-first and tcp- ports are TCP', async () => {
  const { planPod } = await plan();
  const p = planPod(injectedPod(), opts);
  assert.deepEqual(p.app.httpPorts, [8080]);
  assert.deepEqual(p.app.tcpPorts, [5432]);
  assert.equal(p.app.version, 'v2');
  const at = flag => p.app.args[p.app.args.indexOf(flag) + 1];
  assert.equal(at('--version'), 'v2');
  assert.equal(at('--port'), '8080');
  assert.equal(at('--tcp'), '5432');
});

test('fault annotations put a shim on the HTTP ports and move the echo server behind it; TCP ports stay', async () => {
  const { planPod, faultsOf } = await plan();
  const pod = injectedPod();
  pod.metadata.annotations['local-mesh.io/fault-percent'] = '30';
  pod.metadata.annotations['local-mesh.io/fault-status'] = '503';
  const p = planPod(pod, opts);
  const at = flag => p.app.args[p.app.args.indexOf(flag) + 1];
  assert.deepEqual(p.app.faultShim, { percent: 30, status: 503, delayMs: 0, ports: [{ listen: 8080, target: 40000 }] });
  assert.equal(at('--port'), '40000');
  assert.equal(at('--tcp'), '5432');
  assert.deepEqual(p.app.httpPorts, [8080], 'the pod still answers on its declared port');
  // nonsense and zero ask for nothing; the status defaults to 500
  const ask = a => faultsOf({ metadata: { annotations: a } });
  assert.equal(ask({ 'local-mesh.io/fault-percent': '0' }), undefined);
  assert.equal(ask({ 'local-mesh.io/fault-percent': '-5' }), undefined);
  assert.equal(ask({ 'local-mesh.io/fault-percent': '150' }), undefined);
  assert.equal(ask({ 'local-mesh.io/fault-delay-ms': '1e3' }), undefined);
  assert.deepEqual(ask({ 'local-mesh.io/fault-delay-ms': '300' }), { percent: 0, status: 500, delayMs: 300 });
  assert.equal(planPod(injectedPod(), opts).app.faultShim, undefined);
});

test('fault shim: the exact share fails with the given status, spread out; the rest reach the app', async () => {
  const http = require('node:http');
  const { spawn } = require('node:child_process');
  const path = require('node:path');
  const app = http.createServer((req, res) => res.end(`app saw ${req.url}`));
  await new Promise(r => app.listen(0, '127.0.0.1', r));
  const probe = http.createServer();
  await new Promise(r => probe.listen(0, '127.0.0.1', r));
  const listen = probe.address().port;
  await new Promise(r => probe.close(r));
  const shim = spawn(process.execPath, [
    path.join(__dirname, '../dataplane/faultShim.mjs'),
    JSON.stringify({ percent: 30, status: 503, delayMs: 20, ports: [{ listen, target: app.address().port }] }),
  ], { stdio: 'ignore' });
  const get = n => new Promise((resolve, reject) => {
    const started = Date.now();
    http.get({ host: '127.0.0.1', port: listen, path: `/r${n}` }, res => {
      let body = '';
      res.on('data', d => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, ms: Date.now() - started }));
    }).on('error', reject);
  });
  try {
    for (let i = 0; i < 50; i++) {
      if (await get('-ready').then(() => true, () => false)) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const results = [];
    for (let i = 0; i < 100; i++) results.push(await get(i));
    const failed = results.filter(r => r.status === 503);
    assert.equal(failed.length, 30);
    assert.ok(results.every(r => r.ms >= 15), 'every answer waits for the delay');
    const ok = results.filter(r => r.status === 200);
    assert.equal(ok.length, 70);
    assert.match(ok[0].body, /^app saw \/r\d+$/);
    for (let i = 1; i < results.length; i++) {
      assert.ok(!(results[i].status === 503 && results[i - 1].status === 503), 'no two failures in a row at 30 %');
    }
  } finally {
    shim.kill();
    app.close();
  }
});

test('a pod without the injector\'s annotation runs its app alone, even with a container named istio-proxy', async () => {
  const { planPod, podRole } = await plan();
  const pod = injectedPod();
  delete pod.metadata.annotations['sidecar.istio.io/status'];
  assert.equal(podRole(pod), 'plain');
  const p = planPod(pod, opts);
  assert.equal(p.agent, undefined);
  assert.equal(p.capture, undefined);
  assert.deepEqual(p.app.httpPorts, [8080]);
});

test('a gateway pod (pilot-agent proxy router) runs the proxy without app or capture', async () => {
  const { planPod } = await plan();
  const pod = injectedPod();
  pod.spec.initContainers = [];
  pod.spec.containers = [{ name: 'istio-proxy', args: ['proxy', 'router', '--domain', '$(POD_NAMESPACE).svc.cluster.local'], env: [{ name: 'POD_NAMESPACE', value: 'istio-system' }] }];
  const p = planPod(pod, opts);
  assert.equal(p.role, 'router');
  assert.equal(p.app, undefined);
  assert.equal(p.capture, undefined);
  assert.deepEqual(p.agent.args.slice(0, 4), ['proxy', 'router', '--domain', 'istio-system.svc.cluster.local']);
});

test('$(VAR) expansion follows Kubernetes: unknown stays, $$ escapes', async () => {
  const { expandVars } = await plan();
  assert.equal(expandVars('$(A)-$(B)-$$(A)', { A: 'x' }), 'x-$(B)-$(A)');
});

test('served pods: running with an IP in served namespaces, oldest first, capped; a duplicate IP is not served twice', async () => {
  const { selectPods } = await plan();
  const pod = (name, ns, ts, ip, extra = {}) => ({
    metadata: { name, namespace: ns, uid: name, creationTimestamp: ts, ...extra.metadata },
    spec: extra.spec ?? {},
    status: { phase: extra.phase ?? 'Running', podIP: ip },
  });
  const pods = [
    pod('b', 'prod', '2026-01-02T00:00:00Z', '10.0.0.2'),
    pod('a', 'prod', '2026-01-01T00:00:00Z', '10.0.0.1'),
    pod('dup', 'prod', '2026-01-03T00:00:00Z', '10.0.0.1'),
    pod('other', 'bench', '2026-01-01T00:00:00Z', '10.0.0.9'),
    pod('pending', 'prod', '2026-01-01T00:00:00Z', undefined, { phase: 'Pending' }),
    pod('gone', 'prod', '2026-01-01T00:00:00Z', '10.0.0.5', { metadata: { deletionTimestamp: '2026-01-04T00:00:00Z' } }),
    pod('host', 'prod', '2026-01-01T00:00:00Z', '10.0.0.6', { spec: { hostNetwork: true } }),
    pod('c', 'prod', '2026-01-05T00:00:00Z', '10.0.0.3'),
  ];
  const sel = selectPods(pods, new Set(['prod']), 2);
  assert.deepEqual(sel.served.map(p => p.metadata.name), ['a', 'b']);
  assert.deepEqual(sel.overCap.map(p => p.metadata.name), ['c']);
  assert.deepEqual(sel.duplicates.map(p => p.metadata.name), ['dup']);
});

test('load tool: arguments are validated and bounded', async () => {
  const { parseArgs } = await loadTool();
  assert.throws(() => parseArgs(['http://backend/']), /exactly one of --from/);
  assert.throws(() => parseArgs(['--from', 'prod/frontend', '--count', '0', 'http://backend/']), /--count must be a positive integer/);
  assert.throws(() => parseArgs(['--from', 'prod/frontend', '--count', '100001', 'http://backend/']), /at most 100000/);
  assert.throws(() => parseArgs(['--from', 'prod/frontend']), /a URL is required/);
  const o = parseArgs(['--from', 'prod/frontend', '--count', '1000', '-H', 'x-canary: yes', 'http://backend/']);
  assert.equal(o.count, 1000);
  assert.deepEqual(o.headers, ['x-canary: yes']);
});

test('load tool: Service names resolve like cluster DNS (short names in the source namespace)', async () => {
  const { serviceOf } = await loadTool();
  assert.deepEqual(serviceOf('backend', 'prod'), ['backend', 'prod']);
  assert.deepEqual(serviceOf('payments.shop', 'prod'), ['payments', 'shop']);
  assert.deepEqual(serviceOf('payments.shop.svc', 'prod'), ['payments', 'shop']);
  assert.deepEqual(serviceOf('payments.shop.svc.cluster.local', 'prod'), ['payments', 'shop']);
  assert.equal(serviceOf('example.com.org', 'prod'), undefined);
});

test('load tool: the source is a ready pod of the named workload', async () => {
  const { findSourcePod } = await loadTool();
  const state = {
    pods: [
      { namespace: 'prod', name: 'frontend-1', labels: { app: 'frontend' }, ready: false, role: 'sidecar' },
      { namespace: 'prod', name: 'frontend-2', labels: { app: 'frontend' }, ready: true, role: 'sidecar', netns: 'lm-2' },
    ],
  };
  assert.equal(findSourcePod(state, 'prod/frontend').netns, 'lm-2');
  assert.throws(() => findSourcePod(state, 'shop/checkout'), /no ready data-plane pod for shop\/checkout/);
});

test('a fresh pod IP comes from the top of the node\'s pod CIDR and is held by no pod', async () => {
  const { freshPodIp } = await plan();
  assert.equal(freshPodIp('10.244.16.0/20', new Set(['10.244.16.3'])), '10.244.31.254');
  assert.equal(freshPodIp('10.244.16.0/20', new Set(['10.244.31.254', '10.244.31.253'])), '10.244.31.252');
  assert.equal(freshPodIp('10.0.0.0/30', new Set(['10.0.0.2', '10.0.0.1'])), undefined);
});
