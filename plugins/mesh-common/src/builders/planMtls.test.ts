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

  it('flags DestinationRules that turn auto-mTLS off, with the rule Istio picks per caller namespace', () => {
    const disable: IstioDestinationRule = {
      metadata: {
        name: 'payments-plain',
        namespace: 'shop',
        creationTimestamp: '2025-01-01T00:00:00Z',
      },
      spec: { host: 'payments', trafficPolicy: { tls: { mode: 'DISABLE' } } },
    };
    const simpleSubset: IstioDestinationRule = {
      metadata: { name: 'payments-v2', namespace: 'other' },
      spec: {
        host: 'payments.shop.svc.cluster.local',
        subsets: [{ name: 'v2', trafficPolicy: { tls: { mode: 'SIMPLE' } } }],
      },
    };
    // Younger than payments-plain: merged into it, its top-level policy ignored.
    const mutual: IstioDestinationRule = {
      metadata: {
        name: 'ok',
        namespace: 'shop',
        creationTimestamp: '2025-06-01T00:00:00Z',
      },
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
      // No caller from namespace other is known: a warning.
      ['MESH-005', 'payments-v2', false],
    ]);
    expect(strict.findings[0].message).toBe(
      'Callers in namespace shop use DestinationRule shop/payments-plain for payments.shop.svc.cluster.local (Istio takes it from their own namespace): trafficPolicy.tls.mode DISABLE makes them send plaintext, which STRICT rejects (503).',
    );
    expect(strict.findings[1].message).toContain(
      'Workloads in namespace other, if they call it, use DestinationRule other/payments-v2',
    );
    const knownCaller = planMtls({
      ...base,
      callers: [
        {
          name: 'reports',
          namespace: 'other',
          injected: true,
          source: 'cluster',
        },
      ],
      mode: 'STRICT',
      scope: 'namespace',
      destinationRules: drs,
    });
    expect(
      knownCaller.findings.map(f => [f.resource?.name, f.blocking]),
    ).toEqual([
      ['payments-plain', true],
      ['payments-v2', true],
    ]);
    expect(knownCaller.findings[1].message).toContain(
      'Callers in namespace other (reports) use DestinationRule other/payments-v2 for payments.shop.svc.cluster.local (Istio takes it from their own namespace): subsets[v2].trafficPolicy.tls.mode SIMPLE makes them send non-Istio TLS',
    );
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

  describe("the DestinationRule each caller namespace uses (Istio's lookup order)", () => {
    const rule = (
      name: string,
      namespace: string,
      host: string,
      mode: string,
      extra: Partial<NonNullable<IstioDestinationRule['spec']>> = {},
      creationTimestamp = '2025-01-01T00:00:00Z',
    ): IstioDestinationRule => ({
      metadata: { name, namespace, creationTimestamp },
      spec: { host, trafficPolicy: { tls: { mode } }, ...extra },
    });
    const webCaller: MtlsCaller = {
      name: 'frontend',
      namespace: 'web',
      injected: true,
      source: 'catalog',
    };
    const strictFor = (
      destinationRules: IstioDestinationRule[],
      extra: Partial<Parameters<typeof planMtls>[0]> = {},
    ) =>
      strictNamespace({
        callers: [webCaller],
        services: ['payments'],
        destinationRules,
        ...extra,
      }).findings.map(f => [
        f.resource?.namespace,
        f.resource?.name,
        f.blocking,
        f.message.slice(0, f.message.indexOf(' use')),
      ]);

    it('a mesh-wide *.local DISABLE in the root namespace breaks every caller namespace', () => {
      expect(
        strictFor([rule('plain-local', 'istio-system', '*.local', 'DISABLE')]),
      ).toEqual([
        ['istio-system', 'plain-local', true, 'Callers in namespace shop'],
        [
          'istio-system',
          'plain-local',
          true,
          'Callers in namespace web (frontend)',
        ],
      ]);
    });

    it("a caller namespace's own rule for the host wins over the root namespace's", () => {
      expect(
        strictFor([
          rule('plain-local', 'istio-system', '*.local', 'DISABLE'),
          rule(
            'payments-mtls',
            'web',
            'payments.shop.svc.cluster.local',
            'ISTIO_MUTUAL',
          ),
        ]),
      ).toEqual([
        ['istio-system', 'plain-local', true, 'Callers in namespace shop'],
      ]);
    });

    it("the service namespace's rule counts for other namespaces only when exported to them", () => {
      const privateRule = rule(
        'payments-plain',
        'shop',
        'payments',
        'DISABLE',
        {
          exportTo: ['.'],
        },
      );
      expect(strictFor([privateRule])).toEqual([
        ['shop', 'payments-plain', true, 'Callers in namespace shop'],
      ]);
      const exported = {
        ...privateRule,
        spec: { ...privateRule.spec, exportTo: ['web'] },
      };
      // exportTo [web] leaves the rule out of its own namespace (no "." in it).
      expect(strictFor([exported]).map(f => f[3])).toEqual([
        'Callers in namespace web (frontend)',
      ]);
    });

    it('a younger rule for the same host in the same namespace does not override the older policy', () => {
      expect(
        strictFor([
          rule(
            'payments',
            'shop',
            'payments',
            'ISTIO_MUTUAL',
            {},
            '2024-01-01T00:00:00Z',
          ),
          rule(
            'payments-legacy',
            'shop',
            'payments',
            'DISABLE',
            {},
            '2025-01-01T00:00:00Z',
          ),
        ]),
      ).toEqual([]);
    });

    it('a rule with a workload selector concerns the workloads it selects in its namespace', () => {
      expect(
        strictFor([
          rule(
            'legacy-plain',
            'web',
            'payments.shop.svc.cluster.local',
            'DISABLE',
            {
              workloadSelector: { matchLabels: { app: 'legacy' } },
            },
          ),
        ]),
      ).toEqual([
        [
          'web',
          'legacy-plain',
          true,
          'Callers in workloads labelled app=legacy in namespace web (frontend)',
        ],
      ]);
    });

    it("follows meshConfig's root namespace", () => {
      const rules = [
        rule('plain-local', 'mesh-root', '*.local', 'DISABLE'),
        rule('not-root', 'istio-system', '*.local', 'DISABLE'),
      ];
      expect(
        strictFor(rules, {
          meshConfig: {
            rootNamespace: 'mesh-root',
            defaultDestinationRuleExportTo: ['*'],
          },
        }).map(f => `${f[0]}/${f[1]} ${f[2]}`),
      ).toEqual([
        'mesh-root/plain-local true',
        'mesh-root/plain-local true',
        // istio-system is an ordinary namespace here: its rule reaches only its own workloads.
        'istio-system/not-root false',
      ]);
    });
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
