import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ClusterSnapshot,
  IstioVirtualService,
  KubePod,
  KubeWorkload,
  PlannedObject,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { planAction } from './planAction';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default' },
};

function workload(version: string): KubeWorkload {
  const labels = { app: 'web', version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${version}`, namespace: 'prod' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: `web:${version}` }] } },
    },
  };
}

function pod(version: string): KubePod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${version}-0`, namespace: 'prod', labels: { app: 'web', version } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** A VirtualService splitting `web` 100 % to v1, optionally bound to a Gateway. */
function virtualService(name: string, hosts: string[], gateways?: string[]): IstioVirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'prod' },
    spec: {
      hosts,
      ...(gateways ? { gateways } : {}),
      http: [{ route: [{ destination: { host: 'web', subset: 'v1', port: { number: 80 } }, weight: 100 }] }],
    },
  };
}

const meshVs = virtualService('web', ['web']);
const ingressVs = virtualService('web-ingress', ['shop.example.com'], ['web-gateway']);

function snapshot(virtualServices: IstioVirtualService[]): ClusterSnapshot {
  const workloads = [workload('v1'), workload('v2')];
  return {
    cluster: 'local',
    namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } }],
    services: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'prod' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
      },
    ],
    workloads,
    namespaceWorkloads: workloads,
    pods: [pod('v1'), pod('v2')],
    virtualServices,
    destinationRules: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'web', namespace: 'prod' },
        spec: {
          host: 'web',
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        },
      },
    ],
    gateways: [],
    gatewayPods: [],
    peerAuthentications: [],
    authorizationPolicies: [],
    serviceAccounts: [],
    meshConfig: { rootNamespace: 'istio-system', defaultDestinationRuleExportTo: ['*'], trustDomain: 'cluster.local' },
  };
}

/** The VirtualServices a plan writes, by name, with the weights of their first route. */
function writtenSplits(objects: PlannedObject[]) {
  return objects
    .filter(o => o.kind === 'VirtualService')
    .map(o => {
      const spec = (o.object as IstioVirtualService).spec;
      return [o.name, spec?.http?.[0].route?.map(d => [d.destination.subset, d.weight])];
    });
}

describe('planAction with several VirtualServices routing one Service', () => {
  const both = snapshot([meshVs, ingressVs]);

  it('changes the split of the VirtualService the request names, not the first one', () => {
    const plan = planAction(
      entity,
      { action: 'canary', service: 'web', virtualService: 'web-ingress', weights: { v1: 90, v2: 10 } },
      both,
    );
    expect(writtenSplits(plan.objects)).toEqual([
      [
        'web-ingress',
        [
          ['v1', 90],
          ['v2', 10],
        ],
      ],
    ]);
  });

  it('sets resilience on the named VirtualService', () => {
    const plan = planAction(
      entity,
      { action: 'resilience', service: 'web', virtualService: 'web-ingress', timeout: '2s' },
      both,
    );
    const written = plan.objects.filter(o => o.kind === 'VirtualService');
    expect(written.map(o => o.name)).toEqual(['web-ingress']);
    expect((written[0].object as IstioVirtualService).spec?.http?.[0].timeout).toBe('2s');
  });

  it.each([
    { action: 'canary' as const, weights: { v1: 90, v2: 10 } },
    { action: 'resilience' as const, timeout: '2s' },
  ])('refuses $action without virtualService, naming the VirtualServices and their gateways', request => {
    expect(() => planAction(entity, { service: 'web', ...request }, both)).toThrow(
      new InputError(
        'virtualService: required when several VirtualServices route Service web (web, web-ingress (gateways web-gateway)): each steers only its own traffic',
      ),
    );
  });

  it('refuses a virtualService that does not route the Service', () => {
    expect(() =>
      planAction(entity, { action: 'canary', service: 'web', virtualService: 'other', preset: '90/10' }, both),
    ).toThrow(/^virtualService: other does not route Service web \(its VirtualServices: web, web-ingress/);
  });

  it('refuses a virtualService when none routes the Service (the plan would create one)', () => {
    expect(() =>
      planAction(entity, { action: 'canary', service: 'web', virtualService: 'web', preset: '90/10' }, snapshot([])),
    ).toThrow('virtualService: no VirtualService routes Service web; leave virtualService out to create one');
  });

  it('takes the only VirtualService without virtualService, and creates one when there is none', () => {
    const only = planAction(entity, { action: 'canary', service: 'web', weights: { v1: 50, v2: 50 } }, snapshot([ingressVs]));
    expect(writtenSplits(only.objects).map(([name]) => name)).toEqual(['web-ingress']);
    const created = planAction(entity, { action: 'canary', service: 'web', weights: { v1: 50, v2: 50 } }, snapshot([]));
    expect(created.objects.find(o => o.kind === 'VirtualService')?.object.metadata).toMatchObject({
      name: 'web',
      labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
    });
  });
});

describe('planAction mtls for a workload whose name another kind shares', () => {
  function kindWorkload(kind: string, tier: string): KubeWorkload {
    const labels = { app: 'web', tier };
    return {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name: 'web', namespace: 'prod' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels } } },
    };
  }
  const deployment = kindWorkload('Deployment', 'front');
  const statefulSet = kindWorkload('StatefulSet', 'state');
  const deploymentPolicy = {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'web', namespace: 'prod', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { selector: { matchLabels: { app: 'web', tier: 'front' } }, mtls: { mode: 'STRICT' } },
  };
  const shared = {
    ...snapshot([]),
    workloads: [deployment, statefulSet],
    namespaceWorkloads: [deployment, statefulSet],
    peerAuthentications: [deploymentPolicy],
  };

  it("writes the StatefulSet's own policy, named with its kind, and leaves the Deployment's", () => {
    const plan = planAction(entity, { action: 'mtls', mode: 'PERMISSIVE', scope: 'workload', workload: 'StatefulSet/web' }, shared);
    expect(plan.objects.map(o => [o.name, o.object.spec])).toEqual([
      ['web-statefulset', { selector: { matchLabels: { app: 'web', tier: 'state' } }, mtls: { mode: 'PERMISSIVE' } }],
    ]);
  });

  it("keeps changing the Deployment's policy under its old name", () => {
    const plan = planAction(entity, { action: 'mtls', mode: 'PERMISSIVE', scope: 'workload', workload: 'Deployment/web' }, shared);
    expect(plan.objects.map(o => [o.name, o.object.spec])).toEqual([
      ['web', { selector: { matchLabels: { app: 'web', tier: 'front' } }, mtls: { mode: 'PERMISSIVE' } }],
    ]);
  });
});
