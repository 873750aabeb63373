import {
  backendService,
  backendV1,
  backendV2,
  frontendDeployment,
  podOf,
} from '../__fixtures__/handbook';
import type {
  IstioPeerAuthentication,
  KubePod,
  KubeWorkload,
} from '../kube/types';
import { planOnboard } from './planOnboard';

const now = '2026-05-01T10:00:00.000Z';
const unlabelled = {
  metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod' } },
};

const policy = (
  name: string,
  namespace: string,
  mode: string,
  creationTimestamp: string,
): IstioPeerAuthentication => ({
  metadata: { name, namespace, creationTimestamp },
  spec: { mtls: { mode } },
});

/** Namespace-scope onboarding of an unlabelled `prod` with nothing in it unless overridden. */
const onboardProd = (overrides: Partial<Parameters<typeof planOnboard>[0]>) =>
  planOnboard({
    namespace: 'prod',
    namespaceObject: unlabelled,
    scope: 'namespace',
    workloads: [],
    services: [],
    ...overrides,
  });

describe('planOnboard', () => {
  it('plans PERMISSIVE first, then the namespace label and restarts; asks about the port', () => {
    const plan = planOnboard({
      namespace: 'prod',
      namespaceObject: unlabelled,
      scope: 'namespace',
      workloads: [backendV1, backendV2],
      services: [backendService],
      now,
    });
    expect(plan.objects.map(o => `${o.operation} ${o.kind}/${o.name}`)).toEqual(
      [
        'apply PeerAuthentication/default',
        'patch Namespace/prod',
        'restart Deployment/backend-v1',
        'restart Deployment/backend-v2',
      ],
    );
    expect(plan.objects[0].object).toMatchObject({
      apiVersion: 'security.istio.io/v1',
      spec: { mtls: { mode: 'PERMISSIVE' } },
    });
    expect(plan.objects[1]).toMatchObject({
      patchType: 'merge',
      object: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } },
      },
    });
    expect(plan.objects[2].object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'backend-v1', namespace: 'prod' },
      spec: {
        template: {
          metadata: {
            annotations: { 'kubectl.kubernetes.io/restartedAt': now },
          },
        },
      },
    });
    expect(plan.findings.map(f => f.code)).toEqual(['MESH-009']);
    expect(plan.findings[0]).toMatchObject({
      severity: 'warning',
      blocking: false,
      resource: { kind: 'Service', name: 'backend' },
    });
    expect(plan.summary).toBe(
      'Onboard namespace prod (sidecar): 4 change(s), 2 rollout restart(s).',
    );
  });

  describe('Service port protocols (Istio ConvertProtocol)', () => {
    const dataService = {
      metadata: { name: 'data', namespace: 'prod' },
      spec: {
        selector: { app: 'data' },
        ports: [
          { port: 5432, targetPort: 5432 },
          { port: 9092, name: 'broker' },
          { port: 3306 },
          { port: 8080, name: 'web', appProtocol: 'http' },
        ],
      },
    };
    const onboard = (
      portProtocols?: Array<{
        service: string;
        port: number;
        protocol: 'tcp' | 'http';
      }>,
    ) =>
      planOnboard({
        namespace: 'prod',
        namespaceObject: unlabelled,
        scope: 'namespace',
        workloads: [],
        services: [dataService],
        portProtocols,
      });

    it('never declares http on a port it cannot classify; it asks instead', () => {
      const plan = onboard();
      expect(plan.objects.filter(o => o.kind === 'Service')).toEqual([]);
      const finding = plan.findings.find(f => f.code === 'MESH-009')!;
      // 3306 is MySQL's: Istio treats it as TCP without sniffing, nothing to ask.
      expect(finding.message).toContain(
        'port(s) 5432, 9092 declare no protocol',
      );
      expect(finding.hint).toContain('5432 → tcp (PostgreSQL)');
      expect(finding.hint).toContain('9092 → tcp (Kafka)');
    });

    it('declares exactly what the user answered, and asks about the rest', () => {
      const plan = onboard([{ service: 'data', port: 5432, protocol: 'tcp' }]);
      expect(plan.objects.filter(o => o.kind === 'Service')).toMatchObject([
        {
          operation: 'patch',
          patchType: 'strategic',
          object: {
            spec: {
              ports: [{ port: 5432, protocol: 'TCP', appProtocol: 'tcp' }],
            },
          },
        },
      ]);
      expect(plan.findings.find(f => f.code === 'MESH-009')!.message).toContain(
        'port(s) 9092 declare',
      );
    });
  });

  it('switches to a revision label, removing the conflicting istio-injection label', () => {
    const plan = planOnboard({
      namespace: 'prod',
      namespaceObject: {
        metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } },
      },
      scope: 'namespace',
      revision: '1-25-0',
      workloads: [],
      services: [],
    });
    expect(plan.objects.find(o => o.kind === 'Namespace')!.object).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'prod',
        labels: { 'istio.io/rev': '1-25-0', 'istio-injection': null },
      },
    });
  });

  it('onboards ambient without restarts and without a sidecar label', () => {
    const plan = planOnboard({
      namespace: 'prod',
      namespaceObject: unlabelled,
      scope: 'namespace',
      mode: 'ambient',
      workloads: [backendV1],
      services: [],
      now,
    });
    expect(plan.objects.map(o => o.operation)).toEqual(['apply', 'patch']);
    expect(plan.objects[1].object).toMatchObject({
      metadata: { labels: { 'istio.io/dataplane-mode': 'ambient' } },
    });
  });

  it('labels pod templates for workload scope (the template change rolls out by itself)', () => {
    const plan = planOnboard({
      namespace: 'prod',
      scope: 'workload',
      workloads: [backendV1, backendV2],
      selectWorkloads: ['backend-v2'],
      services: [],
      now,
    });
    expect(plan.objects.map(o => `${o.operation} ${o.kind}/${o.name}`)).toEqual(
      ['apply PeerAuthentication/default', 'patch Deployment/backend-v2'],
    );
    expect(plan.objects[1].object).toMatchObject({
      spec: {
        template: {
          metadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
        },
      },
    });
  });

  it('keeps an existing namespace policy, skips meshed workloads and restart:false', () => {
    const strict: IstioPeerAuthentication = {
      metadata: { name: 'default', namespace: 'prod' },
      spec: { mtls: { mode: 'STRICT' } },
    };
    const plan = planOnboard({
      namespace: 'prod',
      namespaceObject: {
        metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } },
      },
      scope: 'namespace',
      workloads: [backendV1, backendV2],
      pods: [podOf(backendV1), podOf(backendV2, { injected: false })],
      peerAuthentications: [strict],
      services: [],
      now,
    });
    expect(plan.objects.map(o => `${o.operation} ${o.kind}/${o.name}`)).toEqual(
      ['restart Deployment/backend-v2'],
    );
    expect(plan.findings.map(f => f.code)).toEqual(['MESH-008']);
    expect(
      planOnboard({
        namespace: 'prod',
        scope: 'namespace',
        workloads: [backendV1],
        services: [],
        restart: false,
        peerAuthentications: [strict],
      }).objects.map(o => o.kind),
    ).toEqual(['Namespace']);
  });

  it('reports missing app/version labels, opt-outs, hostNetwork and unknown workloads', () => {
    const optedOut: KubeWorkload = {
      ...backendV1,
      metadata: { name: 'legacy', namespace: 'prod' },
      spec: {
        template: {
          metadata: {
            labels: {
              app: 'legacy',
              version: 'v1',
              'sidecar.istio.io/inject': 'false',
            },
          },
          spec: { hostNetwork: true },
        },
      },
    };
    const plan = planOnboard({
      namespace: 'prod',
      scope: 'namespace',
      workloads: [frontendDeployment, optedOut],
      selectWorkloads: ['frontend', 'legacy', 'ghost'],
      services: [],
      now,
    });
    expect(
      plan.findings.map(
        f => `${f.code} ${f.resource?.name ?? ''} ${f.blocking}`,
      ),
    ).toEqual([
      'MESH-012  true',
      'MESH-001 frontend false',
      'MESH-010 legacy false',
      'MESH-007 legacy false',
    ]);
    expect(
      plan.objects.filter(o => o.operation === 'restart').map(o => o.name),
    ).toEqual(['frontend']);
  });

  describe('mTLS of the namespace during onboarding', () => {
    it('does not write a namespace PERMISSIVE over a mesh-wide STRICT policy', () => {
      const plan = onboardProd({
        peerAuthentications: [
          policy('default', 'istio-system', 'STRICT', '2024-01-01T00:00:00Z'),
        ],
      });
      expect(plan.objects.map(o => o.kind)).toEqual(['Namespace']);
      expect(plan.findings).toEqual([
        expect.objectContaining({
          code: 'MESH-016',
          resource: {
            kind: 'PeerAuthentication',
            name: 'default',
            namespace: 'istio-system',
          },
        }),
      ]);
    });

    it('names the oldest namespace-wide policy, the one Istio uses', () => {
      const plan = onboardProd({
        peerAuthentications: [
          policy('default', 'prod', 'PERMISSIVE', '2025-01-01T00:00:00Z'),
          policy('lockdown', 'prod', 'STRICT', '2024-01-01T00:00:00Z'),
        ],
      });
      expect(plan.findings.map(f => f.message)).toEqual([
        expect.stringContaining('lockdown (mode STRICT)'),
      ]);
    });
  });

  describe('injection labels already on the namespace', () => {
    it('keeps the namespace revision instead of switching to istio-injection=enabled', () => {
      const plan = onboardProd({
        namespaceObject: {
          metadata: { name: 'prod', labels: { 'istio.io/rev': 'canary' } },
        },
        workloads: [backendV1],
        peerAuthentications: [
          policy('default', 'prod', 'PERMISSIVE', '2024-01-01T00:00:00Z'),
        ],
        now,
      });
      expect(plan.objects.map(o => `${o.operation} ${o.kind}`)).toEqual([
        'restart Deployment',
      ]);
      expect(plan.summary).toContain('revision canary');
    });

    it('carries the namespace revision into workload-scope pod labels', () => {
      const plan = onboardProd({
        namespaceObject: {
          metadata: { name: 'prod', labels: { 'istio.io/rev': 'canary' } },
        },
        scope: 'workload',
        workloads: [backendV1],
        now,
      });
      expect(
        plan.objects.find(o => o.kind === 'Deployment')!.object,
      ).toMatchObject({
        spec: {
          template: { metadata: { labels: { 'istio.io/rev': 'canary' } } },
        },
      });
    });

    it('honours istio-injection=disabled: a blocking finding, no label change, no restart', () => {
      const plan = onboardProd({
        namespaceObject: {
          metadata: { name: 'prod', labels: { 'istio-injection': 'disabled' } },
        },
        workloads: [backendV1],
        now,
      });
      expect(plan.objects.map(o => o.kind)).toEqual(['PeerAuthentication']);
      expect(plan.findings).toEqual([
        expect.objectContaining({
          code: 'MESH-017',
          blocking: true,
          resource: { kind: 'Namespace', name: 'prod' },
        }),
      ]);
    });
  });

  describe('StatefulSets and DaemonSets', () => {
    const ofKind = (
      kind: 'StatefulSet' | 'DaemonSet',
      base: KubeWorkload,
      spec: Partial<NonNullable<KubeWorkload['spec']>> = {},
    ): KubeWorkload => ({
      ...base,
      kind,
      spec: { ...base.spec, ...spec },
    });
    const cache = ofKind('StatefulSet', backendV1, {});
    const agent = ofKind('DaemonSet', frontendDeployment, {});
    const restartObject = (kind: string, name: string) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: 'prod' },
      spec: {
        template: {
          metadata: {
            annotations: { 'kubectl.kubernetes.io/restartedAt': now },
          },
        },
      },
    });

    it('restarts all three kinds the way kubectl rollout restart does', () => {
      const plan = onboardProd({
        workloads: [backendV2, cache, agent],
        pods: [
          podOf(backendV2, { injected: false }),
          podOf(cache, { injected: false }),
          podOf(agent, { injected: false }),
        ],
        peerAuthentications: [
          policy('default', 'prod', 'PERMISSIVE', '2024-01-01T00:00:00Z'),
        ],
        now,
      });
      expect(
        plan.objects.filter(o => o.operation === 'restart').map(o => o.object),
      ).toEqual([
        restartObject('Deployment', 'backend-v2'),
        restartObject('StatefulSet', 'backend-v1'),
        restartObject('DaemonSet', 'frontend'),
      ]);
    });

    it('selects by Kind/name and refuses a bare name two kinds share', () => {
      const sameName = ofKind('StatefulSet', backendV1);
      const byKind = onboardProd({
        scope: 'workload',
        workloads: [backendV1, sameName],
        selectWorkloads: ['StatefulSet/backend-v1'],
        now,
      });
      expect(
        byKind.objects
          .filter(o => o.operation === 'patch')
          .map(o => `${o.kind}/${o.name}`),
      ).toEqual(['StatefulSet/backend-v1']);
      expect(byKind.findings.filter(f => f.blocking)).toEqual([]);

      const bare = onboardProd({
        scope: 'workload',
        workloads: [backendV1, sameName],
        selectWorkloads: ['backend-v1'],
        now,
      });
      expect(bare.objects.filter(o => o.kind !== 'PeerAuthentication')).toEqual(
        [],
      );
      expect(bare.findings).toEqual([
        expect.objectContaining({
          code: 'MESH-012',
          blocking: true,
          message: expect.stringContaining(
            'Deployment/backend-v1, StatefulSet/backend-v1',
          ),
        }),
      ]);
    });

    it('labels the pod template of a StatefulSet and a DaemonSet for workload scope', () => {
      const plan = onboardProd({
        scope: 'workload',
        workloads: [cache, agent],
        now,
      });
      expect(
        plan.objects
          .filter(o => o.operation === 'patch')
          .map(o => [o.object.apiVersion, o.kind, o.name, o.object.spec]),
      ).toEqual([
        [
          'apps/v1',
          'StatefulSet',
          'backend-v1',
          {
            template: {
              metadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
            },
          },
        ],
        [
          'apps/v1',
          'DaemonSet',
          'frontend',
          {
            template: {
              metadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
            },
          },
        ],
      ]);
    });

    it('restarts pods running the proxy of another revision than the one requested', () => {
      const onOldRevision = podOf(cache);
      const onNewRevision: KubePod = {
        ...podOf(agent),
        metadata: {
          ...podOf(agent).metadata,
          annotations: { 'istio.io/rev': 'canary' },
        },
      };
      const plan = onboardProd({
        namespaceObject: {
          metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } },
        },
        revision: 'canary',
        workloads: [cache, agent],
        pods: [onOldRevision, onNewRevision],
        peerAuthentications: [
          policy('default', 'prod', 'PERMISSIVE', '2024-01-01T00:00:00Z'),
        ],
        now,
      });
      expect(
        plan.objects.map(o => `${o.operation} ${o.kind}/${o.name}`),
      ).toEqual(['patch Namespace/prod', 'restart StatefulSet/backend-v1']);
    });

    it('restarts a workload already labelled for injection whose pods predate the label', () => {
      const labelled = ofKind('StatefulSet', backendV1, {
        template: {
          ...backendV1.spec!.template,
          metadata: {
            labels: {
              ...backendV1.spec!.template!.metadata!.labels,
              'sidecar.istio.io/inject': 'true',
            },
          },
        },
      });
      const plan = onboardProd({
        scope: 'workload',
        workloads: [labelled],
        pods: [podOf(labelled, { injected: false })],
        peerAuthentications: [
          policy('default', 'prod', 'PERMISSIVE', '2024-01-01T00:00:00Z'),
        ],
        now,
      });
      expect(
        plan.objects.map(o => `${o.operation} ${o.kind}/${o.name}`),
      ).toEqual(['restart StatefulSet/backend-v1']);
    });

    it('says when pods would not be replaced: OnDelete and paused', () => {
      const onDelete = ofKind('StatefulSet', backendV1, {
        updateStrategy: { type: 'OnDelete' },
      });
      const paused: KubeWorkload = {
        ...backendV2,
        spec: { ...backendV2.spec, paused: true },
      };
      const plan = onboardProd({
        workloads: [onDelete, paused],
        peerAuthentications: [
          policy('default', 'prod', 'PERMISSIVE', '2024-01-01T00:00:00Z'),
        ],
        now,
      });
      expect(plan.objects.map(o => o.operation)).toEqual(['patch']);
      const blocked = plan.findings.filter(f => f.code === 'MESH-031');
      expect(
        blocked.map(f => `${f.resource?.kind}/${f.resource?.name}`),
      ).toEqual(['StatefulSet/backend-v1', 'Deployment/backend-v2']);
      expect(blocked[0].message).toContain('OnDelete');
      expect(blocked[1].message).toContain('paused');
    });
  });
});
