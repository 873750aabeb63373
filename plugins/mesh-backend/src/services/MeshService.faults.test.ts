import { mockCredentials, mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ApplyClaims, ApplyInProgressError } from '../applyClaims/ApplyClaims';
import { AuditStore } from '../audit/AuditStore';
import { migratedClient } from '../database/migrate';
import { ClusterRequestError, KubeJson } from '../cluster/ClusterGateway';
import { asHttpError } from '../cluster/ClusterFailedError';
import { FakeCall, FakeClusterGateway } from '../__testUtils__/fakeClusterGateway';
import { component } from '../__testUtils__/entities';
import { MeshService } from './MeshService';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const credentials = mockCredentials.user('user:default/alice');
const actor = 'user:default/alice';
const ref = 'component:default/backend';
const canary9010 = { action: 'canary' as const, preset: '90/10' as const };

function deployment(version: string): KubeJson {
  const labels = { app: 'backend', version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `backend-${version}`, namespace: 'prod', labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'backend' }] } } },
  };
}

function pod(version: string): KubeJson {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `backend-${version}-0`, namespace: 'prod', labels: { app: 'backend', version } },
    spec: { containers: [{ name: 'backend' }, { name: 'istio-proxy', image: 'proxyv2:1.28.0' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** The handbook's backend with v1 and v2 running; the split sends everything to v1. */
const backendObjects = (): KubeJson[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'backend', namespace: 'prod', labels: { app: 'backend' } },
    spec: { selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  },
  deployment('v1'),
  deployment('v2'),
  pod('v1'),
  pod('v2'),
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'backend', namespace: 'prod' },
    spec: { host: 'backend', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'backend', namespace: 'prod' },
    spec: { hosts: ['backend'], http: [{ route: [{ destination: { host: 'backend', subset: 'v1' }, weight: 100 }] }] },
  },
];

async function setup(
  options: { gateway?: FakeClusterGateway; entities?: Entity[]; audit?: AuditStore; claims?: ApplyClaims } = {},
) {
  const gateway = options.gateway ?? new FakeClusterGateway(backendObjects());
  const audit =
    options.audit ?? (await AuditStore.create(mockServices.database({ knex: await databases.init('SQLITE_3') })));
  const mesh = new MeshService({
    catalog: catalogServiceMock({ entities: options.entities ?? [component('backend', 'prod')] }),
    gateway: gateway.asGateway(),
    audit,
    claims: options.claims,
    logger: mockServices.logger.mock(),
  });
  return { gateway, audit, mesh };
}

/** Subsets the live VirtualService routes to that the live DestinationRule does not define. */
function missingSubsets(gateway: FakeClusterGateway): string[] {
  const vs = gateway.object('VirtualService', 'prod', 'backend') as any;
  const dr = gateway.object('DestinationRule', 'prod', 'backend') as any;
  const defined = new Set((dr?.spec?.subsets ?? []).map((s: { name: string }) => s.name));
  const routed: string[] = (vs?.spec?.http ?? []).flatMap((h: any) =>
    (h.route ?? []).map((r: any) => r.destination?.subset).filter(Boolean),
  );
  return routed.filter(subset => !defined.has(subset));
}

const weightsOf = (gateway: FakeClusterGateway) =>
  Object.fromEntries(
    ((gateway.object('VirtualService', 'prod', 'backend') as any).spec.http as any[])
      .flatMap(h => h.route)
      .map((r: any) => [r.destination.subset, r.weight]),
  );

const failing = (kind: string, fault: { error: Error; landed?: boolean }) => (call: FakeCall) =>
  call.kind === kind ? fault : undefined;

