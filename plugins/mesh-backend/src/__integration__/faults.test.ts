import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { MeshActionRequest } from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway, KubeJson, WriteOptions } from '../cluster/ClusterGateway';
import { asHttpError } from '../cluster/ClusterFailedError';
import {
  appManifests,
  auditStore,
  component,
  getJson,
  kubectlApply,
  localClusterConfig,
  localMesh,
  meshServiceOver,
} from '../__testUtils__/localMesh';
import { blackHole, refusedUrl } from '../__testUtils__/loopback';

jest.setTimeout(240_000);

const credentials = mockCredentials.user('user:default/guest');
const ref = 'component:default/backend';
const canary9010: MeshActionRequest = { action: 'canary', preset: '90/10' };
const logger = mockServices.logger.mock();

/**
 * The local cluster, except that real writes of one kind go to `writesTo` (another gateway for
 * the same cluster name): the apiserver "stops" or "hangs" between the DestinationRule and the
 * VirtualService of one apply, while every read and dry run still reaches it.
 */
class GatewayFailingWritesOf extends ClusterGateway {
  constructor(
    clusters: ConstructorParameters<typeof ClusterGateway>[0],
    private readonly kind: string,
    private readonly writesTo: ClusterGateway,
  ) {
    super(clusters, 'mesh-portal', logger, 5_000);
  }

  override apply<T extends KubeJson = KubeJson>(cluster: string, object: KubeJson, options: WriteOptions = {}): Promise<T> {
    if (object.kind === this.kind && !options.dryRun) return this.writesTo.apply<T>(cluster, object, options);
    return super.apply<T>(cluster, object, options);
  }
}

/**
 * The local cluster, with real writes held until `count` of them wait: two replicas then both
 * planned against the same VirtualService before either writes ("at the same moment").
 */
class GatewayWithWriteBarrier extends ClusterGateway {
  constructor(
    clusters: ConstructorParameters<typeof ClusterGateway>[0],
    private readonly barrier: { arrive: () => Promise<void> },
  ) {
    super(clusters, 'mesh-portal', logger, 20_000);
  }

  override async apply<T extends KubeJson = KubeJson>(cluster: string, object: KubeJson, options: WriteOptions = {}): Promise<T> {
    if (!options.dryRun) await this.barrier.arrive();
    return super.apply<T>(cluster, object, options);
  }
}

function writeBarrier(count: number) {
  const waiting: Array<() => void> = [];
  return {
    arrive: () =>
      new Promise<void>(resolve => {
        waiting.push(resolve);
        if (waiting.length === count) waiting.forEach(release => release());
      }),
  };
}

async function exists(kind: string, name: string, namespace: string): Promise<boolean> {
  const res = await localMesh.kubectl(['get', kind, name, '-n', namespace, '-o', 'name']);
  return res.code === 0;
}

/** Subsets the live VirtualService routes to that the live DestinationRule does not define. */
async function missingSubsets(namespace: string): Promise<string[]> {
  if (!(await exists('virtualservice', 'backend', namespace))) return [];
  const vs = await getJson('virtualservice', 'backend', namespace);
  const dr = (await exists('destinationrule', 'backend', namespace)) ? await getJson('destinationrule', 'backend', namespace) : null;
  const defined = new Set((dr?.spec?.subsets ?? []).map((s: { name: string }) => s.name));
  const routed: string[] = (vs.spec.http ?? []).flatMap((h: any) => (h.route ?? []).map((r: any) => r.destination?.subset).filter(Boolean));
  return routed.filter(subset => !defined.has(subset));
}

async function weights(namespace: string): Promise<Record<string, number>> {
  const vs = await getJson('virtualservice', 'backend', namespace);
  return Object.fromEntries(
    (vs.spec.http as any[]).flatMap(h => h.route ?? []).filter((r: any) => r.destination?.subset).map((r: any) => [r.destination.subset, r.weight]),
  );
}

