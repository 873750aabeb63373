import { meshActionRequestSchema, formatZodError } from '../api/actions';
import type {
  IstioDestinationRule,
  IstioVirtualService,
  KubeService,
} from '../kube/types';
import { durationMs } from '../kube/durations';
import { planResilience } from './planResilience';

const service: KubeService = {
  metadata: { name: 'backend', namespace: 'prod' },
  spec: { selector: { app: 'backend' }, ports: [{ port: 80, name: 'http' }] },
};

/** A user's VirtualService: a header route first, then the default route carrying a split. */
const userVs: IstioVirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'backend', namespace: 'prod', resourceVersion: '7' },
  spec: {
    hosts: ['backend'],
    http: [
      {
        name: 'testers',
        match: [{ headers: { 'x-tester': { exact: 'yes' } } }],
        route: [{ destination: { host: 'backend', subset: 'v2' } }],
        retries: { attempts: 1 },
      },
      {
        name: 'default',
        route: [
          { destination: { host: 'backend', subset: 'v1' }, weight: 90 },
          { destination: { host: 'backend', subset: 'v2' }, weight: 10 },
        ],
        mirror: { host: 'shadow' },
      },
    ],
  },
};

const userDr: IstioDestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'backend', namespace: 'prod' },
  spec: {
    host: 'backend',
    trafficPolicy: {
      loadBalancer: { simple: 'LEAST_REQUEST' },
      tls: { mode: 'ISTIO_MUTUAL' },
    },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  },
};

const objectOf = (plan: ReturnType<typeof planResilience>, kind: string) =>
  plan.objects.find(o => o.kind === kind)?.object as any;

describe('planResilience', () => {
  it('sets timeout and retries on the default route only, keeping every other field', () => {
    const plan = planResilience({
      service,
      existingVirtualService: userVs,
      timeout: '2s',
      retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx,reset' },
    });
    expect(plan.findings.filter(f => f.blocking)).toEqual([]);
    const vs = objectOf(plan, 'VirtualService');
    expect(vs.spec.http[0]).toEqual(userVs.spec!.http![0]);
    expect(vs.spec.http[1]).toEqual({
      ...userVs.spec!.http![1],
      timeout: '2s',
      retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx,reset' },
    });
    expect(vs.metadata.resourceVersion).toBeUndefined();
    expect(plan.objects.map(o => o.kind)).toEqual(['VirtualService']);
  });

  it('sets outlier detection and a connection pool on the DestinationRule, keeping tls, loadBalancer and subsets', () => {
    const plan = planResilience({
      service,
      existingDestinationRule: userDr,
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: '10s',
        baseEjectionTime: '30s',
        maxEjectionPercent: 50,
      },
      connectionPool: { http: { http1MaxPendingRequests: 100 } },
    });
    const dr = objectOf(plan, 'DestinationRule');
    expect(dr.spec.subsets).toEqual(userDr.spec!.subsets);
    expect(dr.spec.trafficPolicy).toEqual({
      ...userDr.spec!.trafficPolicy,
      outlierDetection: {
        consecutive5xxErrors: 5,
        interval: '10s',
        baseEjectionTime: '30s',
        maxEjectionPercent: 50,
      },
      connectionPool: { http: { http1MaxPendingRequests: 100 } },
    });
  });

  it('says that adding outlier detection turns on locality failover, unless the rule turns locality load balancing off', () => {
    const outlierDetection = { consecutive5xxErrors: 2, interval: '1s' };
    const locality = (plan: ReturnType<typeof planResilience>) =>
      plan.findings.filter(f => /locality failover/.test(f.message));
    const added = planResilience({ service, existingDestinationRule: userDr, outlierDetection });
    expect(locality(added)).toEqual([
      expect.objectContaining({ severity: 'info', blocking: false, resource: { kind: 'Service', name: 'backend', namespace: 'prod' } }),
    ]);
    expect(locality(added)[0].hint).toMatch(/localityLbSetting\.enabled: false/);
    // Without any DestinationRule yet, the new one carries the same change.
    expect(locality(planResilience({ service, outlierDetection }))).toHaveLength(1);

    const off = structuredClone(userDr);
    off.spec!.trafficPolicy!.loadBalancer = { simple: 'LEAST_REQUEST', localityLbSetting: { enabled: false } };
    expect(locality(planResilience({ service, existingDestinationRule: off, outlierDetection }))).toEqual([]);

    // Already in place: changing its numbers moves no traffic across zones.
    const withOutlier = structuredClone(userDr);
    withOutlier.spec!.trafficPolicy!.outlierDetection = { consecutive5xxErrors: 5 };
    expect(locality(planResilience({ service, existingDestinationRule: withOutlier, outlierDetection }))).toEqual([]);
    expect(locality(planResilience({ service, existingDestinationRule: withOutlier, outlierDetection: null }))).toEqual([]);
  });

  it('null removes a setting; asking for what is there plans nothing', () => {
    const withTimeout = structuredClone(userVs);
    withTimeout.spec!.http![1].timeout = '3s';
    const removed = planResilience({
      service,
      existingVirtualService: withTimeout,
      timeout: null,
    });
    expect(
      objectOf(removed, 'VirtualService').spec.http[1].timeout,
    ).toBeUndefined();
    expect(objectOf(removed, 'VirtualService').spec.http[1].mirror).toEqual({
      host: 'shadow',
    });
    const same = planResilience({
      service,
      existingVirtualService: withTimeout,
      timeout: '3s',
    });
    expect(same.objects).toEqual([]);
    expect(same.summary).toMatch(/already in place/);
  });

  it('without a VirtualService, creates ours with one catch-all route to the service', () => {
    const plan = planResilience({
      service,
      timeout: '100ms',
      entityRef: 'component:default/backend',
    });
    const vs = objectOf(plan, 'VirtualService');
    expect(vs.metadata).toMatchObject({
      name: 'backend',
      namespace: 'prod',
      labels: { 'app.kubernetes.io/managed-by': expect.any(String) },
    });
    expect(vs.spec).toEqual({
      hosts: ['backend'],
      http: [
        {
          name: 'mesh-portal-split',
          route: [{ destination: { host: 'backend' } }],
          timeout: '100ms',
        },
      ],
    });
    // Removing from nothing plans nothing
    expect(planResilience({ service, timeout: null }).objects).toEqual([]);
  });

  it('a VirtualService with only matched routes gets a new catch-all route at the end', () => {
    const onlyMatched = structuredClone(userVs);
    onlyMatched.spec!.http = [onlyMatched.spec!.http![0]];
    const vs = objectOf(
      planResilience({
        service,
        existingVirtualService: onlyMatched,
        timeout: '1s',
      }),
      'VirtualService',
    );
    expect(vs.spec.http).toHaveLength(2);
    expect(vs.spec.http[1]).toEqual({
      name: 'mesh-portal-split',
      route: [{ destination: { host: 'backend' } }],
      timeout: '1s',
    });
  });

  it('blocks when the default route redirects (retries there would never reach the service)', () => {
    const redirecting = structuredClone(userVs);
    redirecting.spec!.http![1] = { name: 'default', redirect: { uri: '/v2' } };
    const plan = planResilience({
      service,
      existingVirtualService: redirecting,
      timeout: '1s',
    });
    expect(plan.objects).toEqual([]);
    expect(plan.findings).toEqual([
      expect.objectContaining({ code: 'MESH-030', blocking: true }),
    ]);
  });

  it('warns when the timeout ends the request before the retries can run', () => {
    const plan = planResilience({
      service,
      existingVirtualService: userVs,
      timeout: '1s',
      retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx' },
    });
    expect(plan.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(/1s ends the request before 3 retries/),
      }),
    ]);
  });

  it("says Istio's default retries apply when retries are removed", () => {
    const plan = planResilience({
      service,
      existingVirtualService: userVs,
      retries: null,
    });
    expect(plan.findings).toEqual([
      expect.objectContaining({
        severity: 'info',
        message: expect.stringMatching(/2 retries on .*503/),
      }),
    ]);
  });
});

