import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuditStore } from '../audit/AuditStore';
import { KubeJson } from '../cluster/ClusterGateway';
import { FakeClusterGateway } from '../__testUtils__/fakeClusterGateway';
import { MeshService, OVERVIEW_CONCURRENCY } from './MeshService';

const entityRef = 'component:default/shop';
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'shop',
      'backstage.io/kubernetes-namespace': 'prod',
      'backstage.io/kubernetes-label-selector':
        'app.kubernetes.io/part-of=shop',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team',
  },
};

const part = { 'app.kubernetes.io/part-of': 'shop' };

/** A workload of one kind in prod, its pod template labelled part-of=shop, app=<app>. */
function workload(kind: string, name: string, app = name): KubeJson {
  const labels = { ...part, app, version: 'v1' };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: 'prod' },
    spec: {
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: app, image: `${app}:1` }] },
      },
    },
  };
}

/** A running pod of a workload, without sidecar. */
function podOf(w: KubeJson, suffix = '0'): KubeJson {
  const labels = (w as any).spec.template.metadata.labels;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${w.metadata?.name}-${suffix}`,
      namespace: 'prod',
      labels,
    },
    spec: { containers: [{ name: labels.app, image: `${labels.app}:1` }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

const web = workload('Deployment', 'web');
const cache = workload('StatefulSet', 'cache');
const agent = workload('DaemonSet', 'agent');

function cluster(extra: KubeJson[] = []) {
  return new FakeClusterGateway([
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'prod', labels: {} },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    },
    web,
    cache,
    agent,
    podOf(web),
    podOf(cache),
    podOf(agent),
    ...extra,
  ]);
}

/** A running ingress gateway pod as istiod injects it (`proxy router`). */
function gatewayPod(
  namespace: string,
  labels: Record<string, string>,
): KubeJson {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${labels.app}-5d9f7-x2x7q`, namespace, labels },
    spec: {
      containers: [
        {
          name: 'istio-proxy',
          args: [
            'proxy',
            'router',
            '--domain',
            `${namespace}.svc.cluster.local`,
          ],
        },
      ],
    },
  };
}

const helmGateway = gatewayPod('istio-ingress', {
  app: 'istio-ingress',
  istio: 'ingress',
});

function meshService(gateway: FakeClusterGateway) {
  return new MeshService({
    catalog: catalogServiceMock({ entities: [entity] }),
    gateway: gateway.asGateway(),
    audit: {} as AuditStore,
    logger: mockServices.logger.mock(),
  });
}

const credentials = mockCredentials.user();

describe('MeshService with StatefulSets and DaemonSets', () => {
  it('lists all three workload kinds with their pods, the kind shown', async () => {
    const gateway = cluster();
    const status = await meshService(gateway).status(entityRef, credentials);
    const [local] = status.clusters;
    if (!local.ok) throw new Error(local.error.message);
    expect(
      local.workloads.map(w => [w.kind, w.name, w.pods.map(p => p.name)]),
    ).toEqual([
      ['Deployment', 'web', ['web-0']],
      ['StatefulSet', 'cache', ['cache-0']],
      ['DaemonSet', 'agent', ['agent-0']],
    ]);
    expect(
      gateway.reads
        .filter(r => r.apiVersion === 'apps/v1')
        .map(r => `${r.kind} ${r.namespace}`),
    ).toEqual(['Deployment prod', 'StatefulSet prod', 'DaemonSet prod']);
  });

  it('restarts all three kinds after labelling the namespace', async () => {
    const plan = await meshService(cluster()).plan(
      entityRef,
      { action: 'onboard', scope: 'namespace' },
      credentials,
    );
    expect(
      plan.objects
        .filter(o => o.operation === 'restart')
        .map(o => `${o.kind}/${o.name}`),
    ).toEqual(['Deployment/web', 'StatefulSet/cache', 'DaemonSet/agent']);
    expect(plan.objects.find(o => o.kind === 'StatefulSet')!.object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'cache', namespace: 'prod' },
      spec: {
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/restartedAt': expect.any(String),
            },
          },
        },
      },
    });
  });

  it('labels the pod template of a workload named in workloads, whatever its kind', async () => {
    const plan = await meshService(cluster()).plan(
      entityRef,
      {
        action: 'onboard',
        scope: 'workload',
        workloads: ['cache', 'DaemonSet/agent'],
      },
      credentials,
    );
    expect(
      plan.objects
        .filter(o => o.operation === 'patch')
        .map(o => `${o.kind}/${o.name}`),
    ).toEqual(['StatefulSet/cache', 'DaemonSet/agent']);
    expect(plan.blocked).toBe(false);
  });

  it('refuses a name two kinds share with a 400 naming the field; Kind/name picks one', async () => {
    const service = meshService(
      cluster([workload('Deployment', 'cache', 'cache-web')]),
    );
    const ambiguous = service.plan(
      entityRef,
      { action: 'onboard', scope: 'workload', workloads: ['cache'] },
      credentials,
    );
    await expect(ambiguous).rejects.toThrow(InputError);
    await expect(ambiguous).rejects.toThrow(
      'workloads: cache is ambiguous (Deployment/cache, StatefulSet/cache): name it as Kind/name',
    );
    const plan = await service.plan(
      entityRef,
      {
        action: 'onboard',
        scope: 'workload',
        workloads: ['StatefulSet/cache'],
      },
      credentials,
    );
    expect(
      plan.objects
        .filter(o => o.operation === 'patch')
        .map(o => `${o.kind}/${o.name}`),
    ).toEqual(['StatefulSet/cache']);
  });
});

