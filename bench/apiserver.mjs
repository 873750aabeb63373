// Access to the local mesh's apiserver for the benchmarks: https with the mesh's CA and a bearer
// token over keep-alive sockets (like a real client), kubectl, server-side apply, the bench
// identity (a ServiceAccount with its own FlowSchema) and the apiserver's request counters.
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, now } from './stats.mjs';

const require = createRequire(import.meta.url);
export const REPO = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
);
export const testing = require(path.join(REPO, 'local-mesh/testing/index.js'));
export const YAML = require('yaml');

let mesh; // from testing.ensureMesh()
let ca;
const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });

/** The running local mesh (server, admin token, CA file, kubectl); MESH_DATA_DIR says where it lives. */
export async function connectMesh() {
  mesh = await testing.ensureMesh();
  ca = fs.readFileSync(mesh.caFile);
  return mesh;
}

export function closeApiserver() {
  agent.destroy();
}

/** One apiserver request; JSON in and out (text with `raw`), null for a 404 unless `raw`. */
export function kube(
  pathAndQuery,
  {
    token = mesh.token,
    method = 'GET',
    body,
    raw = false,
    contentType = 'application/json',
  } = {},
) {
  return new Promise((resolve, reject) => {
    const url = new URL(pathAndQuery, mesh.server);
    const req = https.request(
      url,
      {
        method,
        agent,
        ca,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: raw ? 'text/plain' : 'application/json',
          ...(body ? { 'Content-Type': contentType } : {}),
        },
      },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 404 && !raw) return resolve(null);
          if (res.statusCode >= 300)
            return reject(
              new Error(
                `${method} ${pathAndQuery}: HTTP ${res.statusCode} ${text.slice(
                  0,
                  300,
                )}`,
              ),
            );
          try {
            resolve(raw ? text : JSON.parse(text));
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(60_000, () =>
      req.destroy(new Error(`${method} ${pathAndQuery}: timeout`)),
    );
    if (body) req.end(JSON.stringify(body));
    else req.end();
  });
}

/** kubectl with the mesh's admin kubeconfig; its stdout, or an error with its stderr. */
export async function kubectl(args, input, { timeoutMs } = {}) {
  const r = await testing.kubectl(args, {
    ...(input === undefined ? {} : { input }),
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  if (r.code !== 0)
    throw new Error(
      `kubectl ${args.join(' ')} failed: ${(r.stderr || r.stdout).slice(
        0,
        2000,
      )}`,
    );
  return r.stdout;
}

/**
 * Server-side apply of objects as multi-document YAML through kubectl, `chunkSize` objects per
 * kubectl call (one call for thousands of objects would hold them all in one request stream and
 * outlive kubectl's timeout), `parallel` calls at a time.
 */
export async function apply(
  objects,
  { fieldManager, chunkSize = 300, parallel = 2 },
) {
  const chunks = [];
  for (let i = 0; i < objects.length; i += chunkSize)
    chunks.push(objects.slice(i, i + chunkSize));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      await kubectl(
        [
          'apply',
          '--server-side',
          '--force-conflicts',
          `--field-manager=${fieldManager}`,
          '-f',
          '-',
        ],
        chunk.map(o => YAML.stringify(o)).join('---\n'),
        { timeoutMs: 600_000 },
      );
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(parallel, chunks.length) }, worker),
  );
}

/** Waits until the namespace is gone; false when it still exists after timeoutMs. */
export async function waitNamespaceGone(namespace, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await kube(`/api/v1/namespaces/${namespace}`))) return true;
    await sleep(2000);
  }
  return false;
}

/** Creates the namespace (label mesh-portal/bench=true, no injection) unless it exists; waits out a terminating one. */
export async function ensureBenchNamespace(namespace, log) {
  const existing = await kube(`/api/v1/namespaces/${namespace}`);
  if (existing?.metadata?.deletionTimestamp) {
    log(`namespace ${namespace} is terminating (previous run); waiting`);
    if (!(await waitNamespaceGone(namespace, 300_000)))
      throw new Error(`namespace ${namespace} still terminating`);
  }
  if (!(await kube(`/api/v1/namespaces/${namespace}`))) {
    await kube('/api/v1/namespaces', {
      method: 'POST',
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, labels: { 'mesh-portal/bench': 'true' } },
      },
    });
  }
}

