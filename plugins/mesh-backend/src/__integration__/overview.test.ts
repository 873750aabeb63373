import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { meshPlugin } from '../plugin';
import {
  appManifests,
  component,
  kubectlApply,
  localClusterConfig,
  localMesh,
} from '../__testUtils__/localMesh';

jest.setTimeout(240_000);

/**
 * The overview through the real plugin (its router, its permission checks, its status cache)
 * on the local mesh, under a policy that allows reading every entity of the catalog but denies
 * the mesh data of one: that entity has no row (MeshService.test.ts shows its status is not
 * even read), the other's row counts the cluster's pods.
 */
describe('the overview on the local mesh under a policy that denies one entity', () => {
  let namespace: string;

  beforeAll(async () => {
    await localMesh.ensureMesh();
    namespace = await localMesh.freshNamespace('overview');
    await kubectlApply([
      ...appManifests('shown', namespace, ['v1']),
      ...appManifests('hidden', namespace, ['v1']),
    ]);
  });

  afterAll(async () => {
    if (namespace) await localMesh.deleteNamespace(namespace);
  });

  it("has rows with the cluster's pods for the allowed entities, none for the denied one", async () => {
    const mesh = await localMesh.ensureMesh();
    const cluster = localClusterConfig(mesh);
    const asked: string[] = [];
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(r => {
          const resourceRef = (r as { resourceRef?: string }).resourceRef;
          if (resourceRef) asked.push(`${r.permission.name} ${resourceRef}`);
          return {
            result:
              resourceRef === 'component:default/hidden'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          };
        }) as any,
    });
    const { server } = await startTestBackend({
      features: [
        meshPlugin,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: cluster.name,
                      url: cluster.url,
                      authProvider: 'serviceAccount',
                      serviceAccountToken: cluster.serviceAccountToken,
                      caFile: cluster.caFile,
                    },
                  ],
                },
              ],
            },
          },
        }),
        permissions.factory,
        catalogServiceMock.factory({
          entities: [
            component('shown', namespace),
            component('hidden', namespace),
          ],
        }),
      ],
    });

    // Pods appear once kwok has scheduled and started them (the status cache then serves them).
    let rows: any[] = [];
    for (const started = Date.now(); Date.now() - started < 120_000; ) {
      const res = await request(server).get('/api/mesh/overview');
      expect(res.status).toBe(200);
      rows = res.body.rows;
      if (rows.length === 1 && rows[0].pods === 1) break;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(rows).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/shown',
        cluster: 'local',
        namespace,
        pods: 1,
      }),
    ]);
    expect(asked).toContain('mesh.entity.read component:default/hidden');
    expect(asked).toContain('mesh.entity.read component:default/shown');
    // The same policy keeps the denied entity's own status route closed.
    const hidden = await request(server).get(
      '/api/mesh/entities/default/component/hidden/status',
    );
    expect(hidden.status).toBe(403);
  });
});
