import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { meshEntityApplyPermission } from '@mesh-portal/backstage-plugin-mesh-common';

/** Whether the user may apply mesh changes to the current entity. */
export interface MeshApplyPermission {
  allowed: boolean;
  loading: boolean;
  /** Why actions are disabled, for a tooltip and caption; undefined when allowed. */
  reason?: string;
}

/** Text shown next to disabled actions when the permission is denied. */
export const PERMISSION_DENIED_REASON =
  'You do not have permission to change the mesh of this entity (mesh.entity.apply).';

/** Checks `mesh.entity.apply` on the current entity. */
export function useMeshApplyPermission(): MeshApplyPermission {
  const { entity } = useEntity();
  const { allowed, loading } = usePermission({
    permission: meshEntityApplyPermission,
    resourceRef: stringifyEntityRef(entity),
  });
  let reason: string | undefined;
  if (loading) {
    reason = 'Checking permissions…';
  } else if (!allowed) {
    reason = PERMISSION_DENIED_REASON;
  }
  return { allowed, loading, reason };
}
