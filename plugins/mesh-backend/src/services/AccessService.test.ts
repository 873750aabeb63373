import { mockCredentials, mockServices, registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { canaryQueryPresets } from '@mesh-portal/backstage-plugin-mesh-common';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { readAccessPolicyConfig } from '../metrics/accessPolicyConfig';
import { MetricsGateway } from '../metrics/MetricsGateway';
import { AccessService } from './AccessService';
import { MeshService, ServiceAccessBase } from './MeshService';

const server = setupServer();
registerMswTestHooks(server);

const PROM = 'http://prometheus.test:9090';

function view(mode: ServiceAccessBase['mode'], pods = ['payments-v1-a', 'payments-v1-b']): ServiceAccessBase {
  return {
    service: 'payments',
    namespace: 'shop',
    policyName: 'payments-allow-declared-callers',
    mode,
    allowedPrincipals: mode === 'none' ? [] : ['cluster.local/ns/shop/sa/checkout'],
    callers: [],
    unresolvedCallers: [],
    plannedPrincipals: ['cluster.local/ns/shop/sa/checkout'],
    findings: [],
    pods,
  };
}

function access(services: ServiceAccessBase[], options: { config?: object; timeoutMs?: number } = {}) {
  const mesh = {
    accessView: jest.fn(async () => ({
      entityRef: 'component:default/payments',
      clusters: [
        { cluster: 'local', ok: true as const, services },
        { cluster: 'dev', ok: true as const, services },
        { cluster: 'gone', ok: false as const, error: { message: 'connect ECONNREFUSED' } },
      ],
    })),
  } as unknown as MeshService;
  const metrics = new MetricsGateway(
    new Map([['local', { url: PROM, templates: canaryQueryPresets.envoy }]]),
    options.timeoutMs ?? 500,
  );
  return new AccessService({
    mesh,
    metrics,
    config: readAccessPolicyConfig(new ConfigReader(options.config ?? {})),
    logger: mockServices.logger.mock(),
  });
}

const vector = (values: Record<string, string>) => ({
  status: 'success',
  data: { resultType: 'vector', result: Object.entries(values).map(([pod, v]) => ({ metric: { pod }, value: [1, v] })) },
});

const credentials = mockCredentials.user();

describe('AccessService', () => {
  it('counts would-be denials of a dry-run policy per pod from the shadow RBAC stats', async () => {
    const queries: string[] = [];
    server.use(
      http.post(`${PROM}/api/v1/query`, async ({ request }) => {
        queries.push(new URLSearchParams(await request.text()).get('query') ?? '');
        return HttpResponse.json(vector({ 'payments-v1-a': '3.2', 'payments-v1-b': '0' }));
      }),
    );
    const result = await access([view('dry-run')]).access('component:default/payments', credentials);
    expect(queries).toEqual([
      'clamp_min((sum by (pod) ({__name__=~"envoy_.+",authz_dry_run_action="allow",authz_dry_run_result="denied",namespace="shop",pod=~"payments-v1-a|payments-v1-b"}) - sum by (pod) ({__name__=~"envoy_.+",authz_dry_run_action="allow",authz_dry_run_result="denied",namespace="shop",pod=~"payments-v1-a|payments-v1-b"} offset 1h)) or sum by (pod) ({__name__=~"envoy_.+",authz_dry_run_action="allow",authz_dry_run_result="denied",namespace="shop",pod=~"payments-v1-a|payments-v1-b"}), 0)',
    ]);
    expect(result.clusters).toEqual([
      {
        cluster: 'local',
        ok: true,
        services: [
          expect.objectContaining({
            service: 'payments',
            denials: {
              state: 'ok',
              kind: 'would-be-denied',
              window: '1h',
              total: 3,
              byPod: [
                { pod: 'payments-v1-a', count: 3 },
                { pod: 'payments-v1-b', count: 0 },
              ],
            },
          }),
        ],
      },
      { cluster: 'dev', ok: true, services: [expect.objectContaining({ denials: { state: 'not-configured' } })] },
      { cluster: 'gone', ok: false, error: { message: 'connect ECONNREFUSED' } },
    ]);
    // The pod names are the view's own; they are not part of the answer.
    expect(JSON.stringify(result)).not.toContain('"pods"');
  });

  it('counts enforced denials once enforced, with the configured window and template', async () => {
    let query = '';
    server.use(
      http.post(`${PROM}/api/v1/query`, async ({ request }) => {
        query = new URLSearchParams(await request.text()).get('query') ?? '';
        return HttpResponse.json(vector({ 'payments-v1-a': '7' }));
      }),
    );
    const result = await access([view('enforced', ['payments-v1-a'])], {
      config: { mesh: { accessPolicy: { denialsWindow: '30m', queries: { denied: 'mine{ns="{{namespace}}",pod=~"{{pods}}"}[{{window}}]' } } } },
    }).access('component:default/payments', credentials);
    expect(query).toBe('mine{ns="shop",pod=~"payments-v1-a"}[30m]');
    const [local] = result.clusters;
    expect(local.ok && local.services[0].denials).toEqual({
      state: 'ok',
      kind: 'denied',
      window: '30m',
      total: 7,
      byPod: [{ pod: 'payments-v1-a', count: 7 }],
    });
  });

  it('asks Prometheus nothing without a policy', async () => {
    const result = await access([view('none')]).access('component:default/payments', credentials);
    const [local] = result.clusters;
    expect(local.ok && local.services[0].denials).toEqual({ state: 'no-policy' });
  });

  it('reports a slow Prometheus as unavailable instead of failing', async () => {
    server.use(
      http.post(`${PROM}/api/v1/query`, async () => {
        await delay(2000);
        return HttpResponse.json(vector({}));
      }),
    );
    const result = await access([view('dry-run')], { timeoutMs: 100 }).access('component:default/payments', credentials);
    const [local] = result.clusters;
    expect(local.ok && local.services[0].denials).toEqual({
      state: 'unavailable',
      reason: 'Prometheus did not answer within 100 ms',
    });
  });

  it('rejects a window that is not a PromQL duration at startup', () => {
    expect(() =>
      readAccessPolicyConfig(new ConfigReader({ mesh: { accessPolicy: { denialsWindow: 'an hour' } } })),
    ).toThrow('mesh.accessPolicy.denialsWindow: an hour is not a PromQL duration (e.g. 1h)');
  });
});
