import type { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import type { PermissionApi } from '@backstage/plugin-permission-react';
import type {
  AuditEntry,
  CanaryRun,
  CanaryRunAction,
  CanaryRunStartRequest,
  CanaryRunsResponse,
  ClusterMeshStatusError,
  ClusterMeshStatusOk,
  MeshAccessResponse,
  MeshActionRequest,
  MeshApplyResult,
  MeshHealthResponse,
  MeshHealthSeriesResponse,
  MeshHistoryResponse,
  MeshOverviewResponse,
  MeshPlan,
  MeshStatusResponse,
  TrafficSplit,
} from '@mesh-portal/backstage-plugin-mesh-common';
import type { MeshApi } from '../api';
import { MeshApiError } from '../api';

export const backendEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'backend',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'backend',
      'backstage.io/kubernetes-label-selector': 'app=backend',
    },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

/** Same as {@link backendEntity} under another ref (permission answers are cached per ref). */
export const deniedEntity: Entity = {
  ...backendEntity,
  metadata: { ...backendEntity.metadata, name: 'backend-denied' },
};

export const plainEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'docs', namespace: 'default' },
  spec: { type: 'website', owner: 'team-a', lifecycle: 'production' },
};

/** The preset weights the backend reports for these roles (the canary plan's own). */
export function presetsFor(
  stable: string,
  canary?: string,
): TrafficSplit['presets'] {
  return canary
    ? {
        '90/10': { [stable]: 90, [canary]: 10 },
        '50/50': { [stable]: 50, [canary]: 50 },
        promote: { [canary]: 100 },
        rollback: { [stable]: 100 },
      }
    : { rollback: { [stable]: 100 } };
}

export function okCluster(
  overrides: Partial<ClusterMeshStatusOk> = {},
): ClusterMeshStatusOk {
  return {
    cluster: 'local',
    ok: true,
    namespaces: [
      {
        name: 'shop',
        injection: {
          mode: 'sidecar',
          labels: { 'istio-injection': 'enabled' },
        },
      },
    ],
    workloads: [
      {
        kind: 'Deployment',
        name: 'backend-v1',
        namespace: 'shop',
        labels: { app: 'backend', version: 'v1' },
        replicas: 1,
        pods: [
          {
            name: 'backend-v1-abc',
            phase: 'Running',
            ready: true,
            injected: true,
            nativeSidecar: true,
            proxyVersion: '1.28.0',
            revision: 'default',
            optedOut: false,
            ambient: false,
          },
        ],
        podCounts: { total: 1, ready: 1, meshed: 1, optedOut: 0 },
      },
      {
        kind: 'Deployment',
        name: 'backend-v2',
        namespace: 'shop',
        labels: { app: 'backend', version: 'v2' },
        replicas: 1,
        pods: [
          {
            name: 'backend-v2-def',
            phase: 'Running',
            ready: false,
            injected: false,
            nativeSidecar: false,
            optedOut: false,
            ambient: false,
          },
        ],
        podCounts: { total: 1, ready: 0, meshed: 0, optedOut: 0 },
      },
    ],
    services: [
      {
        name: 'backend',
        namespace: 'shop',
        ports: [
          { name: 'http', port: 8080, protocol: 'http', protocolOk: true },
        ],
        selector: { app: 'backend' },
      },
    ],
    trafficSplits: [
      {
        host: 'backend',
        service: 'backend',
        namespace: 'shop',
        virtualService: 'backend',
        destinationRule: 'backend',
        gateways: [],
        canaryInProgress: true,
        routes: [
          { subset: 'v1', weight: 90, host: 'backend', podCount: 1 },
          { subset: 'v2', weight: 10, host: 'backend', podCount: 1 },
        ],
        subsets: [
          { name: 'v1', version: 'v1' },
          { name: 'v2', version: 'v2' },
        ],
        stable: 'v1',
        canary: 'v2',
        presets: presetsFor('v1', 'v2'),
      },
    ],
    mtls: [
      {
        namespace: 'shop',
        workload: 'backend-v1',
        mode: 'PERMISSIVE',
        source: { scope: 'namespace', name: 'default', namespace: 'shop' },
      },
    ],
    findings: [
      {
        code: 'IST0103',
        severity: 'warning',
        message: 'Pod backend-v2-def has no sidecar',
        hint: 'Restart the Deployment backend-v2 after labelling the namespace',
        blocking: false,
        resource: { kind: 'Pod', name: 'backend-v2-def', namespace: 'shop' },
      },
    ],
    kiali: {
      graph:
        'https://kiali.example.com/kiali/console/graph/namespaces?namespaces=shop&graphType=versionedApp',
      app: 'https://kiali.example.com/kiali/console/namespaces/shop/applications/backend',
      workloads: [
        {
          name: 'backend-v1',
          url: 'https://kiali.example.com/kiali/console/namespaces/shop/workloads/backend-v1',
        },
      ],
      services: [
        {
          name: 'backend',
          url: 'https://kiali.example.com/kiali/console/namespaces/shop/services/backend',
        },
      ],
      config: [],
    },
    ...overrides,
  };
}

