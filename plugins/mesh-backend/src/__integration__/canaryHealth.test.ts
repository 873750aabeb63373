import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ClusterHealthOk } from '@mesh-portal/backstage-plugin-mesh-common';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { component, getJson, meshServiceFor } from '../__testUtils__/localMesh';
import { readCanaryHealthConfig } from '../metrics/canaryHealthConfig';
import { MetricsGateway } from '../metrics/MetricsGateway';
import { CanaryHealthService } from '../services/CanaryHealthService';

jest.setTimeout(120_000);

const PROMETHEUS = `http://127.0.0.1:${
  process.env.MESH_PROMETHEUS_PORT ?? 9090
}`;
const LOAD = path.resolve(__dirname, '../../../../local-mesh/bin/load');
const REQUESTS = 300;

async function prometheusUp(): Promise<boolean> {
  try {
    const res = await fetch(`${PROMETHEUS}/-/ready`, {
      signal: AbortSignal.timeout(2000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** Subsets of prod/backend's DestinationRule now (the canary makes them; a reset removes them). */
async function backendSubsets(): Promise<string[]> {
  try {
    const dr = await getJson('destinationrule', 'backend', 'prod');
    return (dr.spec?.subsets ?? []).map((s: { name: string }) => s.name);
  } catch {
    return [];
  }
}

describe('canary health against the local mesh and its Prometheus', () => {
  let reachable = false;
  beforeAll(async () => {
    reachable = await prometheusUp();
  });

  it('reports per-version request metrics of prod/backend from Envoy stats', async () => {
    if (!reachable) {
      console.warn(`skipped: no Prometheus at ${PROMETHEUS}`); // eslint-disable-line no-console
      return;
    }
    const entity = component('backend', 'prod');
    const { service: mesh } = await meshServiceFor([entity]);
    const config = readCanaryHealthConfig(
      new ConfigReader({
        mesh: {
          clusters: {
            local: {
              prometheusUrl: PROMETHEUS,
              prometheusQueryPreset: 'envoy',
            },
          },
        },
      }),
    );
    const health = new CanaryHealthService({
      catalog: catalogServiceMock({ entities: [entity] }),
      mesh,
      metrics: new MetricsGateway(config.prometheus, config.timeoutMs),
      config,
      logger: mockServices.logger.mock(),
    });

    const subsets = await backendSubsets();
    let load:
      | { byVersion: Record<string, number>; ok: number; total: number }
      | undefined;
    if (subsets.length > 0) {
      const { stdout } = await promisify(execFile)(LOAD, [
        '--from',
        'prod/frontend',
        '--count',
        String(REQUESTS),
        '--json',
        'http://backend.prod.svc.cluster.local/',
      ]);
      load = JSON.parse(stdout);
      // Prometheus scrapes every 5 s: two scrapes after the load, the rate sees all of it.
      await new Promise(resolve => setTimeout(resolve, 12_000));
    }

    const result = await health.health(
      'component:default/backend',
      mockCredentials.user(),
    );
    const local = result.clusters.find(
      c => c.cluster === 'local',
    ) as ClusterHealthOk;
    expect(local).toMatchObject({ state: 'ok', window: '1m' });
    const split = local.splits.find(
      s => s.namespace === 'prod' && s.host === 'backend',
    );
    expect(split).toBeDefined();

    // One comparison either way (no conditional expects): with subsets, each version the load
    // reached shows at least its requests (other traffic may add), sane rates and latencies;
    // without subsets callers' clusters are outbound|80||backend…, with no version to key by.
    const observed = load
      ? {
          allOk: load.ok === load.total,
          versions: Object.entries(load.byVersion).map(([version, count]) => {
            const m = split!.versions.find(v => v.version === version);
            return {
              version,
              enoughSamples: (m?.samples ?? 0) >= count * 0.8,
              successInRange:
                m?.successRate !== undefined &&
                m.successRate >= 0 &&
                m.successRate <= 100,
              latencyOrdered: (m?.p50Ms ?? 0) > 0 && m!.p50Ms! <= m!.p99Ms!,
            };
          }),
        }
      : { versions: split!.versions, advice: split!.advice.action };
    const expected = load
      ? {
          allOk: true,
          versions: Object.keys(load.byVersion).map(version => ({
            version,
            enoughSamples: true,
            successInRange: true,
            latencyOrdered: true,
          })),
        }
      : { versions: [], advice: 'none' };
    expect(observed).toEqual(expected);
  });

  it('with Prometheus down (refused) or hanging (past the timeout) the status still answers and health says unavailable', async () => {
    const entity = component('backend', 'prod');
    const { service: mesh } = await meshServiceFor([entity]);
    // A loopback port nobody listens on, and one that accepts and never answers.
    const closed = net.createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const sockets: net.Socket[] = [];
    const hanging = net.createServer(socket => sockets.push(socket));
    await new Promise<void>(resolve => hanging.listen(0, '127.0.0.1', resolve));
    const hangingPort = (hanging.address() as net.AddressInfo).port;
    try {
      for (const url of [
        `http://127.0.0.1:${closedPort}`,
        `http://127.0.0.1:${hangingPort}`,
      ]) {
        const config = readCanaryHealthConfig(
          new ConfigReader({
            mesh: {
              clusters: {
                local: { prometheusUrl: url, prometheusQueryPreset: 'envoy' },
              },
              canaryHealth: { timeoutMs: 1500 },
            },
          }),
        );
        const health = new CanaryHealthService({
          catalog: catalogServiceMock({ entities: [entity] }),
          mesh,
          metrics: new MetricsGateway(config.prometheus, config.timeoutMs),
          config,
          logger: mockServices.logger.mock(),
        });
        const started = Date.now();
        const result = await health.health(
          'component:default/backend',
          mockCredentials.user(),
        );
        const elapsed = Date.now() - started;
        const status = await mesh.status(
          'component:default/backend',
          mockCredentials.user(),
        );
        expect({
          url,
          health: result.clusters.map(c => [c.cluster, c.state]),
          statusOk: status.clusters.map(c => c.ok),
          boundedByTimeout: elapsed < 1500 + 5000,
        }).toEqual({
          url,
          health: [['local', 'unavailable']],
          statusOk: [true],
          boundedByTimeout: true,
        });
      }
    } finally {
      sockets.forEach(socket => socket.destroy());
      await new Promise(resolve => hanging.close(resolve));
    }
  });
});
