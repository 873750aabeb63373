/**
 * Request metrics of one version (subset) of a service over the health window.
 * Rates and latencies are absent when Prometheus had no sample for them (e.g. no traffic).
 *
 * @public
 */
export interface VersionMetrics {
  /** Subset name (Envoy preset) or `version` label (Istio preset) the metrics are keyed by. */
  version: string;
  /** Requests per second over the window. */
  requestRate: number;
  /** Percentage (0–100) of requests answered without a 5xx. */
  successRate?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Requests in the window (`requestRate` × window): how much the rates can be trusted. */
  samples: number;
}

/**
 * Limits a canary version must meet, as Flagger's `request-success-rate` and
 * `request-duration` checks.
 *
 * @public
 */
export interface CanaryThresholds {
  /** Minimum success rate in percent. */
  minSuccessRate: number;
  /** Maximum p99 latency in milliseconds. */
  maxP99Ms: number;
  /** Fewer requests than this in the window are "not enough traffic" to judge. */
  minRequests: number;
}

/**
 * The verdict on one version against the thresholds.
 *
 * @public
 */
export type VersionVerdict = 'healthy' | 'failing' | 'insufficient-traffic';

/**
 * One version of a split with its weight, metrics and verdict.
 *
 * @public
 */
export interface VersionHealth extends VersionMetrics {
  /** Percentage of the split's traffic routed to this version. */
  weight: number;
  verdict: VersionVerdict;
  /** Why the verdict is not `healthy` (e.g. `success 97.1 % < 99 %`). */
  reasons: string[];
}

/**
 * What to do next with a canary:
 * - `advance`: the canary is healthy, go to `nextWeight`
 * - `promote`: the canary is healthy at the last step, send it everything
 * - `rollback`: the canary fails the thresholds
 * - `wait`: not enough traffic to judge
 * - `hold`: the stable version fails too, the canary is not the likely cause
 * - `none`: no canary in progress
 *
 * @public
 */
export interface CanaryAdvice {
  action: 'advance' | 'promote' | 'rollback' | 'wait' | 'hold' | 'none';
  /** One line for people, e.g. `v2 healthy over 1m at 10 %: next step 25 %`. */
  message: string;
  /** The canary version the advice is about. */
  canary?: string;
  /** Weight of the canary for `advance` / `promote`. */
  nextWeight?: number;
}

/**
 * Health of one traffic split (one service) in one cluster.
 *
 * @public
 */
export interface SplitHealth {
  host: string;
  namespace: string;
  /** The VirtualService of the split (one host can have a mesh and an ingress split). */
  virtualService?: string;
  versions: VersionHealth[];
  advice: CanaryAdvice;
}

/**
 * Canary health in a cluster whose Prometheus answered.
 *
 * @public
 */
export interface ClusterHealthOk {
  cluster: string;
  state: 'ok';
  /** PromQL range the rates are taken over, e.g. `1m`. */
  window: string;
  thresholds: CanaryThresholds;
  splits: SplitHealth[];
}

/**
 * A cluster without `prometheusUrl`: health is not configured (not an error).
 *
 * @public
 */
export interface ClusterHealthNotConfigured {
  cluster: string;
  state: 'not-configured';
}

/**
 * A cluster whose Prometheus is down, slow or answered something unusable.
 *
 * @public
 */
export interface ClusterHealthUnavailable {
  cluster: string;
  state: 'unavailable';
  /** e.g. `Prometheus did not answer within 3000 ms`. */
  reason: string;
}

/**
 * Canary health of the entity in one cluster.
 *
 * @public
 */
export type ClusterHealth =
  | ClusterHealthOk
  | ClusterHealthNotConfigured
  | ClusterHealthUnavailable;

/**
 * Response of `GET /entities/:namespace/:kind/:name/health`.
 *
 * @public
 */
export interface MeshHealthResponse {
  entityRef: string;
  clusters: ClusterHealth[];
}

/**
 * One version's values over time: `[unix seconds, value]`, oldest first; steps without a
 * value (no traffic) are left out.
 *
 * @public
 */
export interface VersionSeries {
  version: string;
  points: Array<[number, number]>;
}

/**
 * Per-version time series of one service, for a chart beside its split.
 *
 * @public
 */
export interface ServiceHealthSeries {
  host: string;
  namespace: string;
  /** Percentage of non-5xx responses. */
  successRate: VersionSeries[];
  /** p99 latency in milliseconds. */
  p99Ms: VersionSeries[];
  /** Requests per second. */
  requestRate: VersionSeries[];
}

/**
 * Health series of one cluster: `ok` with the series, or why there are none.
 *
 * @public
 */
export type ClusterHealthSeries =
  | {
      cluster: string;
      state: 'ok';
      /** Seconds between two points. */
      stepSeconds: number;
      services: ServiceHealthSeries[];
    }
  | ClusterHealthNotConfigured
  | ClusterHealthUnavailable;

/**
 * Response of `GET /entities/:namespace/:kind/:name/health?range=15m`.
 *
 * @public
 */
export interface MeshHealthSeriesResponse {
  entityRef: string;
  /** The range asked for (a PromQL duration, e.g. `15m`). */
  range: string;
  clusters: ClusterHealthSeries[];
}