describe('MeshService status over many clusters', () => {
  const clusters = [{ name: 'slow' }, { name: 'refusing' }, { name: 'good' }];

  it('answers within the per-cluster timeout: the slow and the refusing cluster are error rows, the third is read', async () => {
    const gateway = new FakeClusterGateway(backendObjects(), clusters);
    gateway.requestTimeoutMs = 300;
    gateway.clusterFaults = { slow: { delayMs: 5_000 }, refusing: 'refuse' };
    const { mesh } = await setup({ gateway });

    const started = Date.now();
    const status = await mesh.status(ref, credentials);
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(1_500);
    expect(status.clusters.map(c => [c.cluster, c.ok])).toEqual([
      ['slow', false],
      ['refusing', false],
      ['good', true],
    ]);
    const [slow, refusing, good] = status.clusters;
    expect(!slow.ok && slow.error.message).toMatch(/on cluster slow: no answer within 300 ms/);
    expect(!refusing.ok && refusing.error.message).toMatch(/on cluster refusing: connect ECONNREFUSED/);
    expect(good.ok && good.workloads.map(w => w.name)).toEqual(['backend-v1', 'backend-v2']);
  });

  it('a cluster that never answers does not hold the others either', async () => {
    const gateway = new FakeClusterGateway(backendObjects(), clusters);
    gateway.requestTimeoutMs = 200;
    gateway.clusterFaults = { slow: 'hang' };
    const { mesh } = await setup({ gateway });
    const status = await mesh.status(ref, credentials);
    expect(status.clusters.map(c => [c.cluster, c.ok])).toEqual([
      ['slow', false],
      ['refusing', true],
      ['good', true],
    ]);
  });

  it('asks only the clusters the entity names; a named cluster the portal does not know is an error row', async () => {
    const gateway = new FakeClusterGateway(backendObjects(), clusters);
    const entity = component('backend', 'prod');
    entity.metadata.annotations!['backstage.io/kubernetes-cluster'] = 'good, prod-eu-1';
    const { mesh } = await setup({ gateway, entities: [entity] });

    const status = await mesh.status(ref, credentials);

    expect(new Set(gateway.calls.map(c => c.cluster))).toEqual(new Set(['good']));
    expect(status.clusters).toEqual([
      expect.objectContaining({ cluster: 'good', ok: true }),
      {
        cluster: 'prod-eu-1',
        ok: false,
        error: { message: 'cluster prod-eu-1 (named by backstage.io/kubernetes-cluster) is not configured in the portal' },
      },
    ]);
  });
});

