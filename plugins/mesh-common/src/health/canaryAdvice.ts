import type {
  CanaryAdvice,
  CanaryThresholds,
  SplitHealth,
  VersionHealth,
  VersionMetrics,
  VersionVerdict,
} from '../api/health';
import type { TrafficSplit } from '../api/status';

/**
 * Canary weights to step through (Flagger's `stepWeights`); 100 means promote.
 *
 * @public
 */
export const DEFAULT_CANARY_STEP_WEIGHTS: readonly number[] = [10, 25, 50, 100];

const percent = (n: number) => `${Number(n.toFixed(2))} %`;

/**
 * Judges one version's metrics against the thresholds. Too few requests is
 * `insufficient-traffic` whatever the rates say; a missing p99 (no latency histogram) is
 * not held against the version.
 *
 * @public
 */
export function judgeVersion(
  metrics: VersionMetrics | undefined,
  thresholds: CanaryThresholds,
): { verdict: VersionVerdict; reasons: string[] } {
  const samples = metrics?.samples ?? 0;
  if (!metrics || samples < thresholds.minRequests || metrics.successRate === undefined) {
    return {
      verdict: 'insufficient-traffic',
      reasons: [`${samples} requests, need ${thresholds.minRequests}`],
    };
  }
  const reasons: string[] = [];
  if (metrics.successRate < thresholds.minSuccessRate) {
    reasons.push(
      `success ${percent(metrics.successRate)} < ${percent(thresholds.minSuccessRate)}`,
    );
  }
  if (metrics.p99Ms !== undefined && metrics.p99Ms > thresholds.maxP99Ms) {
    reasons.push(`p99 ${Math.round(metrics.p99Ms)} ms > ${thresholds.maxP99Ms} ms`);
  }
  return { verdict: reasons.length > 0 ? 'failing' : 'healthy', reasons };
}

/**
 * Options of {@link splitHealth} and {@link adviseCanary}.
 *
 * @public
 */
export interface CanaryAdviceOptions {
  thresholds: CanaryThresholds;
  /** The metrics' window, for the message (`1m`). */
  window: string;
  stepWeights?: readonly number[];
  /**
   * How long the canary has been healthy at this weight, when the caller knows (a guided run
   * that checks every interval): the message then says "healthy for …".
   */
  healthyFor?: string;
}

/**
 * Health of a split: each routed subset with its weight, metrics and verdict (versions that
 * answer but get no weight, e.g. draining, are listed at 0 %), and the advice.
 *
 * @public
 */
export function splitHealth(
  split: TrafficSplit,
  metrics: VersionMetrics[],
  options: CanaryAdviceOptions,
): SplitHealth {
  const byVersion = new Map(metrics.map(m => [m.version, m]));
  const routed = split.routes.filter(r => r.subset);
  const weighted = [
    ...routed.map(r => ({ version: r.subset!, weight: r.weight })),
    ...metrics
      .filter(m => !routed.some(r => r.subset === m.version))
      .map(m => ({ version: m.version, weight: 0 })),
  ];
  const versions = weighted.map(({ version, weight }): VersionHealth => {
    const measured = byVersion.get(version) ?? { version, requestRate: 0, samples: 0 };
    return { ...measured, weight, ...judgeVersion(measured, options.thresholds) };
  });
  return {
    host: split.host,
    namespace: split.namespace,
    virtualService: split.virtualService,
    versions,
    advice: adviseCanary(versions, options),
  };
}

/**
 * What to do with the canary. The first version is the stable one (the split's first route,
 * as the portal writes it); the canary is the next version with traffic.
 *
 * @public
 */
export function adviseCanary(
  versions: VersionHealth[],
  options: CanaryAdviceOptions,
): CanaryAdvice {
  const [stable, ...others] = versions;
  const canary = others.find(v => v.weight > 0);
  if (!stable || !canary) {
    return { action: 'none', message: 'No canary in progress.' };
  }
  const name = canary.version;
  if (canary.verdict === 'failing') {
    return {
      action: 'rollback',
      canary: name,
      message: `${name} failing (${canary.reasons.join(', ')}): roll back`,
    };
  }
  if (canary.verdict === 'insufficient-traffic') {
    return {
      action: 'wait',
      canary: name,
      message: `Not enough traffic to judge ${name} (${canary.samples} requests in ${options.window}, need ${options.thresholds.minRequests}): wait or send traffic`,
    };
  }
  if (stable.verdict === 'failing') {
    return {
      action: 'hold',
      canary: name,
      message: `${name} healthy but ${stable.version} (stable) failing too (${stable.reasons.join(', ')}): hold, the canary is not the likely cause`,
    };
  }
  const since = options.healthyFor
    ? `for ${options.healthyFor}`
    : `over the last ${options.window}`;
  const steps = options.stepWeights ?? DEFAULT_CANARY_STEP_WEIGHTS;
  const next = steps.find(step => step > canary.weight) ?? 100;
  if (next >= 100) {
    return {
      action: 'promote',
      canary: name,
      nextWeight: 100,
      message: `${name} healthy ${since} at ${canary.weight} %: promote to 100 %`,
    };
  }
  return {
    action: 'advance',
    canary: name,
    nextWeight: next,
    message: `${name} healthy ${since} at ${canary.weight} %: next step ${next} %`,
  };
}