describe('MeshService: the ingress gateway of an exposed service', () => {
  const expose = {
    action: 'expose' as const,
    service: 'web',
    hosts: ['shop.example.com'],
  };

  it('selects the gateway pods found in the cluster: a Helm install is istio=ingress', async () => {
    const plan = await meshService(cluster([helmGateway])).plan(
      entityRef,
      expose,
      credentials,
    );
    expect(plan.blocked).toBe(false);
    expect(plan.objects.find(o => o.kind === 'Gateway')!.object).toMatchObject({
      spec: { selector: { istio: 'ingress' } },
    });
  });

  it('asks for mesh.clusters.<name>.ingressGatewaySelector when no gateway runs; uses it when set', async () => {
    const none = await meshService(cluster()).plan(
      entityRef,
      expose,
      credentials,
    );
    expect(none.blocked).toBe(true);
    expect(none.findings).toEqual([
      expect.objectContaining({
        code: 'MESH-032',
        hint: expect.stringContaining(
          'mesh.clusters.local.ingressGatewaySelector',
        ),
      }),
    ]);
    const configured = new FakeClusterGateway(cluster().objects, [
      { name: 'local', ingressGatewaySelector: { istio: 'edge' } },
    ]);
    const plan = await meshService(configured).plan(
      entityRef,
      expose,
      credentials,
    );
    expect(plan.objects.find(o => o.kind === 'Gateway')!.object).toMatchObject({
      spec: { selector: { istio: 'edge' } },
    });
  });

  it('reports a bound Gateway whose selector matches no pod in the cluster (IST0101)', async () => {
    const gatewayObject: KubeJson = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web-gateway', namespace: 'prod' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: ['*'],
          },
        ],
      },
    };
    const virtualService: KubeJson = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'prod' },
      spec: {
        hosts: ['*'],
        gateways: ['web-gateway'],
        http: [{ route: [{ destination: { host: 'web' } }] }],
      },
    };
    const gateway = cluster([helmGateway, gatewayObject, virtualService]);
    const status = await meshService(gateway).status(entityRef, credentials);
    const [local] = status.clusters;
    if (!local.ok) throw new Error(local.error.message);
    expect(local.findings.filter(f => f.code === 'IST0101')).toEqual([
      expect.objectContaining({
        resource: { kind: 'Gateway', name: 'web-gateway', namespace: 'prod' },
        message: expect.stringContaining(
          'Referenced selector not found: "istio=ingressgateway"',
        ),
      }),
    ]);
    // The pods were listed by the Gateway's selector across namespaces, not all at once.
    expect(gateway.reads).toContainEqual({
      verb: 'list',
      apiVersion: 'v1',
      kind: 'Pod',
      labelSelector: 'istio=ingressgateway',
    });

    const bind = await meshService(gateway).plan(
      entityRef,
      { ...expose, gateway: 'web-gateway' },
      credentials,
    );
    expect(bind.blocked).toBe(true);
    expect(bind.findings.map(f => f.code)).toContain('IST0101');
  });
});