describe('MeshService apply when the cluster fails part-way', () => {
  it('the VirtualService is rejected after the DestinationRule: 502 naming the cluster, the audit row says what was applied, the split still routes to defined subsets', async () => {
    const { gateway, mesh, audit } = await setup();
    gateway.writeFault = failing('VirtualService', {
      error: new ClusterRequestError('local', 422, 'apply VirtualService backend on cluster local: admission webhook "validation.istio.io" denied the request'),
    });

    const error = await mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);

    expect(asHttpError(error)).toMatchObject({ statusCode: 502 });
    expect(error.message).toBe(
      'apply VirtualService backend on cluster local: admission webhook "validation.istio.io" denied the request. ' +
        'Applied: DestinationRule backend (configured). Not applied: VirtualService backend.',
    );
    const [row] = await audit.list(ref);
    expect(row).toMatchObject({
      result: 'failure',
      objects: [{ kind: 'DestinationRule', name: 'backend', namespace: 'prod' }],
      message: error.message,
    });
    // The DestinationRule went first and only added v2: the untouched VirtualService is whole.
    expect((gateway.object('DestinationRule', 'prod', 'backend') as any).spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
    expect(weightsOf(gateway)).toEqual({ v1: 100 });
    expect(missingSubsets(gateway)).toEqual([]);
  });

  it('the DestinationRule fails first: nothing else is written, the audit row says nothing was applied', async () => {
    const { gateway, mesh, audit } = await setup();
    gateway.writeFault = failing('DestinationRule', {
      error: new ClusterRequestError('local', undefined, 'apply DestinationRule backend on cluster local: connect ECONNREFUSED 10.0.0.1:6443'),
    });

    const error = await mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);

    expect(asHttpError(error)).toMatchObject({ statusCode: 502 });
    expect(error.message).toContain('Applied: none. Not applied: DestinationRule backend, VirtualService backend.');
    expect(gateway.mutations.map(c => c.kind)).toEqual(['DestinationRule']);
    expect((await audit.list(ref))[0]).toMatchObject({ result: 'failure', objects: [] });
    expect(missingSubsets(gateway)).toEqual([]);
  });

  it('the VirtualService write times out but landed: 504, and the read-back reports it applied', async () => {
    const { gateway, mesh, audit } = await setup();
    gateway.writeFault = failing('VirtualService', {
      error: new ClusterRequestError('local', undefined, 'apply VirtualService backend on cluster local: no answer within 10000 ms', true),
      landed: true,
    });

    const error = await mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);

    expect(asHttpError(error)).toMatchObject({ statusCode: 504, message: expect.stringContaining('on cluster local') });
    expect(error.message).toContain(
      'Applied: DestinationRule backend (configured), VirtualService backend (configured; its answer was lost; read back). Not applied: none.',
    );
    expect((await audit.list(ref))[0].objects.map(o => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(weightsOf(gateway)).toEqual({ v1: 90, v2: 10 });
    expect(missingSubsets(gateway)).toEqual([]);
  });

  it('the VirtualService write times out and did not land: reported not applied', async () => {
    const { gateway, mesh } = await setup();
    gateway.writeFault = failing('VirtualService', {
      error: new ClusterRequestError('local', undefined, 'apply VirtualService backend on cluster local: no answer within 10000 ms', true),
    });
    const error = await mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);
    expect(error.message).toContain('Applied: DestinationRule backend (configured). Not applied: VirtualService backend.');
  });

  it('the apiserver is down: 502 naming the cluster, nothing written, the attempt audited', async () => {
    const { gateway, mesh, audit } = await setup();
    gateway.clusterFaults = { local: 'refuse' };

    const error = await mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);

    expect(asHttpError(error)).toMatchObject({ statusCode: 502, message: expect.stringContaining('on cluster local: connect ECONNREFUSED') });
    expect(gateway.mutations).toEqual([]);
    const [row] = await audit.list(ref);
    expect(row).toMatchObject({ result: 'failure', objects: [], message: expect.stringMatching(/ECONNREFUSED.*\. Nothing applied$/) });
  });
});

