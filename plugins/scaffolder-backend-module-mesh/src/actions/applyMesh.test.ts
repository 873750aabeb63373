import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockActionContext } from '../__testUtils__/mockActionContext';
import { meshActionRequestSchema } from '@mesh-portal/backstage-plugin-mesh-common';
import { parse } from 'yaml';
import { createMeshApplyAction } from './applyMesh';
import { applyMeshExamples } from './applyMesh.examples';

/**
 * A fake mesh backend on a real socket (no msw in this package's dependencies): records the
 * requests and answers with what the test sets.
 */
function fakeMeshBackend() {
  const requests: Array<{
    method: string;
    url: string;
    authorization?: string;
    body: unknown;
  }> = [];
  let reply: { status: number; body: unknown } = { status: 500, body: {} };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', chunk => {
      data += chunk;
    });
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: data ? JSON.parse(data) : undefined,
      });
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  return {
    requests,
    reply(status: number, body: unknown) {
      reply = { status, body };
    },
    async start(): Promise<string> {
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve),
      );
      return `http://127.0.0.1:${
        (server.address() as AddressInfo).port
      }/api/mesh`;
    },
    stop: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/** Backstage's JSON error body, as the mesh backend's error handler writes it. */
const errorBody = (name: string, message: string, statusCode: number) => ({
  error: { name, message },
  request: { method: 'POST', url: '/…' },
  response: { statusCode },
});

const plan = {
  action: 'mtls',
  cluster: 'local',
  namespace: 'finance',
  objects: [{ kind: 'PeerAuthentication', name: 'default' }],
  findings: [],
  blocked: false,
  summary: 'mTLS STRICT for namespace finance.',
};

