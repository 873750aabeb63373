import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { unreachableClusterConfig } from './__testUtils__/unreachableCluster';
import { meshPlugin } from './plugin';

const backendEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'backend',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'backend',
      'backstage.io/kubernetes-namespace': 'prod',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:default/platform-team' },
};

const unreachable = unreachableClusterConfig;

async function start(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  actionsRegistry = actionsRegistryServiceMock(),
) {
  const { server } = await startTestBackend({
    features: [
      meshPlugin,
      createServiceFactory({ service: actionsRegistryServiceRef, deps: {}, factory: () => actionsRegistry }),
      mockServices.rootConfig.factory({ data: unreachable }),
      mockServices.permissions.factory({ result }),
      catalogServiceMock.factory({ entities: [backendEntity] }),
    ],
  });
  return server;
}

describe('mesh backend plugin', () => {
  it('answers its health route', async () => {
    const server = await start();
    const res = await request(server).get('/api/mesh/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('reports an unreachable cluster as a per-cluster error, not a 500', async () => {
    const server = await start();
    const res = await request(server).get('/api/mesh/entities/default/component/backend/status');
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/backend');
    expect(res.body.clusters).toEqual([
      { cluster: 'gone', ok: false, error: { message: expect.stringContaining('gone') } },
    ]);
  });

  it('reports an unreachable cluster in the access view as a per-cluster error', async () => {
    const server = await start();
    const res = await request(server).get('/api/mesh/entities/default/component/backend/access');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      entityRef: 'component:default/backend',
      clusters: [{ cluster: 'gone', ok: false, error: { message: expect.stringContaining('gone') } }],
    });
  });

  it('answers 404 for an entity the catalog does not have', async () => {
    const server = await start();
    const res = await request(server).get('/api/mesh/entities/default/component/nope/status');
    expect(res.status).toBe(404);
  });

  it('refuses reads with 403 when the policy denies, and leaks nothing', async () => {
    const server = await start(AuthorizeResult.DENY);
    const res = await request(server).get('/api/mesh/entities/default/component/backend/status');
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('prod');
  });

  it('refuses apply with 403 when the policy denies; nothing reaches a cluster', async () => {
    const server = await start(AuthorizeResult.DENY);
    const res = await request(server)
      .post('/api/mesh/entities/default/component/backend/apply')
      .send({ action: 'canary', preset: '90/10' });
    expect(res.status).toBe(403);
  });

  it('wires guided canary runs: an empty list at first, start refused with 403 when denied', async () => {
    const server = await start();
    const list = await request(server).get('/api/mesh/entities/default/component/backend/canary-runs');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [] });
    const denied = await start(AuthorizeResult.DENY);
    const res = await request(denied)
      .post('/api/mesh/entities/default/component/backend/canary-runs')
      .send({ service: 'backend', stable: 'v1', canary: 'v2' });
    expect(res.status).toBe(403);
  });

  it('names the cluster field when a plan asks for a cluster the entity does not run on', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/mesh/entities/default/component/backend/plans')
      .send({ action: 'canary', preset: '90/10', cluster: 'elsewhere' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('cluster: elsewhere is not one of');
  });

  it('registers the assistant actions, answering through the same services as the routes', async () => {
    const actions = actionsRegistryServiceMock();
    await start(AuthorizeResult.ALLOW, actions);
    expect([...actions.actions.keys()].sort()).toEqual(['test:apply', 'test:get-status', 'test:plan']);
    const credentials = mockCredentials.user('user:default/guest');
    const { output } = await actions.invoke({
      id: 'test:get-status',
      input: { entityRef: 'component:default/backend' },
      credentials,
    });
    expect(output).toEqual({
      entityRef: 'component:default/backend',
      clusters: [{ cluster: 'gone', ok: false, error: { message: expect.stringContaining('gone') } }],
      // the status cache is on by default: the tab re-reads a cached status this often
      refreshMs: 1500,
    });
    await expect(
      actions.invoke({
        id: 'test:plan',
        input: { entityRef: 'backend', change: { action: 'canary', preset: '90/10', cluster: 'elsewhere' } },
        credentials,
      }),
    ).rejects.toThrow('cluster: elsewhere is not one of');
  });
});