describe('MeshService: two replicas apply to one VirtualService at once', () => {
  it('one wins, the other gets a 409 naming the VirtualService; no lost update; both attempts audited', async () => {
    const gateway = new FakeClusterGateway(backendObjects());
    // Both replicas share the cluster and the database; each has its own MeshService.
    const first = await setup({ gateway });
    const second = await setup({ gateway, audit: first.audit });
    // The DestinationRule already has both subsets: each plan writes only the VirtualService.
    gateway.put({
      ...(gateway.object('DestinationRule', 'prod', 'backend') as KubeJson),
      spec: { host: 'backend', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    });
    gateway.holdWrites(2);

    const [a, b] = await Promise.allSettled([
      first.mesh.apply(ref, { action: 'canary', weights: { v1: 90, v2: 10 } }, credentials, { force: false, actor }),
      second.mesh.apply(ref, { action: 'canary', weights: { v1: 50, v2: 50 } }, credentials, { force: false, actor: 'user:default/bob' }),
    ]);

    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const error = (b as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain('VirtualService backend on cluster local changed since the plan (another apply came first): plan again');
    expect(weightsOf(gateway)).toEqual({ v1: 90, v2: 10 });
    // Both writes carried the resourceVersion their plan read.
    expect(gateway.mutations.map(c => (c.options as { resourceVersion?: string }).resourceVersion)).toEqual([
      expect.any(String),
      expect.any(String),
    ]);
    const rows = await first.audit.list(ref);
    expect(rows.map(r => [r.actor, r.result]).sort()).toEqual([
      ['user:default/alice', 'success'],
      ['user:default/bob', 'failure'],
    ]);
    expect(rows.find(r => r.result === 'failure')!.message).toContain('Not applied: VirtualService backend');
  });
});

describe('MeshService: replicas creating the same new objects', () => {
  /** backend without DestinationRule and VirtualService: a canary creates both. */
  const unsplit = () => backendObjects().filter(o => !['DestinationRule', 'VirtualService'].includes(o.kind ?? ''));

  async function replicas() {
    const gateway = new FakeClusterGateway(unsplit());
    const knex = await databases.init('SQLITE_3');
    const audit = await AuditStore.create(mockServices.database({ knex }));
    const claims = new ApplyClaims(await migratedClient(mockServices.database({ knex })));
    const first = await setup({ gateway, audit, claims });
    const second = await setup({ gateway, audit, claims });
    return { gateway, audit, claims, first, second };
  }

  it('two replicas create the split at once: one creates it, the other gets a 409, and both are audited', async () => {
    const { gateway, audit, first, second } = await replicas();

    const results = await Promise.allSettled([
      first.mesh.apply(ref, { action: 'canary', weights: { v1: 90, v2: 10 } }, credentials, { force: false, actor }),
      second.mesh.apply(ref, { action: 'canary', weights: { v1: 50, v2: 50 } }, credentials, { force: false, actor: 'user:default/bob' }),
    ]);

    const won = results.findIndex(r => r.status === 'fulfilled');
    expect(won).toBeGreaterThanOrEqual(0);
    const lost = results[1 - won] as PromiseRejectedResult;
    expect(lost.status).toBe('rejected');
    expect(lost.reason).toBeInstanceOf(ConflictError);
    // The winner's split is the one in the cluster: the loser wrote nothing over it.
    expect(weightsOf(gateway)).toEqual(won === 0 ? { v1: 90, v2: 10 } : { v1: 50, v2: 50 });
    expect(gateway.mutations.filter(c => c.kind === 'VirtualService')).toHaveLength(1);
    const rows = await audit.list(ref);
    expect(rows.map(r => r.result).sort()).toEqual(['failure', 'success']);
  });

  it('an object another apply is writing right now: 409 naming it, nothing written, an audit row', async () => {
    const { gateway, audit, claims, first } = await replicas();
    const held = await claims.claim([
      { cluster: 'local', apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'prod', name: 'backend' },
    ]);

    const error = await first.mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);

    expect(error).toBeInstanceOf(ApplyInProgressError);
    expect(error.message).toBe(
      'another apply is writing VirtualService prod/backend (cluster local) right now: nothing applied; plan again in a moment',
    );
    expect(gateway.mutations).toEqual([]);
    expect((await audit.list(ref))[0]).toMatchObject({ result: 'failure', objects: [], message: error.message });
    await held.release();
    // Once released, the same apply goes through, and leaves no claim behind.
    await first.mesh.apply(ref, canary9010, credentials, { force: false, actor });
    expect(weightsOf(gateway)).toEqual({ v1: 90, v2: 10 });
    await (await claims.claim([{ cluster: 'local', apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'prod', name: 'backend' }])).release();
  });

  it('a VirtualService someone else created after the plan is not overwritten: 409, theirs stays', async () => {
    const { gateway, first } = await replicas();
    const theirs: KubeJson = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'backend', namespace: 'prod' },
      spec: { hosts: ['backend'], http: [{ route: [{ destination: { host: 'backend', subset: 'v1' }, weight: 100 }], retries: { attempts: 5 } }] },
    };
    // kubectl creates it while the portal writes the DestinationRule (after the plan read).
    gateway.writeFault = call => {
      if (call.kind === 'DestinationRule') gateway.put(theirs);
      return undefined;
    };

    const error = await first.mesh.apply(ref, canary9010, credentials, { force: false, actor }).catch(e => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain('VirtualService backend on cluster local changed since the plan (another apply came first): plan again');
    expect(gateway.mutations.map(c => c.kind)).toEqual(['DestinationRule']);
    expect((gateway.object('VirtualService', 'prod', 'backend') as any).spec).toEqual(theirs.spec);
  });
});
