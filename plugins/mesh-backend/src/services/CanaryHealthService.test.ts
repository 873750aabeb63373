import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { MeshStatusResponse } from '@mesh-portal/backstage-plugin-mesh-common';
import { readCanaryHealthConfig } from '../metrics/canaryHealthConfig';
import { MetricsGateway, MetricsUnavailableError } from '../metrics/MetricsGateway';
import { CanaryHealthService } from './CanaryHealthService';
import { MeshService } from './MeshService';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'backend',
    namespace: 'default',
    annotations: { 'mesh-portal.io/canary-max-p99-ms': '30' },
  },
  spec: {},
};

const status: MeshStatusResponse = {
  entityRef: 'component:default/backend',
  clusters: [
    {
      cluster: 'local', ok: true, namespaces: [], workloads: [], services: [], mtls: [], findings: [],
      trafficSplits: [{
        host: 'backend', service: 'backend', namespace: 'prod', virtualService: 'backend', gateways: [], canaryInProgress: true, presets: {},
        subsets: [{ name: 'v1', version: 'v1' }, { name: 'v2', version: 'v2' }],
        routes: [
          { subset: 'v1', weight: 90, host: 'backend', podCount: 1 },
          { subset: 'v2', weight: 10, host: 'backend', podCount: 1 },
        ],
      }],
    },
    { cluster: 'dev', ok: true, namespaces: [], workloads: [], services: [], mtls: [], findings: [], trafficSplits: [] },
    { cluster: 'slow', ok: true, namespaces: [], workloads: [], services: [], mtls: [], findings: [], trafficSplits: [
      { host: 'backend', service: 'backend', namespace: 'prod', gateways: [], canaryInProgress: false, subsets: [], presets: {}, routes: [{ host: 'backend', weight: 100, podCount: 1 }] },
    ] },
  ],
};

const vector = (values: Record<string, number>) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: Object.entries(values).map(([v, n]) => ({ metric: { destination_version: v }, value: [0, String(n)] })),
  },
});

function service() {
  const config = readCanaryHealthConfig(
    new ConfigReader({
      mesh: {
        clusters: {
          local: { prometheusUrl: 'http://prom.local', prometheusQueryPreset: 'envoy' },
          slow: { prometheusUrl: 'http://prom.slow' },
        },
      },
    }),
  );
  const queries: string[] = [];
  const ranges: Array<{ start: number; end: number; stepSeconds: number }> = [];
  const metrics = {
    endpoint: (cluster: string) => config.prometheus.get(cluster),
    query: async (cluster: string, promql: string) => {
      queries.push(promql);
      if (cluster === 'slow') throw new MetricsUnavailableError('Prometheus did not answer within 3000 ms');
      if (promql.startsWith('histogram_quantile(0.99')) return vector({ v1: 20, v2: 45 });
      if (promql.startsWith('histogram_quantile(0.5')) return vector({ v1: 5, v2: 6 });
      if (promql.startsWith('100 * (1 -')) return vector({ v1: 100, v2: 100 });
      return vector({ v1: 9, v2: 1 });
    },
    queryRange: async (cluster: string, promql: string, range: { start: number; end: number; stepSeconds: number }) => {
      ranges.push(range);
      if (cluster === 'slow') throw new MetricsUnavailableError('Prometheus did not answer within 3000 ms');
      let value = '1';
      if (promql.startsWith('histogram_quantile(0.99')) value = '45';
      if (promql.startsWith('100 * (1 -')) value = '99.5';
      return {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [{ metric: { destination_version: 'v2' }, values: [[range.start, value], [range.end, value]] }],
        },
      };
    },
  } as unknown as MetricsGateway;
  const mesh = { status: jest.fn(async () => status) } as unknown as MeshService;
  const health = new CanaryHealthService({
    catalog: catalogServiceMock({ entities: [entity] }),
    mesh,
    metrics,
    config,
    logger: mockServices.logger.mock(),
  });
  return { health, queries, ranges };
}

