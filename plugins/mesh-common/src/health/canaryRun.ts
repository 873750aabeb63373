import type { CanaryRun } from '../api/canaryRuns';
import type {
  CanaryThresholds,
  MeshHealthResponse,
  VersionMetrics,
} from '../api/health';
import { judgeVersion } from './canaryAdvice';

/**
 * Health checks in a row without a usable answer after which a guided run rolls back:
 * flying blind for longer is worse than going back to stable.
 *
 * @public
 */
export const DEFAULT_MAX_UNAVAILABLE_CHECKS = 5;

/**
 * What a guided run's step machine reads of a run.
 *
 * @public
 */
export type CanaryRunProgress = Pick<
  CanaryRun,
  | 'state'
  | 'stable'
  | 'canary'
  | 'steps'
  | 'intervalSeconds'
  | 'weight'
  | 'lastStepAt'
  | 'unavailableChecks'
>;

/**
 * The canary's health at one check: its metrics (absent when it got no traffic), or why
 * there is no answer.
 *
 * @public
 */
export type CanaryRunHealth =
  | { state: 'ok'; canary?: VersionMetrics }
  | { state: 'unavailable'; reason: string };

/**
 * Why a run holds its weight, so that a repeated hold of the same kind can refresh one
 * history row instead of adding one per check.
 *
 * @public
 */
export type CanaryRunHoldKind =
  | 'paused'
  | 'inactive'
  | 'interval'
  | 'traffic'
  | 'unavailable';

/**
 * The step machine's decision for one check.
 *
 * @public
 */
export type CanaryRunDecision =
  | { kind: 'advance'; weight: number; reason: string }
  | { kind: 'hold'; hold: CanaryRunHoldKind; reason: string }
  | { kind: 'rollback'; reason: string }
  | { kind: 'complete'; reason: string };

/**
 * Options of {@link decideCanaryRunStep}.
 *
 * @public
 */
export interface CanaryRunStepOptions {
  /** Default {@link DEFAULT_MAX_UNAVAILABLE_CHECKS}. */
  maxUnavailableChecks?: number;
}

const percent = (n: number) => `${Number(n.toFixed(2))} %`;
const seconds = (n: number) => `${Math.max(0, Math.ceil(n))} s`;

/**
 * One check of a guided canary run, in this order:
 * 1. not running: hold (paused, or over);
 * 2. the canary carries 100 %: complete;
 * 3. no health answer: hold, and roll back once `maxUnavailableChecks` checks in a row had none;
 * 4. the canary fails the thresholds (success rate, p99): roll back at once, naming the numbers;
 * 5. the interval at this weight has not elapsed: hold;
 * 6. too few requests to judge: hold;
 * 7. otherwise: advance to the next step weight.
 *
 * Pure: `run.unavailableChecks` counts the checks before this one; the caller adds one when
 * `health` is unavailable and resets it otherwise.
 *
 * @public
 */
export function decideCanaryRunStep(
  run: CanaryRunProgress,
  health: CanaryRunHealth,
  now: Date,
  thresholds: CanaryThresholds,
  options: CanaryRunStepOptions = {},
): CanaryRunDecision {
  const { canary, stable, weight } = run;
  if (run.state === 'paused') {
    return { kind: 'hold', hold: 'paused', reason: `paused at ${weight} %` };
  }
  if (run.state !== 'running') {
    return { kind: 'hold', hold: 'inactive', reason: `run is ${run.state}` };
  }
  if (weight >= 100) {
    return { kind: 'complete', reason: `${canary} carries 100 %` };
  }

  if (health.state === 'unavailable') {
    const max = options.maxUnavailableChecks ?? DEFAULT_MAX_UNAVAILABLE_CHECKS;
    const checks = run.unavailableChecks + 1;
    if (checks >= max) {
      return {
        kind: 'rollback',
        reason: `health unavailable for ${checks} checks in a row (last: ${health.reason}): back to ${stable}`,
      };
    }
    return {
      kind: 'hold',
      hold: 'unavailable',
      reason: `health unavailable (${checks} of ${max} checks before rollback): ${health.reason}`,
    };
  }

  const judged = judgeVersion(health.canary, thresholds);
  if (judged.verdict === 'failing') {
    return {
      kind: 'rollback',
      reason: `${canary} failing at ${weight} %: ${judged.reasons.join(', ')}`,
    };
  }

  const elapsed = (now.getTime() - new Date(run.lastStepAt).getTime()) / 1000;
  if (elapsed < run.intervalSeconds) {
    return {
      kind: 'hold',
      hold: 'interval',
      reason: `${canary} at ${weight} % for ${seconds(elapsed)} of ${
        run.intervalSeconds
      } s: next step in ${seconds(run.intervalSeconds - elapsed)}`,
    };
  }
  if (judged.verdict === 'insufficient-traffic') {
    return {
      kind: 'hold',
      hold: 'traffic',
      reason: `not enough requests to judge ${canary}: ${judged.reasons.join(
        ', ',
      )}`,
    };
  }

  const next = run.steps.find(step => step > weight) ?? 100;
  const measured = health.canary!;
  const p99 =
    measured.p99Ms === undefined ? '' : `, p99 ${Math.round(measured.p99Ms)} ms`;
  return {
    kind: 'advance',
    weight: next,
    reason: `${canary} healthy for ${run.intervalSeconds} s at ${weight} % (success ${percent(
      measured.successRate!,
    )}${p99}): ${next} %`,
  };
}

/**
 * The parts of a run that find its canary in a health answer.
 *
 * @public
 */
export type CanaryRunTarget = Pick<
  CanaryRun,
  'cluster' | 'namespace' | 'service' | 'canary' | 'virtualService'
>;

/**
 * Picks a run's canary out of the entity's canary health: the run's cluster, the split of its
 * service (its own VirtualService first), the canary's metrics. A cluster whose Prometheus is
 * missing or down, or a split that is gone, is `unavailable` with the reason. `thresholds` are
 * the ones the health answer judged by (configuration and entity annotations).
 *
 * @public
 */
export function canaryRunHealth(
  response: MeshHealthResponse,
  run: CanaryRunTarget,
): { health: CanaryRunHealth; thresholds?: CanaryThresholds } {
  const cluster = response.clusters.find(c => c.cluster === run.cluster);
  if (!cluster) {
    return {
      health: {
        state: 'unavailable',
        reason: `no health answer for cluster ${run.cluster}`,
      },
    };
  }
  if (cluster.state === 'not-configured') {
    return {
      health: {
        state: 'unavailable',
        reason: `Prometheus not configured for cluster ${run.cluster}`,
      },
    };
  }
  if (cluster.state === 'unavailable') {
    return { health: { state: 'unavailable', reason: cluster.reason } };
  }
  const splits = cluster.splits.filter(
    s => s.host === run.service && s.namespace === run.namespace,
  );
  const split =
    splits.find(s => s.virtualService === run.virtualService) ?? splits[0];
  if (!split) {
    return {
      health: {
        state: 'unavailable',
        reason: `no traffic split of ${run.service} in ${run.namespace}`,
      },
      thresholds: cluster.thresholds,
    };
  }
  const version = split.versions.find(v => v.version === run.canary);
  const canary: VersionMetrics | undefined = version && {
    version: version.version,
    requestRate: version.requestRate,
    successRate: version.successRate,
    p50Ms: version.p50Ms,
    p99Ms: version.p99Ms,
    samples: version.samples,
  };
  return { health: { state: 'ok', canary }, thresholds: cluster.thresholds };
}
