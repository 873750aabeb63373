import { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import {
  AccessDenials,
  ClusterAccessOk,
  MeshAccessResponse,
  ServiceAccess,
  accessDenialsFromAnswer,
  renderAccessDenialQuery,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { AccessPolicyConfig } from '../metrics/accessPolicyConfig';
import { MetricsGateway } from '../metrics/MetricsGateway';
import { MeshService, ServiceAccessBase } from './MeshService';

/**
 * Who may call the entity's Services: the access view of the mesh service, with the denials
 * each Service's sidecars counted over the window, from the cluster's Prometheus: would-be
 * denials (shadow rules) while the policy is a dry run, denials once it is enforced. A
 * Prometheus that is missing, slow or down is reported per Service, never thrown.
 */
export class AccessService {
  constructor(
    private readonly deps: {
      mesh: MeshService;
      metrics: MetricsGateway;
      config: AccessPolicyConfig;
      logger: LoggerService;
    },
  ) {}

  async access(entityRef: string, credentials: BackstageCredentials): Promise<MeshAccessResponse> {
    const view = await this.deps.mesh.accessView(entityRef, credentials);
    const clusters = await Promise.all(
      view.clusters.map(async (cluster): Promise<MeshAccessResponse['clusters'][number]> => {
        if (!cluster.ok) return cluster;
        const services = await Promise.all(
          cluster.services.map(async ({ pods, ...service }): Promise<ServiceAccess> => ({
            ...service,
            denials: await this.denials(cluster.cluster, service, pods),
          })),
        );
        return { cluster: cluster.cluster, ok: true, services } satisfies ClusterAccessOk;
      }),
    );
    return { entityRef: view.entityRef, clusters };
  }

  private async denials(
    cluster: string,
    service: Omit<ServiceAccessBase, 'pods'>,
    pods: string[],
  ): Promise<AccessDenials> {
    if (!this.deps.metrics.endpoint(cluster)) return { state: 'not-configured' };
    if (service.mode === 'none') return { state: 'no-policy' };
    const { window, queries } = this.deps.config;
    const kind = service.mode === 'dry-run' ? 'would-be-denied' : 'denied';
    if (pods.length === 0) return { state: 'ok', kind, window, total: 0, byPod: [] };
    try {
      const query = renderAccessDenialQuery(
        kind === 'would-be-denied' ? queries.wouldBeDenied : queries.denied,
        { namespace: service.namespace, pods, window },
      );
      return accessDenialsFromAnswer(await this.deps.metrics.query(cluster, query), kind, window);
    } catch (error) {
      this.deps.logger.warn(`access denials of ${service.namespace}/${service.service} on ${cluster}: ${error}`);
      return { state: 'unavailable', reason: (error as Error).message };
    }
  }
}
