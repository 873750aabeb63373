import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  meshEntityApplyPermission,
  meshEntityReadPermission,
  meshForcePermission,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshPortalPermissionPolicy } from './permissionPolicy';

const user = (ownershipEntityRefs: string[]) =>
  ({
    identity: { type: 'user', userEntityRef: 'user:default/someone', ownershipEntityRefs },
    info: { userEntityRef: 'user:default/someone', ownershipEntityRefs },
    token: 't',
    credentials: {} as any,
  }) as any;

describe('MeshPortalPermissionPolicy', () => {
  const policy = new MeshPortalPermissionPolicy(['group:default/mesh-admins']);

  it('lets everyone read', async () => {
    expect(await policy.handle({ permission: meshEntityReadPermission }, user([]))).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('lets only the entity owners apply: a condition on the catalog entity', async () => {
    const decision = await policy.handle(
      { permission: meshEntityApplyPermission },
      user(['user:default/someone', 'group:default/platform-team']),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/someone', 'group:default/platform-team'] },
      },
    });
  });

  it('keeps force for admins', async () => {
    expect(await policy.handle({ permission: meshForcePermission }, user(['group:default/platform-team']))).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle({ permission: meshForcePermission }, user(['group:default/mesh-admins']))).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await policy.handle({ permission: meshEntityApplyPermission }, user(['group:default/mesh-admins']))).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});
