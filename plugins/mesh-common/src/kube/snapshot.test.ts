import { analyze } from '../analyzer/analyze';
import {
  backendService,
  backendV1,
  prodNamespace,
} from '../__fixtures__/handbook';
import { meshConfigFromConfigMap } from '../status/destinationRuleLookup';
import { ClusterSnapshot, snapshotBundle } from './snapshot';
import type { IstioAuthorizationPolicy, KubeWorkload } from './types';

const queue: KubeWorkload = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'queue', namespace: 'prod' },
  spec: {
    selector: { matchLabels: { app: 'queue' } },
    template: { metadata: { labels: { app: 'queue', version: 'v1' } } },
  },
};

const allow = (name: string, app: string): IstioAuthorizationPolicy => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace: 'prod' },
  spec: { selector: { matchLabels: { app } } },
});

function snapshot(rootNamespace: string): ClusterSnapshot {
  return {
    cluster: 'local',
    namespaces: [prodNamespace],
    services: [backendService],
    pods: [],
    // The entity is the backend; the queue is another workload of its namespace.
    workloads: [backendV1],
    namespaceWorkloads: [backendV1, queue],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    gatewayPods: [],
    peerAuthentications: [],
    authorizationPolicies: [
      allow('queue-allow', 'queue'),
      allow('nothing-allow', 'nothing'),
    ],
    serviceAccounts: [],
    meshConfig: {
      ...meshConfigFromConfigMap({
        data: { mesh: `rootNamespace: ${rootNamespace}\n` },
      }),
      trustDomain: 'cluster.local',
    },
  };
}

describe('snapshotBundle', () => {
  it("gives the analyzer every workload of the namespaces, whatever its kind, and meshConfig's root namespace", () => {
    const bundle = snapshotBundle(snapshot('mesh-root'));
    expect(bundle.workloads).toEqual([backendV1, queue]);
    expect(bundle.rootNamespace).toBe('mesh-root');
    // A StatefulSet that is not the entity's still is a workload a policy can select.
    expect(
      analyze(bundle)
        .filter(f => f.code === 'IST0127')
        .map(f => f.resource?.name),
    ).toEqual(['nothing-allow']);
  });
});
