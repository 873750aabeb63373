import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  MeshActionRequest,
  MeshApplyResult,
  MeshPlan,
  MeshStatusResponse,
  meshEntityApplyPermission,
  meshEntityReadPermission,
  meshForcePermission,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshService } from './MeshService';

/** Throws `NotAllowedError` unless the policy allows `permission` on the entity. */
export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: ResourcePermission<'catalog-entity'>,
  resourceRef: string,
): Promise<void> {
  const [decision] = await permissions.authorize(
    [{ permission, resourceRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `not allowed: ${permission.name} on ${resourceRef}`,
    );
  }
}

/**
 * Status, plan and apply as the HTTP routes and the assistant actions offer them: each checks
 * the caller's mesh permission on the entity before answering, so that both doors answer alike.
 */
export class AuthorizedMeshService {
  constructor(
    private readonly deps: {
      permissions: PermissionsService;
      mesh: MeshService;
    },
  ) {}

  /** Needs `mesh.entity.read`. */
  async status(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<MeshStatusResponse> {
    // The status is the page's hot path: read it while the permission decision is on its
    // way (both are loopback calls), and answer only once the decision allows it. The reads
    // change nothing, and the catalog applies the caller's own read permission to the entity.
    const status = this.deps.mesh.status(entityRef, credentials);
    status.catch(() => undefined); // awaited below; avoids an unhandled rejection on denial
    await this.require(credentials, meshEntityReadPermission, entityRef);
    return await status;
  }

  /** Needs `mesh.entity.read`: a plan changes nothing. */
  async plan(
    entityRef: string,
    request: MeshActionRequest,
    credentials: BackstageCredentials,
  ): Promise<MeshPlan> {
    await this.require(credentials, meshEntityReadPermission, entityRef);
    return this.deps.mesh.plan(entityRef, request, credentials);
  }

  /**
   * Needs a user (recorded as the actor of the audit row) with `mesh.entity.apply`, and
   * `mesh.entity.force` when it forces: taking over fields (`force`) or STRICT past the
   * caller gate (`mtls` with `force`).
   */
  async apply(
    entityRef: string,
    request: MeshActionRequest,
    credentials: BackstageCredentials<BackstageUserPrincipal>,
    options: { force: boolean; takeOver?: boolean; reason?: string },
  ): Promise<MeshApplyResult> {
    await this.require(credentials, meshEntityApplyPermission, entityRef);
    if (
      options.force ||
      (request.action === 'mtls' && request.force === true)
    ) {
      await this.require(credentials, meshForcePermission, entityRef);
    }
    return this.deps.mesh.apply(entityRef, request, credentials, {
      force: options.force,
      takeOver: options.takeOver,
      actor: credentials.principal.userEntityRef,
      reason: options.reason,
    });
  }

  /** Throws `NotAllowedError` unless the policy allows `permission` on the entity. */
  require(
    credentials: BackstageCredentials,
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
  ): Promise<void> {
    return requirePermission(
      this.deps.permissions,
      credentials,
      permission,
      entityRef,
    );
  }
}
