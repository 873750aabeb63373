import type { TrafficSplit, VersionMetrics } from '../api';
import { judgeVersion, splitHealth } from './canaryAdvice';
import { DEFAULT_CANARY_THRESHOLDS } from './thresholds';

const thresholds = DEFAULT_CANARY_THRESHOLDS;
const options = { thresholds, window: '1m' };

const split = (v1: number, v2: number): TrafficSplit => ({
  host: 'backend',
  service: 'backend',
  namespace: 'prod',
  virtualService: 'backend',
  destinationRule: 'backend',
  gateways: [],
  canaryInProgress: v1 > 0 && v2 > 0,
  subsets: [
    { name: 'v1', version: 'v1' },
    { name: 'v2', version: 'v2' },
  ],
  routes: [
    { subset: 'v1', weight: v1, host: 'backend', podCount: 1 },
    { subset: 'v2', weight: v2, host: 'backend', podCount: 1 },
  ],
  presets: {},
});

const metrics = (
  version: string,
  overrides: Partial<VersionMetrics> = {},
): VersionMetrics => ({
  version,
  requestRate: 10,
  successRate: 100,
  p50Ms: 5,
  p99Ms: 40,
  samples: 600,
  ...overrides,
});

describe('judgeVersion', () => {
  it('fails on success rate and p99 with the reasons', () => {
    expect(
      judgeVersion(
        metrics('v2', { successRate: 97.123, p99Ms: 612.4 }),
        thresholds,
      ),
    ).toEqual({
      verdict: 'failing',
      reasons: ['success 97.12 % < 99 %', 'p99 612 ms > 500 ms'],
    });
  });

  it('holds judgement below the minimum number of requests', () => {
    expect(
      judgeVersion(metrics('v2', { successRate: 0, samples: 49 }), thresholds),
    ).toEqual({
      verdict: 'insufficient-traffic',
      reasons: ['49 requests, need 50'],
    });
    expect(judgeVersion(undefined, thresholds).verdict).toBe(
      'insufficient-traffic',
    );
  });

  it('does not hold a missing latency histogram against a version', () => {
    expect(
      judgeVersion(metrics('v2', { p99Ms: undefined }), thresholds).verdict,
    ).toBe('healthy');
  });
});

describe('splitHealth', () => {
  it('advises the next step for a healthy canary', () => {
    const health = splitHealth(
      split(90, 10),
      [metrics('v1'), metrics('v2')],
      options,
    );
    expect(health.versions.map(v => [v.version, v.weight, v.verdict])).toEqual([
      ['v1', 90, 'healthy'],
      ['v2', 10, 'healthy'],
    ]);
    expect(health.advice).toEqual({
      action: 'advance',
      canary: 'v2',
      nextWeight: 25,
      message: 'v2 healthy over the last 1m at 10 %: next step 25 %',
    });
  });

  it('says how long when the caller knows, and promotes after the last step', () => {
    expect(
      splitHealth(split(50, 50), [metrics('v1'), metrics('v2')], {
        ...options,
        healthyFor: '5 min',
      }).advice,
    ).toEqual({
      action: 'promote',
      canary: 'v2',
      nextWeight: 100,
      message: 'v2 healthy for 5 min at 50 %: promote to 100 %',
    });
    expect(
      splitHealth(split(90, 10), [metrics('v1'), metrics('v2')], {
        ...options,
        stepWeights: [5, 10, 20],
      }).advice.nextWeight,
    ).toBe(20);
  });

  it('advises a rollback when the canary fails', () => {
    expect(
      splitHealth(
        split(90, 10),
        [metrics('v1'), metrics('v2', { successRate: 90 })],
        options,
      ).advice,
    ).toEqual({
      action: 'rollback',
      canary: 'v2',
      message: 'v2 failing (success 90 % < 99 %): roll back',
    });
  });

  it('waits when the canary has too little traffic', () => {
    const health = splitHealth(split(90, 10), [metrics('v1')], options);
    expect(health.versions[1]).toMatchObject({
      version: 'v2',
      requestRate: 0,
      samples: 0,
    });
    expect(health.advice).toMatchObject({
      action: 'wait',
      message:
        'Not enough traffic to judge v2 (0 requests in 1m, need 50): wait or send traffic',
    });
  });

  it('holds when the stable version fails as well', () => {
    expect(
      splitHealth(
        split(75, 25),
        [metrics('v1', { successRate: 80 }), metrics('v2')],
        options,
      ).advice,
    ).toMatchObject({ action: 'hold' });
  });

  it('lists answering versions without weight at 0 % and sees no canary at 100/0', () => {
    const health = splitHealth(
      split(100, 0),
      [metrics('v1'), metrics('v3')],
      options,
    );
    expect(health.versions.map(v => [v.version, v.weight])).toEqual([
      ['v1', 100],
      ['v2', 0],
      ['v3', 0],
    ]);
    expect(health.advice).toEqual({
      action: 'none',
      message: 'No canary in progress.',
    });
  });
});
