import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  meshRoutes,
  type CanaryRun,
  type CanaryRunAction,
  type CanaryRunStartRequest,
  type CanaryRunsResponse,
  type MeshAccessResponse,
  type MeshActionRequest,
  type MeshApplyResult,
  type MeshHealthResponse,
  type MeshHealthSeriesResponse,
  type MeshHistoryResponse,
  type MeshOverviewResponse,
  type MeshPlan,
  type MeshStatusResponse,
} from '@mesh-portal/backstage-plugin-mesh-common';
import type { MeshApi } from './MeshApi';
import { MeshApiError } from './MeshApiError';

/**
 * {@link MeshApi} over HTTP: `discoveryApi` finds the backend, `fetchApi`
 * adds the user's Backstage token.
 *
 * @public
 */
export class MeshClient implements MeshApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getStatus(entityRef: CompoundEntityRef): Promise<MeshStatusResponse> {
    return this.request(meshRoutes.status(entityRef));
  }

  createPlan(
    entityRef: CompoundEntityRef,
    request: MeshActionRequest,
  ): Promise<MeshPlan> {
    return this.request(meshRoutes.plans(entityRef), request);
  }

  apply(
    entityRef: CompoundEntityRef,
    request: MeshActionRequest,
    options: { takeOver?: boolean } = {},
  ): Promise<MeshApplyResult> {
    return this.request(meshRoutes.apply(entityRef, options), request);
  }

  getHistory(entityRef: CompoundEntityRef): Promise<MeshHistoryResponse> {
    return this.request(meshRoutes.history(entityRef));
  }

  getHealth(entityRef: CompoundEntityRef): Promise<MeshHealthResponse> {
    return this.request(meshRoutes.health(entityRef));
  }

  getHealthSeries(
    entityRef: CompoundEntityRef,
    range: string,
  ): Promise<MeshHealthSeriesResponse> {
    return this.request(meshRoutes.healthSeries(entityRef, range));
  }

  getCanaryRuns(entityRef: CompoundEntityRef): Promise<CanaryRunsResponse> {
    return this.request(meshRoutes.canaryRuns(entityRef));
  }

  startCanaryRun(
    entityRef: CompoundEntityRef,
    request: CanaryRunStartRequest,
  ): Promise<CanaryRun> {
    return this.request(meshRoutes.canaryRuns(entityRef), request);
  }

  canaryRunAction(
    entityRef: CompoundEntityRef,
    runId: string,
    action: CanaryRunAction,
  ): Promise<CanaryRun> {
    return this.request(
      meshRoutes.canaryRunAction(entityRef, runId, action),
      {},
    );
  }

  getAccess(entityRef: CompoundEntityRef): Promise<MeshAccessResponse> {
    return this.request(meshRoutes.access(entityRef));
  }

  getOverview(): Promise<MeshOverviewResponse> {
    return this.request(meshRoutes.overview());
  }

  private async request<T>(path: string, body?: unknown): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mesh');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers:
        body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await MeshApiError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
