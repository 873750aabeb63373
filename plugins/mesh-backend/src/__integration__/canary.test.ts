import { mockCredentials } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import {
  appManifests,
  component,
  getJson,
  kubectlApply,
  localMesh,
  meshServiceFor,
} from '../__testUtils__/localMesh';

jest.setTimeout(240_000);

const credentials = mockCredentials.user('user:default/guest');
const actor = 'user:default/guest';

describe('canary against the local mesh', () => {
  let namespace: string;
  beforeAll(async () => {
    await localMesh.ensureMesh();
    namespace = await localMesh.freshNamespace('canary');
    await kubectlApply(appManifests('backend', namespace, ['v1', 'v2']));
  });
  afterAll(async () => {
    if (namespace) await localMesh.deleteNamespace(namespace);
  });

  it('90/10 → 50/50 → promote keeps the user\'s header route, retries and timeout', async () => {
    // The user's VirtualService, written with kubectl: a header-match route for beta testers,
    // and a default route with retries and a timeout.
    await kubectlApply([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'backend', namespace },
        spec: {
          hosts: ['backend'],
          http: [
            {
              name: 'beta-testers',
              match: [{ headers: { 'x-beta': { exact: '1' } } }],
              route: [{ destination: { host: 'backend' } }],
              headers: { request: { set: { 'x-route': 'beta' } } },
            },
            {
              route: [{ destination: { host: 'backend' } }],
              retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' },
              timeout: '10s',
            },
          ],
        },
      },
    ]);
    const { service } = await meshServiceFor([component('backend', namespace)]);
    const ref = 'component:default/backend';

    const plan = await service.plan(ref, { action: 'canary', preset: '90/10' }, credentials);
    expect(plan.blocked).toBe(false);
    // Make-before-break: the DestinationRule with the subsets goes first.
    expect(plan.objects.map(o => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(plan.objects[0].diff).toContain('+  subsets:');
    expect(plan.objects[1].diff).toMatch(/\+\s+weight: 90/);

    for (const [request, expected] of [
      [{ action: 'canary', preset: '90/10' }, { v1: 90, v2: 10 }],
      [{ action: 'canary', preset: '50/50' }, { v1: 50, v2: 50 }],
      [{ action: 'canary', weights: { v1: 25, v2: 75 } }, { v1: 25, v2: 75 }],
      [{ action: 'canary', preset: 'promote' }, { v2: 100 }],
    ] as const) {
      const result = await service.apply(ref, request as any, credentials, { force: false, actor });
      expect(result.auditId).toBeTruthy();
      const vs = await getJson('virtualservice', 'backend', namespace);
      const [beta, split] = vs.spec.http;
      expect(beta).toEqual({
        name: 'beta-testers',
        match: [{ headers: { 'x-beta': { exact: '1' } } }],
        route: [{ destination: { host: 'backend' } }],
        headers: { request: { set: { 'x-route': 'beta' } } },
      });
      expect(split.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: '5xx' });
      expect(split.timeout).toBe('10s');
      const weights = Object.fromEntries(
        split.route
          .filter((r: any) => (r.weight ?? 100) > 0)
          .map((r: any) => [r.destination.subset, r.weight ?? 100]),
      );
      expect(weights).toEqual(expected);
    }

    const dr = await getJson('destinationrule', 'backend', namespace);
    expect(dr.spec.subsets.map((s: any) => s.name).sort()).toEqual(['v1', 'v2']);

    // The status reads the split back from the cluster.
    const status = await service.status(ref, credentials);
    const cluster = status.clusters[0];
    if (!cluster.ok) throw new Error(cluster.error.message);
    const split = cluster.trafficSplits.find(s => s.host.startsWith('backend'));
    expect(split?.routes.filter(r => r.weight > 0).map(r => [r.subset, r.weight])).toEqual([['v2', 100]]);

    const history = await service.history(ref);
    expect(history).toHaveLength(4);
    expect(history.every(h => h.result === 'success' && h.actor === actor)).toBe(true);
  });

  it('refuses with 409 naming the manager when a GitOps controller applies the VirtualService', async () => {
    const ns = await localMesh.freshNamespace('gitops');
    try {
      await kubectlApply(appManifests('backend', ns, ['v1', 'v2']));
      await kubectlApply(
        [
          {
            apiVersion: 'networking.istio.io/v1',
            kind: 'VirtualService',
            metadata: { name: 'backend', namespace: ns },
            spec: { hosts: ['backend'], http: [{ route: [{ destination: { host: 'backend' } }] }] },
          },
        ],
        ['--server-side', '--field-manager=argocd-controller'],
      );
      const { service } = await meshServiceFor([component('backend', ns)]);
      const ref = 'component:default/backend';

      const plan = await service.plan(ref, { action: 'canary', preset: '90/10' }, credentials);
      expect(plan.blocked).toBe(true);
      expect(plan.findings.find(f => f.code === 'MESH-028')?.message).toContain('argocd-controller');

      const attempt = service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: false, actor });
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toThrow(/argocd-controller/);
      const vs = await getJson('virtualservice', 'backend', ns);
      expect(vs.spec.http).toEqual([{ route: [{ destination: { host: 'backend' } }] }]);

      // Force is explicit, and then the split is ours.
      await service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: true, actor });
      const forced = await getJson('virtualservice', 'backend', ns);
      expect(forced.spec.http[0].route.map((r: any) => r.weight)).toEqual([90, 10]);
    } finally {
      await localMesh.deleteNamespace(ns);
    }
  });
});
