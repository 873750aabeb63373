import { mockCredentials, mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ApplyInProgressError } from '../applyClaims/ApplyClaims';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  CanaryActionRequest,
  MeshHealthResponse,
  MeshPlan,
  VersionMetrics,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { Knex } from 'knex';
import { ClusterRequestError } from '../cluster/ClusterGateway';
import { CanaryRunner } from './CanaryRunner';
import { CanaryRunStore } from './CanaryRunStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const entityRef = 'component:default/backend';
const alice = mockCredentials.user('user:default/alice');
const serviceCredentials = mockCredentials.service('plugin:mesh');
const start = { service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 25, 50, 100], intervalSeconds: 60 };

/** A clock the test moves by hand. */
class Clock {
  time = new Date('2026-03-01T10:00:00.000Z').getTime();
  now = () => new Date(this.time);
  advance(seconds: number) {
    this.time += seconds * 1000;
  }
}

const plan = (live: Record<string, unknown> | null = { metadata: { name: 'backend' } }): MeshPlan => ({
  action: 'canary',
  cluster: 'local',
  namespace: 'prod',
  summary: 'backend: v1 90 %, v2 10 %',
  blocked: false,
  findings: [],
  objects: [
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', name: 'backend', namespace: 'prod', operation: 'apply', object: {}, yaml: '', live: null },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'backend', namespace: 'prod', operation: 'apply', object: {}, yaml: '', live },
  ],
});

/** The cluster's canary health the fake Prometheus answers with; change it between ticks. */
class FakeHealth {
  v2: Partial<VersionMetrics> | 'unavailable' | Error = {};
  readonly calls: Array<{ entityRef: string; credentials: unknown }> = [];
  configured = jest.fn((_cluster: string) => true);
  health = jest.fn(async (ref: string, credentials: unknown): Promise<MeshHealthResponse> => {
    this.calls.push({ entityRef: ref, credentials });
    if (this.v2 instanceof Error) throw this.v2;
    if (this.v2 === 'unavailable') {
      return { entityRef: ref, clusters: [{ cluster: 'local', state: 'unavailable', reason: 'Prometheus did not answer within 3000 ms' }] };
    }
    const version = (v: Partial<VersionMetrics>) => ({
      version: 'v1', requestRate: 10, successRate: 100, p50Ms: 5, p99Ms: 40, samples: 600, weight: 0, verdict: 'healthy' as const, reasons: [],
      ...v,
    });
    return {
      entityRef: ref,
      clusters: [
        {
          cluster: 'local',
          state: 'ok',
          window: '1m',
          thresholds: { minSuccessRate: 99, maxP99Ms: 500, minRequests: 50 },
          splits: [
            {
              host: 'backend',
              namespace: 'prod',
              virtualService: 'backend',
              versions: [version({}), version({ version: 'v2', requestRate: 2, samples: 120, successRate: 99.9, p99Ms: 42, ...this.v2 })],
              advice: { action: 'none', message: '' },
            },
          ],
        },
      ],
    };
  });
}

async function setup(options: { knex?: Knex; clock?: Clock; maxUnavailableChecks?: number } = {}) {
  const knex = options.knex ?? (await databases.init('SQLITE_3'));
  const store = await CanaryRunStore.create(mockServices.database({ knex }));
  const clock = options.clock ?? new Clock();
  const applied: Array<{ request: CanaryActionRequest; credentials: unknown; actor: string; reason?: string }> = [];
  const mesh = {
    plan: jest.fn(async (..._args: unknown[]) => plan()),
    apply: jest.fn(async (_ref: string, request: any, credentials: unknown, opts: { actor: string; reason?: string }) => {
      applied.push({ request, credentials, actor: opts.actor, reason: opts.reason });
      return { auditId: `audit-${applied.length}`, applied: [], plan: plan() };
    }),
  };
  const health = new FakeHealth();
  const runner = new CanaryRunner({
    store,
    mesh: mesh as any,
    health,
    auth: { getOwnServiceCredentials: async () => serviceCredentials as any },
    logger: mockServices.logger.mock(),
    config: { tickSeconds: 15, maxUnavailableChecks: options.maxUnavailableChecks ?? 5 },
    thresholds: { minSuccessRate: 99, maxP99Ms: 500, minRequests: 50 },
    now: clock.now,
    leaseWaitMs: 0,
    sleep: async () => undefined,
  });
  return { knex, store, clock, mesh, applied, health, runner };
}

