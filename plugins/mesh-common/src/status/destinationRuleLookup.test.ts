import type { IstioDestinationRule } from '../kube/types';
import {
  DestinationRuleIndex,
  meshConfigFromConfigMap,
} from './destinationRuleLookup';

const host = 'payments.shop.svc.cluster.local';
const rule = (
  name: string,
  namespace: string,
  ruleHost: string,
  spec: Partial<NonNullable<IstioDestinationRule['spec']>> = {},
): IstioDestinationRule => ({
  metadata: { name, namespace, creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { host: ruleHost, ...spec },
});
const names = (index: DestinationRuleIndex, caller: string) =>
  index
    .forCaller(host, 'shop', caller)
    .map(
      r => `${r.via} ${r.from.map(f => `${f.namespace}/${f.name}`).join('+')}`,
    );

describe('meshConfigFromConfigMap', () => {
  it("reads rootNamespace and defaultDestinationRuleExportTo from istiod's ConfigMap", () => {
    expect(
      meshConfigFromConfigMap({
        data: {
          mesh: 'rootNamespace: mesh-root\ndefaultDestinationRuleExportTo: ["."]\n',
        },
      }),
    ).toEqual({
      rootNamespace: 'mesh-root',
      defaultDestinationRuleExportTo: ['.'],
    });
  });

  it("falls back to Istio's defaults", () => {
    const defaults = {
      rootNamespace: 'istio-system',
      defaultDestinationRuleExportTo: ['*'],
    };
    expect(meshConfigFromConfigMap(null)).toEqual(defaults);
    expect(meshConfigFromConfigMap({ data: { mesh: ': not yaml [' } })).toEqual(
      defaults,
    );
  });
});

describe('DestinationRuleIndex.forCaller (PushContext.destinationRule)', () => {
  it('takes the most specific wildcard of the first namespace that has one', () => {
    const index = new DestinationRuleIndex([
      rule('local', 'istio-system', '*.local'),
      rule('shop-wide', 'shop', '*.shop.svc.cluster.local'),
      rule('everything', 'shop', '*'),
    ]);
    expect(names(index, 'shop')).toEqual(['caller-namespace shop/shop-wide']);
    expect(names(index, 'web')).toEqual(['service-namespace shop/shop-wide']);
  });

  it("gives root-namespace proxies the root's private rules first (the gateway case)", () => {
    const index = new DestinationRuleIndex([
      rule('gateway-only', 'istio-system', '*.local', { exportTo: ['.'] }),
      rule('payments', 'shop', 'payments', { exportTo: ['.'] }),
    ]);
    expect(names(index, 'istio-system')).toEqual([
      'caller-namespace istio-system/gateway-only',
    ]);
    expect(names(index, 'web')).toEqual([]);
    expect(names(index, 'shop')).toEqual(['caller-namespace shop/payments']);
  });

  it('keeps rules with a workload selector apart and does not fall back past them', () => {
    const index = new DestinationRuleIndex([
      rule('legacy', 'web', host, {
        workloadSelector: { matchLabels: { app: 'legacy' } },
      }),
      rule('payments', 'shop', 'payments'),
    ]);
    // Workloads of web the selector misses get no rule at all (SidecarScope.DestinationRule).
    expect(index.forCaller(host, 'shop', 'web')).toEqual([
      expect.objectContaining({
        via: 'caller-namespace',
        workloadSelector: { app: 'legacy' },
      }),
    ]);
  });

  it('merges same-host rules of a namespace: oldest top-level policy, subsets of all', () => {
    const older = rule('a', 'shop', 'payments', {
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
    const younger = {
      ...rule('b', 'shop', 'payments', {
        trafficPolicy: { tls: { mode: 'DISABLE' } },
        subsets: [
          { name: 'v1', labels: { version: 'other' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      }),
      metadata: {
        name: 'b',
        namespace: 'shop',
        creationTimestamp: '2025-02-01T00:00:00Z',
      },
    };
    const [merged] = new DestinationRuleIndex([younger, older]).forCaller(
      host,
      'shop',
      'shop',
    );
    expect(merged.from).toEqual([
      { namespace: 'shop', name: 'a' },
      { namespace: 'shop', name: 'b' },
    ]);
    expect(merged.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    expect(
      merged.subsets.map(s => `${s.name}:${s.labels?.version}:${s.from.name}`),
    ).toEqual(['v1:v1:a', 'v2:v2:b']);
  });

  it('honours defaultDestinationRuleExportTo "." for rules without exportTo', () => {
    const index = new DestinationRuleIndex(
      [rule('payments', 'shop', 'payments')],
      {
        rootNamespace: 'istio-system',
        defaultDestinationRuleExportTo: ['.'],
      },
    );
    expect(names(index, 'shop')).toEqual(['caller-namespace shop/payments']);
    expect(names(index, 'web')).toEqual([]);
  });
});
