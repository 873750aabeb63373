import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  MeshAccessResponse,
  MeshActionRequest,
  MeshApplyResult,
  MeshHealthResponse,
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
  /** Plans and applies the action (permission `mesh.entity.apply`). */
  apply(
    entityRef: CompoundEntityRef,
    request: MeshActionRequest,
  ): Promise<MeshApplyResult>;
  /** Audit trail of the changes applied to the entity, newest first. */
  getHistory(entityRef: CompoundEntityRef): Promise<MeshHistoryResponse>;
  /** Canary health per cluster: per-version metrics from Prometheus and advice. */
  getHealth(entityRef: CompoundEntityRef): Promise<MeshHealthResponse>;
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
