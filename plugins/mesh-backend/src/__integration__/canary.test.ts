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

/** The one route of backend (no subsets), as a VirtualService. */
const plainRoute = [{ route: [{ destination: { host: 'backend' } }] }];

/** backend v1 and v2 in `ns`, and its VirtualService applied with kubectl and `applyArgs`. */
async function applyAppAndRoute(ns: string, applyArgs: string[]) {
  await kubectlApply(appManifests('backend', ns, ['v1', 'v2']));
  await kubectlApply(
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'backend', namespace: ns },
        spec: { hosts: ['backend'], http: plainRoute },
      },
    ],
    applyArgs,
  );
}

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
    // kubectl's client-side apply owns the routes: a person's, taken over once confirmed.
    expect(plan.fieldConflicts).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ kind: 'VirtualService', name: 'backend' }),
        manager: 'kubectl-client-side-apply',
        resolution: 'take-over',
      }),
    ]);
    await expect(
      service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: false, actor }),
    ).rejects.toThrow(/^takeOver: /);

    for (const [request, expected] of [
      [{ action: 'canary', preset: '90/10' }, { v1: 90, v2: 10 }],
      [{ action: 'canary', preset: '50/50' }, { v1: 50, v2: 50 }],
      [{ action: 'canary', weights: { v1: 25, v2: 75 } }, { v1: 25, v2: 75 }],
      [{ action: 'canary', preset: 'promote' }, { v2: 100 }],
    ] as const) {
      const result = await service.apply(ref, request as any, credentials, { force: false, takeOver: true, actor });
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
    // Four applies, and before them the refused attempt without takeOver (audited, nothing applied).
    expect(history).toHaveLength(5);
    expect(history[4]).toMatchObject({ result: 'failure', objects: [] });
    expect(history[4].message).toMatch(/^takeOver: .*Nothing applied$/);
    // The first apply took the routes over from kubectl, and says so.
    expect(history[3].takeOvers).toEqual([
      expect.objectContaining({ kind: 'VirtualService', name: 'backend', manager: 'kubectl-client-side-apply' }),
    ]);
    expect(history.slice(0, 3).every(h => h.takeOvers === undefined)).toBe(true);
    expect(history.slice(0, 4).every(h => h.result === 'success' && h.actor === actor)).toBe(true);
    expect(history[4].actor).toBe(actor);
  });

  it('refuses with 409 naming the manager when a GitOps controller applies the VirtualService', async () => {
    const ns = await localMesh.freshNamespace('gitops');
    try {
      await applyAppAndRoute(ns, ['--server-side', '--field-manager=argocd-controller']);
      const { service } = await meshServiceFor([component('backend', ns)]);
      const ref = 'component:default/backend';

      const plan = await service.plan(ref, { action: 'canary', preset: '90/10' }, credentials);
      expect(plan.blocked).toBe(true);
      expect(plan.findings.find(f => f.code === 'MESH-028')?.message).toContain('argocd-controller');

      const attempt = service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: false, actor });
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toThrow(/argocd-controller/);
      const vs = await getJson('virtualservice', 'backend', ns);
      expect(vs.spec.http).toEqual(plainRoute);

      // A confirmed take-over does not pass a controller: only force (mesh.entity.force) does.
      await expect(
        service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: false, takeOver: true, actor }),
      ).rejects.toThrow(/argocd-controller/);

      // Force is explicit, and then the split is ours.
      await service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: true, actor });
      const forced = await getJson('virtualservice', 'backend', ns);
      expect(forced.spec.http[0].route.map((r: any) => r.weight)).toEqual([90, 10]);
    } finally {
      await localMesh.deleteNamespace(ns);
    }
  });

  it("takes over a person's kubectl apply --server-side only once confirmed, and audits it", async () => {
    const ns = await localMesh.freshNamespace('person');
    try {
      // kubectl's server-side apply writes as field manager "kubectl", operation Apply: a person.
      await applyAppAndRoute(ns, ['--server-side']);
      const { service } = await meshServiceFor([component('backend', ns)]);
      const ref = 'component:default/backend';

      const plan = await service.plan(ref, { action: 'canary', preset: '90/10' }, credentials);
      expect(plan.blocked).toBe(false);
      const takeOver = plan.fieldConflicts?.find(c => c.resource.kind === 'VirtualService');
      expect(takeOver).toMatchObject({ manager: 'kubectl', owner: { kind: 'person' }, resolution: 'take-over' });
      expect(takeOver?.fields).toContain('.spec.http');

      const attempt = service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: false, actor });
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toThrow(/^takeOver: .*"kubectl"/);
      expect((await getJson('virtualservice', 'backend', ns)).spec.http).toEqual(plainRoute);

      await service.apply(ref, { action: 'canary', preset: '90/10' }, credentials, { force: false, takeOver: true, actor });
      const vs = await getJson('virtualservice', 'backend', ns);
      expect(vs.spec.http[0].route.map((r: any) => r.weight)).toEqual([90, 10]);
      expect(vs.metadata.managedFields.some((m: any) => m.manager === 'kubectl' && JSON.stringify(m.fieldsV1 ?? {}).includes('f:http'))).toBe(false);
      const [row] = await service.history(ref);
      expect(row.takeOvers).toEqual([
        expect.objectContaining({ kind: 'VirtualService', name: 'backend', manager: 'kubectl', fields: expect.arrayContaining(['.spec.http']) }),
      ]);
    } finally {
      await localMesh.deleteNamespace(ns);
    }
  });
});
