import { z } from 'zod';
import type { VersionMetrics, VersionSeries } from '../api/health';

/** The part of a Prometheus `/api/v1/query` answer we read (an instant vector). */
const instantVectorSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        value: z.tuple([z.number(), z.string()]),
      }),
    ),
  }),
});

/**
 * Reads a Prometheus instant-vector answer as value per version (label
 * `destination_version`). Samples that are not finite numbers (`NaN` from 0/0 when a version
 * got no traffic, `+Inf` from a histogram without buckets) are left out: "no data", not zero.
 * Throws when the answer is not a successful instant vector.
 *
 * @public
 */
export function valuesByVersion(
  answer: unknown,
  versionLabel = 'destination_version',
): Map<string, number> {
  const parsed = instantVectorSchema.safeParse(answer);
  if (!parsed.success) throw unusableAnswer(answer, 'an instant vector');
  const values = new Map<string, number>();
  for (const { metric, value } of parsed.data.data.result) {
    const version = metric[versionLabel];
    const number = Number(value[1]);
    if (version && Number.isFinite(number)) {
      values.set(version, number);
    }
  }
  return values;
}

/** The part of a Prometheus `/api/v1/query_range` answer we read (a range vector). */
const matrixSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
});

/**
 * Reads a Prometheus range answer (`query_range`) as one series per version, sorted by version.
 * Points that are not finite numbers are left out, as in {@link valuesByVersion}. Throws when
 * the answer is not a successful matrix.
 *
 * @public
 */
export function seriesByVersion(
  answer: unknown,
  versionLabel = 'destination_version',
): VersionSeries[] {
  const parsed = matrixSchema.safeParse(answer);
  if (!parsed.success) throw unusableAnswer(answer, 'a range vector');
  return parsed.data.data.result
    .filter(({ metric }) => metric[versionLabel])
    .map(({ metric, values }) => ({
      version: metric[versionLabel],
      points: values
        .map(([at, value]): [number, number] => [at, Number(value)])
        .filter(([, value]) => Number.isFinite(value)),
    }))
    .sort((a, b) => a.version.localeCompare(b.version));
}

/**
 * Seconds between two points of a health chart over `rangeSeconds`: about 60 points, never
 * finer than 15 s (Prometheus' usual scrape interval).
 *
 * @public
 */
export function seriesStepSeconds(rangeSeconds: number): number {
  return Math.max(15, Math.ceil(rangeSeconds / 60));
}

/**
 * The four per-version answers of a health check, parsed.
 *
 * @public
 */
export interface VersionMetricAnswers {
  requestRate: Map<string, number>;
  successRate: Map<string, number>;
  p50Ms: Map<string, number>;
  p99Ms: Map<string, number>;
}

/**
 * Joins the per-version answers into one {@link VersionMetrics} per version that appears in
 * any of them; `samples` is the request rate times the window.
 *
 * @public
 */
export function versionMetrics(
  answers: VersionMetricAnswers,
  windowSeconds: number,
): VersionMetrics[] {
  const versions = new Set([
    ...answers.requestRate.keys(),
    ...answers.successRate.keys(),
    ...answers.p50Ms.keys(),
    ...answers.p99Ms.keys(),
  ]);
  return [...versions].sort().map(version => {
    const requestRate = answers.requestRate.get(version) ?? 0;
    const metrics: VersionMetrics = {
      version,
      requestRate,
      samples: Math.round(requestRate * windowSeconds),
    };
    const successRate = answers.successRate.get(version);
    const p50Ms = answers.p50Ms.get(version);
    const p99Ms = answers.p99Ms.get(version);
    if (successRate !== undefined) metrics.successRate = successRate;
    if (p50Ms !== undefined) metrics.p50Ms = p50Ms;
    if (p99Ms !== undefined) metrics.p99Ms = p99Ms;
    return metrics;
  });
}

/**
 * Seconds in a PromQL duration (`1m` → 60, `1h30m` → 5400).
 *
 * @public
 */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    seconds += Number(amount) * units[unit];
  }
  return seconds;
}

/** What Prometheus said about a failed query, or that its answer was not `expected`. */
function unusableAnswer(answer: unknown, expected: string): Error {
  const error = (answer as { error?: unknown })?.error;
  return new Error(
    typeof error === 'string'
      ? `Prometheus: ${error}`
      : `Prometheus answered something other than ${expected}`,
  );
}
