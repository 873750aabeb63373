'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { istioctl } = require('../testing');
const { tmpDirWith } = require('../testing/helpers');

const NAMESPACE = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
`;
const SERVICE = `
apiVersion: v1
kind: Service
metadata:
  name: payments
  namespace: shop
  labels: {app: payments}
spec:
  selector: {app: payments}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;
const DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: payments
  namespace: shop
spec:
  host: payments
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
`;
const vs = (a, b) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: payments
  namespace: shop
spec:
  hosts: [payments]
  http:
  - route:
    - destination: {host: payments, subset: ${a}}
      weight: 90
    - destination: {host: payments, subset: ${b}}
      weight: 10
`;

// Exit codes: text output exits 79 on findings (65 = parse error); with `-o json` istioctl exits 0
// and prints the findings as a JSON array. We check both.
async function analyze(files, output = 'json') {
  const dir = tmpDirWith(files);
  try {
    const names = Object.keys(files).map(f => path.join(dir, f));
    // -A: without it istioctl only reports findings for namespace "default" (our files use "shop").
    // Note: offline (--use-kube=false) istioctl ignores Service/Pod/Namespace objects in files
    // (kuberesource.DefaultExcludedSchemas), so host-existence checks don't run; subset checks do.
    return await istioctl(['analyze', '--use-kube=false', '--all-namespaces', '-o', output, ...names]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('istioctl analyze --use-kube=false reports IST0101 for a subset no DestinationRule defines', async () => {
  const files = { 'ns.yaml': NAMESPACE, 'svc.yaml': SERVICE, 'dr.yaml': DR, 'vs.yaml': vs('v1', 'v3') };
  const text = await analyze(files, 'log');
  assert.strictEqual(text.code, 79, `exit 79 = findings; got ${text.code}: ${text.stdout}${text.stderr}`);
  assert.match(text.stdout + text.stderr, /IST0101/);
  const r = await analyze(files);
  assert.strictEqual(r.code, 0, r.stderr);
  const msgs = JSON.parse(r.stdout);
  const ist0101 = msgs.filter(m => m.code === 'IST0101');
  assert.strictEqual(ist0101.length, 1, JSON.stringify(msgs));
  assert.match(ist0101[0].message, /subset/i);
  assert.match(ist0101[0].message, /v3/);
});

test('istioctl analyze --use-kube=false is clean on a correct bundle', async () => {
  const files = { 'ns.yaml': NAMESPACE, 'svc.yaml': SERVICE, 'dr.yaml': DR, 'vs.yaml': vs('v1', 'v2') };
  const text = await analyze(files, 'log');
  assert.strictEqual(text.code, 0, `stdout: ${text.stdout}\nstderr: ${text.stderr}`);
  assert.match(text.stderr + text.stdout, /No validation issues found/);
  const r = await analyze(files);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.deepStrictEqual(JSON.parse(r.stdout || '[]'), []);
});
