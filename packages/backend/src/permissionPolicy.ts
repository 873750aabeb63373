import { createBackendModule, coreServices } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  meshEntityApplyPermission,
  meshForcePermission,
} from '@mesh-portal/backstage-plugin-mesh-common';

/**
 * The portal's policy: members of `mesh.adminGroups` may do everything; an entity's owners may
 * apply mesh changes to it; forcing (STRICT past the caller gate, taking over fields another
 * manager owns) is for admins only; everyone signed in may read.
 */
export class MeshPortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly adminGroups: string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const ownership = user?.info.ownershipEntityRefs ?? [];
    if (ownership.some(ref => this.adminGroups.includes(ref))) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isPermission(request.permission, meshForcePermission)) {
      return { result: AuthorizeResult.DENY };
    }
    if (isPermission(request.permission, meshEntityApplyPermission)) {
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims: ownership }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'mesh-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const adminGroups = (
          config.getOptionalStringArray('mesh.adminGroups') ?? []
        ).map(ref => ref.toLocaleLowerCase('en-US'));
        policy.setPolicy(new MeshPortalPermissionPolicy(adminGroups));
      },
    });
  },
});
