import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ConflictError } from '@backstage/errors';
import express from 'express';
import request from 'supertest';
import { ClusterRequestError } from './cluster/ClusterGateway';
import { createRouter } from './router';
import { AccessService } from './services/AccessService';
import { MeshService } from './services/MeshService';

type FakeMesh = {
  [K in 'status' | 'plan' | 'apply' | 'history' | 'overview']: jest.Mock;
};

function fakeMesh(): FakeMesh {
  return {
    status: jest.fn(async (ref: string) => ({ entityRef: ref, clusters: [] })),
    plan: jest.fn(
      async () =>
        ({
          action: 'canary',
          cluster: 'local',
          namespace: 'prod',
          objects: [],
          findings: [],
          blocked: false,
          summary: 'ok',
        } as any),
    ),
    apply: jest.fn(
      async () => ({ auditId: 'a1', applied: [], plan: {} } as any),
    ),
    history: jest.fn(async () => []),
    overview: jest.fn(async () => []),
  };
}

async function app(
  options: {
    result?: AuthorizeResult;
    mesh?: ReturnType<typeof fakeMesh>;
  } = {},
) {
  const mesh = options.mesh ?? fakeMesh();
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(
    async reqs =>
      reqs.map(() => ({
        result: options.result ?? AuthorizeResult.ALLOW,
      })) as any,
  );
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    permissions,
    mesh: mesh as unknown as MeshService,
  });
  const server = express().use(router).use(mockErrorHandler());
  return { server, mesh, permissions };
}

const canary90 = { action: 'canary', preset: '90/10' };

