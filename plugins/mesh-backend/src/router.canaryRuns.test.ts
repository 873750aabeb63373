import { mockCredentials, mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { CanaryRunner } from './canaryRuns/CanaryRunner';
import { createRouter } from './router';
import { MeshService } from './services/MeshService';

const runId = '3f2b8c1e-4d5a-4b6c-8e7f-9a0b1c2d3e4f';
const base = '/entities/default/component/backend/canary-runs';

async function app(result: AuthorizeResult = AuthorizeResult.ALLOW) {
  const run = { id: runId, state: 'running', history: [] };
  const runs = {
    start: jest.fn(async () => run),
    list: jest.fn(async () => [run]),
    pause: jest.fn(async () => ({ ...run, state: 'paused' })),
    resume: jest.fn(async () => run),
    abort: jest.fn(async () => ({ ...run, state: 'aborted' })),
  };
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async reqs => reqs.map(() => ({ result })) as any);
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    permissions,
    mesh: {} as MeshService,
    canaryRuns: runs as unknown as CanaryRunner,
  });
  return { server: express().use(router).use(mockErrorHandler()), runs, permissions };
}

const permissionOf = (permissions: ReturnType<typeof mockServices.permissions.mock>) =>
  (permissions.authorize.mock.calls[0][0][0] as any).permission.name;

describe('mesh router: guided canary runs', () => {
  it('starts a run with the defaults filled in, as the user, after mesh.entity.apply', async () => {
    const { server, runs, permissions } = await app();
    const res = await request(server).post(base).send({ service: 'backend', stable: 'v1', canary: 'v2' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: runId, state: 'running', history: [] });
    expect(runs.start).toHaveBeenCalledWith(
      'component:default/backend',
      { service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 25, 50, 100], intervalSeconds: 60 },
      expect.anything(),
      'user:default/mock',
    );
    expect(permissionOf(permissions)).toBe('mesh.entity.apply');
  });

  it.each([
    [{ service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 50, 25, 100] }, 'steps.2: must be greater than the step before (50)'],
    [{ service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 50] }, 'steps: must end at 100'],
    [{ service: 'backend', stable: 'v1', canary: 'v2', intervalSeconds: 5 }, 'intervalSeconds: must be at least 10 seconds'],
    [{ service: 'backend', stable: 'v1', canary: 'v2', intervalSeconds: 7200 }, 'intervalSeconds: must be at most 3600 seconds'],
    [{ stable: 'v1', canary: 'v2' }, 'service:'],
    [{ service: 'backend', stable: 'v1', canary: 'v1' }, 'canary: must differ from stable'],
    [{ service: 'backend', stable: 'v1', canary: 'v2', force: true }, 'force: unknown field'],
  ])('rejects %j with 400 naming %s; no run starts', async (body, field) => {
    const { server, runs } = await app();
    const res = await request(server).post(base).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
    expect(runs.start).not.toHaveBeenCalled();
  });

  it('refuses start with 403 without mesh.entity.apply, and with 401 without a user', async () => {
    const denied = await app(AuthorizeResult.DENY);
    const body = { service: 'backend', stable: 'v1', canary: 'v2' };
    expect((await request(denied.server).post(base).send(body)).status).toBe(403);
    expect(denied.runs.start).not.toHaveBeenCalled();
    const anonymous = await app();
    const res = await request(anonymous.server).post(base).set('authorization', mockCredentials.none.header()).send(body);
    expect(res.status).toBe(401);
    expect(anonymous.runs.start).not.toHaveBeenCalled();
  });

  it('passes a 409 of the runner on (a canary controller owns the split)', async () => {
    const { server, runs } = await app();
    runs.start.mockRejectedValueOnce(
      new ConflictError('VirtualService backend is driven by Flagger (owner Canary/backend (flagger.app))'),
    );
    const res = await request(server).post(base).send({ service: 'backend', stable: 'v1', canary: 'v2' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('driven by Flagger');
  });

  it('lists the runs after mesh.entity.read', async () => {
    const { server, runs, permissions } = await app();
    const res = await request(server).get('/entities/default/Component/backend/canary-runs');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [{ id: runId, state: 'running', history: [] }] });
    expect(runs.list).toHaveBeenCalledWith('component:default/backend');
    expect(permissionOf(permissions)).toBe('mesh.entity.read');
  });

  it('refuses the list with 403 when reading is denied', async () => {
    const { server, runs } = await app(AuthorizeResult.DENY);
    expect((await request(server).get(base)).status).toBe(403);
    expect(runs.list).not.toHaveBeenCalled();
  });

  it.each(['pause', 'resume'] as const)('%ss a run as the user after mesh.entity.apply', async action => {
    const { server, runs, permissions } = await app();
    const res = await request(server).post(`${base}/${runId}/${action}`);
    expect(res.status).toBe(200);
    expect(runs[action]).toHaveBeenCalledWith('component:default/backend', runId, 'user:default/mock');
    expect(permissionOf(permissions)).toBe('mesh.entity.apply');
  });

  it('aborts a run with the user\u2019s credentials', async () => {
    const { server, runs } = await app();
    const res = await request(server).post(`${base}/${runId}/abort`);
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('aborted');
    expect(runs.abort).toHaveBeenCalledWith(
      'component:default/backend',
      runId,
      expect.objectContaining({ principal: expect.objectContaining({ userEntityRef: 'user:default/mock' }) }),
      'user:default/mock',
    );
  });

  it('refuses run actions with 403 when applying is denied', async () => {
    const { server, runs } = await app(AuthorizeResult.DENY);
    expect((await request(server).post(`${base}/${runId}/abort`)).status).toBe(403);
    expect(runs.abort).not.toHaveBeenCalled();
  });

  it.each([
    [`${base}/not-a-run/pause`, 'id: must be a run id'],
    [`${base}/${runId}/promote`, 'action:'],
  ])('rejects %s with 400 naming %s', async (url, field) => {
    const { server, runs } = await app();
    const res = await request(server).post(url);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
    expect(runs.pause).not.toHaveBeenCalled();
  });
});
