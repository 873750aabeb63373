import {
  backendCanaryVirtualService,
  backendDestinationRule,
  backendService,
  backendV1,
  backendV2,
  frontendService,
  frontendVirtualService,
  podOf,
} from '../__fixtures__/handbook';
import { planCanary } from '../builders/planCanary';
import { toPercentages, trafficSplits } from './trafficSplits';

describe('trafficSplits', () => {
  const pods = [
    podOf(backendV1, { suffix: 'a' }),
    podOf(backendV1, { suffix: 'b' }),
    podOf(backendV2),
  ];

  it('reads the handbook 90/10 canary (v1beta1) with pod counts per subset', () => {
    expect(
      trafficSplits(
        [backendService],
        [backendCanaryVirtualService],
        [backendDestinationRule],
        pods,
      ),
    ).toEqual([
      {
        host: 'backend',
        service: 'backend',
        namespace: 'prod',
        virtualService: 'backend',
        destinationRule: 'backend',
        gateways: [],
        routes: [
          { host: 'backend', subset: 'v1', weight: 90, podCount: 2 },
          { host: 'backend', subset: 'v2', weight: 10, podCount: 1 },
        ],
        subsets: [
          { name: 'v1', version: 'v1' },
          { name: 'v2', version: 'v2' },
        ],
        // Without workloads the roles are unknown: no presets.
        presets: {},
        canaryInProgress: true,
      },
    ]);
  });

  it('reads the gateway-bound frontend VirtualService and a service without VirtualService', () => {
    const [frontend, backend] = trafficSplits(
      [frontendService, backendService],
      [frontendVirtualService],
      [],
      pods,
    );
    expect(frontend).toMatchObject({
      host: 'frontend',
      virtualService: 'frontend',
      gateways: ['frontend-gateway'],
      routes: [{ host: 'frontend', weight: 100, port: 80, podCount: 0 }],
      canaryInProgress: false,
    });
    expect(backend).toEqual({
      host: 'backend',
      service: 'backend',
      namespace: 'prod',
      gateways: [],
      routes: [{ host: 'backend', weight: 100, podCount: 3 }],
      subsets: [
        { name: 'v1', version: 'v1' },
        { name: 'v2', version: 'v2' },
      ],
      presets: {},
      canaryInProgress: false,
    });
  });

  it("carries the canary plan's own stable, canary and preset weights", () => {
    // The VirtualService lists v2 first; stable is still v1, which carries most traffic.
    const v2First = {
      ...backendCanaryVirtualService,
      spec: {
        ...backendCanaryVirtualService.spec,
        http: [
          {
            route: [
              { destination: { host: 'backend', subset: 'v2' }, weight: 10 },
              { destination: { host: 'backend', subset: 'v1' }, weight: 90 },
            ],
          },
        ],
      },
    };
    const [split] = trafficSplits(
      [backendService],
      [v2First],
      [backendDestinationRule],
      pods,
      [backendV1, backendV2],
    );
    expect(split).toMatchObject({
      service: 'backend',
      stable: 'v1',
      canary: 'v2',
      presets: {
        '90/10': { v1: 90, v2: 10 },
        '50/50': { v1: 50, v2: 50 },
        promote: { v2: 100 },
        rollback: { v1: 100 },
      },
    });
    const plan = planCanary({
      service: backendService,
      workloads: [backendV1, backendV2],
      existingVirtualService: v2First,
      existingDestinationRule: backendDestinationRule,
      preset: '90/10',
    });
    expect(plan.weights).toEqual(split.presets['90/10']);

    // One version running: only rollback (to it) makes sense.
    const [single] = trafficSplits([backendService], [], [], [], [backendV1]);
    expect(single).toMatchObject({
      stable: 'v1',
      presets: { rollback: { v1: 100 } },
    });
    expect(single.canary).toBeUndefined();
  });

  it('names the subset of a version that is not a DNS label as the canary plan does', () => {
    const semver = {
      ...backendV2,
      spec: {
        ...backendV2.spec,
        template: {
          metadata: { labels: { app: 'backend', version: '1.2.0' } },
        },
      },
    };
    const [split] = trafficSplits(
      [backendService],
      [],
      [backendDestinationRule],
      [],
      [backendV1, semver],
    );
    expect(split.subsets).toEqual([
      { name: '1-2-0', version: '1.2.0' },
      { name: 'v1', version: 'v1' },
    ]);
  });

  it('counts 0 pods for a subset the DestinationRule lacks', () => {
    const [split] = trafficSplits(
      [backendService],
      [backendCanaryVirtualService],
      [],
      pods,
    );
    expect(split.routes.map(r => r.podCount)).toEqual([0, 0]);
  });

  it('shows the route Istio uses: the first catch-all, not a later one', () => {
    const [split] = trafficSplits(
      [backendService],
      [
        {
          metadata: { name: 'backend', namespace: 'prod' },
          spec: {
            hosts: ['backend'],
            http: [
              { route: [{ destination: { host: 'backend', subset: 'v1' } }] },
              {
                name: 'mesh-portal-split',
                route: [
                  {
                    destination: { host: 'backend', subset: 'v1' },
                    weight: 50,
                  },
                  {
                    destination: { host: 'backend', subset: 'v2' },
                    weight: 50,
                  },
                ],
              },
            ],
          },
        },
      ],
      [backendDestinationRule],
      pods,
    );
    expect(split.routes).toEqual([
      { host: 'backend', subset: 'v1', weight: 100, podCount: 2 },
    ]);
    expect(split.canaryInProgress).toBe(false);
  });
});

describe('toPercentages', () => {
  it('normalizes weights that do not sum to 100', () => {
    const d = (weight?: number) => ({ destination: { host: 'x' }, weight });
    expect(toPercentages([d(1), d(2)]).map(p => p.percent)).toEqual([33, 67]);
    expect(toPercentages([d(), d()]).map(p => p.percent)).toEqual([50, 50]);
    expect(toPercentages([d()]).map(p => p.percent)).toEqual([100]);
  });
});

describe('trafficSplits resilience', () => {
  it("shows the timeout and retries of the route Istio uses and the rule's outlier detection", () => {
    const service = {
      metadata: { name: 'backend', namespace: 'prod' },
      spec: { selector: { app: 'backend' } },
    };
    const vs = {
      metadata: { name: 'backend', namespace: 'prod' },
      spec: {
        hosts: ['backend'],
        http: [
          {
            match: [{ headers: { x: { exact: 'y' } } }],
            route: [{ destination: { host: 'backend' } }],
            timeout: '9s',
          },
          {
            route: [{ destination: { host: 'backend' } }],
            timeout: '2s',
            retries: { attempts: 3, retryOn: '5xx' },
          },
        ],
      },
    };
    const dr = {
      metadata: { name: 'backend', namespace: 'prod' },
      spec: {
        host: 'backend',
        trafficPolicy: {
          outlierDetection: { consecutive5xxErrors: 5 },
          tls: { mode: 'ISTIO_MUTUAL' },
        },
      },
    };
    const [split] = trafficSplits([service], [vs], [dr], []);
    expect(split.resilience).toEqual({
      timeout: '2s',
      retries: { attempts: 3, retryOn: '5xx' },
      outlierDetection: { consecutive5xxErrors: 5 },
    });
    const [plain] = trafficSplits([service], [], [], []);
    expect(plain.resilience).toBeUndefined();
  });
});
