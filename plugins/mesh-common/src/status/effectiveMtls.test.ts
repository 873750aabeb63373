import type { IstioPeerAuthentication } from '../kube/types';
import { effectiveMtlsMode } from './effectiveMtls';

function pa(
  name: string,
  namespace: string,
  mode: string | undefined,
  created: string,
  matchLabels?: Record<string, string>,
): IstioPeerAuthentication {
  return {
    metadata: { name, namespace, creationTimestamp: created },
    spec: {
      ...(matchLabels ? { selector: { matchLabels } } : {}),
      ...(mode ? { mtls: { mode } } : {}),
    },
  };
}

const mesh = pa('default', 'istio-system', 'STRICT', '2025-01-01T00:00:00Z');
const nsPermissive = pa(
  'default',
  'prod',
  'PERMISSIVE',
  '2025-02-01T00:00:00Z',
);
const payments = pa('payments', 'prod', 'STRICT', '2025-03-01T00:00:00Z', {
  app: 'payments',
});

describe('effectiveMtlsMode', () => {
  it('workload beats namespace beats mesh', () => {
    const all = [mesh, nsPermissive, payments];
    expect(
      effectiveMtlsMode({
        workload: 'payments',
        workloadLabels: { app: 'payments' },
        namespace: 'prod',
        peerAuthentications: all,
      }),
    ).toEqual({
      workload: 'payments',
      namespace: 'prod',
      mode: 'STRICT',
      source: { scope: 'workload', name: 'payments', namespace: 'prod' },
    });
    expect(
      effectiveMtlsMode({
        workloadLabels: { app: 'checkout' },
        namespace: 'prod',
        peerAuthentications: all,
      }),
    ).toMatchObject({
      mode: 'PERMISSIVE',
      source: { scope: 'namespace', name: 'default', namespace: 'prod' },
    });
    expect(
      effectiveMtlsMode({ namespace: 'shop', peerAuthentications: all }),
    ).toMatchObject({
      mode: 'STRICT',
      source: { scope: 'mesh', name: 'default', namespace: 'istio-system' },
    });
  });

  it('lets the oldest policy of a level win, whatever the list order', () => {
    const newer = pa('zz-new', 'prod', 'DISABLE', '2025-06-01T00:00:00Z');
    const older = pa('aa-old', 'prod', 'STRICT', '2025-05-01T00:00:00Z');
    expect(
      effectiveMtlsMode({
        namespace: 'prod',
        peerAuthentications: [newer, older],
      }),
    ).toMatchObject({
      mode: 'STRICT',
      source: { scope: 'namespace', name: 'aa-old' },
    });
    const newerWl = pa('wl-new', 'prod', 'PERMISSIVE', '2025-06-01T00:00:00Z', {
      app: 'payments',
    });
    expect(
      effectiveMtlsMode({
        workloadLabels: { app: 'payments', version: 'v1' },
        namespace: 'prod',
        peerAuthentications: [newerWl, payments],
      }).source.name,
    ).toBe('payments');
  });

  it('inherits from the next level when the deciding policy is UNSET', () => {
    const unsetWorkload = pa(
      'payments',
      'prod',
      'UNSET',
      '2025-01-01T00:00:00Z',
      { app: 'payments' },
    );
    expect(
      effectiveMtlsMode({
        workloadLabels: { app: 'payments' },
        namespace: 'prod',
        peerAuthentications: [unsetWorkload, nsPermissive],
      }),
    ).toMatchObject({ mode: 'PERMISSIVE', source: { scope: 'namespace' } });
  });

  it('uses the configured root namespace and falls back to the PERMISSIVE default', () => {
    const otherRoot = pa(
      'default',
      'mesh-root',
      'STRICT',
      '2025-01-01T00:00:00Z',
    );
    expect(
      effectiveMtlsMode({
        namespace: 'prod',
        peerAuthentications: [otherRoot],
      }),
    ).toEqual({
      namespace: 'prod',
      mode: 'PERMISSIVE',
      source: { scope: 'default' },
    });
    expect(
      effectiveMtlsMode({
        namespace: 'prod',
        peerAuthentications: [otherRoot],
        rootNamespace: 'mesh-root',
      }).mode,
    ).toBe('STRICT');
  });

  it('ignores selector policies of other workloads and other namespaces', () => {
    const elsewhere = pa('default', 'dev', 'DISABLE', '2024-01-01T00:00:00Z');
    expect(
      effectiveMtlsMode({
        workloadLabels: { app: 'cart' },
        namespace: 'prod',
        peerAuthentications: [payments, elsewhere],
      }).source.scope,
    ).toBe('default');
  });
});

describe('effectiveMtlsMode: portLevelMtls', () => {
  const withPorts = (
    base: IstioPeerAuthentication,
    portLevelMtls: Record<string, { mode?: string }>,
  ): IstioPeerAuthentication => ({
    ...base,
    spec: { ...base.spec, portLevelMtls },
  });

  it("lists the ports of the workload's policy with their mode and policy, UNSET left out", () => {
    const result = effectiveMtlsMode({
      workload: 'payments',
      workloadLabels: { app: 'payments' },
      namespace: 'prod',
      peerAuthentications: [
        mesh,
        withPorts(payments, {
          '9090': { mode: 'PERMISSIVE' },
          '8080': { mode: 'DISABLE' },
          '7070': { mode: 'UNSET' },
        }),
      ],
    });
    const source = { scope: 'workload', name: 'payments', namespace: 'prod' };
    expect(result.mode).toBe('STRICT');
    expect(result.ports).toEqual([
      { port: 8080, mode: 'DISABLE', source },
      { port: 9090, mode: 'PERMISSIVE', source },
    ]);
  });

  it('takes ports from the oldest workload policy even when its own mode is UNSET', () => {
    const portsOnly = withPorts(
      pa('payments-ports', 'prod', undefined, '2025-01-15T00:00:00Z', {
        app: 'payments',
      }),
      { '8080': { mode: 'PERMISSIVE' } },
    );
    const result = effectiveMtlsMode({
      workload: 'payments',
      workloadLabels: { app: 'payments' },
      namespace: 'prod',
      peerAuthentications: [mesh, portsOnly],
    });
    // The workload inherits the mesh's STRICT; port 8080 stays PERMISSIVE.
    expect(result).toMatchObject({ mode: 'STRICT', source: { scope: 'mesh' } });
    expect(result.ports).toEqual([
      {
        port: 8080,
        mode: 'PERMISSIVE',
        source: {
          scope: 'workload',
          name: 'payments-ports',
          namespace: 'prod',
        },
      },
    ]);
  });

  it('ignores portLevelMtls on namespace-wide and mesh-wide policies (Istio reads it from workload policies only)', () => {
    const result = effectiveMtlsMode({
      workload: 'checkout',
      workloadLabels: { app: 'checkout' },
      namespace: 'prod',
      peerAuthentications: [
        withPorts(mesh, { '8080': { mode: 'DISABLE' } }),
        withPorts(nsPermissive, { '9090': { mode: 'DISABLE' } }),
      ],
    });
    expect(result.ports).toBeUndefined();
  });
});