export const brokenCluster: ClusterMeshStatusError = {
  cluster: 'prod-eu-1',
  ok: false,
  error: { message: 'connect ECONNREFUSED 10.0.0.1:6443', statusCode: 503 },
};

export function statusOf(
  ...clusters: MeshStatusResponse['clusters']
): MeshStatusResponse {
  return { entityRef: 'component:default/backend', clusters };
}

export const canaryPlan: MeshPlan = {
  action: 'canary',
  cluster: 'local',
  namespace: 'shop',
  summary: 'Route 50% to v1 and 50% to v2',
  blocked: false,
  findings: [],
  objects: [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      name: 'backend',
      namespace: 'shop',
      operation: 'apply',
      object: {},
      yaml: 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: backend\n',
      live: {},
      diff: '-        weight: 90\n+        weight: 50',
    },
  ],
};

export const blockedStrictPlan: MeshPlan = {
  action: 'mtls',
  cluster: 'local',
  namespace: 'shop',
  summary: 'Set PeerAuthentication shop/default to STRICT',
  blocked: true,
  findings: [
    {
      code: 'MESH-STRICT-CALLERS',
      severity: 'error',
      message:
        'checkout (shop/checkout-v1) calls backend without a sidecar and would be rejected under STRICT',
      hint: 'Onboard checkout to the mesh first',
      blocking: true,
    },
  ],
  objects: [
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      name: 'default',
      namespace: 'shop',
      operation: 'apply',
      object: {},
      yaml: 'kind: PeerAuthentication\nspec:\n  mtls:\n    mode: STRICT\n',
      live: null,
    },
  ],
};

export const onboardPlan: MeshPlan = {
  action: 'onboard',
  cluster: 'local',
  namespace: 'shop',
  summary: 'Label namespace shop for injection and restart 2 Deployments',
  blocked: false,
  findings: [],
  objects: [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'shop',
      operation: 'patch',
      object: {},
      yaml: 'metadata:\n  labels:\n    istio-injection: enabled\n',
      diff: '+    istio-injection: enabled',
    },
  ],
};

export const exposePlan: MeshPlan = {
  action: 'expose',
  cluster: 'local',
  namespace: 'shop',
  summary: 'Expose backend on backend.example.com through backend-gateway',
  blocked: false,
  findings: [],
  objects: [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      name: 'backend-gateway',
      namespace: 'shop',
      operation: 'apply',
      object: {},
      yaml: 'kind: Gateway\nspec:\n  servers:\n    - hosts:\n        - backend.example.com\n',
      live: null,
    },
  ],
};

