import type { CanaryThresholds } from '../api/health';
import {
  ANNOTATION_CANARY_MAX_P99_MS,
  ANNOTATION_CANARY_MIN_SUCCESS_RATE,
} from '../annotations';

/**
 * Defaults of the canary checks: Flagger's usual `request-success-rate` ≥ 99 % and
 * `request-duration` ≤ 500 ms; fewer than 50 requests in the window is too few to tell
 * 99 % from 98 %.
 *
 * @public
 */
export const DEFAULT_CANARY_THRESHOLDS: CanaryThresholds = {
  minSuccessRate: 99,
  maxP99Ms: 500,
  minRequests: 50,
};

/**
 * The thresholds for one entity: the configured ones, overridden by the entity's
 * {@link ANNOTATION_CANARY_MIN_SUCCESS_RATE} / {@link ANNOTATION_CANARY_MAX_P99_MS}.
 * An invalid annotation is ignored and named in `problems` (health stays available).
 *
 * @public
 */
export function canaryThresholdsFor(
  annotations: Record<string, string> | undefined,
  configured: CanaryThresholds,
): { thresholds: CanaryThresholds; problems: string[] } {
  const thresholds = { ...configured };
  const problems: string[] = [];
  const read = (key: string, valid: (n: number) => boolean, rule: string) => {
    const raw = annotations?.[key];
    if (raw === undefined) return undefined;
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value) || !valid(value)) {
      problems.push(`annotation ${key}: "${raw}" is not ${rule}; using the default`);
      return undefined;
    }
    return value;
  };
  const minSuccessRate = read(
    ANNOTATION_CANARY_MIN_SUCCESS_RATE,
    n => n >= 0 && n <= 100,
    'a percentage between 0 and 100',
  );
  const maxP99Ms = read(ANNOTATION_CANARY_MAX_P99_MS, n => n > 0, 'a positive number of milliseconds');
  if (minSuccessRate !== undefined) thresholds.minSuccessRate = minSuccessRate;
  if (maxP99Ms !== undefined) thresholds.maxP99Ms = maxP99Ms;
  return { thresholds, problems };
}
