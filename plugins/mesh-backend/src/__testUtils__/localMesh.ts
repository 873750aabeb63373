import { Entity } from '@backstage/catalog-model';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { toYaml } from '@mesh-portal/backstage-plugin-mesh-common';
import { AuditStore } from '../audit/AuditStore';
import { Knex } from 'knex';
import { ClusterGateway } from '../cluster/ClusterGateway';
import { MeshClusterConfig } from '../cluster/clusterConfig';
import { MeshService } from '../services/MeshService';

export { component } from './entities';

// Test support of the local mesh (CommonJS, Node built-ins only).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
export const localMesh = require('../../../../local-mesh/testing') as typeof import('../../../../local-mesh/testing');


/** The handbook's Service + Deployment for one app and its versions, in a namespace. */
export function appManifests(app: string, namespace: string, versions: string[], env: Record<string, string> = {}) {
  const objects: object[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace, labels: { app } },
      spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
  ];
  for (const version of versions) {
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${app}-${version}`, namespace, labels: { app, version } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app, version } },
        template: {
          metadata: { labels: { app, version } },
          spec: {
            containers: [
              {
                name: app,
                image: `gcr.io/google-samples/hello-app:${version === 'v1' ? '1.0' : '2.0'}`,
                ports: [{ containerPort: 8080 }],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
              },
            ],
          },
        },
      },
    });
  }
  return objects;
}

export const toYamlDocs = (objects: object[]) => toYaml(objects);

/** kubectl apply (client-side, as a user would) of objects; throws on failure. */
export async function kubectlApply(objects: object[], extraArgs: string[] = []) {
  const res = await localMesh.kubectl(['apply', ...extraArgs, '-f', '-'], { input: toYamlDocs(objects) });
  if (res.code !== 0) throw new Error(`kubectl apply failed: ${res.stderr}`);
}

/** The live object as JSON, managedFields included (kubectl leaves them out by default). */
export async function getJson(kind: string, name: string, namespace: string) {
  const res = await localMesh.kubectl(['get', kind, name, '-n', namespace, '-o', 'json', '--show-managed-fields']);
  if (res.code !== 0) throw new Error(`kubectl get ${kind} ${name}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** The local cluster as the gateway configures it; `overrides` make another (e.g. a dead URL). */
export function localClusterConfig(
  mesh: { server: string; token: string; caFile: string },
  overrides: Partial<MeshClusterConfig> = {},
): MeshClusterConfig {
  return {
    name: 'local',
    url: mesh.server,
    serviceAccountToken: mesh.token,
    caFile: mesh.caFile,
    skipTLSVerify: false,
    kialiUrl: 'http://localhost:20001/kiali',
    ...overrides,
  };
}

/** A SQLite audit store; pass the same knex to share one between services ("replicas"). */
export async function auditStore(knex?: Knex) {
  return AuditStore.create(mockServices.database({ knex: knex ?? (await databases.init('SQLITE_3')) }));
}

/** A MeshService over a given gateway, a fake catalog and an audit store. */
export function meshServiceOver(gateway: ClusterGateway, entities: Entity[], audit: AuditStore) {
  const catalog = catalogServiceMock({ entities });
  return new MeshService({ catalog, gateway, audit, logger: mockServices.logger.mock() });
}

/** A MeshService wired to the real local cluster, a fake catalog and a SQLite audit store. */
export async function meshServiceFor(entities: Entity[]) {
  const mesh = await localMesh.ensureMesh();
  const gateway = new ClusterGateway([localClusterConfig(mesh)], 'mesh-portal', mockServices.logger.mock(), 20_000);
  const service = meshServiceOver(gateway, entities, await auditStore());
  return { service, gateway, mesh };
}