describe('MeshService: DestinationRules and the root namespace of meshConfig', () => {
  /** An injected pod in another namespace whose environment names web (a caller). */
  const caller: KubeJson = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'storefront-0',
      namespace: 'storefront',
      labels: { app: 'storefront' },
    },
    spec: {
      containers: [
        {
          name: 'storefront',
          env: [{ name: 'WEB', value: 'http://web.prod.svc.cluster.local' }],
        },
        { name: 'istio-proxy', image: 'proxyv2:1.28.0' },
      ],
    },
  } as KubeJson;
  // As the API server sends it: creationTimestamp is a string on the wire.
  const plainLocal = (namespace: string) =>
    ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: {
        name: 'plain-local',
        namespace,
        creationTimestamp: '2025-01-01T00:00:00Z',
      },
      spec: { host: '*.local', trafficPolicy: { tls: { mode: 'DISABLE' } } },
    } as unknown as KubeJson);
  const meshConfigMap = (mesh: string, name = 'istio'): KubeJson =>
    ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'istio-system' },
      data: { mesh },
    } as KubeJson);
  const strict = {
    action: 'mtls' as const,
    mode: 'STRICT' as const,
    scope: 'namespace' as const,
    force: true,
  };

  it('blocks STRICT per caller namespace that a root-namespace *.local DISABLE reaches', async () => {
    const plan = await meshService(
      cluster([caller, plainLocal('istio-system')]),
    ).plan(entityRef, strict, credentials);
    expect(
      plan.findings
        .filter(f => f.code === 'MESH-005')
        .map(f => [f.message.slice(0, f.message.indexOf(' use')), f.blocking]),
    ).toEqual([
      ['Callers in namespace prod', true],
      ['Callers in namespace storefront (storefront)', true],
    ]);
    expect(plan.blocked).toBe(true);
  });

  it("follows meshConfig's rootNamespace for DestinationRules and mesh-wide PeerAuthentications", async () => {
    const meshRootStrict: KubeJson = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'mesh-root' },
      spec: { mtls: { mode: 'STRICT' } },
    } as KubeJson;
    const gateway = cluster([
      caller,
      plainLocal('mesh-root'),
      meshConfigMap('rootNamespace: mesh-root\n'),
      meshRootStrict,
    ]);
    const plan = await meshService(gateway).plan(
      entityRef,
      strict,
      credentials,
    );
    expect(
      plan.findings.filter(f => f.code === 'MESH-005').map(f => f.resource),
    ).toEqual([
      { kind: 'DestinationRule', name: 'plain-local', namespace: 'mesh-root' },
      { kind: 'DestinationRule', name: 'plain-local', namespace: 'mesh-root' },
    ]);
    const status = await meshService(gateway).status(entityRef, credentials);
    const [local] = status.clusters;
    if (!local.ok) throw new Error(local.error.message);
    expect(local.mtls[0]).toMatchObject({
      mode: 'STRICT',
      source: { scope: 'mesh', name: 'default', namespace: 'mesh-root' },
    });
  });

  describe('with istiod revisions', () => {
    const meshRootStrict = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'mesh-root' },
      spec: { mtls: { mode: 'STRICT' } },
    } as KubeJson;
    const revisionNamespace = (labels: Record<string, string>) =>
      ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'prod', labels },
      } as KubeJson);
    const mtlsOf = async (gateway: FakeClusterGateway) => {
      const [local] = (
        await meshService(gateway).status(entityRef, credentials)
      ).clusters;
      if (!local.ok) throw new Error(local.error.message);
      return local.mtls[0];
    };

    it("reads the meshConfig of the namespace's revision (istio-<rev>), not the default one", async () => {
      const gateway = cluster([
        revisionNamespace({ 'istio.io/rev': 'canary' }),
        meshConfigMap('rootNamespace: istio-system\n'),
        meshConfigMap('rootNamespace: mesh-root\n', 'istio-canary'),
        meshRootStrict,
      ]);
      expect(await mtlsOf(gateway)).toMatchObject({
        mode: 'STRICT',
        source: { scope: 'mesh', namespace: 'mesh-root' },
      });
      expect(
        gateway.reads.filter(r => r.kind === 'ConfigMap').map(r => r.name),
      ).toEqual(['istio', 'istio-canary']);
    });

    it('falls back to the default ConfigMap when the revision has none (a tag), and reads no other for the default revision', async () => {
      const tagged = cluster([
        revisionNamespace({ 'istio.io/rev': 'prod-stable' }),
        meshConfigMap('rootNamespace: mesh-root\n'),
        meshRootStrict,
      ]);
      expect(await mtlsOf(tagged)).toMatchObject({
        mode: 'STRICT',
        source: { namespace: 'mesh-root' },
      });

      const injected = cluster([
        revisionNamespace({ 'istio-injection': 'enabled' }),
        meshConfigMap('rootNamespace: istio-system\n'),
        meshConfigMap('rootNamespace: mesh-root\n', 'istio-canary'),
        meshRootStrict,
      ]);
      expect(await mtlsOf(injected)).toMatchObject({ mode: 'PERMISSIVE' });
      expect(
        injected.reads.filter(r => r.kind === 'ConfigMap').map(r => r.name),
      ).toEqual(['istio']);
    });
  });
});

