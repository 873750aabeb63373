import { backendDestinationRule } from '../__fixtures__/handbook';
import type {
  IstioDestinationRule,
  IstioPeerAuthentication,
} from '../kube/types';
import { MtlsCaller, planMtls } from './planMtls';

const callers: MtlsCaller[] = [
  { name: 'frontend', namespace: 'shop', injected: true, source: 'cluster' },
  { name: 'checkout', namespace: 'shop', injected: false, source: 'catalog' },
];
const base = {
  namespace: 'shop',
  target: 'payments',
  workload: { name: 'payments', labels: { app: 'payments' } },
  callers,
  destinationRules: [] as IstioDestinationRule[],
};

/** STRICT for namespace shop with no callers, plus what a test varies. */
const strictNamespace = (extra: Partial<Parameters<typeof planMtls>[0]>) =>
  planMtls({
    ...base,
    callers: [],
    mode: 'STRICT',
    scope: 'namespace',
    ...extra,
  });

describe('planMtls', () => {
  it('refuses STRICT while checkout calls payments without a sidecar', () => {
    const plan = planMtls({ ...base, mode: 'STRICT', scope: 'workload' });
    expect(plan.findings).toEqual([
      {
        code: 'MESH-004',
        severity: 'error',
        message:
          'STRICT on payments would reject callers without a sidecar: checkout (shop, from catalog).',
        resource: {
          kind: 'PeerAuthentication',
          name: 'payments',
          namespace: 'shop',
        },
        hint: expect.any(String),
        blocking: true,
      },
    ]);
    expect(plan.findings[0].message).not.toContain('frontend');
  });

  it('goes STRICT with force, keeping a non-blocking warning', () => {
    const plan = planMtls({
      ...base,
      mode: 'STRICT',
      scope: 'workload',
      force: true,
    });
    expect(plan.findings).toEqual([
      expect.objectContaining({
        code: 'MESH-004',
        severity: 'warning',
        blocking: false,
      }),
    ]);
    expect(plan.objects.map(o => o.object)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: {
          name: 'payments',
          namespace: 'shop',
          labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
        },
        spec: {
          selector: { matchLabels: { app: 'payments' } },
          mtls: { mode: 'STRICT' },
        },
      },
    ]);
  });

  it('lets STRICT through when every caller has a sidecar, and PERMISSIVE always', () => {
    const allMeshed = callers.map(c => ({ ...c, injected: true }));
    expect(
      planMtls({
        ...base,
        callers: allMeshed,
        mode: 'STRICT',
        scope: 'namespace',
      }).findings,
    ).toEqual([]);
    const permissive = planMtls({
      ...base,
      mode: 'PERMISSIVE',
      scope: 'namespace',
    });
    expect(permissive.findings).toEqual([]);
    expect(permissive.objects[0].object).toMatchObject({
      metadata: { name: 'default', namespace: 'shop' },
      spec: { mtls: { mode: 'PERMISSIVE' } },
    });
  });

  it('flags DestinationRules that turn auto-mTLS off toward the namespace', () => {
    const disable: IstioDestinationRule = {
      metadata: { name: 'payments-plain', namespace: 'shop' },
      spec: { host: 'payments', trafficPolicy: { tls: { mode: 'DISABLE' } } },
    };
    const simpleSubset: IstioDestinationRule = {
      metadata: { name: 'payments-v2', namespace: 'other' },
      spec: {
        host: 'payments.shop.svc.cluster.local',
        subsets: [{ name: 'v2', trafficPolicy: { tls: { mode: 'SIMPLE' } } }],
      },
    };
    const mutual: IstioDestinationRule = {
      metadata: { name: 'ok', namespace: 'shop' },
      spec: {
        host: 'payments',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      },
    };
    const elsewhere: IstioDestinationRule = {
      ...disable,
      metadata: { name: 'x', namespace: 'prod' },
    }; // host "payments" = payments.prod
    const drs = [
      disable,
      simpleSubset,
      mutual,
      elsewhere,
      backendDestinationRule,
    ];
    const strict = planMtls({
      ...base,
      callers: [],
      mode: 'STRICT',
      scope: 'namespace',
      destinationRules: drs,
    });
    expect(
      strict.findings.map(f => [f.code, f.resource?.name, f.blocking]),
    ).toEqual([
      ['MESH-005', 'payments-plain', true],
      ['MESH-005', 'payments-v2', true],
    ]);
    const permissive = planMtls({
      ...base,
      callers: [],
      mode: 'PERMISSIVE',
      scope: 'namespace',
      destinationRules: drs,
    });
    expect(permissive.findings.map(f => [f.severity, f.blocking])).toEqual([
      ['warning', false],
      ['warning', false],
    ]);
  });

  it('changes only the mode of an existing policy and skips an unchanged one', () => {
    const existing: IstioPeerAuthentication = {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop', uid: 'u1' },
      spec: {
        mtls: { mode: 'PERMISSIVE' },
        portLevelMtls: { '8080': { mode: 'DISABLE' } },
      } as IstioPeerAuthentication['spec'],
    };
    const plan = planMtls({
      ...base,
      callers: [],
      mode: 'STRICT',
      scope: 'namespace',
      existingPeerAuthentication: existing,
    });
    expect(plan.objects[0].object).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop' },
      spec: {
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '8080': { mode: 'DISABLE' } },
      },
    });
    const same = {
      ...existing,
      apiVersion: 'security.istio.io/v1',
      spec: { mtls: { mode: 'STRICT' } },
    };
    const noop = planMtls({
      ...base,
      callers: [],
      mode: 'STRICT',
      scope: 'namespace',
      existingPeerAuthentication: same,
    });
    expect(noop.objects).toEqual([]);
    expect(noop.summary).toBe('mTLS STRICT for payments (already in place).');
  });

  it('flags a port-level tls DISABLE too (it overrides auto-mTLS for that port)', () => {
    const plan = strictNamespace({
      destinationRules: [
        {
          metadata: { name: 'payments', namespace: 'shop' },
          spec: {
            host: 'payments',
            trafficPolicy: {
              portLevelSettings: [
                { port: { number: 9090 }, tls: { mode: 'DISABLE' } },
              ],
            },
          },
        },
      ],
    });
    expect(plan.findings).toEqual([
      expect.objectContaining({
        code: 'MESH-005',
        blocking: true,
        message: expect.stringContaining(
          'trafficPolicy.portLevelSettings[port 9090].tls.mode DISABLE',
        ),
      }),
    ]);
  });

  describe('the PeerAuthentication Istio uses (oldest of its level)', () => {
    const pa = (
      name: string,
      creationTimestamp: string,
      spec: IstioPeerAuthentication['spec'],
    ): IstioPeerAuthentication => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name, namespace: 'shop', creationTimestamp },
      spec,
    });
    const strictForPayments = (
      peerAuthentications: IstioPeerAuthentication[],
      existingPeerAuthentication?: IstioPeerAuthentication,
    ) =>
      planMtls({
        ...base,
        callers: [],
        mode: 'STRICT',
        scope: 'workload',
        peerAuthentications,
        existingPeerAuthentication,
      });
    const legacy = pa('legacy', '2024-01-01T00:00:00Z', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const ours = pa('default', '2025-06-01T00:00:00Z', {
      mtls: { mode: 'PERMISSIVE' },
    });

    it('changes the older namespace-wide policy, not a younger default Istio ignores', () => {
      const plan = strictNamespace({
        existingPeerAuthentication: ours,
        peerAuthentications: [ours, legacy],
      });
      expect(plan.objects.map(o => `${o.kind}/${o.name}`)).toEqual([
        'PeerAuthentication/legacy',
      ]);
      expect(plan.objects[0].object).toMatchObject({
        spec: { mtls: { mode: 'STRICT' } },
      });
      expect(plan.findings.map(f => `${f.code} ${f.resource?.name}`)).toEqual([
        'MESH-014 default',
        'MESH-014 legacy',
      ]);
      expect(plan.findings[0].message).toContain(
        'default (younger) is ignored',
      );
    });

    it('blocks a workload policy that an older one selecting the workload would shadow', () => {
      const older = pa('payments-legacy', '2024-01-01T00:00:00Z', {
        selector: { matchLabels: { app: 'payments' } },
        mtls: { mode: 'DISABLE' },
      });
      const plan = strictForPayments([older]);
      expect(plan.findings).toEqual([
        expect.objectContaining({
          code: 'MESH-014',
          blocking: true,
          resource: {
            kind: 'PeerAuthentication',
            name: 'payments-legacy',
            namespace: 'shop',
          },
        }),
      ]);
    });

    it('ignores selector policies in the root namespace (Istio does too)', () => {
      const rootSelector: IstioPeerAuthentication = {
        metadata: {
          name: 'payments-root',
          namespace: 'istio-system',
          creationTimestamp: '2024-01-01T00:00:00Z',
        },
        spec: {
          selector: { matchLabels: { app: 'payments' } },
          mtls: { mode: 'DISABLE' },
        },
      };
      const plan = strictForPayments([rootSelector]);
      expect(plan.findings).toEqual([]);
      expect(plan.objects.map(o => o.name)).toEqual(['payments']);
    });

    it('says which ports portLevelMtls keeps on another mode', () => {
      const workloadPolicy = pa('payments', '2024-01-01T00:00:00Z', {
        selector: { matchLabels: { app: 'payments' } },
        mtls: { mode: 'PERMISSIVE' },
        portLevelMtls: { '9090': { mode: 'DISABLE' } },
      });
      const plan = strictForPayments([workloadPolicy], workloadPolicy);
      expect(plan.findings).toEqual([
        expect.objectContaining({
          code: 'MESH-015',
          severity: 'warning',
          message: expect.stringContaining('port 9090 DISABLE'),
        }),
      ]);
    });
  });
});