describe('resilience request validation', () => {
  const parse = (body: unknown) => {
    const result = meshActionRequestSchema.safeParse(body);
    return result.success ? 'ok' : formatZodError(result.error).join('; ');
  };
  it('accepts what Istio accepts', () => {
    expect(
      parse({
        action: 'resilience',
        timeout: '1.5s',
        retries: {
          attempts: 3,
          perTryTimeout: '250ms',
          retryOn: '5xx,gateway-error,503',
        },
        outlierDetection: {
          consecutive5xxErrors: 3,
          interval: '5m',
          maxEjectionPercent: 100,
        },
        connectionPool: { tcp: { maxConnections: 10, connectTimeout: '30ms' } },
      }),
    ).toBe('ok');
    expect(parse({ action: 'resilience', retries: { attempts: 0 } })).toBe(
      'ok',
    );
    expect(parse({ action: 'resilience', timeout: null })).toBe('ok');
  });
  it('names the field for what Istio refuses', () => {
    expect(parse({ action: 'resilience', timeout: '0.5ms' })).toMatch(
      /^timeout: must be a duration/,
    );
    expect(parse({ action: 'resilience', timeout: '2 seconds' })).toMatch(
      /^timeout: must be a duration/,
    );
    expect(
      parse({
        action: 'resilience',
        retries: { attempts: 2, retryOn: '5xx,sometimes' },
      }),
    ).toMatch(/^retries\.retryOn: "sometimes" is not a retry condition/);
    expect(
      parse({ action: 'resilience', retries: { attempts: 0, retryOn: '5xx' } }),
    ).toMatch(/^retries\.attempts: is 0/);
    expect(parse({ action: 'resilience', retries: { attempts: -1 } })).toMatch(
      /^retries\.attempts:/,
    );
    expect(
      parse({
        action: 'resilience',
        outlierDetection: { maxEjectionPercent: 101 },
      }),
    ).toMatch(/^outlierDetection\.maxEjectionPercent:/);
    expect(
      parse({
        action: 'resilience',
        connectionPool: { tcp: { maxConnections: 0 } },
      }),
    ).toMatch(/^connectionPool\.tcp\.maxConnections:/);
    expect(
      parse({ action: 'resilience', retries: { attempts: 1, backoff: '1s' } }),
    ).toMatch(/retries\.backoff: unknown field/);
    expect(parse({ action: 'resilience' })).toMatch(
      /^timeout: give at least one of/,
    );
  });
  it('reads durations as Istio does', () => {
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('1.5s')).toBe(1500);
    expect(durationMs('5m')).toBe(300_000);
    expect(durationMs('0ms')).toBeUndefined();
    expect(durationMs('1.0001s')).toBeUndefined();
  });
});