describe('MeshService.overview', () => {
  /** 20 entities like `shop` (web-0 … web-19), each selecting its own app's pods. */
  const entities = Array.from({ length: 20 }, (_, i) => ({
    ...entity,
    metadata: {
      ...entity.metadata,
      name: `web-${i}`,
      annotations: {
        ...entity.metadata.annotations,
        'backstage.io/kubernetes-id': `web-${i}`,
      },
    },
  }));

  it('reads the statuses a few at a time, in parallel, and keeps the catalog order', async () => {
    const service = new MeshService({
      catalog: catalogServiceMock({ entities }),
      gateway: cluster().asGateway(),
      audit: {} as AuditStore,
      logger: mockServices.logger.mock(),
    });
    let inFlight = 0;
    let maxInFlight = 0;
    const read = (service as any).statusOf.bind(service);
    jest.spyOn(service as any, 'statusOf').mockImplementation(async (listed: any) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Let every other ready read start before this one answers.
      await new Promise(resolve => setTimeout(resolve, 5));
      try {
        return await read(listed);
      } finally {
        inFlight--;
      }
    });
    const rows = await service.overview(credentials);
    expect(maxInFlight).toBe(OVERVIEW_CONCURRENCY);
    expect(rows.map(r => r.entityRef)).toEqual(
      entities.map(e => `component:default/${e.metadata.name}`),
    );
  });

  it('reads no status of an entity whose mesh data the caller may not read', async () => {
    const service = new MeshService({
      catalog: catalogServiceMock({ entities: entities.slice(0, 3) }),
      gateway: cluster().asGateway(),
      audit: {} as AuditStore,
      logger: mockServices.logger.mock(),
    });
    const status = jest.spyOn(service as any, 'statusOf');
    const asked: string[][] = [];
    const rows = await service.overview(credentials, async refs => {
      asked.push(refs);
      return new Set(refs.filter(ref => !ref.endsWith('/web-1')));
    });
    expect(asked).toEqual([
      [
        'component:default/web-0',
        'component:default/web-1',
        'component:default/web-2',
      ],
    ]);
    expect(status.mock.calls.map(([e]: any[]) => `component:default/${e.metadata.name}`)).toEqual([
      'component:default/web-0',
      'component:default/web-2',
    ]);
    expect(rows.map(r => r.entityRef)).toEqual([
      'component:default/web-0',
      'component:default/web-2',
    ]);
  });

  it('reads each status from the entity the list gave, without a catalog lookup per entity', async () => {
    const catalog = catalogServiceMock({ entities });
    const lookup = jest.spyOn(catalog, 'getEntityByRef');
    const service = new MeshService({
      catalog,
      gateway: cluster().asGateway(),
      audit: {} as AuditStore,
      logger: mockServices.logger.mock(),
    });
    const rows = await service.overview(credentials);
    expect(rows).toHaveLength(entities.length);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('leaves out an entity whose status fails and shows the others', async () => {
    const service = new MeshService({
      catalog: catalogServiceMock({ entities: entities.slice(0, 3) }),
      gateway: cluster().asGateway(),
      audit: {} as AuditStore,
      logger: mockServices.logger.mock(),
    });
    const read = (service as any).statusOf.bind(service);
    jest.spyOn(service as any, 'statusOf').mockImplementation(async (listed: any) => {
      if (listed.metadata.name === 'web-1')
        throw new Error('cluster local: connection refused');
      return read(listed);
    });
    const rows = await service.overview(credentials);
    expect(rows.map(r => r.entityRef)).toEqual([
      'component:default/web-0',
      'component:default/web-2',
    ]);
  });
});
