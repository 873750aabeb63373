// Extra kwok nodes for bench pods only (kwok-bench-0..N-1), so a bench of 10k pods neither
// crowds the two nodes of the local mesh (local-mesh/manifests/nodes.yaml, 2000 pods each) nor
// lands its pods among other engineers' tests. Bench pods carry BENCH_POD_PLACEMENT; no other
// pod tolerates the nodes' taint.
import { kube, apply, quantity } from './apiserver.mjs';
import { sleep } from './stats.mjs';

export const BENCH_NODE_PREFIX = 'kwok-bench-';
const NODE_TYPE = 'kwok-bench';
const TAINT_KEY = 'mesh-portal/bench';
/** Pods per bench node: a /20 pod CIDR has 4096 addresses. */
export const PODS_PER_BENCH_NODE = 4000;
/** The two mesh nodes use 10.244.0.0/20 and 10.244.16.0/20; bench nodes take /20s from 10.244.64.0 on. */
const FIRST_CIDR_OCTET = 64;
const MAX_BENCH_NODES = (256 - FIRST_CIDR_OCTET) / 16;

/** What a bench pod's spec needs to run on (and only on) the bench nodes. */
export const BENCH_POD_PLACEMENT = {
  nodeSelector: { type: NODE_TYPE },
  tolerations: [
    {
      key: TAINT_KEY,
      operator: 'Equal',
      value: 'true',
      effect: 'NoSchedule',
    },
  ],
};

export const benchNodeSelector = `type=${NODE_TYPE}`;

/** Bench nodes to hold `pods` pods. */
export const benchNodesFor = pods =>
  Math.max(1, Math.ceil(pods / PODS_PER_BENCH_NODE));

function benchNode(i, kubeletVersion) {
  const name = `${BENCH_NODE_PREFIX}${i}`;
  const cidr = `10.244.${FIRST_CIDR_OCTET + 16 * i}.0/20`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'kwok.x-k8s.io/node': 'fake',
      },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/role': 'agent',
        type: NODE_TYPE,
        'mesh-portal/bench': 'true',
      },
    },
    spec: {
      podCIDR: cidr,
      podCIDRs: [cidr],
      taints: [{ key: TAINT_KEY, value: 'true', effect: 'NoSchedule' }],
    },
    status: nodeStatus(i, kubeletVersion),
  };
}

function nodeStatus(i, kubeletVersion) {
  const resources = {
    cpu: '1000',
    memory: '4Ti',
    pods: String(PODS_PER_BENCH_NODE),
    'ephemeral-storage': '10Ti',
  };
  return {
    addresses: [
      { type: 'InternalIP', address: `10.89.1.${10 + i}` },
      { type: 'Hostname', address: `${BENCH_NODE_PREFIX}${i}` },
    ],
    capacity: resources,
    allocatable: resources,
    nodeInfo: {
      architecture: 'amd64',
      operatingSystem: 'linux',
      kubeletVersion,
      kubeProxyVersion: kubeletVersion,
      containerRuntimeVersion: 'containerd://2.1.0',
      kernelVersion: '6.1.0',
      osImage: 'kwok fake node',
    },
  };
}

const isReady = node =>
  (node.status?.conditions ?? []).some(
    c => c.type === 'Ready' && c.status === 'True',
  );

/**
 * Creates (or keeps) bench nodes kwok-bench-0..count-1 and waits until kwok reports them Ready.
 * Their kubelet version is the mesh nodes' (istiod picks native sidecars by it).
 */
export async function ensureBenchNodes(count, { log, fieldManager }) {
  if (count > MAX_BENCH_NODES)
    throw new Error(
      `${count} bench nodes requested; at most ${MAX_BENCH_NODES} (${
        MAX_BENCH_NODES * PODS_PER_BENCH_NODE
      } pods) fit the pod CIDRs`,
    );
  const meshNode = (await kube('/api/v1/nodes?labelSelector=type%3Dkwok'))
    .items[0];
  const kubeletVersion =
    meshNode?.status?.nodeInfo?.kubeletVersion ?? 'v1.36.3';
  const nodes = Array.from({ length: count }, (_, i) =>
    benchNode(i, kubeletVersion),
  );
  await apply(nodes, { fieldManager });
  // The status is only taken on create (like local-mesh/bin/up): patch it through the subresource.
  for (let i = 0; i < count; i++) {
    await kube(`/api/v1/nodes/${BENCH_NODE_PREFIX}${i}/status`, {
      method: 'PATCH',
      body: { status: nodeStatus(i, kubeletVersion) },
      contentType: 'application/merge-patch+json',
    });
  }
  const t0 = Date.now();
  for (;;) {
    const ready = (
      await kube(
        `/api/v1/nodes?labelSelector=${encodeURIComponent(benchNodeSelector)}`,
      )
    ).items.filter(
      n => isReady(n) && nodes.some(b => b.metadata.name === n.metadata.name),
    );
    if (ready.length === count) break;
    if (Date.now() - t0 > 120_000)
      throw new Error(
        `bench nodes not Ready after 120 s (${ready.length}/${count}; is kwok running?)`,
      );
    await sleep(1000);
  }
  log(
    `bench nodes ready: ${nodes
      .map(n => `${n.metadata.name} (${n.spec.podCIDR})`)
      .join(', ')}`,
  );
  return nodes.map(n => n.metadata.name);
}

/** Pod slots of the bench nodes that pods outside `ownNamespaces` do not use. */
export async function benchCapacity(ownNamespaces) {
  const nodes = (
    await kube(
      `/api/v1/nodes?labelSelector=${encodeURIComponent(benchNodeSelector)}`,
    )
  ).items.filter(n => isReady(n) && !n.spec?.unschedulable);
  const allocatable = nodes.reduce(
    (s, n) => s + quantity(n.status?.allocatable?.pods ?? '0'),
    0,
  );
  let used = 0;
  for (const n of nodes)
    used += (await podsOnNode(n.metadata.name)).filter(
      p => !ownNamespaces.has(p.metadata.namespace),
    ).length;
  return {
    nodes: nodes.map(
      n => `${n.metadata.name}(${n.status?.allocatable?.pods} pods)`,
    ),
    allocatable,
    used,
    free: allocatable - used,
  };
}

/** The node's pods that hold a slot (not Succeeded or Failed); the first `limit` when given. */
async function podsOnNode(name, limit) {
  const fieldSelector = `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed`;
  return (
    await kube(
      `/api/v1/pods?fieldSelector=${encodeURIComponent(fieldSelector)}${
        limit ? `&limit=${limit}` : ''
      }`,
    )
  ).items;
}

/**
 * Deletes the bench nodes that hold no pod (call it after the bench's namespaces are gone); a
 * node still running another bench's pods is left to that bench.
 */
export async function removeBenchNodes({ log }) {
  const nodes = (
    await kube(
      `/api/v1/nodes?labelSelector=${encodeURIComponent(benchNodeSelector)}`,
    )
  ).items.map(n => n.metadata.name);
  const busy = new Set();
  for (const name of nodes)
    if ((await podsOnNode(name, 1)).length) busy.add(name);
  for (const name of nodes) {
    if (busy.has(name)) {
      log(
        `bench node ${name} still holds pods (another bench?): left in place`,
      );
      continue;
    }
    await kube(`/api/v1/nodes/${name}`, { method: 'DELETE' });
  }
  const removed = nodes.filter(n => !busy.has(n));
  if (removed.length) log(`deleted bench nodes ${removed.join(', ')}`);
}