describe('faults against the local mesh', () => {
  let mesh: Awaited<ReturnType<typeof localMesh.ensureMesh>>;
  let namespace: string;
  beforeAll(async () => {
    mesh = await localMesh.ensureMesh();
  });
  beforeEach(async () => {
    namespace = await localMesh.freshNamespace('faults');
    await kubectlApply(appManifests('backend', namespace, ['v1', 'v2']));
  });
  afterEach(async () => {
    if (namespace) await localMesh.deleteNamespace(namespace);
  });

  it('status with a refusing and a hanging cluster configured beside the real one answers promptly with two error rows', async () => {
    const hole = await blackHole();
    try {
      const gateway = new ClusterGateway(
        [
          localClusterConfig(mesh, { name: 'stopped', url: await refusedUrl() }),
          localClusterConfig(mesh, { name: 'hung', url: hole.url }),
          localClusterConfig(mesh),
        ],
        'mesh-portal',
        logger,
        2_000,
      );
      const service = meshServiceOver(gateway, [component('backend', namespace)], await auditStore());
      const started = Date.now();
      const status = await service.status(ref, credentials);
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(status.clusters.map(c => [c.cluster, c.ok])).toEqual([
        ['stopped', false],
        ['hung', false],
        ['local', true],
      ]);
      const [stopped, hung] = status.clusters;
      expect(!stopped.ok && stopped.error.message).toContain('on cluster stopped');
      expect(!hung.ok && hung.error.message).toMatch(/on cluster hung: no answer within 2000 ms/);
    } finally {
      hole.close();
    }
  });

  /** Applies 90/10 with the VirtualService's real write sent to `url` instead of the apiserver. */
  async function applyWithVirtualServiceWriteTo(url: string) {
    const config = localClusterConfig(mesh);
    const elsewhere = new ClusterGateway([{ ...config, url }], 'mesh-portal', logger, 2_000);
    const audit = await auditStore();
    const service = meshServiceOver(new GatewayFailingWritesOf([config], 'VirtualService', elsewhere), [component('backend', namespace)], audit);
    const error = await service.apply(ref, canary9010, credentials, { force: false, actor: 'user:default/guest' }).catch(e => e);
    return { error, rows: await audit.list(ref) };
  }

  it('the apiserver stops between the DestinationRule and the VirtualService: 502 naming the cluster, an honest audit row, the split consistent', async () => {
    const { error, rows } = await applyWithVirtualServiceWriteTo(await refusedUrl());

    expect(asHttpError(error)).toMatchObject({ statusCode: 502 });
    expect(error.message).toContain('apply VirtualService backend on cluster local');
    expect(error.message).toContain('Applied: DestinationRule backend (created). Not applied: VirtualService backend.');
    expect(rows[0]).toMatchObject({ result: 'failure', objects: [{ kind: 'DestinationRule', name: 'backend', namespace }] });
    expect(await exists('destinationrule', 'backend', namespace)).toBe(true);
    expect(await exists('virtualservice', 'backend', namespace)).toBe(false);
    expect(await missingSubsets(namespace)).toEqual([]);
  });

  it('the apiserver hangs on the VirtualService: 504, the VirtualService read back as not applied', async () => {
    const hole = await blackHole();
    try {
      const { error, rows } = await applyWithVirtualServiceWriteTo(hole.url);

      expect(asHttpError(error)).toMatchObject({ statusCode: 504 });
      expect(error.message).toContain('no answer within 2000 ms');
      expect(error.message).toContain('Not applied: VirtualService backend.');
      expect(rows[0].result).toBe('failure');
      expect(await missingSubsets(namespace)).toEqual([]);
    } finally {
      hole.close();
    }
  });

  describe('an admission policy rejects the VirtualService (dry runs pass, the real write fails)', () => {
    // A ValidatingAdmissionPolicy (in-tree CEL, no webhook server to run) stands for a
    // validating webhook that refuses the write; it admits dry runs so that the plan passes
    // and the failure comes after the DestinationRule was written.
    const policyName = () => `${namespace}-frozen-virtualservices`;
    afterEach(async () => {
      await localMesh.kubectl(['delete', 'validatingadmissionpolicybinding', policyName(), '--ignore-not-found']);
      await localMesh.kubectl(['delete', 'validatingadmissionpolicy', policyName(), '--ignore-not-found']);
    });

    it('ends in a consistent cluster and an audit row naming what was applied and what not', async () => {
      await kubectlApply([
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicy',
          metadata: { name: policyName() },
          spec: {
            failurePolicy: 'Fail',
            matchConstraints: {
              resourceRules: [
                { apiGroups: ['networking.istio.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['virtualservices'] },
              ],
            },
            validations: [
              {
                expression: 'has(request.dryRun) && request.dryRun == true',
                message: 'VirtualServices are frozen in this namespace',
              },
            ],
          },
        },
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicyBinding',
          metadata: { name: policyName() },
          spec: {
            policyName: policyName(),
            validationActions: ['Deny'],
            matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
          },
        },
      ]);
      // The apiserver loads policies asynchronously: wait until a probe VirtualService is refused.
      const probe = {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'probe', namespace },
        spec: { hosts: ['probe'], http: [{ route: [{ destination: { host: 'probe' } }] }] },
      };
      const deadline = Date.now() + 30_000;
      let refused = false;
      while (!refused && Date.now() < deadline) {
        refused = await kubectlApply([probe]).then(
          () => false,
          e => /frozen/.test(String(e)),
        );
        if (!refused) {
          await localMesh.kubectl(['delete', 'virtualservice', 'probe', '-n', namespace, '--ignore-not-found']);
          await new Promise(resolve => setTimeout(resolve, 500));
        }
      }
      expect(refused).toBe(true);

      const gateway = new ClusterGateway([localClusterConfig(mesh)], 'mesh-portal', logger, 20_000);
      const audit = await auditStore();
      const service = meshServiceOver(gateway, [component('backend', namespace)], audit);
      const error = await service.apply(ref, canary9010, credentials, { force: false, actor: 'user:default/guest' }).catch(e => e);

      expect(asHttpError(error)).toMatchObject({ statusCode: 502 });
      expect(error.message).toContain('apply VirtualService backend on cluster local');
      expect(error.message).toContain('frozen');
      expect(error.message).toContain('Applied: DestinationRule backend (created). Not applied: VirtualService backend.');
      const [row] = await audit.list(ref);
      expect(row).toMatchObject({ result: 'failure', objects: [{ kind: 'DestinationRule', name: 'backend', namespace }] });
      expect(row.message).toContain('Not applied: VirtualService backend');
      expect(await exists('virtualservice', 'backend', namespace)).toBe(false);
      expect(await missingSubsets(namespace)).toEqual([]);
    });
  });

  it('two replicas apply different weights to one VirtualService at the same moment: one 200, one 409, no lost update, both audited', async () => {
    const config = localClusterConfig(mesh);
    const entities = [component('backend', namespace)];
    const first = meshServiceOver(new ClusterGateway([config], 'mesh-portal', logger, 20_000), entities, await auditStore());
    // The split exists (DestinationRule with both subsets): each replica's plan writes only the VirtualService.
    await first.apply(ref, canary9010, credentials, { force: false, actor: 'user:default/guest' });

    // Two replicas on one database: the same audit store, each with its own gateway.
    const audit = await auditStore();
    const atOnce = writeBarrier(2);
    const replica = () => meshServiceOver(new GatewayWithWriteBarrier([config], atOnce), entities, audit);
    const [a, b] = await Promise.allSettled([
      replica().apply(ref, { action: 'canary', weights: { v1: 70, v2: 30 } }, credentials, { force: false, actor: 'user:default/alice' }),
      replica().apply(ref, { action: 'canary', weights: { v1: 40, v2: 60 } }, credentials, { force: false, actor: 'user:default/bob' }),
    ]);

    const outcomes = [a.status, b.status].sort();
    expect(outcomes).toEqual(['fulfilled', 'rejected']);
    const rejected = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    expect(rejected.reason.message).toContain('VirtualService backend on cluster local changed since the plan');
    const winner = a.status === 'fulfilled' ? { v1: 70, v2: 30 } : { v1: 40, v2: 60 };
    expect(await weights(namespace)).toEqual(winner);
    const rows = await audit.list(ref);
    expect(rows.map(r => r.result).sort()).toEqual(['failure', 'success']);
  });
});