describe('mesh:apply', () => {
  const backend = fakeMeshBackend();
  let baseUrl: string;
  const user = mockCredentials.user('user:default/jane');
  const discovery = mockServices.discovery.mock({
    getBaseUrl: async (pluginId: string) => {
      expect(pluginId).toBe('mesh');
      return baseUrl;
    },
  });
  const action = createMeshApplyAction({
    discovery,
    auth: mockServices.auth(),
  });
  const mtlsStrict = { action: 'mtls', mode: 'STRICT', scope: 'namespace' };

  beforeAll(async () => {
    baseUrl = await backend.start();
  });
  afterAll(() => backend.stop());
  beforeEach(() => {
    backend.requests.length = 0;
  });

  it('applies through POST …/apply with a token for the mesh plugin on behalf of the user', async () => {
    backend.reply(200, {
      auditId: 'audit-42',
      applied: [
        { kind: 'PeerAuthentication', name: 'default', result: 'configured' },
      ],
      plan,
    });
    const ctx = await createMockActionContext({
      input: { entityRef: 'component:finance/payments', action: mtlsStrict },
      credentials: user,
    });
    await action.handler(ctx);

    expect(backend.requests).toEqual([
      {
        method: 'POST',
        url: '/api/mesh/entities/finance/component/payments/apply',
        authorization: `Bearer ${mockCredentials.service.token({
          onBehalfOf: user,
          targetPluginId: 'mesh',
        })}`,
        body: mtlsStrict,
      },
    ]);
    // The token carries the user, not the scaffolder's own service identity.
    expect(backend.requests[0].authorization).toContain('user:default/jane');
    expect(ctx.outputs).toEqual({
      auditId: 'audit-42',
      summary: 'mTLS STRICT for namespace finance. Applied: 1 configured.',
    });
    expect(ctx.checkpoints).toEqual([
      'mesh-apply-component:finance/payments-mtls',
    ]);
  });

  it('only plans (POST …/plans) with dryRun, and reports a blocked plan in the summary', async () => {
    backend.reply(200, {
      ...plan,
      blocked: true,
      findings: [
        {
          code: 'MESH-004',
          severity: 'error',
          message: 'STRICT would reject callers without a sidecar: shop.',
          hint: '',
          blocking: true,
        },
      ],
    });
    const ctx = await createMockActionContext({
      input: {
        entityRef: 'component:payments',
        action: mtlsStrict,
        dryRun: true,
      },
    });
    await action.handler(ctx);
    expect(backend.requests.map(r => r.url)).toEqual([
      '/api/mesh/entities/default/component/payments/plans',
    ]);
    expect(ctx.outputs).toEqual({
      summary:
        'mTLS STRICT for namespace finance. Blocked: STRICT would reject callers without a sidecar: shop.',
    });
    expect(ctx.checkpoints).toEqual([]);
  });

  it('only plans in a scaffolder dry run, whatever dryRun says', async () => {
    backend.reply(200, plan);
    const ctx = await createMockActionContext({
      input: {
        entityRef: 'component:default/payments',
        action: mtlsStrict,
        dryRun: false,
      },
      isDryRun: true,
    });
    await action.handler(ctx);
    expect(backend.requests.map(r => r.url)).toEqual([
      '/api/mesh/entities/default/component/payments/plans',
    ]);
    expect(ctx.outputs).toEqual({ summary: plan.summary });
  });

  it('encodes entity ref parts in the path', async () => {
    backend.reply(200, plan);
    const ctx = await createMockActionContext({
      input: {
        entityRef: 'Component:team.a/pay_ments',
        action: mtlsStrict,
        dryRun: true,
      },
    });
    await action.handler(ctx);
    expect(backend.requests[0].url).toBe(
      '/api/mesh/entities/team.a/Component/pay_ments/plans',
    );
  });

  it('maps 403 to a clear not-allowed error naming the user and entity', async () => {
    backend.reply(
      403,
      errorBody(
        'NotAllowedError',
        'not allowed: mesh.entity.apply on component:default/payments',
        403,
      ),
    );
    const ctx = await createMockActionContext({
      input: { entityRef: 'component:default/payments', action: mtlsStrict },
      credentials: user,
    });
    const error = await action.handler(ctx).catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      'user:default/jane is not allowed to apply mesh changes on component:default/payments (not allowed: mesh.entity.apply on component:default/payments)',
    );
    expect(ctx.outputs).toEqual({});
  });

  it('maps 409 (blocked plan) to a clear conflict error', async () => {
    backend.reply(
      409,
      errorBody(
        'ConflictError',
        'plan is blocked: STRICT would reject callers without a sidecar: shop.',
        409,
      ),
    );
    const ctx = await createMockActionContext({
      input: { entityRef: 'component:default/payments', action: mtlsStrict },
    });
    const error = await action.handler(ctx).catch(e => e);
    expect(error.name).toBe('ConflictError');
    expect(error.message).toBe(
      'the mtls plan for component:default/payments cannot be applied: plan is blocked: STRICT would reject callers without a sidecar: shop.',
    );
    expect(ctx.outputs).toEqual({});
  });

  it.each([
    [
      400,
      'InputError',
      /mesh backend rejected the mtls request for component:default\/payments: bad/,
    ],
    [401, 'AuthenticationError', /did not accept the task's credentials/],
    [
      404,
      'NotFoundError',
      /not found: bad \(is component:default\/payments in the catalog/,
    ],
    [
      500,
      'MeshBackendError',
      /failed to apply mtls on component:default\/payments: HTTP 500 bad/,
    ],
  ])('maps HTTP %i to %s', async (status, name, message) => {
    backend.reply(status, errorBody('Whatever', 'bad', status));
    const ctx = await createMockActionContext({
      input: { entityRef: 'component:default/payments', action: mtlsStrict },
    });
    const error = await action.handler(ctx).catch(e => e);
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
  });

  it('refuses a task without user credentials before calling the backend', async () => {
    const ctx = await createMockActionContext({
      input: { entityRef: 'component:default/payments', action: mtlsStrict },
      credentials: mockCredentials.none(),
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /Refused to issue service token/,
    );
    expect(backend.requests).toEqual([]);
  });

  describe('bad input: a clear error naming the field, no request', () => {
    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        'entityRef without kind',
        { entityRef: 'payments', action: mtlsStrict },
        /entityRef: must be kind:namespace\/name/,
      ],
      [
        'entityRef with extra parts',
        { entityRef: 'component:a/b/c', action: mtlsStrict },
        /entityRef: must be kind:namespace\/name/,
      ],
      ['missing entityRef', { action: mtlsStrict }, /entityRef: Required/],
      [
        'missing action',
        { entityRef: 'component:default/payments' },
        /action: Required/,
      ],
      [
        'unknown action',
        {
          entityRef: 'component:default/payments',
          action: { action: 'delete' },
        },
        /action\.action: Invalid enum value/,
      ],
      [
        'mtls without mode',
        {
          entityRef: 'component:default/payments',
          action: { action: 'mtls', scope: 'namespace' },
        },
        /action\.mode: /,
      ],
      [
        'canary weights not summing to 100',
        {
          entityRef: 'component:default/payments',
          action: { action: 'canary', weights: { v1: 50, v2: 20 } },
        },
        /action\.weights: must sum to 100 \(got 70\)/,
      ],
      [
        'unknown field in the action',
        {
          entityRef: 'component:default/payments',
          action: { ...mtlsStrict, forceful: true },
        },
        /action\.forceful: unknown field/,
      ],
      [
        'dryRun not a boolean',
        {
          entityRef: 'component:default/payments',
          action: mtlsStrict,
          dryRun: 'yes',
        },
        /dryRun: Expected boolean/,
      ],
      [
        'unknown field',
        {
          entityRef: 'component:default/payments',
          action: mtlsStrict,
          force: true,
        },
        /force: unknown field/,
      ],
    ])('%s', async (_case, input, message) => {
      const ctx = await createMockActionContext({ input });
      const error = await action.handler(ctx).catch(e => e);
      expect(error.name).toBe('InputError');
      expect(error.message).toMatch(/^Invalid input to mesh:apply: /);
      expect(error.message).toMatch(message);
      expect(backend.requests).toEqual([]);
    });
  });
});

describe('mesh:apply examples', () => {
  it.each(applyMeshExamples.map(e => [e.description, e.example] as const))(
    'are valid mesh requests: %s',
    (_description, example) => {
      const steps = parse(example).steps as Array<{
        input: { action: unknown };
      }>;
      for (const step of steps) {
        const parsed = meshActionRequestSchema.safeParse(step.input.action);
        expect(parsed.success ? 'valid' : parsed.error.message).toBe('valid');
      }
    },
  );
});
