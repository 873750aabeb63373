import {
  backendCanaryVirtualService,
  backendDestinationRule,
  backendService,
  backendV1,
  backendV2,
  frontendGateway,
} from '../__fixtures__/handbook';
import type {
  IstioDestinationRule,
  IstioVirtualService,
  KubeService,
} from '../kube/types';
import { CanaryPlan, CanaryPlanInput, planCanary } from './planCanary';

const workloads = [backendV1, backendV2];

function objectOf<T>(plan: CanaryPlan, kind: string): T {
  const found = plan.objects.find(o => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in plan`);
  return found.object as T;
}

/** Applies a plan's objects on top of the "live" ones, like the backend would. */
function applied(
  plan: CanaryPlan,
  live: { vs?: IstioVirtualService; dr?: IstioDestinationRule },
) {
  return {
    vs:
      (plan.objects.find(o => o.kind === 'VirtualService')
        ?.object as IstioVirtualService) ?? live.vs,
    dr:
      (plan.objects.find(o => o.kind === 'DestinationRule')
        ?.object as IstioDestinationRule) ?? live.dr,
  };
}

function step(
  live: { vs?: IstioVirtualService; dr?: IstioDestinationRule },
  request: Partial<CanaryPlanInput>,
) {
  const plan = planCanary({
    service: backendService,
    workloads,
    existingVirtualService: live.vs,
    existingDestinationRule: live.dr,
    ...request,
  });
  return { plan, live: applied(plan, live) };
}

const splitOf = (vs: IstioVirtualService) =>
  vs
    .spec!.http!.find(r => r.name === 'mesh-portal-split')!
    .route!.map(d => [d.destination.subset, d.weight]);

describe('planCanary', () => {
  it('creates DR then VS for 90/10 from nothing, named after the service with our label', () => {
    const { plan } = step({}, { preset: '90/10' });
    expect(plan.findings).toEqual([]);
    expect(plan.order).toBe('destinationRuleFirst');
    expect(plan.objects.map(o => `${o.kind}/${o.name}`)).toEqual([
      'DestinationRule/backend',
      'VirtualService/backend',
    ]);
    expect(plan.stable).toBe('v1');
    expect(plan.canary).toBe('v2');
    const dr = objectOf<IstioDestinationRule>(plan, 'DestinationRule');
    expect(dr).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: {
        name: 'backend',
        namespace: 'prod',
        labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
      },
      spec: {
        host: 'backend',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    });
    expect(objectOf<IstioVirtualService>(plan, 'VirtualService').spec).toEqual({
      hosts: ['backend'],
      http: [
        {
          name: 'mesh-portal-split',
          route: [
            { destination: { host: 'backend', subset: 'v1' }, weight: 90 },
            { destination: { host: 'backend', subset: 'v2' }, weight: 10 },
          ],
        },
      ],
    });
    expect(plan.summary).toBe('backend: v1 90%, v2 10%.');
  });

  it('walks 90/10 → 50/50 → promote, then rollback needs the old stable named', () => {
    let state = step({}, { preset: '90/10' }).live;
    const fifty = step(state, { preset: '50/50' });
    expect(fifty.plan.objects.map(o => o.kind)).toEqual(['VirtualService']); // DR unchanged
    expect(splitOf(fifty.live.vs!)).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
    state = fifty.live;

    const promote = step(state, { preset: 'promote' });
    expect(promote.plan.stable).toBe('v1'); // tie at 50/50: the older version is stable
    expect(splitOf(promote.live.vs!)).toEqual([['v2', 100]]);
    state = promote.live;

    // After promotion v2 carries everything and is the stable one.
    expect(step(state, { preset: 'rollback' }).plan.weights).toEqual({
      v2: 100,
    });
    const rollback = step(state, { preset: 'rollback', stable: 'v1' });
    expect(splitOf(rollback.live.vs!)).toEqual([['v1', 100]]);
  });

  it('rolls back a running 90/10 canary to the stable subset', () => {
    const { plan } = step(
      { vs: backendCanaryVirtualService, dr: backendDestinationRule },
      { preset: 'rollback' },
    );
    expect(plan.weights).toEqual({ v1: 100 });
    expect(plan.order).toBe('destinationRuleFirst');
    // The handbook's DR already has both subsets: only its apiVersion moves to v1.
    expect(plan.objects.map(o => o.kind)).toEqual([
      'DestinationRule',
      'VirtualService',
    ]);
  });

  it("keeps a user's header-match route, retries and timeout across several edits", () => {
    const userVs: IstioVirtualService = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: {
        name: 'backend',
        namespace: 'prod',
        resourceVersion: '99',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          owner: 'team-shop',
        },
      },
      spec: {
        hosts: ['backend'],
        http: [
          {
            name: 'testers',
            match: [{ headers: { 'x-canary': { exact: 'yes' } } }],
            route: [{ destination: { host: 'backend', subset: 'v2' } }],
          },
          {
            retries: { attempts: 3, perTryTimeout: '2s' },
            timeout: '10s',
            route: [{ destination: { host: 'backend', subset: 'v1' } }],
          },
        ],
      },
    };
    let state: { vs?: IstioVirtualService; dr?: IstioDestinationRule } = {
      vs: userVs,
      dr: backendDestinationRule,
    };
    for (const preset of ['90/10', '50/50', 'promote'] as const) {
      const { plan, live } = step(state, { preset });
      expect(plan.findings.filter(f => f.blocking)).toEqual([]);
      state = live;
      const http = state.vs!.spec!.http!;
      expect(http).toHaveLength(2);
      expect(http[0]).toEqual(userVs.spec!.http![0]);
      expect(http[1]).toMatchObject({
        name: 'mesh-portal-split',
        retries: { attempts: 3, perTryTimeout: '2s' },
        timeout: '10s',
      });
    }
    expect(splitOf(state.vs!)).toEqual([['v2', 100]]);
    // The user's metadata is kept; we add only the stable-subset record (promoted: v2).
    expect(state.vs!.metadata).toEqual({
      name: 'backend',
      namespace: 'prod',
      annotations: { owner: 'team-shop', 'mesh-portal.io/stable-subset': 'v2' },
    });
    expect(state.vs!.apiVersion).toBe('networking.istio.io/v1');
  });

  it('promotes the canary even after its weight passed the stable one (25/75)', () => {
    let state: { vs?: IstioVirtualService; dr?: IstioDestinationRule } = {};
    state = step(state, { preset: '90/10' }).live;
    expect(state.vs!.metadata?.annotations?.['mesh-portal.io/stable-subset']).toBe('v1');
    state = step(state, { weights: { v1: 25, v2: 75 } }).live;
    expect(splitOf(state.vs!)).toEqual([['v1', 25], ['v2', 75]]);
    state = step(state, { preset: 'promote' }).live;
    expect(splitOf(state.vs!)).toEqual([['v2', 100]]);
    // After promote v2 is stable: a rollback keeps v2.
    state = step(state, { preset: 'rollback' }).live;
    expect(splitOf(state.vs!)).toEqual([['v2', 100]]);
  });

  it('appends a default route when the user has only match routes', () => {
    const matchOnly: IstioVirtualService = {
      metadata: { name: 'backend', namespace: 'prod' },
      spec: {
        hosts: ['backend'],
        http: [
          {
            match: [{ uri: { prefix: '/api' } }],
            route: [{ destination: { host: 'backend' } }],
          },
        ],
      },
    };
    const { plan, live } = step(
      { vs: matchOnly, dr: backendDestinationRule },
      { preset: '90/10' },
    );
    expect(live.vs!.spec!.http!.map(r => r.name)).toEqual([
      undefined,
      'mesh-portal-split',
    ]);
    expect(plan.findings.map(f => f.severity)).toEqual(['info']);
  });

  it('keeps gateways, hosts and the port of a gateway-bound VirtualService', () => {
    const gatewayVs: IstioVirtualService = {
      metadata: { name: 'backend-ingress', namespace: 'prod' },
      spec: {
        hosts: ['api.example.com'],
        gateways: [frontendGateway.metadata!.name!],
        http: [
          {
            match: [{ uri: { prefix: '/' } }],
            route: [
              {
                destination: {
                  host: 'backend.prod.svc.cluster.local',
                  port: { number: 80 },
                },
              },
            ],
          },
        ],
      },
    };
    const { live } = step(
      { vs: gatewayVs, dr: backendDestinationRule },
      { weights: { v1: 80, v2: 20 } },
    );
    expect(live.vs!.spec).toMatchObject({
      hosts: ['api.example.com'],
      gateways: ['frontend-gateway'],
    });
    expect(live.vs!.spec!.http![0].match).toEqual([{ uri: { prefix: '/' } }]);
    expect(live.vs!.spec!.http![0].route).toEqual([
      {
        destination: {
          host: 'backend.prod.svc.cluster.local',
          subset: 'v1',
          port: { number: 80 },
        },
        weight: 80,
      },
      {
        destination: {
          host: 'backend.prod.svc.cluster.local',
          subset: 'v2',
          port: { number: 80 },
        },
        weight: 20,
      },
    ]);
  });

  it('removes a dead subset from our DR only after the VS stops using it (VS first)', () => {
    let state = step({}, { preset: 'promote' }).live; // v2 100%
    const onlyV2 = [backendV2];
    const plan = planCanary({
      service: backendService,
      workloads: onlyV2,
      existingVirtualService: state.vs,
      existingDestinationRule: state.dr,
      preset: 'rollback',
    });
    expect(plan.order).toBe('virtualServiceFirst');
    expect(plan.objects.map(o => o.kind)).toEqual(['DestinationRule']); // VS unchanged (already v2 100), DR drops v1
    state = applied(plan, state);
    expect(state.dr!.spec!.subsets!.map(s => s.name)).toEqual(['v2']);

    const both = planCanary({
      service: backendService,
      workloads: onlyV2,
      existingVirtualService: {
        ...state.vs!,
        spec: {
          hosts: ['backend'],
          http: [
            {
              route: [
                { destination: { host: 'backend', subset: 'v1' }, weight: 50 },
                { destination: { host: 'backend', subset: 'v2' }, weight: 50 },
              ],
            },
          ],
        },
      },
      existingDestinationRule: {
        ...state.dr!,
        spec: {
          host: 'backend',
          subsets: [
            { name: 'v1', labels: { version: 'v1' } },
            { name: 'v2', labels: { version: 'v2' } },
          ],
        },
      },
      weights: { v2: 100 },
    });
    expect(both.order).toBe('virtualServiceFirst');
    expect(both.objects.map(o => o.kind)).toEqual([
      'VirtualService',
      'DestinationRule',
    ]);
  });

  it('never removes subsets from a user-owned DestinationRule', () => {
    const plan = planCanary({
      service: backendService,
      workloads: [backendV2],
      existingDestinationRule: backendDestinationRule,
      weights: { v2: 100 },
    });
    const dr = objectOf<IstioDestinationRule>(plan, 'DestinationRule');
    expect(dr.spec!.subsets!.map(s => s.name)).toEqual(['v1', 'v2']);
    expect(plan.order).toBe('destinationRuleFirst');
  });

  it('blocks weights that name a missing subset or a subset without pods', () => {
    const missing = planCanary({
      service: backendService,
      workloads,
      weights: { v1: 50, v3: 50 },
    });
    expect(missing.findings).toEqual([
      expect.objectContaining({
        code: 'IST0101',
        blocking: true,
        message: expect.stringContaining('v3'),
      }),
    ]);

    const scaledDown = {
      ...backendV2,
      spec: { ...backendV2.spec, replicas: 0 },
    };
    const noPods = planCanary({
      service: backendService,
      workloads: [backendV1, scaledDown],
      preset: '50/50',
      canary: 'v2',
    });
    expect(noPods.findings).toEqual([
      expect.objectContaining({ code: 'IST0173', blocking: true }),
    ]);
  });

  it('blocks a canary with a single version and bad explicit weights', () => {
    expect(
      planCanary({
        service: backendService,
        workloads: [backendV1],
        preset: '90/10',
      }).findings[0],
    ).toMatchObject({
      code: 'MESH-006',
      blocking: true,
    });
    expect(
      planCanary({
        service: backendService,
        workloads,
        weights: { v1: 60, v2: 60 },
      }).findings[0],
    ).toMatchObject({
      code: 'MESH-006',
      blocking: true,
      message: expect.stringContaining('summing to 100'),
    });
  });

  it('requires a port for a multi-port service (IST0112) and uses the one given', () => {
    const multi: KubeService = {
      ...backendService,
      spec: {
        ...backendService.spec,
        ports: [
          { port: 80, name: 'http' },
          { port: 9090, name: 'grpc' },
        ],
      },
    };
    expect(
      planCanary({ service: multi, workloads, preset: '90/10' }).findings[0],
    ).toMatchObject({ code: 'IST0112', blocking: true });
    const withPort = planCanary({
      service: multi,
      workloads,
      preset: '90/10',
      port: 9090,
    });
    expect(withPort.findings).toEqual([]);
    expect(
      objectOf<IstioVirtualService>(withPort, 'VirtualService').spec!.http![0]
        .route![0].destination.port,
    ).toEqual({ number: 9090 });
  });

  it('refuses to rewrite a default route that goes to another service', () => {
    const other: IstioVirtualService = {
      metadata: { name: 'backend', namespace: 'prod' },
      spec: {
        hosts: ['backend'],
        http: [{ route: [{ destination: { host: 'legacy' } }] }],
      },
    };
    expect(
      planCanary({
        service: backendService,
        workloads,
        existingVirtualService: other,
        preset: '90/10',
      }).findings[0],
    ).toMatchObject({
      code: 'MESH-006',
      blocking: true,
    });
  });

  it('plans nothing when the split is already in place', () => {
    const state = step({}, { preset: '90/10' }).live;
    const again = step(state, { preset: '90/10' }).plan;
    expect(again.objects).toEqual([]);
    expect(again.summary).toBe('backend: v1 90%, v2 10% (already in place).');
  });

  describe('the route Istio uses for default traffic', () => {
    const vsWith = (
      http: NonNullable<IstioVirtualService['spec']>['http'],
    ): IstioVirtualService => ({
      metadata: { name: 'backend', namespace: 'prod' },
      spec: { hosts: ['backend'], http },
    });

    it('splits the first catch-all, and flags a mesh-portal-split route it shadows', () => {
      const vs = vsWith([
        { route: [{ destination: { host: 'backend', subset: 'v1' } }] },
        {
          name: 'mesh-portal-split',
          route: [{ destination: { host: 'backend', subset: 'v1' } }],
        },
      ]);
      const { plan, live } = step(
        { vs, dr: backendDestinationRule },
        { preset: '90/10' },
      );
      const http = live.vs!.spec!.http!;
      expect(http[0].route!.map(d => [d.destination.subset, d.weight])).toEqual(
        [
          ['v1', 90],
          ['v2', 10],
        ],
      );
      // The name is taken by the unreachable route: two routes must not share it.
      expect(http[0].name).toBeUndefined();
      expect(http[1]).toEqual(vs.spec!.http![1]);
      expect(plan.findings).toEqual([
        expect.objectContaining({ code: 'MESH-013', blocking: false }),
      ]);
    });

    it('blocks when the first catch-all redirects (a split there changes nothing)', () => {
      const vs = vsWith([
        { redirect: { uri: '/v2' } },
        { route: [{ destination: { host: 'backend', subset: 'v1' } }] },
      ]);
      const { plan } = step(
        { vs, dr: backendDestinationRule },
        { preset: '90/10' },
      );
      expect(plan.findings.filter(f => f.blocking)).toEqual([
        expect.objectContaining({
          code: 'MESH-006',
          resource: { kind: 'VirtualService', name: 'backend', namespace: 'prod' },
        }),
      ]);
    });
  });
});
