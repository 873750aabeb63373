import { foreignPolicy, paymentsService } from '../__fixtures__/shop';
import {
  accessPolicyMode,
  accessPolicyName,
  authorizationAction,
  isDryRunPolicy,
  policiesApplyingTo,
  policyPrincipals,
  serviceAccessStatuses,
} from './policies';

const annotated = (value: string) => ({
  ...foreignPolicy('p', {}),
  metadata: {
    name: 'p',
    namespace: 'shop',
    annotations: { 'istio.io/dry-run': value },
  },
});

describe('AuthorizationPolicy semantics', () => {
  it('reads the dry-run annotation as Go strconv.ParseBool does (unparsable = enforced)', () => {
    for (const value of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      expect(isDryRunPolicy(annotated(value))).toBe(true);
    }
    for (const value of ['0', 'false', 'False', 'yes', 'on', '']) {
      expect(isDryRunPolicy(annotated(value))).toBe(false);
    }
    expect(accessPolicyMode(undefined)).toBe('none');
    expect(accessPolicyMode(annotated('true'))).toBe('dry-run');
    expect(accessPolicyMode(annotated('yes'))).toBe('enforced');
  });

  it('defaults the action to ALLOW', () => {
    expect(authorizationAction(foreignPolicy('p', {}))).toBe('ALLOW');
    expect(authorizationAction(foreignPolicy('p', { action: 'DENY' }))).toBe(
      'DENY',
    );
  });

  it('applies policies of the workload namespace and the root namespace whose selector is a subset of the labels', () => {
    const policies = [
      foreignPolicy('ns-wide', {}),
      foreignPolicy('payments', {
        selector: { matchLabels: { app: 'payments' } },
      }),
      foreignPolicy('payments-v2', {
        selector: { matchLabels: { app: 'payments', version: 'v2' } },
      }),
      foreignPolicy('other-ns', {}, 'prod'),
      foreignPolicy('mesh-wide', {}, 'istio-system'),
      foreignPolicy(
        'mesh-payments',
        { selector: { matchLabels: { app: 'payments' } } },
        'istio-system',
      ),
      foreignPolicy('waypoint', {
        targetRefs: [{ kind: 'Service', group: '', name: 'payments' }],
      } as any),
    ];
    expect(
      policiesApplyingTo(policies, {
        namespace: 'shop',
        labels: { app: 'payments', version: 'v1' },
      }).map(p => p.metadata?.name),
    ).toEqual(['ns-wide', 'payments', 'mesh-wide', 'mesh-payments']);
    expect(
      policiesApplyingTo(policies, {
        namespace: 'shop',
        labels: { app: 'payments', version: 'v1' },
        rootNamespace: 'istio-config',
      }).map(p => p.metadata?.name),
    ).toEqual(['ns-wide', 'payments']);
  });

  it('reports each Service policy mode and its sorted principals', () => {
    const ours = {
      ...foreignPolicy(accessPolicyName('payments'), {
        rules: [
          {
            from: [
              {
                source: {
                  principals: [
                    'cluster.local/ns/shop/sa/z',
                    'cluster.local/ns/shop/sa/a',
                  ],
                },
              },
            ],
          },
        ],
      }),
    };
    ours.metadata!.annotations = { 'istio.io/dry-run': 'true' };
    expect(policyPrincipals(ours)).toEqual([
      'cluster.local/ns/shop/sa/a',
      'cluster.local/ns/shop/sa/z',
    ]);
    expect(serviceAccessStatuses([paymentsService], [ours])).toEqual([
      {
        service: 'payments',
        namespace: 'shop',
        policyName: 'payments-allow-declared-callers',
        mode: 'dry-run',
        allowedPrincipals: [
          'cluster.local/ns/shop/sa/a',
          'cluster.local/ns/shop/sa/z',
        ],
      },
    ]);
    expect(serviceAccessStatuses([paymentsService], [])[0]).toMatchObject({
      mode: 'none',
      allowedPrincipals: [],
    });
  });
});
