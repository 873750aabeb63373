import type { MeshHealthResponse, VersionMetrics } from '../api';
import {
  CanaryRunProgress,
  canaryRunHealth,
  decideCanaryRunStep,
} from './canaryRun';
import { DEFAULT_CANARY_THRESHOLDS } from './thresholds';

const thresholds = DEFAULT_CANARY_THRESHOLDS; // success ≥ 99 %, p99 ≤ 500 ms, ≥ 50 requests
const started = new Date('2026-03-01T10:00:00Z');
const after = (seconds: number) => new Date(started.getTime() + seconds * 1000);

const run = (overrides: Partial<CanaryRunProgress> = {}): CanaryRunProgress => ({
  state: 'running',
  stable: 'v1',
  canary: 'v2',
  steps: [10, 25, 50, 100],
  intervalSeconds: 60,
  weight: 10,
  lastStepAt: started.toISOString(),
  unavailableChecks: 0,
  ...overrides,
});

const canary = (overrides: Partial<VersionMetrics> = {}): VersionMetrics => ({
  version: 'v2',
  requestRate: 2,
  successRate: 99.8,
  p50Ms: 8,
  p99Ms: 42.4,
  samples: 120,
  ...overrides,
});

const ok = (overrides: Partial<VersionMetrics> = {}) => ({
  state: 'ok' as const,
  canary: canary(overrides),
});

describe('decideCanaryRunStep', () => {
  it('advances to the next step once the canary was healthy for the interval', () => {
    expect(decideCanaryRunStep(run(), ok(), after(60), thresholds)).toEqual({
      kind: 'advance',
      weight: 25,
      reason: 'v2 healthy for 60 s at 10 % (success 99.8 %, p99 42 ms): 25 %',
    });
    expect(decideCanaryRunStep(run({ weight: 50 }), ok(), after(61), thresholds)).toMatchObject({
      kind: 'advance',
      weight: 100,
    });
  });

  it('steps from a weight between steps to the next larger one', () => {
    expect(decideCanaryRunStep(run({ weight: 30 }), ok(), after(60), thresholds)).toMatchObject({
      kind: 'advance',
      weight: 50,
    });
  });

  it('holds until the interval has elapsed, saying how long is left', () => {
    expect(decideCanaryRunStep(run(), ok(), after(15), thresholds)).toEqual({
      kind: 'hold',
      hold: 'interval',
      reason: 'v2 at 10 % for 15 s of 60 s: next step in 45 s',
    });
  });

  it('holds when the canary has too few requests to judge, or none at all', () => {
    expect(decideCanaryRunStep(run(), ok({ samples: 12 }), after(90), thresholds)).toEqual({
      kind: 'hold',
      hold: 'traffic',
      reason: 'not enough requests to judge v2: 12 requests, need 50',
    });
    expect(
      decideCanaryRunStep(run(), { state: 'ok' }, after(90), thresholds),
    ).toEqual({
      kind: 'hold',
      hold: 'traffic',
      reason: 'not enough requests to judge v2: 0 requests, need 50',
    });
  });

  it('holds while paused, whatever the health says', () => {
    expect(
      decideCanaryRunStep(run({ state: 'paused', weight: 25 }), ok({ successRate: 50 }), after(600), thresholds),
    ).toEqual({ kind: 'hold', hold: 'paused', reason: 'paused at 25 %' });
    expect(
      decideCanaryRunStep(run({ state: 'rolled-back' }), ok(), after(600), thresholds),
    ).toEqual({ kind: 'hold', hold: 'inactive', reason: 'run is rolled-back' });
  });

  it('rolls back at once when the success rate falls below the threshold, naming the numbers', () => {
    expect(
      decideCanaryRunStep(run({ weight: 25 }), ok({ successRate: 96.54 }), after(5), thresholds),
    ).toEqual({ kind: 'rollback', reason: 'v2 failing at 25 %: success 96.54 % < 99 %' });
  });

  it('rolls back when p99 is above the threshold, with both reasons when both fail', () => {
    expect(decideCanaryRunStep(run(), ok({ p99Ms: 730.2 }), after(60), thresholds)).toEqual({
      kind: 'rollback',
      reason: 'v2 failing at 10 %: p99 730 ms > 500 ms',
    });
    expect(
      decideCanaryRunStep(run(), ok({ successRate: 90, p99Ms: 900 }), after(60), {
        ...thresholds,
        maxP99Ms: 300,
      }),
    ).toEqual({
      kind: 'rollback',
      reason: 'v2 failing at 10 %: success 90 % < 99 %, p99 900 ms > 300 ms',
    });
  });

  it('completes once the canary carries 100 %', () => {
    expect(decideCanaryRunStep(run({ weight: 100 }), { state: 'unavailable', reason: 'x' }, after(1), thresholds)).toEqual({
      kind: 'complete',
      reason: 'v2 carries 100 %',
    });
  });

  it('holds while health is unavailable, and rolls back at the fifth check in a row', () => {
    const unavailable = { state: 'unavailable' as const, reason: 'Prometheus did not answer within 3000 ms' };
    expect(decideCanaryRunStep(run({ unavailableChecks: 0 }), unavailable, after(90), thresholds)).toEqual({
      kind: 'hold',
      hold: 'unavailable',
      reason:
        'health unavailable (1 of 5 checks before rollback): Prometheus did not answer within 3000 ms',
    });
    expect(decideCanaryRunStep(run({ unavailableChecks: 3 }), unavailable, after(90), thresholds)).toMatchObject({
      kind: 'hold',
      hold: 'unavailable',
    });
    expect(decideCanaryRunStep(run({ unavailableChecks: 4 }), unavailable, after(90), thresholds)).toEqual({
      kind: 'rollback',
      reason:
        'health unavailable for 5 checks in a row (last: Prometheus did not answer within 3000 ms): back to v1',
    });
  });

  it('takes the number of unavailable checks before rollback as an option', () => {
    const unavailable = { state: 'unavailable' as const, reason: 'down' };
    expect(
      decideCanaryRunStep(run({ unavailableChecks: 1 }), unavailable, after(90), thresholds, {
        maxUnavailableChecks: 2,
      }),
    ).toMatchObject({ kind: 'rollback' });
    expect(
      decideCanaryRunStep(run({ unavailableChecks: 1 }), unavailable, after(90), thresholds, {
        maxUnavailableChecks: 3,
      }),
    ).toMatchObject({ kind: 'hold', hold: 'unavailable' });
  });
});

