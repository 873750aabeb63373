import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  CanaryRun,
  CanaryRunAction,
  CanaryRunStartRequest,
  CanaryRunsResponse,
  MeshAccessResponse,
  MeshActionRequest,
  MeshApplyResult,
  MeshHealthResponse,
  MeshHealthSeriesResponse,
  MeshHistoryResponse,
  MeshOverviewResponse,
  MeshPlan,
  MeshStatusResponse,
} from '@mesh-portal/backstage-plugin-mesh-common';

/**
 * Client of the mesh backend (`/api/mesh`).
 *
 * @public
 */
export interface MeshApi {
  /** Mesh state of the entity, per cluster (a cluster that fails is reported, not thrown). */
  getStatus(entityRef: CompoundEntityRef): Promise<MeshStatusResponse>;
  /** What applying the action would change (YAML, diff, findings); changes nothing. */
  createPlan(
    entityRef: CompoundEntityRef,
    request: MeshActionRequest,
  ): Promise<MeshPlan>;
  /**
   * Plans and applies the action (permission `mesh.entity.apply`). `takeOver`: the user
   * confirmed taking over the fields a person applied with kubectl that the plan showed.
   */
  apply(
    entityRef: CompoundEntityRef,
    request: MeshActionRequest,
    options?: { takeOver?: boolean },
  ): Promise<MeshApplyResult>;
  /** Audit trail of the changes applied to the entity, newest first. */
  getHistory(entityRef: CompoundEntityRef): Promise<MeshHistoryResponse>;
  /** Canary health per cluster: per-version metrics from Prometheus and advice. */
  getHealth(entityRef: CompoundEntityRef): Promise<MeshHealthResponse>;
  /** Per-version success rate, p99 and request rate over `range` (e.g. `15m`), for charts. */
  getHealthSeries(
    entityRef: CompoundEntityRef,
    range: string,
  ): Promise<MeshHealthSeriesResponse>;
  /** Guided canary runs of the entity with their steps, newest first. */
  getCanaryRuns(entityRef: CompoundEntityRef): Promise<CanaryRunsResponse>;
  /**
   * Starts a guided canary run (permission `mesh.entity.apply`): the first step is applied at
   * once, the backend steps on while the canary stays healthy and rolls back when it fails.
   */
  startCanaryRun(
    entityRef: CompoundEntityRef,
    request: CanaryRunStartRequest,
  ): Promise<CanaryRun>;
  /** Pauses, resumes or aborts (rolls back to stable and stops) a run. */
  canaryRunAction(
    entityRef: CompoundEntityRef,
    runId: string,
    action: CanaryRunAction,
  ): Promise<CanaryRun>;
  /**
   * Who may call the entity's Services, per cluster: the access policy, the declared callers
   * and their identities, what enforcing would mean, and denials counted by the sidecars.
   */
  getAccess(entityRef: CompoundEntityRef): Promise<MeshAccessResponse>;
  /** Mesh adoption across the catalog. */
  getOverview(): Promise<MeshOverviewResponse>;
}

/**
 * Reference to the {@link MeshApi}.
 *
 * @public
 */
export const meshApiRef = createApiRef<MeshApi>({ id: 'plugin.mesh.service' });
