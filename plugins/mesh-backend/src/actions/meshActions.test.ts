import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { MeshPlan } from '@mesh-portal/backstage-plugin-mesh-common';
import { AuthorizedMeshService } from '../services/AuthorizedMeshService';
import { MeshService } from '../services/MeshService';
import { ACTION_APPLY_REASON, registerMeshActions } from './meshActions';

const plan: MeshPlan = {
  action: 'canary',
  cluster: 'local',
  namespace: 'prod',
  objects: [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      name: 'backend',
      namespace: 'prod',
      operation: 'apply',
      object: {},
      yaml: 'kind: DestinationRule\n',
      live: null,
      diff: '+kind: DestinationRule',
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      name: 'backend',
      namespace: 'prod',
      operation: 'apply',
      object: {},
      yaml: 'kind: VirtualService\nweight: 90\n',
      live: { kind: 'VirtualService', spec: { big: 'live object' } },
      diff: '+weight: 90',
    },
  ],
  findings: [
    {
      code: 'MESH-007',
      severity: 'warning',
      message: 'port 80 of backend has no protocol',
      blocking: false,
    } as any,
  ],
  blocked: false,
  summary: 'backend: v1 90%, v2 10%',
};

function setup(result: AuthorizeResult = AuthorizeResult.ALLOW) {
  const mesh = {
    status: jest.fn(async (entityRef: string) => ({ entityRef, clusters: [] })),
    plan: jest.fn(async () => structuredClone(plan)),
    apply: jest.fn(async () => ({
      auditId: 'audit-1',
      applied: [],
      plan: structuredClone(plan),
    })),
  };
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(
    async requests => requests.map(() => ({ result })) as any,
  );
  const registry = actionsRegistryServiceMock();
  registerMeshActions({
    actionsRegistry: registry,
    auth: mockServices.auth(),
    mesh: new AuthorizedMeshService({
      permissions,
      mesh: mesh as unknown as MeshService,
    }),
  });
  const invoke = (
    name: string,
    input: Record<string, unknown>,
    credentials = mockCredentials.user('user:default/guest'),
  ) =>
    registry.invoke({ id: `test:${name}`, input: input as any, credentials });
  return { registry, mesh, permissions, invoke };
}

const canary9010 = { action: 'canary', weights: { v1: 90, v2: 10 } };
const askedPermissions = (
  permissions: ReturnType<typeof setup>['permissions'],
) =>
  permissions.authorize.mock.calls.flatMap(([requests]) =>
    requests.map(r => `${r.permission.name} ${(r as any).resourceRef}`),
  );