describe('canaryRunHealth', () => {
  const target = {
    cluster: 'local',
    namespace: 'prod',
    service: 'backend',
    canary: 'v2',
    virtualService: 'backend',
  };
  const versions = (v2: Partial<VersionMetrics>) => [
    { ...canary({ version: 'v1' }), weight: 90, verdict: 'healthy' as const, reasons: [] },
    { ...canary(v2), weight: 10, verdict: 'healthy' as const, reasons: [] },
  ];
  const response = (clusters: MeshHealthResponse['clusters']): MeshHealthResponse => ({
    entityRef: 'component:default/backend',
    clusters,
  });
  const okCluster = (splits: any[]): MeshHealthResponse['clusters'][0] => ({
    cluster: 'local',
    state: 'ok',
    window: '1m',
    thresholds: { minSuccessRate: 99.5, maxP99Ms: 300, minRequests: 50 },
    splits,
  });
  const advice = { action: 'none' as const, message: '' };

  it("reads the canary's metrics from the run's split, with the thresholds it was judged by", () => {
    const result = canaryRunHealth(
      response([
        okCluster([
          { host: 'backend', namespace: 'prod', virtualService: 'backend-ingress', versions: versions({ successRate: 50 }), advice },
          { host: 'backend', namespace: 'prod', virtualService: 'backend', versions: versions({ successRate: 99.9 }), advice },
        ]),
      ]),
      target,
    );
    expect(result).toEqual({
      health: { state: 'ok', canary: expect.objectContaining({ version: 'v2', successRate: 99.9, samples: 120 }) },
      thresholds: { minSuccessRate: 99.5, maxP99Ms: 300, minRequests: 50 },
    });
  });

  it('has no canary metrics when the canary got no traffic', () => {
    const result = canaryRunHealth(
      response([okCluster([{ host: 'backend', namespace: 'prod', versions: versions({ version: 'v3' }), advice }])]),
      target,
    );
    expect(result.health).toEqual({ state: 'ok', canary: undefined });
  });

  it('is unavailable, with the reason, when the cluster has no usable answer or the split is gone', () => {
    expect(canaryRunHealth(response([]), target).health).toEqual({
      state: 'unavailable',
      reason: 'no health answer for cluster local',
    });
    expect(
      canaryRunHealth(response([{ cluster: 'local', state: 'not-configured' }]), target).health,
    ).toEqual({ state: 'unavailable', reason: 'Prometheus not configured for cluster local' });
    expect(
      canaryRunHealth(
        response([{ cluster: 'local', state: 'unavailable', reason: 'Prometheus unreachable: ECONNREFUSED' }]),
        target,
      ).health,
    ).toEqual({ state: 'unavailable', reason: 'Prometheus unreachable: ECONNREFUSED' });
    expect(
      canaryRunHealth(response([okCluster([{ host: 'backend', namespace: 'dev', versions: [], advice }])]), target)
        .health,
    ).toEqual({ state: 'unavailable', reason: 'no traffic split of backend in prod' });
  });
});
