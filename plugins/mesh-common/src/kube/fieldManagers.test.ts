import {
  classifyFieldManager,
  fieldConflictsOfObject,
  takeOverStillConfirmed,
} from './fieldManagers';

describe('classifyFieldManager', () => {
  it.each([
    ['argocd-controller', 'Argo CD'],
    ['argocd-application-controller', 'Argo CD'],
    ['kustomize-controller', 'Flux'],
    ['helm-controller', 'Flux'],
    ['helm', 'Helm'],
    ['flagger', 'Flagger'],
    ['argo-rollouts', 'Argo Rollouts'],
    ['rollouts-controller', 'Argo Rollouts'],
  ])('names %s a controller (%s)', (manager, tool) => {
    expect(classifyFieldManager(manager)).toEqual({ kind: 'controller', tool });
  });

  it.each([
    'kubectl',
    'kubectl-client-side-apply',
    'kubectl-edit',
    'kubectl-patch',
    'kubectl-label',
  ])('names %s a person with kubectl', manager => {
    expect(classifyFieldManager(manager)).toEqual({
      kind: 'person',
      tool: 'kubectl',
    });
  });

  it('does not guess about a manager it does not know', () => {
    expect(classifyFieldManager('my-operator')).toEqual({ kind: 'unknown' });
    // a prefix alone is not kubectl
    expect(classifyFieldManager('kubectlish')).toEqual({ kind: 'unknown' });
  });

  it.each([
    [
      {
        annotations: {
          'argocd.argoproj.io/tracking-id':
            'shop:networking.istio.io/VirtualService:shop/backend',
        },
      },
      'Argo CD',
    ],
    [{ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }, 'Flux'],
    [{ labels: { 'helm.toolkit.fluxcd.io/name': 'backend' } }, 'Flux'],
    [{ labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, 'Helm'],
  ])(
    'attributes a kubectl manager on an object a GitOps tool tracks to that tool (%j)',
    (metadata, tool) => {
      expect(
        classifyFieldManager('kubectl-client-side-apply', metadata),
      ).toEqual({ kind: 'controller', tool });
    },
  );
});

describe('fieldConflictsOfObject', () => {
  const resource = {
    kind: 'VirtualService',
    name: 'backend',
    namespace: 'shop',
  };
  const yaml = 'kind: VirtualService\n';

  it('blocks on a controller, naming it, with the YAML to commit instead', () => {
    const { conflicts, findings } = fieldConflictsOfObject({
      resource,
      conflicts: [{ manager: 'argocd-controller', fields: ['.spec.http'] }],
      yaml,
    });
    expect(conflicts).toEqual([
      {
        resource,
        manager: 'argocd-controller',
        owner: { kind: 'controller', tool: 'Argo CD' },
        fields: ['.spec.http'],
        resolution: 'commit',
        yaml,
      },
    ]);
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'MESH-028',
        blocking: true,
        message: expect.stringContaining(
          'Argo CD (field manager "argocd-controller")',
        ),
        hint: expect.stringContaining(
          'Commit the YAML of VirtualService backend',
        ),
      }),
    ]);
  });

  it('takes over what a person applied with kubectl, without blocking, once confirmed', () => {
    const { conflicts, findings } = fieldConflictsOfObject({
      resource,
      conflicts: [
        { manager: 'kubectl', fields: ['.spec.http'] },
        { manager: 'kubectl', fields: ['.spec.hosts', '.spec.http'] },
      ],
      yaml,
    });
    expect(conflicts).toEqual([
      {
        resource,
        manager: 'kubectl',
        owner: { kind: 'person', tool: 'kubectl' },
        fields: ['.spec.http', '.spec.hosts'],
        resolution: 'take-over',
      },
    ]);
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'MESH-029',
        blocking: false,
        message: expect.stringContaining(
          '.spec.http, .spec.hosts were applied by a person with kubectl',
        ),
      }),
    ]);
  });

  it('blocks on an unknown manager, and on kubectl where Flux tracks the object', () => {
    const unknown = fieldConflictsOfObject({
      resource,
      conflicts: [{ manager: 'my-operator', fields: [] }],
      yaml,
    });
    expect(unknown.findings[0]).toMatchObject({
      code: 'MESH-028',
      blocking: true,
    });
    expect(unknown.findings[0].message).toContain('"my-operator"');
    const tracked = fieldConflictsOfObject({
      resource,
      live: { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } },
      conflicts: [
        { manager: 'kubectl-client-side-apply', fields: ['.spec.http'] },
      ],
      yaml,
    });
    expect(tracked.conflicts[0]).toMatchObject({
      resolution: 'commit',
      owner: { kind: 'controller', tool: 'Flux' },
    });
    expect(tracked.findings[0].blocking).toBe(true);
  });
});

describe('takeOverStillConfirmed', () => {
  const planned = fieldConflictsOfObject({
    resource: { kind: 'VirtualService', name: 'backend' },
    conflicts: [
      { manager: 'kubectl', fields: ['.spec.http'] },
      { manager: 'argocd-controller', fields: ['.spec.hosts'] },
    ],
    yaml: '',
  }).conflicts;

  it('holds for the fields the plan showed', () => {
    expect(
      takeOverStillConfirmed(planned, [
        { manager: 'kubectl', fields: ['.spec.http'] },
      ]),
    ).toBe(true);
  });

  it('fails for a new field, a new manager or a controller', () => {
    expect(
      takeOverStillConfirmed(planned, [
        { manager: 'kubectl', fields: ['.spec.gateways'] },
      ]),
    ).toBe(false);
    expect(
      takeOverStillConfirmed(planned, [
        { manager: 'kubectl-edit', fields: ['.spec.http'] },
      ]),
    ).toBe(false);
    expect(
      takeOverStillConfirmed(planned, [
        { manager: 'argocd-controller', fields: ['.spec.hosts'] },
      ]),
    ).toBe(false);
  });
});