const weightsOf = (applied: Array<{ request: CanaryActionRequest }>) => applied.map(a => a.request.weights);

describe('CanaryRunner', () => {
  it('starts a run by applying the first step as the user, on the cluster the plan picked', async () => {
    const { runner, applied, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    expect(applied).toEqual([
      {
        request: { action: 'canary', service: 'backend', stable: 'v1', canary: 'v2', cluster: 'local', weights: { v1: 90, v2: 10 } },
        credentials: alice,
        actor: 'user:default/alice',
        reason: `guided canary run ${run.id}: start at 10 %`,
      },
    ]);
    expect(run).toMatchObject({
      entityRef,
      cluster: 'local',
      namespace: 'prod',
      virtualService: 'backend',
      state: 'running',
      weight: 10,
      actor: 'user:default/alice',
      history: [
        {
          decision: 'start',
          weight: 10,
          actor: 'user:default/alice',
          reason: 'v2 at 10 %; then 25, 50, 100 %, each after 60 s healthy',
        },
      ],
    });
    // The start released its lease: the next tick may step the run.
    expect(await store.runnable(new Date(Date.parse(run.createdAt) + 1))).toEqual([run.id]);
  });

  it('refuses to start with 409 naming the controller when Flagger drives the VirtualService', async () => {
    const { runner, mesh, applied, store } = await setup();
    mesh.plan.mockResolvedValue(
      plan({ metadata: { name: 'backend', managedFields: [{ manager: 'flagger', operation: 'Update' }] } }),
    );
    const error = await runner.start(entityRef, start, alice, 'user:default/alice').catch(e => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(
      'VirtualService backend is driven by Flagger (managedFields manager "flagger"): run the canary with Flagger, not from the portal',
    );
    expect(applied).toEqual([]);
    expect(await store.list(entityRef)).toEqual([]);
  });

  it('refuses to start without Prometheus for the cluster, or with a blocked plan', async () => {
    const { runner, mesh, health, applied } = await setup();
    health.configured.mockReturnValue(false);
    await expect(runner.start(entityRef, start, alice, 'user:default/alice')).rejects.toThrow(
      'Prometheus is not configured for cluster local (mesh.clusters.local.prometheusUrl)',
    );
    health.configured.mockReturnValue(true);
    mesh.plan.mockResolvedValue({
      ...plan(),
      blocked: true,
      findings: [{ code: 'MESH-028', severity: 'error', message: 'VirtualService backend has fields owned by argocd-controller.', hint: 'Change the source.', blocking: true }],
    });
    await expect(runner.start(entityRef, start, alice, 'user:default/alice')).rejects.toThrow(
      'plan is blocked: VirtualService backend has fields owned by argocd-controller.',
    );
    expect(applied).toEqual([]);
  });

  it("refuses to start while a person's kubectl fields await a confirmed take-over", async () => {
    const { runner, mesh, applied, store } = await setup();
    mesh.plan.mockResolvedValue({
      ...plan(),
      fieldConflicts: [
        {
          resource: { kind: 'VirtualService', name: 'backend', namespace: 'shop' },
          manager: 'kubectl',
          owner: { kind: 'person', tool: 'kubectl' },
          fields: ['.spec.http'],
          resolution: 'take-over',
        },
      ],
    });
    await expect(runner.start(entityRef, start, alice, 'user:default/alice')).rejects.toThrow(
      'VirtualService backend has fields a person applied with kubectl (field manager "kubectl"): apply a split from the Mesh tab and confirm the take-over, then start the run',
    );
    expect(applied).toEqual([]);
    expect(await store.list(entityRef)).toEqual([]);
  });

  it('refuses a second active run for the same service with 409', async () => {
    const { runner, applied } = await setup();
    const first = await runner.start(entityRef, start, alice, 'user:default/alice');
    await expect(runner.start(entityRef, start, alice, 'user:default/bob')).rejects.toThrow(
      new ConflictError(
        `a guided canary run of backend is already running (run ${first.id}, started by user:default/alice); abort it first`,
      ),
    );
    expect(applied).toHaveLength(1);
  });

  it('records a run whose first step fails as failed, and passes the error on', async () => {
    const { runner, mesh, store } = await setup();
    mesh.apply.mockRejectedValueOnce(new ConflictError('plan is blocked: x'));
    await expect(runner.start(entityRef, start, alice, 'user:default/alice')).rejects.toThrow('plan is blocked: x');
    const [run] = await store.list(entityRef);
    expect(run).toMatchObject({
      state: 'failed',
      outcome: 'first step (10 %) failed: plan is blocked: x',
      history: [{ decision: 'error', weight: 0 }],
    });
  });

  it('holds until the interval has elapsed, then advances as the user with the service credentials', async () => {
    const { runner, clock, applied, health, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    clock.advance(15);
    await runner.tick();
    clock.advance(15);
    await runner.tick();
    expect(applied).toHaveLength(1);
    clock.advance(30);
    await runner.tick();
    expect(weightsOf(applied)).toEqual([{ v1: 90, v2: 10 }, { v1: 75, v2: 25 }]);
    expect(applied[1]).toMatchObject({
      credentials: serviceCredentials,
      actor: 'user:default/alice',
      reason: `guided canary run ${run.id}: v2 healthy for 60 s at 10 % (success 99.9 %, p99 42 ms): 25 %`,
    });
    expect(health.calls.every(c => c.credentials === serviceCredentials)).toBe(true);
    const after = (await store.get(run.id))!;
    expect(after).toMatchObject({ state: 'running', weight: 25, lastStepAt: clock.now().toISOString() });
    // The two interval holds share one row; the advance carries the numbers it was taken on.
    expect(after.history.map(s => [s.decision, s.weight])).toEqual([
      ['start', 10],
      ['hold', 10],
      ['advance', 25],
    ]);
    expect(after.history[1].reason).toBe('v2 at 10 % for 30 s of 60 s: next step in 30 s');
    expect(after.history[2]).toMatchObject({ successRate: 99.9, p99Ms: 42, requests: 120 });
  });

  it('steps the VirtualService the start named (or the first step wrote) in every step', async () => {
    const { runner, clock, applied, health } = await setup();
    health.v2 = {};
    const run = await runner.start(entityRef, { ...start, virtualService: 'backend-ingress' }, alice, 'user:default/alice');
    expect(run.virtualService).toBe('backend-ingress');
    clock.advance(60);
    await runner.tick();
    expect(applied.map(a => [a.request.virtualService, a.request.weights])).toEqual([
      ['backend-ingress', { v1: 90, v2: 10 }],
      ['backend-ingress', { v1: 75, v2: 25 }],
    ]);

    // Without one, later steps name the VirtualService the first step's plan wrote.
    const other = await setup();
    await other.runner.start(entityRef, start, alice, 'user:default/alice');
    other.clock.advance(60);
    await other.runner.tick();
    expect(other.applied.map(a => a.request.virtualService)).toEqual([undefined, 'backend']);
  });

  it('holds while the canary has too few requests', async () => {
    const { runner, clock, applied, health, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    health.v2 = { samples: 20, requestRate: 0.3 };
    clock.advance(120);
    await runner.tick();
    expect(applied).toHaveLength(1);
    expect((await store.get(run.id))!.history.at(-1)).toMatchObject({
      decision: 'hold',
      reason: 'not enough requests to judge v2: 20 requests, need 50',
      requests: 20,
    });
  });

  it('rolls back to stable when the canary fails, and ends the run with the numbers', async () => {
    const { runner, clock, applied, health, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    health.v2 = { successRate: 95.2 };
    clock.advance(15);
    await runner.tick();
    expect(weightsOf(applied)).toEqual([{ v1: 90, v2: 10 }, { v1: 100, v2: 0 }]);
    expect(applied[1].reason).toBe(`guided canary run ${run.id}: rollback: v2 failing at 10 %: success 95.2 % < 99 %`);
    const after = (await store.get(run.id))!;
    expect(after).toMatchObject({
      state: 'rolled-back',
      weight: 0,
      outcome: 'v2 failing at 10 %: success 95.2 % < 99 %; v1 at 100 %',
      finishedAt: clock.now().toISOString(),
    });
    expect(after.history.at(-1)).toMatchObject({ decision: 'rollback', weight: 0, successRate: 95.2 });
    // A finished run is not stepped again, and frees the service for a new run.
    clock.advance(60);
    await runner.tick();
    expect(applied).toHaveLength(2);
    await runner.start(entityRef, start, alice, 'user:default/alice');
  });

  it('rolls back after five health checks in a row without an answer', async () => {
    const { runner, clock, applied, health, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    health.v2 = 'unavailable';
    for (let i = 0; i < 4; i++) {
      clock.advance(15);
      await runner.tick();
    }
    expect((await store.get(run.id))!).toMatchObject({ state: 'running', unavailableChecks: 4 });
    expect(applied).toHaveLength(1);
    clock.advance(15);
    await runner.tick();
    expect(weightsOf(applied).at(-1)).toEqual({ v1: 100, v2: 0 });
    expect((await store.get(run.id))!).toMatchObject({
      state: 'rolled-back',
      outcome:
        'health unavailable for 5 checks in a row (last: Prometheus did not answer within 3000 ms): back to v1; v1 at 100 %',
    });
  });

  it('counts a health read that throws as unavailable, and an answer resets the count', async () => {
    const { runner, clock, health, store } = await setup({ maxUnavailableChecks: 3 });
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    health.v2 = new Error('catalog unreachable');
    clock.advance(15);
    await runner.tick();
    clock.advance(15);
    await runner.tick();
    expect((await store.get(run.id))!.history.at(-1)!.reason).toBe(
      'health unavailable (2 of 3 checks before rollback): health could not be read: catalog unreachable',
    );
    health.v2 = {};
    clock.advance(1);
    await runner.tick();
    expect((await store.get(run.id))!).toMatchObject({ state: 'running', unavailableChecks: 0 });
  });

  it('completes once the canary carries 100 %', async () => {
    const { runner, clock, applied, store } = await setup();
    const run = await runner.start(entityRef, { ...start, steps: [50, 100] }, alice, 'user:default/alice');
    clock.advance(60);
    await runner.tick();
    expect(weightsOf(applied).at(-1)).toEqual({ v1: 0, v2: 100 });
    clock.advance(15);
    await runner.tick();
    expect((await store.get(run.id))!).toMatchObject({ state: 'completed', weight: 100, outcome: 'v2 carries 100 %' });
    expect(applied).toHaveLength(2);
  });

  it('rolls back when an advance cannot be applied', async () => {
    const { runner, clock, mesh, applied, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    mesh.apply.mockRejectedValueOnce(new Error('the server has asked for the client to provide credentials'));
    clock.advance(60);
    await runner.tick();
    expect(weightsOf(applied).at(-1)).toEqual({ v1: 100, v2: 0 });
    expect((await store.get(run.id))!).toMatchObject({
      state: 'rolled-back',
      outcome: 'applying 25 % failed: the server has asked for the client to provide credentials; v1 at 100 %',
    });
  });

  it('holds when the cluster does not take a step (502/504), tries again, and rolls back after the limit', async () => {
    const { runner, clock, mesh, applied, store } = await setup({ maxUnavailableChecks: 3 });
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    const down = new ClusterRequestError('local', undefined, 'apply VirtualService backend on cluster local: connect ECONNREFUSED');
    mesh.apply.mockRejectedValueOnce(down);
    clock.advance(60);
    await runner.tick();
    expect((await store.get(run.id))!).toMatchObject({ state: 'running', weight: 10, unavailableChecks: 1 });
    expect((await store.get(run.id))!.history.at(-1)).toMatchObject({
      decision: 'error',
      weight: 10,
      reason:
        'applying 25 % failed: apply VirtualService backend on cluster local: connect ECONNREFUSED; tried again at the next check (1 of 3 before rollback)',
    });
    // The next check applies the step again, and the count starts over.
    clock.advance(15);
    await runner.tick();
    expect(weightsOf(applied).at(-1)).toEqual({ v1: 75, v2: 25 });
    expect((await store.get(run.id))!).toMatchObject({ state: 'running', weight: 25, unavailableChecks: 0 });

    const timeout = new ClusterRequestError('local', undefined, 'no answer within 10000 ms', true);
    mesh.apply.mockRejectedValueOnce(timeout).mockRejectedValueOnce(timeout).mockRejectedValueOnce(timeout);
    for (let i = 0; i < 3; i++) {
      clock.advance(60);
      await runner.tick();
    }
    expect(weightsOf(applied).at(-1)).toEqual({ v1: 100, v2: 0 });
    expect((await store.get(run.id))!).toMatchObject({
      state: 'rolled-back',
      outcome: 'applying 50 % failed: no answer within 10000 ms (3 checks in a row); v1 at 100 %',
    });
  });

  it('pauses when someone else changed the VirtualService between the step\u2019s plan and its write (409)', async () => {
    const { runner, clock, mesh, applied, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    mesh.apply.mockRejectedValueOnce(
      new ConflictError('VirtualService backend on cluster local changed since the plan (another apply came first): plan again'),
    );
    clock.advance(60);
    await runner.tick();
    const paused = (await store.get(run.id))!;
    expect(paused).toMatchObject({ state: 'paused', weight: 10 });
    expect(paused.history.at(-1)).toMatchObject({ decision: 'pause', weight: 10 });
    expect(paused.history.at(-1)!.reason).toContain('someone else changed the split meanwhile');
    expect(weightsOf(applied)).toEqual([{ v1: 90, v2: 10 }]); // no rollback over the other writer
    clock.advance(300);
    await runner.tick();
    expect(applied).toHaveLength(1);
  });

  it('pauses as well when another apply is writing the split at that moment (its claim, 409)', async () => {
    const { runner, clock, mesh, applied, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    mesh.apply.mockRejectedValueOnce(new ApplyInProgressError(['VirtualService prod/backend (cluster local)']));
    clock.advance(60);
    await runner.tick();
    const paused = (await store.get(run.id))!;
    expect(paused).toMatchObject({ state: 'paused', weight: 10 });
    expect(paused.history.at(-1)!.reason).toContain('another apply is writing VirtualService prod/backend (cluster local) right now');
    expect(weightsOf(applied)).toEqual([{ v1: 90, v2: 10 }]);
  });

  it('ends the run as failed when even the rollback cannot be applied', async () => {
    const { runner, clock, mesh, health, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    health.v2 = { p99Ms: 900 };
    mesh.apply.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    clock.advance(15);
    await runner.tick();
    expect((await store.get(run.id))!).toMatchObject({
      state: 'failed',
      weight: 10,
      outcome: 'v2 failing at 10 %: p99 900 ms > 500 ms; rollback to v1 failed: connect ECONNREFUSED — set the split by hand',
    });
  });

  it('carries a run on in a new runner over the same database (restart), after a dead tick\u2019s lease expires', async () => {
    const first = await setup();
    const run = await first.runner.start(entityRef, start, alice, 'user:default/alice');
    first.clock.advance(60);
    await first.runner.tick();
    expect((await first.store.get(run.id))!.weight).toBe(25);
    // The replica dies in the middle of a tick, holding the run's lease.
    first.clock.advance(60);
    expect(await first.store.tryLease(run.id, first.clock.now(), new Date(first.clock.time + 120_000))).toBe(true);

    const second = await setup({ knex: first.knex, clock: first.clock });
    await second.runner.tick();
    expect(second.applied).toEqual([]);
    first.clock.advance(120);
    await second.runner.tick();
    expect(weightsOf(second.applied)).toEqual([{ v1: 50, v2: 50 }]);
    expect(second.applied[0].actor).toBe('user:default/alice');
    expect((await second.store.get(run.id))!.history.map(s => s.weight)).toEqual([10, 25, 50]);
  });

  it('pauses and resumes: a paused run is not stepped', async () => {
    const { runner, clock, applied, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    const paused = await runner.pause(entityRef, run.id, 'user:default/bob');
    expect(paused).toMatchObject({ state: 'paused', weight: 10 });
    expect(paused.history.at(-1)).toMatchObject({ decision: 'pause', actor: 'user:default/bob' });
    clock.advance(300);
    await runner.tick();
    expect(applied).toHaveLength(1);
    await expect(runner.pause(entityRef, run.id, 'user:default/bob')).rejects.toThrow(
      `run ${run.id} is paused; only a running run can pause`,
    );
    expect((await runner.resume(entityRef, run.id, 'user:default/bob')).state).toBe('running');
    await runner.tick();
    expect(weightsOf(applied).at(-1)).toEqual({ v1: 75, v2: 25 });
    expect((await store.get(run.id))!.history.map(s => s.decision)).toEqual(['start', 'pause', 'resume', 'advance']);
  });

  it('aborts: stable back to 100 % as the aborting user, and the run stops', async () => {
    const { runner, clock, applied } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    const bob = mockCredentials.user('user:default/bob');
    const aborted = await runner.abort(entityRef, run.id, bob, 'user:default/bob');
    expect(applied.at(-1)).toEqual({
      request: expect.objectContaining({ weights: { v1: 100, v2: 0 }, cluster: 'local' }),
      credentials: bob,
      actor: 'user:default/bob',
      reason: `guided canary run ${run.id}: aborted by user:default/bob`,
    });
    expect(aborted).toMatchObject({ state: 'aborted', weight: 0, outcome: 'aborted by user:default/bob; v1 at 100 %' });
    expect(aborted.history.at(-1)).toMatchObject({ decision: 'abort', actor: 'user:default/bob' });
    clock.advance(120);
    await runner.tick();
    expect(applied).toHaveLength(2);
    await expect(runner.abort(entityRef, run.id, bob, 'user:default/bob')).rejects.toThrow(
      `run ${run.id} is aborted; only a running or paused run can be aborted`,
    );
  });

  it('does not abort while a tick holds the run, and keeps the run when the rollback fails', async () => {
    const { runner, clock, mesh, store } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    await store.tryLease(run.id, clock.now(), new Date(clock.time + 60_000));
    await expect(runner.abort(entityRef, run.id, alice, 'user:default/alice')).rejects.toThrow(
      `run ${run.id} is being stepped right now; try again in a few seconds`,
    );
    await store.release(run.id);
    mesh.apply.mockRejectedValueOnce(new Error('etcd timeout'));
    await expect(runner.abort(entityRef, run.id, alice, 'user:default/alice')).rejects.toThrow('etcd timeout');
    const after = (await store.get(run.id))!;
    expect(after.state).toBe('running');
    expect(after.history.at(-1)).toMatchObject({ decision: 'error', reason: 'abort: rollback to v1 failed: etcd timeout' });
    expect(await store.runnable(clock.now())).toEqual([run.id]);
  });

  it("answers 404 for another entity's run", async () => {
    const { runner } = await setup();
    const run = await runner.start(entityRef, start, alice, 'user:default/alice');
    await expect(runner.pause('component:default/payments', run.id, 'user:default/alice')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      runner.abort('component:default/payments', run.id, alice, 'user:default/alice'),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('registers one global scheduler task at the configured tick', async () => {
    const { runner } = await setup();
    const scheduler = mockServices.scheduler.mock();
    await runner.schedule(scheduler);
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'mesh-canary-runs', frequency: { seconds: 15 }, scope: 'global' }),
    );
  });
});
