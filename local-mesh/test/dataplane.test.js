'use strict';
// The data plane follows the cluster: pods created, scaled, restarted and deleted get their
// processes started and stopped; a sidecar runs only where istiod injected one; the pods' Envoys
// answer real requests. Needs the data plane (local-mesh/bin/up starts it when it can).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ensureMesh, freshNamespace, deleteNamespace, kubectl, DATA_DIR } = require('../testing');
const { applyServerSide, deployment, sleep } = require('../testing/helpers');

const stateFile = path.join(DATA_DIR, 'dataplane', 'state.json');
const readState = () => {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
};
const servedIn = ns => (readState()?.pods ?? []).filter(p => p.namespace === ns);
const netnsList = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map(l => l.split(' ')[0]);

async function until(what, check, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await sleep(300);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

test('the data plane follows the cluster', async t => {
  await ensureMesh();
  if (!readState()) {
    assert.fail('the data plane is not running: bin/up says why (root, netns, iptables and socat are needed)');
  }
  const ns = await freshNamespace('dp', { 'istio-injection': 'enabled', 'local-mesh.io/data-plane': 'enabled' });
  t.after(() => deleteNamespace(ns));

  await t.test('an injected pod gets a network namespace, its app and its sidecar, ready within seconds', async () => {
    const r = await applyServerSide(ns, deployment('web'));
    assert.strictEqual(r.code, 0, r.stderr);
    const t0 = Date.now();
    const [pod] = await until('web served and ready', () => {
      const pods = servedIn(ns);
      return pods.length === 1 && pods[0].ready ? pods : undefined;
    });
    t.diagnostic?.(`ready ${Date.now() - t0} ms after apply`);
    assert.strictEqual(pod.role, 'sidecar');
    assert.strictEqual(pod.version, 'v1');
    assert.ok(netnsList().includes(pod.netns));
    // the pod's own Envoy answers on its admin port, and its app through the sidecar
    const ready = execFileSync('ip', ['netns', 'exec', pod.netns, 'curl', '-s', 'http://127.0.0.1:15021/healthz/ready', '-o', '/dev/null', '-w', '%{http_code}'], { encoding: 'utf8' });
    assert.strictEqual(ready, '200');
  });

  await t.test('scaling up starts the new pod; scaling down stops it and removes its network namespace', async () => {
    const scale = await kubectl(['-n', ns, 'scale', 'deployment', 'web', '--replicas=2']);
    assert.strictEqual(scale.code, 0, scale.stderr);
    const pods = await until('2 pods served', () => {
      const p = servedIn(ns);
      return p.length === 2 && p.every(x => x.ready) ? p : undefined;
    });
    assert.notStrictEqual(pods[0].ip, pods[1].ip, 'each pod holds its own IP');
    const down = await kubectl(['-n', ns, 'scale', 'deployment', 'web', '--replicas=1']);
    assert.strictEqual(down.code, 0, down.stderr);
    await until('1 pod served', () => servedIn(ns).length === 1);
    const gone = pods.find(p => !servedIn(ns).some(s => s.uid === p.uid));
    await until('its netns removed', () => !netnsList().includes(gone.netns), 15000);
  });

  await t.test('a pod opted out of injection runs its app alone', async () => {
    const r = await applyServerSide(ns, deployment('plain', { 'sidecar.istio.io/inject': 'false' }));
    assert.strictEqual(r.code, 0, r.stderr);
    const pod = await until('plain served', () => servedIn(ns).find(p => p.name.startsWith('plain-') && p.ready));
    assert.strictEqual(pod.role, 'plain');
  });

  await t.test('deleting the namespace stops every process of its pods', async () => {
    const netns = servedIn(ns).map(p => p.netns);
    assert.ok(netns.length >= 2);
    await deleteNamespace(ns);
    await until('no pod of the namespace served', () => servedIn(ns).length === 0, 60000);
    await until('their netns removed', () => netns.every(n => !netnsList().includes(n)), 15000);
  });
});
