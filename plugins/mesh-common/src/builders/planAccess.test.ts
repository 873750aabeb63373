import type { AccessCaller } from '../api/access';
import type { Finding } from '../api/findings';
import { foreignPolicy, paymentsService, shopPod } from '../__fixtures__/shop';
import { AccessPlanInput, planAccess, weakestMtlsMode } from './planAccess';

const checkoutPod = shopPod('checkout', { serviceAccount: 'checkout' });
const checkout: AccessCaller = {
  entityRef: 'component:default/checkout',
  declaredBy: [{ relation: 'dependsOn' }],
  namespace: 'shop',
  serviceAccount: 'checkout',
  principal: 'cluster.local/ns/shop/sa/checkout',
  hasSidecar: true,
  pods: 1,
  meshedPods: 1,
};

function input(overrides: Partial<AccessPlanInput> = {}): AccessPlanInput {
  return {
    mode: 'dry-run',
    service: paymentsService,
    servicePods: [shopPod('payments')],
    callers: [checkout],
    unresolvedCallers: [],
    callerPods: [checkoutPod],
    namespacePods: [checkoutPod, shopPod('payments')],
    ingress: [],
    authorizationPolicies: [],
    mtlsMode: 'STRICT',
    identity: { trustDomain: 'cluster.local', rootNamespace: 'istio-system' },
    entityRef: 'component:default/payments',
    ...overrides,
  };
}

const codes = (findings: Finding[]) => findings.map(f => f.code);
const byCode = (findings: Finding[], code: string) =>
  findings.filter(f => f.code === code);

