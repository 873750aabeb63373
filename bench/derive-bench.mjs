#!/usr/bin/env node
// Deriving one entity's status from a snapshot, in process, at 1,000 and 10,000 pods (issue 12;
// see bench/README.md, "derive-bench").
//
//   yarn bench:derive [--iterations 60] [--small-pods 1000] [--pods 10000]
//
// No cluster: the snapshot is built in memory the way the watch cache hands it out (the same
// pod objects on every read, a fresh array per read). Measures statusFromSnapshot (the work of
// a status after a change it reads, the server's CPU only): (1) warm, the pods unchanged since
// the last status (a Service or a VirtualService changed); (2) cold, every pod object new (the
// first status after a relist). Prints p50/p95 and the ratio 10k / 1k; exits 0 unless it broke.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { fmt, now, stats } from './stats.mjs';
import { printHelp } from './run.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
process.env.ESBK_TSCONFIG_PATH ??= path.join(REPO, 'tsconfig.json');
// The backend's own TypeScript loader (as `yarn start` runs it), so the source is measured.
require('@backstage/cli-node/config/nodeTransform.cjs');
const { statusFromSnapshot } = require(path.join(
  REPO,
  'plugins/mesh-backend/src/services/statusFromSnapshot.ts',
));

const { values: opts } = parseArgs({
  options: {
    iterations: { type: 'string', default: '60' },
    'small-pods': { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) printHelp(import.meta.url, 11);
const N = Number(opts.iterations);

/** A ready pod of Deployment backend-v1 with its sidecar, as the cache keeps it (trimmed). */
function pod(index) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `backend-v1-7d9f8-${String(index).padStart(5, '0')}`,
      namespace: 'prod',
      labels: { app: 'backend', version: 'v1', 'pod-template-hash': '7d9f8' },
      annotations: { 'sidecar.istio.io/status': '{"revision":"default"}' },
    },
    spec: {
      containers: [
        { name: 'backend', image: 'backend:1' },
        { name: 'istio-proxy', image: 'proxyv2:1.28.0' },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/** The bench entity's snapshot: 2 Services, a Deployment, a VirtualService and DR, a policy. */
function snapshot(pods) {
  const service = (name, selector) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'prod' },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'backend-v1', namespace: 'prod' },
    spec: {
      replicas: pods.length,
      selector: { matchLabels: { app: 'backend', version: 'v1' } },
      template: { metadata: { labels: { app: 'backend', version: 'v1' } } },
    },
  };
  return {
    cluster: 'local',
    namespaces: [
      { metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } } },
    ],
    services: [
      service('backend', { app: 'backend' }),
      service('backend-v1', { app: 'backend', version: 'v1' }),
    ],
    workloads: [deployment],
    namespaceWorkloads: [deployment],
    pods,
    virtualServices: [
      {
        metadata: { name: 'backend', namespace: 'prod' },
        spec: {
          hosts: ['backend'],
          http: [
            {
              route: [
                { destination: { host: 'backend', subset: 'v1' }, weight: 100 },
              ],
            },
          ],
        },
      },
    ],
    destinationRules: [
      {
        metadata: { name: 'backend', namespace: 'prod' },
        spec: {
          host: 'backend',
          subsets: [{ name: 'v1', labels: { version: 'v1' } }],
        },
      },
    ],
    gateways: [],
    peerAuthentications: [
      {
        metadata: { name: 'default', namespace: 'prod' },
        spec: { mtls: { mode: 'STRICT' } },
      },
    ],
    gatewayPods: [],
    authorizationPolicies: [
      {
        metadata: { name: 'backend-access', namespace: 'prod' },
        spec: {
          selector: { matchLabels: { app: 'backend' } },
          action: 'ALLOW',
          rules: [
            {
              from: [
                {
                  source: {
                    principals: ['cluster.local/ns/prod/sa/frontend'],
                  },
                },
              ],
            },
          ],
        },
      },
    ],
    serviceAccounts: [],
    meshConfig: {
      rootNamespace: 'istio-system',
      trustDomain: 'cluster.local',
      defaultDestinationRuleExportTo: ['*'],
    },
  };
}

/** p50/p95 of statusFromSnapshot over N calls; `podsFor(i)` gives the pods of call i. */
function measure(count, podsFor) {
  const samples = [];
  for (let i = 0; i < N + 5; i++) {
    const pods = podsFor(i);
    const t0 = now();
    const status = statusFromSnapshot(snapshot(pods), { multiCluster: false });
    const ms = now() - t0;
    if (status.workloads[0].podCounts.total !== count)
      throw new Error(`expected ${count} pods in the status`);
    if (i >= 5) samples.push(ms); // 5 warm-up calls
  }
  return stats(samples);
}

const counts = [Number(opts['small-pods']), Number(opts.pods)];
const results = {};
for (const count of counts) {
  const kept = Array.from({ length: count }, (_, i) => pod(i));
  results[count] = {
    // The cache's read: a fresh array of the same pod objects.
    warm: measure(count, () => kept.slice()),
    // New pod objects for every call, built before the clock starts.
    cold: measure(count, () => Array.from({ length: count }, (_, i) => pod(i))),
  };
}
const [small, large] = counts;
const line = (label, s) =>
  `  ${label.padEnd(52)} p50 ${fmt(s.p50, 2).padStart(7)} ms   p95 ${fmt(
    s.p95,
    2,
  ).padStart(7)} ms   (n=${s.n})`;
console.log(
  [
    '',
    `Status derivation (statusFromSnapshot, in process) — ${new Date().toISOString()} — Node ${
      process.version
    }`,
    line(`warm, pods unchanged @ ${small} pods`, results[small].warm),
    line(`warm, pods unchanged @ ${large} pods`, results[large].warm),
    `  warm ${large} / ${small}: p50 ${fmt(
      results[large].warm.p50 / results[small].warm.p50,
      2,
    )}x   (target <= 2x: ${
      results[large].warm.p50 <= 2 * results[small].warm.p50 ? 'MET' : 'NOT MET'
    })`,
    line(`cold, every pod object new @ ${small} pods`, results[small].cold),
    line(`cold, every pod object new @ ${large} pods`, results[large].cold),
    `  cold ${large} / ${small}: p50 ${fmt(
      results[large].cold.p50 / results[small].cold.p50,
      2,
    )}x   (every pod derived once: expected to grow with the pods)`,
    '',
  ].join('\n'),
);
