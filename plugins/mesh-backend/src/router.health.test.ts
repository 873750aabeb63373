import { mockCredentials, mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { createRouter } from './router';
import { CanaryHealthService } from './services/CanaryHealthService';
import { MeshService } from './services/MeshService';

async function app(result: AuthorizeResult = AuthorizeResult.ALLOW) {
  const canaryHealth = {
    health: jest.fn(async (ref: string) => ({ entityRef: ref, clusters: [{ cluster: 'local', state: 'not-configured' }] })),
    series: jest.fn(async (ref: string, _credentials: unknown, range: string) => ({ entityRef: ref, range, clusters: [] })),
  };
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async reqs => reqs.map(() => ({ result })) as any);
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    permissions,
    mesh: {} as MeshService,
    canaryHealth: canaryHealth as unknown as CanaryHealthService,
  });
  return { server: express().use(router).use(mockErrorHandler()), canaryHealth, permissions };
}

describe('mesh router: canary health', () => {
  it('returns the health, authorizing mesh.entity.read on the entity', async () => {
    const { server, canaryHealth, permissions } = await app();
    const res = await request(server).get('/entities/default/Component/backend/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      entityRef: 'component:default/backend',
      clusters: [{ cluster: 'local', state: 'not-configured' }],
    });
    expect(canaryHealth.health).toHaveBeenCalledWith('component:default/backend', expect.anything());
    expect(permissions.authorize).toHaveBeenCalledWith(
      [{ permission: expect.objectContaining({ name: 'mesh.entity.read' }), resourceRef: 'component:default/backend' }],
      expect.anything(),
    );
  });

  it('returns per-version series for ?range=, authorizing mesh.entity.read', async () => {
    const { server, canaryHealth, permissions } = await app();
    const res = await request(server).get('/entities/default/component/backend/health?range=15m');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ entityRef: 'component:default/backend', range: '15m', clusters: [] });
    expect(canaryHealth.series).toHaveBeenCalledWith('component:default/backend', expect.anything(), '15m');
    expect(canaryHealth.health).not.toHaveBeenCalled();
    expect(permissions.authorize).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['range=15minutes', 'range: must be a PromQL duration from 1m to 1d'],
    ['range=30s', 'range: must be a PromQL duration from 1m to 1d'],
    ['range=2d', 'range: must be a PromQL duration from 1m to 1d'],
    ['window=5m', 'window: unknown field'],
  ])('rejects ?%s with 400 naming the field', async (query, message) => {
    const { server, canaryHealth } = await app();
    const res = await request(server).get(`/entities/default/component/backend/health?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(canaryHealth.series).not.toHaveBeenCalled();
    expect(canaryHealth.health).not.toHaveBeenCalled();
  });

  it.each([
    ['403 when reading is denied', AuthorizeResult.DENY, '/entities/default/component/backend/health', {}, 403],
    ['401 without credentials', AuthorizeResult.ALLOW, '/entities/default/component/backend/health',
      { authorization: mockCredentials.none.header() }, 401],
    ['400 for a malformed entity ref', AuthorizeResult.ALLOW, '/entities/default/component/-bad%20name/health', {}, 400],
  ])('answers %s and reads no metrics', async (_case, result, url, headers: Record<string, string>, code) => {
    const { server, canaryHealth } = await app(result);
    const res = await request(server).get(url).set(headers);
    expect(res.status).toBe(code);
    expect(canaryHealth.health).not.toHaveBeenCalled();
  });
});