describe('planAccess', () => {
  it('dry-run: an ALLOW policy on the Service selector naming the callers, annotated istio.io/dry-run', () => {
    const plan = planAccess(input());
    expect(plan.principals).toEqual(['cluster.local/ns/shop/sa/checkout']);
    expect(plan.objects).toHaveLength(1);
    expect(plan.objects[0]).toMatchObject({
      kind: 'AuthorizationPolicy',
      operation: 'apply',
    });
    expect(plan.objects[0].object).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: {
        name: 'payments-allow-declared-callers',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
        annotations: {
          'mesh-portal.io/entity-ref': 'component:default/payments',
          'istio.io/dry-run': 'true',
        },
      },
      spec: {
        selector: { matchLabels: { app: 'payments' } },
        action: 'ALLOW',
        rules: [
          {
            from: [
              { source: { principals: ['cluster.local/ns/shop/sa/checkout'] } },
            ],
          },
        ],
      },
    });
    expect(plan.summary).toMatch(
      /^Dry-run AuthorizationPolicy payments-allow-declared-callers: 1 principal would be allowed/,
    );
    expect(plan.findings.every(f => !f.blocking)).toBe(true);
    expect(byCode(plan.findings, 'MESH-021')[0].message).toMatch(
      /CUSTOM, then DENY, then ALLOW.*the ingress gateway and its health checks \(payments is not exposed through a Gateway/,
    );
  });

  it('enforce: the same policy without the dry-run annotation', () => {
    const plan = planAccess(input({ mode: 'enforce' }));
    const metadata = plan.objects[0].object.metadata as {
      annotations: Record<string, string>;
    };
    expect(metadata.annotations).toEqual({
      'mesh-portal.io/entity-ref': 'component:default/payments',
    });
    expect(plan.objects[0].yaml).not.toContain('istio.io/dry-run');
    expect(plan.summary).toMatch(
      /^Enforce AuthorizationPolicy payments-allow-declared-callers: only 1 principal may call payments/,
    );
  });

  it('sorts and de-duplicates principals of several callers and identities', () => {
    const plan = planAccess(
      input({
        callers: [
          {
            ...checkout,
            entityRef: 'component:default/refunds',
            principal: 'cluster.local/ns/shop/sa/zz',
          },
          checkout,
          { ...checkout, entityRef: 'component:default/checkout-eu' },
          {
            ...checkout,
            namespace: 'billing',
            principal: 'cluster.local/ns/billing/sa/checkout',
          },
        ],
      }),
    );
    expect(plan.principals).toEqual([
      'cluster.local/ns/billing/sa/checkout',
      'cluster.local/ns/shop/sa/checkout',
      'cluster.local/ns/shop/sa/zz',
    ]);
  });

  it('blocks enforce when a caller has no sidecar (it cannot be identified), warns in dry-run', () => {
    const sidecarless = { ...checkout, hasSidecar: false, meshedPods: 0 };
    const enforce = planAccess(
      input({ mode: 'enforce', callers: [sidecarless] }),
    );
    const [finding] = byCode(enforce.findings, 'MESH-019');
    expect(finding).toMatchObject({ severity: 'error', blocking: true });
    expect(finding.message).toContain('cannot be identified');
    expect(finding.hint).toContain('STRICT mTLS');
    const dryRun = planAccess(input({ callers: [sidecarless] }));
    expect(byCode(dryRun.findings, 'MESH-019')[0]).toMatchObject({
      severity: 'warning',
      blocking: false,
    });
  });

  it('reports a declared caller without workload, and blocks enforcing a policy that allows nobody', () => {
    const plan = planAccess(
      input({
        mode: 'enforce',
        callers: [],
        callerPods: [],
        unresolvedCallers: [
          {
            entityRef: 'component:default/checkout',
            declaredBy: [{ relation: 'dependsOn' }],
            reason: 'no pod matches app=checkout in namespace shop',
          },
        ],
      }),
    );
    expect(
      byCode(plan.findings, 'MESH-020').map(f => [
        f.severity,
        f.blocking,
        f.message,
      ]),
    ).toEqual([
      [
        'warning',
        false,
        expect.stringContaining(
          'Declared caller component:default/checkout (dependsOn) has no identity in this cluster: no pod matches app=checkout',
        ),
      ],
      [
        'error',
        true,
        expect.stringContaining('enforcing would deny every request'),
      ],
    ]);
    // No principals: no rules ("allow nothing"); never an empty principals list (= anyone).
    expect(plan.objects[0].object.spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      action: 'ALLOW',
    });
  });

  it('adds the ingress gateway identity only when the Service is exposed, and says so', () => {
    const exposed = planAccess(
      input({
        ingress: [
          {
            gateway: { name: 'payments-gateway', namespace: 'shop' },
            virtualService: 'payments-ingress',
            principals: [
              'cluster.local/ns/istio-system/sa/istio-ingressgateway',
            ],
          },
        ],
      }),
    );
    expect(exposed.principals).toEqual([
      'cluster.local/ns/istio-system/sa/istio-ingressgateway',
      'cluster.local/ns/shop/sa/checkout',
    ]);
    expect(byCode(exposed.findings, 'MESH-026')[0].message).toContain(
      "exposed through Gateway shop/payments-gateway (VirtualService payments-ingress): the ingress gateway's identity cluster.local/ns/istio-system/sa/istio-ingressgateway is allowed",
    );
    expect(byCode(exposed.findings, 'MESH-021')[0].message).not.toContain(
      'not exposed',
    );
    expect(codes(planAccess(input()).findings)).not.toContain('MESH-026');

    const noProxy = planAccess(
      input({
        mode: 'enforce',
        ingress: [
          {
            gateway: { name: 'gw', namespace: 'shop' },
            virtualService: 'vs',
            principals: [],
          },
        ],
      }),
    );
    expect(byCode(noProxy.findings, 'MESH-026')[0]).toMatchObject({
      severity: 'error',
      blocking: true,
    });
  });

  it('explains that PERMISSIVE lets plaintext in without a principal, which ALLOW then denies', () => {
    const plan = planAccess(input({ mtlsMode: 'PERMISSIVE', mode: 'enforce' }));
    expect(byCode(plan.findings, 'MESH-022')[0]).toMatchObject({
      severity: 'warning',
      blocking: false,
      message: expect.stringContaining(
        'plaintext requests are still accepted but carry no principal, so the ALLOW policy denies them',
      ),
    });
    expect(codes(planAccess(input()).findings)).not.toContain('MESH-022');
    expect(
      byCode(
        planAccess(input({ mtlsMode: 'DISABLE', mode: 'enforce' })).findings,
        'MESH-022',
      )[0],
    ).toMatchObject({
      blocking: true,
    });
  });

  it('lists policies it does not own with their place in CUSTOM → DENY → ALLOW, and keeps them', () => {
    const plan = planAccess(
      input({
        authorizationPolicies: [
          foreignPolicy('ext-authz', {
            action: 'CUSTOM',
            provider: { name: 'opa' },
            rules: [{}],
          }),
          foreignPolicy('deny-debug', {
            action: 'DENY',
            selector: { matchLabels: { app: 'payments' } },
            rules: [{ to: [{ operation: { paths: ['/debug*'] } }] }],
          }),
          foreignPolicy('allow-all', { rules: [{}] }, 'istio-system'),
          foreignPolicy('allow-monitoring', {
            rules: [{ from: [{ source: { namespaces: ['monitoring'] } }] }],
          }),
          foreignPolicy('audit', { action: 'AUDIT', rules: [{}] }),
          foreignPolicy('frontend-only', {
            selector: { matchLabels: { app: 'frontend' } },
          }),
          foreignPolicy('elsewhere', {}, 'prod'),
        ],
      }),
    );
    const others = byCode(plan.findings, 'MESH-023');
    expect(others.map(f => [f.resource?.name, f.severity])).toEqual([
      ['ext-authz', 'info'],
      ['deny-debug', 'info'],
      ['allow-all', 'warning'],
      ['allow-monitoring', 'info'],
    ]);
    expect(others[0].message).toContain(
      'CUSTOM policy shop/ext-authz (namespace-wide) is evaluated first, by provider opa',
    );
    expect(others[1].message).toContain(
      'is evaluated before ALLOW policies: a listed caller it matches is still denied',
    );
    expect(others[2].message).toContain(
      'ALLOW policy istio-system/allow-all (mesh-wide) also applies',
    );
    expect(others.every(f => f.message.endsWith('It is kept as it is.'))).toBe(
      true,
    );
    // Only our own policy is written.
    expect(plan.objects.map(o => o.name)).toEqual([
      'payments-allow-declared-callers',
    ]);
  });

  it('warns when a caller identity is shared with workloads that are not callers', () => {
    const defaultSa = {
      ...checkout,
      serviceAccount: 'default',
      principal: 'cluster.local/ns/shop/sa/default',
    };
    const checkoutDefault = shopPod('checkout');
    const plan = planAccess(
      input({
        callers: [defaultSa],
        callerPods: [checkoutDefault],
        namespacePods: [
          checkoutDefault,
          shopPod('payments'),
          shopPod('reports', { suffix: 'x' }),
          shopPod('reports', { suffix: 'y' }),
        ],
      }),
    );
    const [finding] = byCode(plan.findings, 'MESH-024');
    expect(finding.message).toBe(
      'cluster.local/ns/shop/sa/default is also the identity of payments, reports (3 pods that no declared caller owns): allowing component:default/checkout lets them call payments too.',
    );
    expect(finding.blocking).toBe(false);
  });

  it('warns that pods without a sidecar enforce nothing', () => {
    const plan = planAccess(
      input({ servicePods: [shopPod('payments', { injected: false })] }),
    );
    expect(byCode(plan.findings, 'IST0103')[0].message).toContain(
      '1 of 1 pods of payments have no sidecar',
    );
  });

  it('never touches a policy of that name it did not write', () => {
    const foreign = foreignPolicy('payments-allow-declared-callers', {
      rules: [{}],
    });
    for (const mode of ['dry-run', 'enforce', 'remove'] as const) {
      const plan = planAccess(
        input({ mode, authorizationPolicies: [foreign] }),
      );
      expect(plan.objects).toEqual([]);
      expect(byCode(plan.findings, 'MESH-025')[0]).toMatchObject({
        blocking: true,
      });
    }
  });

  it('removes only its own policy, delete preconditioned on the object it read', () => {
    const ours = {
      ...foreignPolicy('payments-allow-declared-callers', {
        action: 'ALLOW' as const,
      }),
    };
    ours.metadata = {
      ...ours.metadata,
      uid: 'u-1',
      resourceVersion: '42',
      labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
      annotations: { 'istio.io/dry-run': 'true' },
    };
    const plan = planAccess(
      input({ mode: 'remove', authorizationPolicies: [ours] }),
    );
    expect(plan.objects).toEqual([
      expect.objectContaining({
        kind: 'AuthorizationPolicy',
        name: 'payments-allow-declared-callers',
        namespace: 'shop',
        operation: 'delete',
        object: {
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: {
            name: 'payments-allow-declared-callers',
            namespace: 'shop',
            uid: 'u-1',
            resourceVersion: '42',
          },
        },
      }),
    ]);
    expect(plan.summary).toContain(
      'Remove AuthorizationPolicy payments-allow-declared-callers (dry-run)',
    );
    const none = planAccess(input({ mode: 'remove' }));
    expect(none.objects).toEqual([]);
    expect(none.summary).toBe(
      'No access policy for payments: nothing to remove.',
    );
  });

  it('plans nothing when the policy is already in place in that mode', () => {
    const first = planAccess(input({ mode: 'enforce' }));
    const live = {
      ...(first.objects[0].object as any),
      metadata: {
        ...(first.objects[0].object as any).metadata,
        resourceVersion: '7',
      },
    };
    const again = planAccess(
      input({ mode: 'enforce', authorizationPolicies: [live] }),
    );
    expect(again.objects).toEqual([]);
    expect(again.summary).toMatch(/\(already in place\)$/);
    // Switching modes is a change.
    expect(
      planAccess(input({ mode: 'dry-run', authorizationPolicies: [live] }))
        .objects,
    ).toHaveLength(1);
  });

  it('refuses a Service without selector (the policy would cover the whole namespace)', () => {
    const plan = planAccess(
      input({ service: { ...paymentsService, spec: { ports: [] } } }),
    );
    expect(plan.findings.find(f => f.blocking)?.message).toContain(
      'has no selector',
    );
  });

  it('judges a Service by the weakest mTLS mode of its workloads', () => {
    expect(weakestMtlsMode(['STRICT', 'PERMISSIVE'])).toBe('PERMISSIVE');
    expect(weakestMtlsMode(['STRICT', 'UNSET', 'DISABLE'])).toBe('DISABLE');
    expect(weakestMtlsMode(['STRICT'])).toBe('STRICT');
    expect(weakestMtlsMode([])).toBe('UNSET');
  });
});
