import { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ClusterHealth,
  ClusterMeshStatus,
  MeshHealthResponse,
  TrafficSplit,
  VersionMetrics,
  canaryThresholdsFor,
  durationSeconds,
  renderCanaryQuery,
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

  private async clusterHealth(
    cluster: ClusterMeshStatus,
    thresholds: CanaryHealthConfig['thresholds'],
  ): Promise<ClusterHealth> {
    const name = cluster.cluster;
    if (!this.deps.metrics.endpoint(name)) return { cluster: name, state: 'not-configured' };
    if (!cluster.ok) {
      return { cluster: name, state: 'unavailable', reason: `cluster could not be read: ${cluster.error.message}` };
    }
    const { window, stepWeights } = this.deps.config;
    try {
      // One set of queries per Service, even when several VirtualServices route it.
      const services = new Map<string, TrafficSplit>();
      for (const split of cluster.trafficSplits) services.set(`${split.namespace}/${split.host}`, split);
      const metrics = new Map<string, VersionMetrics[]>();
      await Promise.all(
        [...services].map(async ([key, split]) => {
          metrics.set(key, await this.versionMetrics(name, split));
        }),
      );
      return {
        cluster: name,
        state: 'ok',
        window,
        thresholds,
        splits: cluster.trafficSplits.map(split =>
          splitHealth(split, metrics.get(`${split.namespace}/${split.host}`) ?? [], {
            thresholds,
            window,
            stepWeights,
          }),
        ),
      };
    } catch (error) {
      this.deps.logger.warn(`canary health on ${name}: ${error}`);
      return { cluster: name, state: 'unavailable', reason: (error as Error).message };
    }
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