/** A Kubernetes quantity as a number ("2k" -> 2000, "110" -> 110). */
export function quantity(q) {
  const m = /^([0-9.]+)(k|M|G|Ki|Mi|Gi)?$/.exec(String(q));
  if (!m) return Number(q);
  const mult =
    { k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2]] ??
    1;
  return Number(m[1]) * mult;
}

// ---------------------------------------------------------------------------------------------
// the bench identity: the bench backends authenticate as a ServiceAccount bound to cluster-admin
// (like the mesh-portal one) whose requests a bench-only FlowSchema matches, so
// apiserver_flowcontrol_dispatched_requests_total{flow_schema=<it>} counts exactly its requests

/** ServiceAccount, ClusterRoleBinding and FlowSchema of a bench identity. */
export function benchIdentityObjects({
  namespace,
  serviceAccount,
  clusterRoleBinding,
  flowSchema,
}) {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, namespace },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: {
        name: clusterRoleBinding,
        labels: { 'mesh-portal/bench': 'true' },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cluster-admin',
      },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
    {
      // Routes the bench identity's requests to its own flow schema (same priority level as the
      // default `service-accounts` schema).
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: { name: flowSchema, labels: { 'mesh-portal/bench': 'true' } },
      spec: {
        priorityLevelConfiguration: { name: 'workload-low' },
        matchingPrecedence: 1000,
        distinguisherMethod: { type: 'ByUser' },
        rules: [
          {
            subjects: [
              {
                kind: 'ServiceAccount',
                serviceAccount: { name: serviceAccount, namespace },
              },
            ],
            resourceRules: [
              {
                verbs: ['*'],
                apiGroups: ['*'],
                resources: ['*'],
                clusterScope: true,
                namespaces: ['*'],
              },
            ],
            nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          },
        ],
      },
    },
  ];
}

/** A token of the bench ServiceAccount, valid for 4 h. */
export async function benchToken(namespace, serviceAccount) {
  return (
    await kubectl([
      'create',
      'token',
      serviceAccount,
      '-n',
      namespace,
      '--duration=4h',
    ])
  ).trim();
}

/** Deletes a bench identity's cluster-scoped objects (the ServiceAccount goes with its namespace). */
export async function deleteBenchIdentity({ clusterRoleBinding, flowSchema }) {
  await testing.kubectl([
    'delete',
    'clusterrolebinding',
    clusterRoleBinding,
    '--ignore-not-found',
  ]);
  await testing.kubectl([
    'delete',
    'flowschema',
    flowSchema,
    '--ignore-not-found',
  ]);
}

/**
 * The apiserver's request counters: `all` (every apiserver_request_total series), `reads`
 * (LIST/GET of `readResources`), `flow` (requests dispatched for `flowSchema`). Read with the
 * admin token, which the bench flow schema does not match.
 */
export async function scrape({ flowSchema, readResources = new Set() }) {
  const text = await kube('/metrics', { raw: true });
  let all = 0;
  let reads = 0;
  let flow = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('apiserver_request_total{')) {
      const labels = parseLabels(line);
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      all += v;
      if (
        (labels.verb === 'LIST' || labels.verb === 'GET') &&
        readResources.has(labels.resource) &&
        !labels.subresource
      )
        reads += v;
    } else if (
      line.startsWith('apiserver_flowcontrol_dispatched_requests_total{')
    ) {
      const labels = parseLabels(line);
      if (labels.flow_schema === flowSchema)
        flow += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return { all, reads, flow, at: now() };
}

function parseLabels(line) {
  const body = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
  const labels = {};
  for (const m of body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[m[1]] = m[2];
  return labels;
}

export const delta = (a, b) => ({
  all: b.all - a.all,
  reads: b.reads - a.reads,
  flow: b.flow - a.flow,
  ms: b.at - a.at,
});

/**
 * Seconds until one call of `call` costs the bench identity no apiserver request (the
 * backend's informers of every kind the status reads have synced; they start on the first read).
 */
export async function waitNoApiserverRequests(
  call,
  { flowSchema, timeoutMs = 60_000, what = 'the status' },
) {
  const t0 = now();
  while (now() - t0 < timeoutMs) {
    await call();
    await sleep(500);
    const before = await scrape({ flowSchema });
    await call();
    const after = await scrape({ flowSchema });
    if (delta(before, after).flow === 0) return (now() - t0) / 1000;
  }
  throw new Error(
    `${what} still reads the apiserver ${timeoutMs} ms after the first call (status cache not syncing?)`,
  );
}