/** The access view of backend: checkout calls it with a sidecar, reports without one. */
export function accessOf(
  overrides: Partial<MeshAccessResponse['clusters'][number]> = {},
): MeshAccessResponse {
  return {
    entityRef: 'component:default/backend',
    clusters: [
      {
        cluster: 'local',
        ok: true,
        services: [
          {
            service: 'backend',
            namespace: 'shop',
            policyName: 'backend-allow-declared-callers',
            mode: 'none',
            allowedPrincipals: [],
            callers: [
              {
                entityRef: 'component:default/checkout',
                declaredBy: [{ relation: 'dependsOn' }],
                namespace: 'shop',
                serviceAccount: 'checkout',
                principal: 'cluster.local/ns/shop/sa/checkout',
                hasSidecar: true,
                pods: 2,
                meshedPods: 2,
              },
              {
                entityRef: 'component:default/reports',
                declaredBy: [
                  { relation: 'consumesApi', api: 'api:default/backend-api' },
                ],
                namespace: 'analytics',
                serviceAccount: 'default',
                principal: 'cluster.local/ns/analytics/sa/default',
                hasSidecar: false,
                pods: 1,
                meshedPods: 0,
              },
            ],
            unresolvedCallers: [
              {
                entityRef: 'component:default/batch',
                declaredBy: [{ relation: 'dependsOn' }],
                reason: 'no pod matches app=batch in namespace shop',
              },
            ],
            plannedPrincipals: [
              'cluster.local/ns/analytics/sa/default',
              'cluster.local/ns/shop/sa/checkout',
            ],
            findings: [
              {
                code: 'MESH-019',
                severity: 'error',
                message:
                  'component:default/reports (analytics, 0 of 1 pods with a sidecar) cannot be identified',
                hint: 'Onboard component:default/reports into the mesh first.',
                blocking: true,
              },
            ],
            denials: { state: 'no-policy' },
          },
        ],
        ...overrides,
      } as MeshAccessResponse['clusters'][number],
    ],
  };
}

export const accessPlan: MeshPlan = {
  action: 'access',
  cluster: 'local',
  namespace: 'shop',
  summary:
    'Dry-run AuthorizationPolicy backend-allow-declared-callers: 2 principals would be allowed to call backend',
  blocked: false,
  findings: [],
  objects: [
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      name: 'backend-allow-declared-callers',
      namespace: 'shop',
      operation: 'apply',
      object: {},
      yaml: 'kind: AuthorizationPolicy\nmetadata:\n  annotations:\n    istio.io/dry-run: "true"\n',
      live: null,
    },
  ],
};

export const auditEntry: AuditEntry = {
  id: 'a1',
  actor: 'user:default/alice',
  entityRef: 'component:default/backend',
  action: 'canary',
  params: { action: 'canary', weights: { v1: 90, v2: 10 } },
  objects: [{ kind: 'VirtualService', name: 'backend', namespace: 'shop' }],
  result: 'success',
  createdAt: '2026-01-02T10:00:00Z',
};

/** A guided canary run of backend's v2, running at 10 %. */
export function canaryRun(overrides: Partial<CanaryRun> = {}): CanaryRun {
  return {
    id: 'run-1',
    entityRef: 'component:default/backend',
    cluster: 'local',
    namespace: 'shop',
    service: 'backend',
    virtualService: 'backend',
    stable: 'v1',
    canary: 'v2',
    steps: [10, 25, 50, 100],
    intervalSeconds: 60,
    state: 'running',
    weight: 10,
    lastStepAt: '2026-01-02T10:00:00Z',
    unavailableChecks: 0,
    actor: 'user:default/alice',
    createdAt: '2026-01-02T10:00:00Z',
    history: [
      {
        at: '2026-01-02T10:00:00Z',
        weight: 10,
        decision: 'start',
        reason: 'v2 at 10 %; then 25, 50, 100 %, each after 60 s healthy',
        actor: 'user:default/alice',
      },
    ],
    ...overrides,
  };
}

/** A typed in-memory {@link MeshApi}; override any method per test. */
export class FakeMeshApi implements MeshApi {
  status: MeshStatusResponse = statusOf(okCluster());
  plans: Partial<Record<MeshActionRequest['action'], MeshPlan>> = {
    canary: canaryPlan,
    mtls: blockedStrictPlan,
    onboard: onboardPlan,
    expose: exposePlan,
    access: accessPlan,
  };
  access: MeshAccessResponse = accessOf();
  history: MeshHistoryResponse = { items: [auditEntry] };
  overview: MeshOverviewResponse = { rows: [] };
  health: MeshHealthResponse = {
    entityRef: 'component:default/backend',
    clusters: [{ cluster: 'local', state: 'not-configured' }],
  };
  healthSeries: MeshHealthSeriesResponse = {
    entityRef: 'component:default/backend',
    range: '15m',
    clusters: [{ cluster: 'local', state: 'not-configured' }],
  };
  runs: CanaryRunsResponse = { items: [] };
  /** Thrown by the run start and actions when set. */
  runError?: MeshApiError;
  readonly runRequests: Array<
    | { kind: 'start'; request: CanaryRunStartRequest }
    | { kind: CanaryRunAction; runId: string }
  > = [];
  applyError?: MeshApiError;
  readonly requests: Array<{
    kind: 'plan' | 'apply';
    request: MeshActionRequest;
  }> = [];

