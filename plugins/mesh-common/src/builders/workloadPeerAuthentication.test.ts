import type { IstioPeerAuthentication, KubeWorkload } from '../kube/types';
import { planMtls } from './planMtls';
import { workloadPeerAuthentication } from './workloadPeerAuthentication';

const deploymentLabels = { app: 'cache', tier: 'deployment' };
const statefulSetLabels = { app: 'cache', tier: 'statefulset' };

function policy(
  name: string,
  matchLabels: Record<string, string>,
  creationTimestamp = '2025-01-01T00:00:00Z',
): IstioPeerAuthentication {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace: 'shop', creationTimestamp },
    spec: { selector: { matchLabels }, mtls: { mode: 'PERMISSIVE' } },
  };
}

function workload(kind: string, name: string): KubeWorkload {
  return { apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'shop' } };
}

const both = [
  workload('Deployment', 'cache'),
  workload('StatefulSet', 'cache'),
];

describe('workloadPeerAuthentication', () => {
  const name = (
    kind: string,
    labels: Record<string, string>,
    peerAuthentications: IstioPeerAuthentication[],
    namespaceWorkloads?: KubeWorkload[],
  ) =>
    workloadPeerAuthentication({
      namespace: 'shop',
      workload: { kind, name: 'cache', labels },
      peerAuthentications,
      namespaceWorkloads,
    });

  it('names a new policy after the workload when no other kind shares the name', () => {
    expect(name('StatefulSet', statefulSetLabels, [])).toEqual({
      name: 'cache',
    });
  });

  it('adds the kind when a workload of another kind has the same name', () => {
    expect(name('Deployment', deploymentLabels, [], both)).toEqual({
      name: 'cache-deployment',
    });
    expect(name('StatefulSet', statefulSetLabels, [], both)).toEqual({
      name: 'cache-statefulset',
    });
  });

  it('finds a policy earlier versions named after the workload by its selector, whatever the kind', () => {
    const legacy = policy('cache', statefulSetLabels);
    expect(name('StatefulSet', statefulSetLabels, [legacy], both)).toEqual({
      name: 'cache',
      existing: legacy,
    });
  });

  it('never takes over the policy of the other kind: a name that selects other pods gets the kind', () => {
    const deployments = policy('cache', deploymentLabels);
    expect(name('StatefulSet', statefulSetLabels, [deployments])).toEqual({
      name: 'cache-statefulset',
    });
    const ours = policy('cache-statefulset', statefulSetLabels);
    expect(name('StatefulSet', statefulSetLabels, [deployments, ours])).toEqual(
      { name: 'cache-statefulset', existing: ours },
    );
  });

  it('numbers the name when the kind name is taken by a policy of other pods too', () => {
    expect(
      name('StatefulSet', statefulSetLabels, [
        policy('cache', deploymentLabels),
        policy('cache-statefulset', { app: 'other' }),
      ]),
    ).toEqual({ name: 'cache-statefulset-2' });
  });
});

describe('planMtls for two kinds of one name', () => {
  const strictFor = (
    kind: string,
    labels: Record<string, string>,
    peerAuthentications: IstioPeerAuthentication[],
  ) =>
    planMtls({
      mode: 'STRICT',
      scope: 'workload',
      namespace: 'shop',
      workload: { kind, name: 'cache', labels },
      callers: [],
      destinationRules: [],
      peerAuthentications,
      namespaceWorkloads: both,
      // What the backend used to pass: the policy named like the workload.
      existingPeerAuthentication: peerAuthentications.find(
        pa => pa.metadata?.name === 'cache',
      ),
    });

  it("writes the StatefulSet's own policy and leaves the Deployment's alone", () => {
    const deployments = policy('cache', deploymentLabels);
    const plan = strictFor('StatefulSet', statefulSetLabels, [deployments]);
    expect(plan.findings).toEqual([]);
    expect(plan.objects.map(o => o.object)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: {
          name: 'cache-statefulset',
          namespace: 'shop',
          labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
        },
        spec: {
          selector: { matchLabels: statefulSetLabels },
          mtls: { mode: 'STRICT' },
        },
      },
    ]);
  });

  it('updates a policy an earlier version named after the workload, not a duplicate', () => {
    const legacy = policy('cache', statefulSetLabels);
    const plan = strictFor('StatefulSet', statefulSetLabels, [legacy]);
    expect(plan.objects.map(o => [o.name, o.object.spec])).toEqual([
      [
        'cache',
        {
          selector: { matchLabels: statefulSetLabels },
          mtls: { mode: 'STRICT' },
        },
      ],
    ]);
  });
});
