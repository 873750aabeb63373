import {
  meshIdentityConfig,
  parsePrincipal,
  principalOf,
  serviceAccountOf,
  sortedPrincipals,
} from './identity';

describe('workload identity', () => {
  it('reads trustDomain and rootNamespace from the istio ConfigMap, Istio defaults otherwise', () => {
    expect(
      meshIdentityConfig({
        data: {
          mesh: 'trustDomain: corp.example\nrootNamespace: istio-config\n',
        },
      }),
    ).toEqual({ trustDomain: 'corp.example', rootNamespace: 'istio-config' });
    expect(
      meshIdentityConfig({ data: { mesh: 'defaultConfig: {}\n' } }),
    ).toEqual({
      trustDomain: 'cluster.local',
      rootNamespace: 'istio-system',
    });
    expect(meshIdentityConfig(null)).toEqual({
      trustDomain: 'cluster.local',
      rootNamespace: 'istio-system',
    });
    expect(
      meshIdentityConfig({ data: { mesh: ': [not yaml' } }).trustDomain,
    ).toBe('cluster.local');
  });

  it('takes the pod service account, "default" when unset', () => {
    expect(serviceAccountOf({ spec: { serviceAccountName: 'checkout' } })).toBe(
      'checkout',
    );
    expect(
      serviceAccountOf({ spec: { serviceAccount: 'legacy' } as any }),
    ).toBe('legacy');
    expect(serviceAccountOf({ spec: {} })).toBe('default');
    expect(serviceAccountOf({})).toBe('default');
  });

  it('formats and parses principals', () => {
    const principal = principalOf('cluster.local', 'shop', 'checkout');
    expect(principal).toBe('cluster.local/ns/shop/sa/checkout');
    expect(parsePrincipal(principal)).toEqual({
      trustDomain: 'cluster.local',
      namespace: 'shop',
      serviceAccount: 'checkout',
    });
    expect(parsePrincipal('cluster.local/ns/shop/sa/*')).toBeUndefined();
    expect(parsePrincipal('*')).toBeUndefined();
    expect(parsePrincipal('spiffe-less/garbage')).toBeUndefined();
  });

  it('sorts and de-duplicates principals', () => {
    expect(
      sortedPrincipals(['b/ns/x/sa/y', 'a/ns/x/sa/y', 'b/ns/x/sa/y']),
    ).toEqual(['a/ns/x/sa/y', 'b/ns/x/sa/y']);
  });
});