describe('mesh router', () => {
  it('answers health', async () => {
    const { server } = await app();
    const res = await request(server).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('returns status for an entity, authorizing mesh.entity.read on it', async () => {
    const { server, mesh, permissions } = await app();
    const res = await request(server).get(
      '/entities/default/component/backend/status',
    );
    expect(res.status).toBe(200);
    expect(mesh.status).toHaveBeenCalledWith(
      'component:default/backend',
      expect.anything(),
    );
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({ name: 'mesh.entity.read' }),
          resourceRef: 'component:default/backend',
        },
      ],
      expect.anything(),
    );
  });

  it('rejects unauthenticated requests with 401', async () => {
    const { server, mesh } = await app();
    const res = await request(server)
      .get('/entities/default/component/backend/status')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
    expect(mesh.status).not.toHaveBeenCalled();
  });

  it('rejects a weight total other than 100 with 400 naming the field; nothing is planned', async () => {
    const { server, mesh } = await app();
    const res = await request(server)
      .post('/entities/default/component/backend/plans')
      .send({ action: 'canary', weights: { v1: 80, v2: 10 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'weights: must sum to 100 (got 90)',
    );
    expect(mesh.plan).not.toHaveBeenCalled();
  });

  it.each([
    [{ action: 'reboot' }, 'action'],
    [
      { action: 'canary', preset: '90/10', color: 'red' },
      'color: unknown field',
    ],
    [{ action: 'canary', weights: { v1: -10, v2: 110 } }, 'weights.v1'],
    [
      { action: 'canary', weights: { v1: 90.5, v2: 9.5 } },
      'must be an integer',
    ],
    [{ action: 'mtls', mode: 'SUPERSTRICT', scope: 'namespace' }, 'mode'],
    [
      { action: 'mtls', mode: 'STRICT', scope: 'workload' },
      'workload: is required',
    ],
    [
      { action: 'onboard', scope: 'namespace', workloads: ['Not_A_Name'] },
      'workloads.0',
    ],
    [{ action: 'expose', hosts: ['bad host!'] }, 'hosts.0'],
    [{ action: 'access', mode: 'audit' }, 'mode'],
    [{ action: 'access' }, 'mode'],
    [
      { action: 'access', mode: 'enforce', service: 'Payments!' },
      'service: must be a DNS-1123 label',
    ],
    [
      { action: 'access', mode: 'enforce', principals: ['*'] },
      'principals: unknown field',
    ],
  ])(
    'rejects %j with 400 naming %s; nothing is applied',
    async (body, field) => {
      const { server, mesh } = await app();
      const res = await request(server)
        .post('/entities/default/component/backend/apply')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
      expect(mesh.apply).not.toHaveBeenCalled();
    },
  );

  it('rejects malformed entity path parameters with 400', async () => {
    const { server, mesh } = await app();
    const res = await request(server).get(
      '/entities/default/component/bad%20name!/status',
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('name');
    expect(mesh.status).not.toHaveBeenCalled();
  });

  it('rejects oversized bodies with 413', async () => {
    const { server, mesh } = await app();
    const res = await request(server)
      .post('/entities/default/component/backend/plans')
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          action: 'canary',
          preset: '90/10',
          pad: 'x'.repeat(40_000),
        }),
      );
    expect(res.status).toBe(413);
    expect(mesh.plan).not.toHaveBeenCalled();
  });

  it.each([
    ['', false],
    ['?takeOver=true', true],
  ])(
    'applies when mesh.entity.apply is allowed, recording the user as actor (apply%s: takeOver %s, no mesh.entity.force asked)',
    async (query, takeOver) => {
      const { server, mesh, permissions } = await app();
      const res = await request(server)
        .post(`/entities/default/component/backend/apply${query}`)
        .send(canary90);
      expect(res.status).toBe(200);
      expect(mesh.apply).toHaveBeenCalledWith(
        'component:default/backend',
        canary90,
        expect.anything(),
        { force: false, takeOver, actor: 'user:default/mock' },
      );
      const asked = permissions.authorize.mock.calls.flatMap(([reqs]) =>
        reqs.map((r: any) => r.permission.name),
      );
      expect(asked).not.toContain('mesh.entity.force');
    },
  );

  it('refuses a takeOver that is not true or false with 400 naming it', async () => {
    const { server, mesh } = await app();
    const res = await request(server)
      .post('/entities/default/component/backend/apply?takeOver=yes')
      .send(canary90);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('takeOver');
    expect(mesh.apply).not.toHaveBeenCalled();
  });

  it('refuses apply with 403 when mesh.entity.apply is denied', async () => {
    const { server, mesh } = await app({ result: AuthorizeResult.DENY });
    const res = await request(server)
      .post('/entities/default/component/backend/apply')
      .send(canary90);
    expect(res.status).toBe(403);
    expect(mesh.apply).not.toHaveBeenCalled();
  });

  it('checks mesh.entity.force before a forced apply', async () => {
    const permissions = mockServices.permissions.mock();
    permissions.authorize.mockImplementation(
      async reqs =>
        reqs.map(r => ({
          result:
            (r as any).permission.name === 'mesh.entity.force'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })) as any,
    );
    const mesh = fakeMesh();
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      permissions,
      mesh: mesh as any,
    });
    const server = express().use(router).use(mockErrorHandler());
    const res = await request(server)
      .post('/entities/default/component/payments/apply')
      .send({
        action: 'mtls',
        mode: 'STRICT',
        scope: 'namespace',
        force: true,
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('mesh.entity.force');
    expect(mesh.apply).not.toHaveBeenCalled();
  });

  it('passes a field-manager conflict through as 409', async () => {
    const mesh = fakeMesh();
    mesh.apply.mockRejectedValue(
      new ConflictError(
        'VirtualService backend has fields owned by argocd-controller',
      ),
    );
    const { server } = await app({ mesh });
    const res = await request(server)
      .post('/entities/default/component/backend/apply')
      .send(canary90);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('argocd-controller');
  });

  it.each([
    [
      'refused or failed by the cluster',
      502,
      new ClusterRequestError(
        'prod-eu-1',
        403,
        'apply VirtualService backend on cluster prod-eu-1: forbidden',
      ),
    ],
    [
      'not answered in time',
      504,
      new ClusterRequestError(
        'prod-eu-1',
        undefined,
        'apply VirtualService backend on cluster prod-eu-1: no answer within 10000 ms',
        true,
      ),
    ],
  ])(
    "answers an apply %s with %i naming the cluster (not the apiserver's own status)",
    async (_, status, failure) => {
      const mesh = fakeMesh();
      mesh.apply.mockRejectedValue(failure);
      const { server } = await app({ mesh });
      const res = await request(server)
        .post('/entities/default/component/backend/apply')
        .send(canary90);
      expect(res.status).toBe(status);
      expect(res.body.error.message).toBe(failure.message);
    },
  );

  it('leaves out of the overview the entities whose mesh data the policy denies (one batched decision)', async () => {
    const permissions = mockServices.permissions.mock();
    permissions.authorize.mockImplementation(
      async reqs =>
        reqs.map(r => ({
          result:
            (r as any).resourceRef === 'component:default/payments'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })) as any,
    );
    const mesh = fakeMesh();
    const row = (entityRef: string) => ({
      entityRef,
      cluster: 'local',
      namespace: 'shop',
      pods: 1,
      meshedPods: 1,
      mtlsMode: 'STRICT',
      canaryInProgress: false,
      findings: { error: 0, warning: 0, info: 0 },
    });
    // The service asks the route which entities are readable before it reads any status.
    mesh.overview.mockImplementation(async (_credentials, readable) => {
      const allowed: Set<string> = await readable([
        'component:default/checkout',
        'component:default/payments',
      ]);
      return [...allowed].map(row);
    });
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      permissions,
      mesh: mesh as any,
    });
    const server = express().use(router).use(mockErrorHandler());
    const res = await request(server).get('/overview');
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: any) => r.entityRef)).toEqual([
      'component:default/checkout',
    ]);
    expect(permissions.authorize).toHaveBeenCalledTimes(1);
    expect(
      permissions.authorize.mock.calls[0][0].map((r: any) => [
        r.permission.name,
        r.resourceRef,
      ]),
    ).toEqual([
      ['mesh.entity.read', 'component:default/checkout'],
      ['mesh.entity.read', 'component:default/payments'],
    ]);
  });

  it('lists history and the overview', async () => {
    const { server, mesh } = await app();
    expect(
      (await request(server).get('/entities/default/component/backend/history'))
        .body,
    ).toEqual({ items: [] });
    expect((await request(server).get('/overview')).body).toEqual({ rows: [] });
    expect(mesh.history).toHaveBeenCalledWith('component:default/backend');
  });

  it('plans and applies the access action through the same routes and permissions', async () => {
    const { server, mesh, permissions } = await app();
    const body = { action: 'access', mode: 'enforce', service: 'payments' };
    expect(
      (
        await request(server)
          .post('/entities/default/component/payments/plans')
          .send(body)
      ).status,
    ).toBe(200);
    expect(mesh.plan).toHaveBeenCalledWith(
      'component:default/payments',
      body,
      expect.anything(),
    );
    expect(
      (
        await request(server)
          .post('/entities/default/component/payments/apply')
          .send(body)
      ).status,
    ).toBe(200);
    expect(mesh.apply).toHaveBeenCalledWith(
      'component:default/payments',
      body,
      expect.anything(),
      {
        force: false,
        takeOver: false,
        actor: 'user:default/mock',
      },
    );
    expect(permissions.authorize).toHaveBeenLastCalledWith(
      [
        {
          permission: expect.objectContaining({ name: 'mesh.entity.apply' }),
          resourceRef: 'component:default/payments',
        },
      ],
      expect.anything(),
    );
  });

  describe('GET …/access', () => {
    async function accessApp(
      result:
        | AuthorizeResult.ALLOW
        | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
    ) {
      const access = {
        access: jest.fn(async (ref: string) => ({
          entityRef: ref,
          clusters: [],
        })),
      };
      const permissions = mockServices.permissions.mock();
      permissions.authorize.mockImplementation(
        async reqs => reqs.map(() => ({ result })) as any,
      );
      const router = await createRouter({
        httpAuth: mockServices.httpAuth(),
        permissions,
        mesh: fakeMesh() as unknown as MeshService,
        access: access as unknown as AccessService,
      });
      return {
        server: express().use(router).use(mockErrorHandler()),
        access,
        permissions,
      };
    }

    it('answers the access view under mesh.entity.read', async () => {
      const { server, access, permissions } = await accessApp();
      const res = await request(server).get(
        '/entities/default/component/payments/access',
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/payments',
        clusters: [],
      });
      expect(access.access).toHaveBeenCalledWith(
        'component:default/payments',
        expect.anything(),
      );
      expect(permissions.authorize).toHaveBeenCalledWith(
        [
          {
            permission: expect.objectContaining({ name: 'mesh.entity.read' }),
            resourceRef: 'component:default/payments',
          },
        ],
        expect.anything(),
      );
    });

    it('refuses with 403 when reading is denied, and reads nothing', async () => {
      const { server, access } = await accessApp(AuthorizeResult.DENY);
      const res = await request(server).get(
        '/entities/default/component/payments/access',
      );
      expect(res.status).toBe(403);
      expect(access.access).not.toHaveBeenCalled();
    });

    it('is not served without an access service', async () => {
      const { server } = await app();
      expect(
        (
          await request(server).get(
            '/entities/default/component/payments/access',
          )
        ).status,
      ).toBe(404);
    });
  });
});
