import { formatZodError, meshActionRequestSchema } from './actions';

function errorsOf(body: unknown): string[] {
  const result = meshActionRequestSchema.safeParse(body);
  if (result.success)
    throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
  return formatZodError(result.error);
}

describe('meshActionRequestSchema', () => {
  it('accepts each action', () => {
    expect(
      meshActionRequestSchema.parse({
        action: 'onboard',
        scope: 'namespace',
        revision: 'canary-1-24',
      }),
    ).toEqual({
      action: 'onboard',
      scope: 'namespace',
      revision: 'canary-1-24',
    });
    expect(
      meshActionRequestSchema.parse({
        action: 'canary',
        weights: { v1: 90, v2: 10 },
      }).action,
    ).toBe('canary');
    expect(
      meshActionRequestSchema.parse({
        action: 'canary',
        preset: 'promote',
        stable: 'v1',
        canary: 'v2',
      }).action,
    ).toBe('canary');
    expect(
      meshActionRequestSchema.parse({
        action: 'mtls',
        mode: 'STRICT',
        scope: 'workload',
        workload: 'payments',
        force: true,
      }).action,
    ).toBe('mtls');
    expect(
      meshActionRequestSchema.parse({
        action: 'expose',
        hosts: ['shop.example.com', '*.example.org'],
        port: 80,
      }).action,
    ).toBe('expose');
  });

  it('takes workloads by name or Kind/name of the three workload kinds', () => {
    expect(
      meshActionRequestSchema.parse({
        action: 'onboard',
        scope: 'workload',
        workloads: ['web', 'StatefulSet/cache', 'DaemonSet/agent'],
      }),
    ).toMatchObject({
      workloads: ['web', 'StatefulSet/cache', 'DaemonSet/agent'],
    });
    expect(
      meshActionRequestSchema.parse({
        action: 'mtls',
        mode: 'STRICT',
        scope: 'workload',
        workload: 'StatefulSet/cache',
      }),
    ).toMatchObject({ workload: 'StatefulSet/cache' });
  });

  it('rejects weights not summing to 100, naming the field', () => {
    expect(errorsOf({ action: 'canary', weights: { v1: 90, v2: 20 } })).toEqual(
      ['weights: must sum to 100 (got 110)'],
    );
  });

  it('rejects non-integer and out-of-range weights with the subset in the path', () => {
    const errors = errorsOf({
      action: 'canary',
      weights: { v1: 89.5, v2: 10.5 },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^weights\.v1: /),
        expect.stringMatching(/^weights\.v2: /),
      ]),
    );
    expect(
      errorsOf({ action: 'canary', weights: { v1: 120, v2: -20 } }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^weights\.v1: /),
        expect.stringMatching(/^weights\.v2: /),
      ]),
    );
  });

  it('rejects a canary without weights or preset, and with both', () => {
    expect(errorsOf({ action: 'canary' })).toEqual([
      'weights: either weights or preset is required',
    ]);
    expect(
      errorsOf({ action: 'canary', preset: '50/50', weights: { v1: 100 } }),
    ).toEqual(['preset: give either weights or preset, not both']);
  });

  it('rejects unknown fields by name', () => {
    expect(
      errorsOf({ action: 'expose', hosts: ['a.example.com'], tls: true }),
    ).toEqual(['tls: unknown field']);
  });

  it('takes the VirtualService of the split to change on canary and resilience, named as an object name', () => {
    for (const body of [
      { action: 'canary', virtualService: 'web.ingress', preset: '90/10' },
      { action: 'resilience', virtualService: 'web.ingress', timeout: '2s' },
    ]) {
      expect(meshActionRequestSchema.parse(body)).toEqual(body);
      expect(errorsOf({ ...body, virtualService: 'Web_VS' })).toEqual([
        expect.stringMatching(/^virtualService: must be a DNS-1123 subdomain/),
      ]);
    }
  });

  it('checks names as DNS-1123', () => {
    expect(
      errorsOf({ action: 'canary', service: 'Backend_1', preset: '90/10' }),
    ).toEqual([expect.stringMatching(/^service: must be a DNS-1123 label/)]);
    expect(
      errorsOf({
        action: 'onboard',
        scope: 'workload',
        workloads: ['ok', 'NOT ok', 'Job/batch', 'StatefulSet/Bad_Name'],
      }),
    ).toEqual([
      expect.stringMatching(/^workloads\.1: must be a DNS-1123 subdomain/),
      expect.stringMatching(/^workloads\.2: must be a DNS-1123 subdomain/),
      expect.stringMatching(/^workloads\.3: must be a DNS-1123 subdomain/),
    ]);
    expect(errorsOf({ action: 'expose', hosts: ['bad host'] })).toEqual([
      expect.stringMatching(/^hosts\.0: /),
    ]);
  });

  it('takes port protocol answers for onboarding, only protocols Istio parses', () => {
    const answer = { service: 'data', port: 5432, protocol: 'tcp' };
    expect(
      meshActionRequestSchema.parse({
        action: 'onboard',
        scope: 'namespace',
        portProtocols: [answer],
      }),
    ).toMatchObject({ portProtocols: [answer] });
    expect(
      errorsOf({
        action: 'onboard',
        scope: 'namespace',
        portProtocols: [{ ...answer, protocol: 'postgres' }],
      }),
    ).toEqual([expect.stringMatching(/^portProtocols\.0\.protocol: /)]);
  });

  it('requires a workload for workload-scoped mTLS', () => {
    expect(
      errorsOf({ action: 'mtls', mode: 'STRICT', scope: 'workload' }),
    ).toEqual(['workload: is required when scope is workload']);
  });

  it('names the discriminator on an unknown action', () => {
    expect(errorsOf({ action: 'delete-everything' })).toEqual([
      expect.stringMatching(/^action: /),
    ]);
  });

  it('takes the access action: mode dry-run, enforce or remove, optional service and cluster', () => {
    for (const mode of ['dry-run', 'enforce', 'remove']) {
      expect(
        meshActionRequestSchema.parse({
          action: 'access',
          mode,
          service: 'payments',
          cluster: 'local',
        }),
      ).toEqual({
        action: 'access',
        mode,
        service: 'payments',
        cluster: 'local',
      });
    }
    expect(
      meshActionRequestSchema.parse({ action: 'access', mode: 'dry-run' }),
    ).toEqual({
      action: 'access',
      mode: 'dry-run',
    });
  });

  it('rejects a bad access request naming the field', () => {
    expect(errorsOf({ action: 'access', mode: 'audit' })).toEqual([
      expect.stringMatching(/^mode: /),
    ]);
    expect(errorsOf({ action: 'access' })).toEqual([
      expect.stringMatching(/^mode: /),
    ]);
    expect(
      errorsOf({ action: 'access', mode: 'enforce', service: 'Payments_svc' }),
    ).toEqual([expect.stringMatching(/^service: must be a DNS-1123 label/)]);
    expect(
      errorsOf({ action: 'access', mode: 'enforce', principals: ['*'] }),
    ).toEqual(['principals: unknown field']);
  });
});