describe('mesh actions', () => {
  it('lists get-status and plan as read-only and apply as destructive, with the shared request schema', async () => {
    const { registry } = setup();
    const { actions } = await registry.list();
    const byName = Object.fromEntries(actions.map(a => [a.name, a]));
    expect(Object.keys(byName).sort()).toEqual(['apply', 'get-status', 'plan']);
    expect(byName['get-status'].attributes).toEqual({
      readOnly: true,
      destructive: false,
      idempotent: true,
    });
    expect(byName.plan.attributes).toEqual({
      readOnly: true,
      destructive: false,
      idempotent: true,
    });
    expect(byName.apply.attributes).toEqual({
      readOnly: false,
      destructive: true,
      idempotent: false,
    });

    const input = byName.plan.schema.input as any;
    expect(input.type).toBe('object');
    expect(input.required).toEqual(['entityRef', 'change']);
    expect(input.additionalProperties).toBe(false);
    const alternatives = input.properties.change.anyOf as any[];
    expect(alternatives.map(a => a.properties.action.const).sort()).toEqual([
      'access',
      'canary',
      'expose',
      'mtls',
      'onboard',
      'resilience',
    ]);
    const canary = alternatives.find(
      a => a.properties.action.const === 'canary',
    );
    expect(canary.additionalProperties).toBe(false);
    expect(canary.properties.weights.additionalProperties).toEqual({
      type: 'integer',
      minimum: 0,
      maximum: 100,
    });
    expect(canary.properties.preset.enum).toEqual([
      '90/10',
      '50/50',
      'promote',
      'rollback',
    ]);
    expect(byName.apply.schema.input.properties).toHaveProperty(
      'force',
      expect.objectContaining({ type: 'boolean' }),
    );
  });

  it('gets the status as the route does, under mesh.entity.read, accepting a short entity ref', async () => {
    const { invoke, mesh, permissions } = setup();
    const { output } = await invoke('get-status', { entityRef: 'backend' });
    expect(output).toEqual({
      entityRef: 'component:default/backend',
      clusters: [],
    });
    expect(mesh.status).toHaveBeenCalledWith(
      'component:default/backend',
      expect.objectContaining({
        principal: expect.objectContaining({
          userEntityRef: 'user:default/guest',
        }),
      }),
    );
    expect(askedPermissions(permissions)).toEqual([
      'mesh.entity.read component:default/backend',
    ]);
  });

  it('refuses the status when mesh.entity.read is denied', async () => {
    const { invoke } = setup(AuthorizeResult.DENY);
    await expect(
      invoke('get-status', { entityRef: 'component:default/backend' }),
    ).rejects.toThrow(
      new NotAllowedError(
        'not allowed: mesh.entity.read on component:default/backend',
      ),
    );
  });

  it('plans under mesh.entity.read: objects with YAML and diff, one YAML document, findings, blocked', async () => {
    const { invoke, mesh, permissions } = setup();
    const { output } = (await invoke('plan', {
      entityRef: 'component:default/backend',
      change: canary9010,
    })) as any;
    expect(mesh.plan).toHaveBeenCalledWith(
      'component:default/backend',
      canary9010,
      expect.anything(),
    );
    expect(askedPermissions(permissions)).toEqual([
      'mesh.entity.read component:default/backend',
    ]);
    expect(output.blocked).toBe(false);
    expect(output.summary).toBe('backend: v1 90%, v2 10%');
    expect(output.findings).toEqual(plan.findings);
    expect(output.yaml).toBe(
      'kind: DestinationRule\n---\nkind: VirtualService\nweight: 90',
    );
    expect(output.objects.map((o: any) => [o.kind, o.diff, o.yaml])).toEqual(
      plan.objects.map(o => [o.kind, o.diff, o.yaml]),
    );
    // The live objects stay out of the assistant's answer.
    expect(output.objects.every((o: any) => !('live' in o))).toBe(true);
  });

  it('refuses the plan when mesh.entity.read is denied, planning nothing', async () => {
    const { invoke, mesh } = setup(AuthorizeResult.DENY);
    await expect(
      invoke('plan', { entityRef: 'backend', change: canary9010 }),
    ).rejects.toThrow(NotAllowedError);
    expect(mesh.plan).not.toHaveBeenCalled();
  });

  it.each([
    [
      {
        entityRef: 'backend',
        change: { action: 'canary', weights: { v1: 90, v2: 20 } },
      },
      'change.weights: must sum to 100 (got 110)',
    ],
    [
      {
        entityRef: 'backend',
        change: { action: 'canary', weights: { v1: 'ninety' } },
      },
      'change.weights.v1: ',
    ],
    [
      { entityRef: 'backend', change: { ...canary9010, replicas: 3 } },
      'change.replicas: unknown field',
    ],
    [
      {
        entityRef: 'backend',
        change: { action: 'mtls', mode: 'STRICT', scope: 'workload' },
      },
      'change.workload: is required when scope is workload',
    ],
    [{ change: canary9010 }, 'entityRef: '],
    [
      { entityRef: 'component:default/back end', change: canary9010 },
      'entityRef: name: must be a catalog entity name',
    ],
    [
      { entityRef: 'backend', change: canary9010, dryRun: true },
      'dryRun: unknown field',
    ],
  ])(
    'refuses a bad argument %j with an InputError naming the field, planning nothing',
    async (input, field) => {
      const { invoke, mesh } = setup();
      const error = await invoke('plan', input).catch(e => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toContain(`invalid request: `);
      expect(error.message).toContain(field);
      expect(mesh.plan).not.toHaveBeenCalled();
    },
  );

  it('refuses apply to a service principal (e.g. a static token) before anything else, applying nothing', async () => {
    const { invoke, mesh, permissions } = setup();
    const error = await invoke(
      'apply',
      { entityRef: 'backend', change: canary9010 },
      mockCredentials.service('external:mcp-tests') as any,
    ).catch(e => e);
    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toMatch(
      /needs a signed-in user's credentials.*a service principal/,
    );
    expect(mesh.apply).not.toHaveBeenCalled();
    expect(permissions.authorize).not.toHaveBeenCalled();
  });

  it('applies for a user under mesh.entity.apply, the user as actor and the action named in the audit', async () => {
    const { invoke, mesh, permissions } = setup();
    const { output } = (await invoke('apply', {
      entityRef: 'backend',
      change: canary9010,
    })) as any;
    expect(mesh.apply).toHaveBeenCalledWith(
      'component:default/backend',
      canary9010,
      expect.anything(),
      {
        force: false,
        actor: 'user:default/guest',
        reason: ACTION_APPLY_REASON,
      },
    );
    expect(askedPermissions(permissions)).toEqual([
      'mesh.entity.apply component:default/backend',
    ]);
    expect(output.auditId).toBe('audit-1');
    expect(output.plan.yaml).toContain('kind: VirtualService');
  });

  it('checks mesh.entity.force when apply forces', async () => {
    const { invoke, mesh, permissions } = setup();
    await invoke('apply', {
      entityRef: 'backend',
      change: canary9010,
      force: true,
    });
    expect(askedPermissions(permissions)).toEqual([
      'mesh.entity.apply component:default/backend',
      'mesh.entity.force component:default/backend',
    ]);
    expect(mesh.apply).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      expect.anything(),
      expect.objectContaining({ force: true }),
    );
  });

  it('refuses apply when mesh.entity.apply is denied, applying nothing', async () => {
    const { invoke, mesh } = setup(AuthorizeResult.DENY);
    await expect(
      invoke('apply', { entityRef: 'backend', change: canary9010 }),
    ).rejects.toThrow(
      new NotAllowedError(
        'not allowed: mesh.entity.apply on component:default/backend',
      ),
    );
    expect(mesh.apply).not.toHaveBeenCalled();
  });
});
