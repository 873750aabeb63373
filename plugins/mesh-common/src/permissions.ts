import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the mesh status, plans and history of a catalog entity.
 *
 * @public
 */
export const meshEntityReadPermission = createPermission({
  name: 'mesh.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Apply mesh changes (onboard, canary, mTLS, expose) for a catalog entity.
 *
 * @public
 */
export const meshEntityApplyPermission = createPermission({
  name: 'mesh.entity.apply',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Apply despite blocking findings: STRICT mTLS with callers lacking a sidecar, taking over
 * objects another owner manages.
 *
 * @public
 */
export const meshForcePermission = createPermission({
  name: 'mesh.entity.force',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * All permissions of the mesh plugins (for the permissions registry).
 *
 * @public
 */
export const meshPermissions = [
  meshEntityReadPermission,
  meshEntityApplyPermission,
  meshForcePermission,
];