  async getStatus(_ref: CompoundEntityRef): Promise<MeshStatusResponse> {
    return this.status;
  }

  async createPlan(
    _ref: CompoundEntityRef,
    request: MeshActionRequest,
  ): Promise<MeshPlan> {
    this.requests.push({ kind: 'plan', request });
    const plan = this.plans[request.action];
    if (!plan) {
      throw new MeshApiError(
        `no plan for ${request.action}`,
        400,
        'InputError',
      );
    }
    return plan;
  }

  /** The options of each apply, in order (`takeOver`). */
  readonly applyOptions: Array<{ takeOver?: boolean }> = [];

  async apply(
    _ref: CompoundEntityRef,
    request: MeshActionRequest,
    options: { takeOver?: boolean } = {},
  ): Promise<MeshApplyResult> {
    this.requests.push({ kind: 'apply', request });
    this.applyOptions.push(options);
    if (this.applyError) {
      throw this.applyError;
    }
    const plan = await this.createPlan(_ref, request);
    return {
      auditId: 'audit-42',
      plan,
      applied: plan.objects.map(o => ({
        kind: o.kind,
        name: o.name,
        namespace: o.namespace,
        result: 'configured' as const,
      })),
    };
  }

  async getHistory(_ref: CompoundEntityRef): Promise<MeshHistoryResponse> {
    return this.history;
  }

  async getHealth(_ref: CompoundEntityRef): Promise<MeshHealthResponse> {
    return this.health;
  }

  async getHealthSeries(
    _ref: CompoundEntityRef,
    _range: string,
  ): Promise<MeshHealthSeriesResponse> {
    return this.healthSeries;
  }

  async getCanaryRuns(_ref: CompoundEntityRef): Promise<CanaryRunsResponse> {
    return this.runs;
  }

  async startCanaryRun(
    _ref: CompoundEntityRef,
    request: CanaryRunStartRequest,
  ): Promise<CanaryRun> {
    this.runRequests.push({ kind: 'start', request });
    if (this.runError) throw this.runError;
    const run = canaryRun({
      id: `run-${this.runs.items.length + 1}`,
      steps: request.steps ?? [10, 25, 50, 100],
      intervalSeconds: request.intervalSeconds ?? 60,
      weight: request.steps?.[0] ?? 10,
    });
    this.runs = { items: [run, ...this.runs.items] };
    return run;
  }

  async canaryRunAction(
    _ref: CompoundEntityRef,
    runId: string,
    action: CanaryRunAction,
  ): Promise<CanaryRun> {
    this.runRequests.push({ kind: action, runId });
    if (this.runError) throw this.runError;
    const states = {
      pause: 'paused',
      resume: 'running',
      abort: 'aborted',
    } as const;
    const items = this.runs.items.map(run =>
      run.id === runId
        ? {
            ...run,
            state: states[action],
            ...(action === 'abort'
              ? {
                  weight: 0,
                  outcome: 'aborted by user:default/guest; v1 at 100 %',
                }
              : {}),
          }
        : run,
    );
    this.runs = { items };
    return items.find(run => run.id === runId)!;
  }

  async getAccess(_ref: CompoundEntityRef): Promise<MeshAccessResponse> {
    return this.access;
  }

  async getOverview(): Promise<MeshOverviewResponse> {
    return this.overview;
  }
}

/** A permission API that denies everything. */
export const denyAllPermissions = {
  authorize: async () => ({ result: 'DENY' }),
} as unknown as PermissionApi;

/** A permission API that allows everything. */
export const allowAllPermissions = {
  authorize: async () => ({ result: 'ALLOW' }),
} as unknown as PermissionApi;
