import type { ClusterSnapshot, KubePod } from '@mesh-portal/backstage-plugin-mesh-common';
import { statusFromSnapshot } from './statusFromSnapshot';

/** A running, ready pod of Deployment backend; with or without its sidecar. */
function pod(index: number, sidecar: boolean): KubePod {
  return {
    metadata: {
      name: `backend-7d9f8-${String(index).padStart(4, '0')}`,
      namespace: 'prod',
      labels: { app: 'backend', version: 'v1', 'pod-template-hash': '7d9f8' },
    },
    spec: {
      containers: [{ name: 'backend', image: 'backend:1' }, ...(sidecar ? [{ name: 'istio-proxy', image: 'proxyv2:1.28.0' }] : [])],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function snapshot(pods: KubePod[]): ClusterSnapshot {
  return {
    cluster: 'local',
    namespaces: [{ metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } } }],
    services: [{ metadata: { name: 'backend', namespace: 'prod' }, spec: { selector: { app: 'backend' }, ports: [{ port: 80, name: 'http' }] } }],
    workloads: [
      {
        kind: 'Deployment' as const,
        metadata: { name: 'backend-v1', namespace: 'prod' },
        spec: { replicas: pods.length, selector: { matchLabels: { app: 'backend', version: 'v1' } }, template: { metadata: { labels: { app: 'backend', version: 'v1' } } } },
      },
    ],
    namespaceWorkloads: [],
    pods,
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    peerAuthentications: [],
    gatewayPods: [],
    authorizationPolicies: [],
    serviceAccounts: [],
    meshConfig: { rootNamespace: 'istio-system', trustDomain: 'cluster.local', defaultDestinationRuleExportTo: ['*'] },
  };
}

describe('statusFromSnapshot', () => {
  it('counts every pod of a large workload, lists 100 with those lacking the sidecar first, and sums up their findings', () => {
    // 250 pods; every 10th (25) has no sidecar although the namespace injects.
    const pods = Array.from({ length: 250 }, (_, i) => pod(i, i % 10 !== 3));
    const status = statusFromSnapshot(snapshot(pods), { multiCluster: false });
    const [workload] = status.workloads;
    expect(workload.podCounts).toEqual({ total: 250, ready: 250, meshed: 225, optedOut: 0 });
    expect(workload.pods).toHaveLength(100);
    expect(workload.pods.slice(0, 25).every(p => !p.injected)).toBe(true);
    expect(workload.pods.slice(0, 2).map(p => p.name)).toEqual(['backend-7d9f8-0003', 'backend-7d9f8-0013']);
    expect(workload.pods.slice(25).every(p => p.injected)).toBe(true);
    // The split counts every pod, listed or not.
    expect(status.trafficSplits[0].routes[0].podCount).toBe(250);

    const noSidecar = status.findings.filter(f => f.code === 'IST0103');
    expect(noSidecar).toHaveLength(21);
    expect(noSidecar.slice(0, 20).every(f => f.resource?.kind === 'Pod')).toBe(true);
    expect(noSidecar[20].message).toBe('5 more pods in prod with the same finding (IST0103), not listed one by one.');
  });

  it('lists every pod of a small workload', () => {
    const status = statusFromSnapshot(snapshot([pod(1, true), pod(2, false)]), { multiCluster: false });
    expect(status.workloads[0].pods.map(p => p.name)).toEqual(['backend-7d9f8-0002', 'backend-7d9f8-0001']);
    expect(status.workloads[0].podCounts).toEqual({ total: 2, ready: 2, meshed: 1, optedOut: 0 });
    expect(status.findings.filter(f => f.code === 'IST0103').map(f => f.resource?.name)).toEqual(['backend-7d9f8-0002']);
  });
});