describe('CanaryHealthService', () => {
  it('joins splits with metrics, per cluster, with the entity\u2019s thresholds', async () => {
    const { health, queries } = service();
    const result = await health.health('component:default/backend', mockCredentials.user());
    expect(result.clusters).toEqual([
      {
        cluster: 'local',
        state: 'ok',
        window: '1m',
        thresholds: { minSuccessRate: 99, maxP99Ms: 30, minRequests: 50 },
        splits: [
          {
            host: 'backend',
            namespace: 'prod',
            virtualService: 'backend',
            versions: [
              { version: 'v1', weight: 90, requestRate: 9, successRate: 100, p50Ms: 5, p99Ms: 20, samples: 540, verdict: 'healthy', reasons: [] },
              { version: 'v2', weight: 10, requestRate: 1, successRate: 100, p50Ms: 6, p99Ms: 45, samples: 60, verdict: 'failing', reasons: ['p99 45 ms > 30 ms'] },
            ],
            advice: { action: 'rollback', canary: 'v2', message: 'v2 failing (p99 45 ms > 30 ms): roll back' },
          },
        ],
      },
      { cluster: 'dev', state: 'not-configured' },
      { cluster: 'slow', state: 'unavailable', reason: 'Prometheus did not answer within 3000 ms' },
    ]);
    expect(queries.filter(q => q.includes('backend\\\\.prod\\\\.svc')).length).toBe(4);
  });
});

describe('CanaryHealthService.series', () => {
  it('reads per-version series of each service over the range, per cluster', async () => {
    const { health, ranges } = service();
    const result = await health.series('component:default/backend', mockCredentials.user(), '15m');
    const point = (value: number) => [[ranges[0].start, value], [ranges[0].end, value]];
    expect(result).toEqual({
      entityRef: 'component:default/backend',
      range: '15m',
      clusters: [
        {
          cluster: 'local',
          state: 'ok',
          stepSeconds: 15,
          services: [
            {
              host: 'backend',
              namespace: 'prod',
              successRate: [{ version: 'v2', points: point(99.5) }],
              p99Ms: [{ version: 'v2', points: point(45) }],
              requestRate: [{ version: 'v2', points: point(1) }],
            },
          ],
        },
        { cluster: 'dev', state: 'not-configured' },
        { cluster: 'slow', state: 'unavailable', reason: 'Prometheus did not answer within 3000 ms' },
      ],
    });
    expect(ranges[0].end - ranges[0].start).toBe(900);
    expect(ranges[0].stepSeconds).toBe(15);
    expect(Math.abs(ranges[0].end - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe('readCanaryHealthConfig', () => {
  it('applies the defaults', () => {
    const config = readCanaryHealthConfig(new ConfigReader({}));
    expect(config).toMatchObject({ window: '1m', timeoutMs: 3000, stepWeights: [10, 25, 50, 100] });
    expect(config.thresholds).toEqual({ minSuccessRate: 99, maxP99Ms: 500, minRequests: 50 });
    expect(config.prometheus.size).toBe(0);
  });

  it('reads auth, presets and own templates, and rejects bad values', () => {
    const config = readCanaryHealthConfig(
      new ConfigReader({
        mesh: {
          canaryHealth: { queryPreset: 'envoy', queries: { latency: 'my_latency{q="{{quantile}}"}' }, stepWeights: [5, 50] },
          clusters: { prod: { prometheusUrl: 'https://prom/', prometheusAuthorization: 'Bearer t' } },
        },
      }),
    );
    expect(config.prometheus.get('prod')).toMatchObject({
      url: 'https://prom',
      auth: { header: 'Authorization', value: 'Bearer t' },
      templates: { latency: 'my_latency{q="{{quantile}}"}' },
    });
    expect(config.prometheus.get('prod')!.templates.requestRate).toContain('envoy_cluster_upstream_rq_completed');
    expect(config.stepWeights).toEqual([5, 50]);
    expect(() => readCanaryHealthConfig(new ConfigReader({ mesh: { canaryHealth: { window: '1 minute' } } }))).toThrow(
      'mesh.canaryHealth.window: 1 minute is not a PromQL duration',
    );
    expect(() =>
      readCanaryHealthConfig(new ConfigReader({ mesh: { clusters: { a: { prometheusUrl: 'x', prometheusQueryPreset: 'linkerd' } } } })),
    ).toThrow('mesh.clusters.a.prometheusQueryPreset: linkerd is not one of istio, envoy');
    expect(() => readCanaryHealthConfig(new ConfigReader({ mesh: { canaryHealth: { stepWeights: [50, 10] } } }))).toThrow(
      'stepWeights',
    );
  });
});
