import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { registerMswTestHooks } from '@backstage/test-utils';
import { MeshClient } from './MeshClient';
import { MeshApiError } from './MeshApiError';

const server = setupServer();
const baseUrl = 'http://localhost:7007/api/mesh';
const client = new MeshClient({
  discoveryApi: { getBaseUrl: async () => baseUrl },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});
const ref = { kind: 'Component', namespace: 'default', name: 'back end/1' };

describe('MeshClient', () => {
  registerMswTestHooks(server);

  it('GETs the status with encoded path parts', async () => {
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/:name/status`,
        ({ params, request }) =>
          HttpResponse.json({
            entityRef: 'component:default/x',
            clusters: [],
            name: params.name,
            rawPath: new URL(request.url).pathname,
          }),
      ),
    );
    const status = (await client.getStatus(ref)) as any;
    expect(status.name).toBe('back end/1');
    expect(status.rawPath).toBe(
      '/api/mesh/entities/default/Component/back%20end%2F1/status',
    );
  });

  it('GETs the access view with encoded path parts', async () => {
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/:name/access`,
        ({ request }) =>
          HttpResponse.json({
            entityRef: 'component:default/x',
            clusters: [],
            rawPath: new URL(request.url).pathname,
          }),
      ),
    );
    const access = (await client.getAccess(ref)) as any;
    expect(access.rawPath).toBe(
      '/api/mesh/entities/default/Component/back%20end%2F1/access',
    );
    expect(access.clusters).toEqual([]);
  });

  it('POSTs plans with a JSON body', async () => {
    server.use(
      http.post(
        `${baseUrl}/entities/default/Component/:name/plans`,
        async ({ request }) =>
          HttpResponse.json({ echoed: await request.json() }),
      ),
    );
    const plan = (await client.createPlan(ref, {
      action: 'canary',
      weights: { v1: 90, v2: 10 },
    })) as any;
    expect(plan.echoed).toEqual({
      action: 'canary',
      weights: { v1: 90, v2: 10 },
    });
  });

  it("throws the backend's message and status on 4xx", async () => {
    server.use(
      http.post(`${baseUrl}/entities/default/Component/:name/apply`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'Not allowed to apply' },
          },
          { status: 403 },
        ),
      ),
    );
    const error = await client
      .apply(ref, { action: 'mtls', mode: 'STRICT', scope: 'namespace' })
      .catch(e => e);
    expect(error).toBeInstanceOf(MeshApiError);
    expect(error.status).toBe(403);
    expect(error.errorName).toBe('NotAllowedError');
    expect(error.message).toBe('Not allowed to apply');
  });

  it('falls back to the status line when the body is not JSON', async () => {
    server.use(
      http.get(
        `${baseUrl}/overview`,
        () =>
          new HttpResponse('<html>bad gateway</html>', {
            status: 502,
            statusText: 'Bad Gateway',
          }),
      ),
    );
    await expect(client.getOverview()).rejects.toMatchObject({
      status: 502,
      message: 'Request failed with 502 Bad Gateway',
    });
  });

  it('reads history and overview', async () => {
    server.use(
      http.get(`${baseUrl}/entities/default/Component/:name/history`, () =>
        HttpResponse.json({ items: [] }),
      ),
      http.get(`${baseUrl}/overview`, () => HttpResponse.json({ rows: [] })),
    );
    await expect(client.getHistory(ref)).resolves.toEqual({ items: [] });
    await expect(client.getOverview()).resolves.toEqual({ rows: [] });
  });

  it('reads the canary health', async () => {
    const health = {
      entityRef: 'component:default/backend',
      clusters: [{ cluster: 'local', state: 'not-configured' }],
    };
    server.use(
      http.get(`${baseUrl}/entities/default/Component/:name/health`, () =>
        HttpResponse.json(health),
      ),
    );
    await expect(client.getHealth(ref)).resolves.toEqual(health);
  });

  it('reads the health series with the range as a query parameter', async () => {
    server.use(
      http.get(
        `${baseUrl}/entities/default/Component/:name/health`,
        ({ request }) =>
          HttpResponse.json({
            entityRef: 'component:default/backend',
            range: new URL(request.url).searchParams.get('range'),
            clusters: [],
          }),
      ),
    );
    await expect(client.getHealthSeries(ref, '15m')).resolves.toEqual({
      entityRef: 'component:default/backend',
      range: '15m',
      clusters: [],
    });
  });

  it('lists, starts and acts on guided canary runs at their encoded paths', async () => {
    const seen: Array<{ method: string; path: string; body?: unknown }> = [];
    const record = async ({ request }: { request: Request }) => {
      const text = await request.text();
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: text ? JSON.parse(text) : undefined,
      });
      return HttpResponse.json({ id: 'run 1', state: 'running', history: [] });
    };
    server.use(
      http.get(`${baseUrl}/entities/default/Component/:name/canary-runs`, () =>
        HttpResponse.json({ items: [] }),
      ),
      http.post(
        `${baseUrl}/entities/default/Component/:name/canary-runs`,
        record,
      ),
      http.post(
        `${baseUrl}/entities/default/Component/:name/canary-runs/:id/:action`,
        record,
      ),
    );
    await expect(client.getCanaryRuns(ref)).resolves.toEqual({ items: [] });
    const request = {
      service: 'backend',
      stable: 'v1',
      canary: 'v2',
      steps: [20, 100],
      intervalSeconds: 30,
    };
    await expect(client.startCanaryRun(ref, request)).resolves.toMatchObject({
      state: 'running',
    });
    await client.canaryRunAction(ref, 'run 1', 'abort');
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/api/mesh/entities/default/Component/back%20end%2F1/canary-runs',
        body: request,
      },
      {
        method: 'POST',
        path: '/api/mesh/entities/default/Component/back%20end%2F1/canary-runs/run%201/abort',
        body: {},
      },
    ]);
  });
});
