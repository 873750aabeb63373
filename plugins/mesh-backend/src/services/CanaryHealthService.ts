import { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ClusterHealth,
  ClusterHealthNotConfigured,
  ClusterHealthUnavailable,
  ClusterMeshStatus,
  ClusterMeshStatusOk,
  MeshHealthResponse,
  MeshHealthSeriesResponse,
  ServiceHealthSeries,
  TrafficSplit,
  VersionMetrics,
  canaryThresholdsFor,
  durationSeconds,
  renderCanaryQuery,
  seriesByVersion,
  seriesStepSeconds,
  splitHealth,
  valuesByVersion,
  versionMetrics,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { CanaryHealthConfig } from '../metrics/canaryHealthConfig';
import { MetricsGateway } from '../metrics/MetricsGateway';
import { MeshService } from './MeshService';

/**
 * Canary health of an entity: its traffic splits (from the mesh status) joined with
 * per-version request metrics from each cluster's Prometheus, judged by mesh-common.
 * A cluster whose Prometheus is missing, down or slow is reported as such, never thrown.
 */
export class CanaryHealthService {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      mesh: MeshService;
      metrics: MetricsGateway;
      config: CanaryHealthConfig;
      logger: LoggerService;
    },
  ) {}

  /** Whether the cluster has a Prometheus to read (`mesh.clusters.<name>.prometheusUrl`). */
  configured(cluster: string): boolean {
    return this.deps.metrics.endpoint(cluster) !== undefined;
  }

  async health(entityRef: string, credentials: BackstageCredentials): Promise<MeshHealthResponse> {
    const status = await this.deps.mesh.status(entityRef, credentials);
    const entity = await this.deps.catalog.getEntityByRef(entityRef, { credentials });
    const { thresholds, problems } = canaryThresholdsFor(
      entity?.metadata.annotations,
      this.deps.config.thresholds,
    );
    for (const problem of problems) this.deps.logger.warn(`canary health of ${entityRef}: ${problem}`);
    const clusters = await Promise.all(
      status.clusters.map(cluster => this.clusterHealth(cluster, thresholds)),
    );
    return { entityRef: status.entityRef, clusters };
  }

  /**
   * Health series of the entity's services over `range` (a PromQL duration), per version:
   * the same templates as {@link CanaryHealthService.health}, evaluated every step.
   */
  async series(
    entityRef: string,
    credentials: BackstageCredentials,
    range: string,
  ): Promise<MeshHealthSeriesResponse> {
    const status = await this.deps.mesh.status(entityRef, credentials);
    const rangeSeconds = durationSeconds(range);
    const stepSeconds = seriesStepSeconds(rangeSeconds);
    const end = Math.floor(Date.now() / 1000);
    const clusters = await Promise.all(
      status.clusters.map(cluster =>
        this.perCluster(cluster, async ({ cluster: name }, services) => ({
          cluster: name,
          state: 'ok' as const,
          stepSeconds,
          services: await Promise.all(
            services.map(split =>
              this.serviceSeries(name, split, { start: end - rangeSeconds, end, stepSeconds }),
            ),
          ),
        })),
      ),
    );
    return { entityRef: status.entityRef, range, clusters };
  }

  private clusterHealth(
    cluster: ClusterMeshStatus,
    thresholds: CanaryHealthConfig['thresholds'],
  ): Promise<ClusterHealth> {
    const { window, stepWeights } = this.deps.config;
    return this.perCluster(cluster, async ({ cluster: name, trafficSplits }, services) => {
      const metrics = new Map<string, VersionMetrics[]>();
      await Promise.all(
        services.map(async split => {
          metrics.set(serviceKey(split), await this.versionMetrics(name, split));
        }),
      );
      return {
        cluster: name,
        state: 'ok',
        window,
        thresholds,
        splits: trafficSplits.map(split =>
          splitHealth(split, metrics.get(serviceKey(split)) ?? [], {
            thresholds,
            window,
            stepWeights,
          }),
        ),
      };
    });
  }

  /**
   * Reads one cluster's metrics with `read`, given the cluster's status and its services (one per Service, even when
   * several VirtualServices route it); a cluster without Prometheus, one that could not be
   * read, or a Prometheus that fails gives the not-configured / unavailable answer instead.
   */
  private async perCluster<T>(
    cluster: ClusterMeshStatus,
    read: (cluster: ClusterMeshStatusOk, services: TrafficSplit[]) => Promise<T>,
  ): Promise<T | ClusterHealthNotConfigured | ClusterHealthUnavailable> {
    const name = cluster.cluster;
    if (!this.deps.metrics.endpoint(name)) return { cluster: name, state: 'not-configured' };
    if (!cluster.ok) {
      return { cluster: name, state: 'unavailable', reason: `cluster could not be read: ${cluster.error.message}` };
    }
    const services = new Map<string, TrafficSplit>();
    for (const split of cluster.trafficSplits) services.set(serviceKey(split), split);
    try {
      return await read(cluster, [...services.values()]);
    } catch (error) {
      this.deps.logger.warn(`canary health on ${name}: ${error}`);
      return { cluster: name, state: 'unavailable', reason: (error as Error).message };
    }
  }

  /** Success rate, p99 and request rate of one Service over a range, per version. */
  private async serviceSeries(
    cluster: string,
    split: TrafficSplit,
    range: { start: number; end: number; stepSeconds: number },
  ): Promise<ServiceHealthSeries> {
    const templates = this.deps.metrics.endpoint(cluster)!.templates;
    const params = { namespace: split.namespace, service: split.host, window: this.deps.config.window };
    const run = async (template: string, quantile?: number) =>
      seriesByVersion(
        await this.deps.metrics.queryRange(cluster, renderCanaryQuery(template, { ...params, quantile }), range),
      );
    const [successRate, p99Ms, requestRate] = await Promise.all([
      run(templates.successRate),
      run(templates.latency, 0.99),
      run(templates.requestRate),
    ]);
    return { host: split.host, namespace: split.namespace, successRate, p99Ms, requestRate };
  }

  /** The four queries of one Service, in parallel (each bounded by the gateway's timeout). */
  private async versionMetrics(cluster: string, split: TrafficSplit): Promise<VersionMetrics[]> {
    const templates = this.deps.metrics.endpoint(cluster)!.templates;
    const params = { namespace: split.namespace, service: split.host, window: this.deps.config.window };
    const run = async (template: string, quantile?: number) =>
      valuesByVersion(
        await this.deps.metrics.query(cluster, renderCanaryQuery(template, { ...params, quantile })),
      );
    const [requestRate, successRate, p50Ms, p99Ms] = await Promise.all([
      run(templates.requestRate),
      run(templates.successRate),
      run(templates.latency, 0.5),
      run(templates.latency, 0.99),
    ]);
    return versionMetrics(
      { requestRate, successRate, p50Ms, p99Ms },
      durationSeconds(this.deps.config.window),
    );
  }
}

function serviceKey(split: TrafficSplit): string {
  return `${split.namespace}/${split.host}`;
}
