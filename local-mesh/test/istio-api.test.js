'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { ensureMesh, freshNamespace, deleteNamespace, kubectl } = require('../testing');
const { applyServerSide } = require('../testing/helpers');

const VALID = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: backend
spec:
  host: backend
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: backend
spec:
  hosts: [backend]
  http:
  - route:
    - destination: {host: backend, subset: v1}
      weight: 90
    - destination: {host: backend, subset: v2}
      weight: 10
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
spec:
  mtls:
    mode: STRICT
`;

const NEGATIVE_WEIGHT = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bad-weight
spec:
  hosts: [backend]
  http:
  - route:
    - destination: {host: backend, subset: v1}
      weight: -10
    - destination: {host: backend, subset: v2}
      weight: 110
`;

const BAD_MTLS = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: bad-mode
spec:
  mtls:
    mode: SOMETIMES
`;

test('Istio v1 resources: valid ones are accepted, invalid ones rejected', async t => {
  await ensureMesh();
  const ns = await freshNamespace('istio-api');
  t.after(() => deleteNamespace(ns));

  await t.test('VirtualService, DestinationRule, PeerAuthentication accepted (server-side apply)', async () => {
    const r = await applyServerSide(ns, VALID);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /destinationrule.networking.istio.io\/backend serverside-applied/);
    assert.match(r.stdout, /virtualservice.networking.istio.io\/backend serverside-applied/);
    assert.match(r.stdout, /peerauthentication.security.istio.io\/default serverside-applied/);
    const got = await kubectl(['get', '-n', ns, 'virtualservices.networking.istio.io', 'backend', '-o', 'json']);
    assert.strictEqual(got.code, 0, got.stderr);
    const vs = JSON.parse(got.stdout);
    assert.strictEqual(vs.apiVersion, 'networking.istio.io/v1');
    assert.deepStrictEqual(vs.spec.http[0].route.map(r => r.weight), [90, 10]);
  });

  await t.test('VirtualService with a negative weight is rejected', async () => {
    const r = await applyServerSide(ns, NEGATIVE_WEIGHT);
    assert.notStrictEqual(r.code, 0, `expected rejection, got: ${r.stdout}`);
    assert.match(r.stderr, /weight/i);
    const got = await kubectl(['get', '-n', ns, 'virtualservices.networking.istio.io', 'bad-weight']);
    assert.notStrictEqual(got.code, 0, 'must not exist');
  });

  await t.test('PeerAuthentication with an unknown mTLS mode is rejected', async () => {
    const r = await applyServerSide(ns, BAD_MTLS);
    assert.notStrictEqual(r.code, 0, `expected rejection, got: ${r.stdout}`);
    assert.match(r.stderr, /SOMETIMES|mode/);
  });
});
