'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ensureMesh, freshNamespace, deleteNamespace } = require('../testing');
const { applyServerSide, deployment, waitForRunningPods, sidecarOf } = require('../testing/helpers');

test('sidecar injection by istiod through the mutating webhook', async t => {
  await ensureMesh();

  await t.test('namespace labelled istio-injection=enabled: pods get istio-proxy and reach Running', async t => {
    const ns = await freshNamespace('inject', { 'istio-injection': 'enabled' });
    t.after(() => deleteNamespace(ns));
    const r = await applyServerSide(ns, deployment('web'));
    assert.strictEqual(r.code, 0, r.stderr);
    const pods = await waitForRunningPods(ns, 'web');
    for (const pod of pods) {
      const sidecar = sidecarOf(pod);
      assert.ok(sidecar, `pod ${pod.metadata.name} has an istio-proxy container`);
      // kwok nodes report kubelet v1.36.3 -> native sidecar (init container, restartPolicy Always)
      assert.strictEqual(sidecar.restartPolicy, 'Always', 'native sidecar');
      const status = JSON.parse(pod.metadata.annotations['sidecar.istio.io/status']);
      assert.ok(status.initContainers.includes('istio-proxy') || status.containers.includes('istio-proxy'));
      assert.strictEqual(pod.metadata.labels['security.istio.io/tlsMode'], 'istio');
      const st = [...(pod.status.initContainerStatuses || []), ...(pod.status.containerStatuses || [])].find(
        c => c.name === 'istio-proxy',
      );
      assert.ok(st && st.ready, 'istio-proxy is ready');
    }
  });

  await t.test('unlabelled namespace: pods run without a sidecar', async t => {
    const ns = await freshNamespace('plain');
    t.after(() => deleteNamespace(ns));
    const r = await applyServerSide(ns, deployment('web'));
    assert.strictEqual(r.code, 0, r.stderr);
    const pods = await waitForRunningPods(ns, 'web');
    for (const pod of pods) {
      assert.strictEqual(sidecarOf(pod), null, `pod ${pod.metadata.name} must not have istio-proxy`);
      assert.strictEqual((pod.metadata.annotations || {})['sidecar.istio.io/status'], undefined);
    }
  });
});
