/**
 * PromQL query templates of canary health. A template is PromQL with placeholders:
 *
 * - `{{namespace}}`, `{{service}}`: the Service's namespace and name
 * - `{{host}}`: its cluster-local FQDN (`backend.prod.svc.cluster.local`)
 * - `{{hostRegex}}`: the FQDN as a regex matching only itself (for `=~` matchers)
 * - `{{window}}`: the rate window (`1m`)
 * - `{{quantile}}`: `0.5` or `0.99` (latency template only)
 *
 * Every template answers one instant vector keyed by the label `destination_version`.
 *
 * @public
 */
export interface CanaryQueryTemplates {
  /** Requests per second per version. */
  requestRate: string;
  /** Percentage of non-5xx responses per version. */
  successRate: string;
  /** Latency quantile in milliseconds per version. */
  latency: string;
}

/**
 * Names of the built-in template sets.
 *
 * @public
 */
export type CanaryQueryPresetName = 'istio' | 'envoy';

/**
 * Values the placeholders are replaced with (raw: {@link renderCanaryQuery} escapes them).
 *
 * @public
 */
export interface CanaryQueryParams {
  namespace: string;
  service: string;
  /** Cluster domain; default `cluster.local`. */
  clusterDomain?: string;
  window: string;
  quantile?: number;
}

/** Istio standard metrics, the way Flagger queries them (ISTIO-FACTS "Canary analysis"). */
const istioSelector =
  'reporter="destination",destination_workload_namespace="{{namespace}}",destination_service_name="{{service}}"';

/**
 * Envoy's own cluster stats, for meshes without `istio_requests_total` (upstream Envoy, or
 * Istio with telemetry off). Callers' per-subset clusters are named
 * `outbound|<port>|<subset>|<host>`: the subset is copied into `destination_version`.
 * Note that the scrape target's own `version` label is the CALLER's version.
 */
const envoyCluster = 'cluster_name=~"outbound\\\\|[0-9]+\\\\|[^|]+\\\\|{{hostRegex}}"';
const envoyVersion = (expr: string) =>
  `label_replace(${expr}, "destination_version", "$1", "cluster_name", "outbound\\\\|[0-9]+\\\\|([^|]+)\\\\|.*")`;
const envoySum = (metric: string, extra = '') =>
  `sum by (destination_version) (${envoyVersion(
    `rate(${metric}{${extra}${envoyCluster}}[{{window}}])`,
  )})`;

/**
 * The built-in template sets: `istio` for a production Istio (Flagger's defaults on
 * `istio_requests_total` / `istio_request_duration_milliseconds_bucket`), `envoy` for a mesh
 * of upstream Envoys such as the local mesh (`envoy_cluster_upstream_rq*`).
 *
 * @public
 */
export const canaryQueryPresets: Record<
  CanaryQueryPresetName,
  CanaryQueryTemplates
> = {
  istio: {
    requestRate: `sum by (destination_version) (rate(istio_requests_total{${istioSelector}}[{{window}}]))`,
    successRate:
      `sum by (destination_version) (rate(istio_requests_total{${istioSelector},response_code!~"5.*"}[{{window}}]))` +
      ` / sum by (destination_version) (rate(istio_requests_total{${istioSelector}}[{{window}}])) * 100`,
    latency: `histogram_quantile({{quantile}}, sum by (le, destination_version) (rate(istio_request_duration_milliseconds_bucket{${istioSelector}}[{{window}}])))`,
  },
  envoy: {
    requestRate: envoySum('envoy_cluster_upstream_rq_completed'),
    // A version without any 5xx has no 5xx series: `or 0 * completed` makes its error rate 0
    // instead of dropping the version from the division.
    successRate:
      `100 * (1 - ((${envoySum('envoy_cluster_upstream_rq', 'response_code_class="5xx",')}` +
      ` or 0 * ${envoySum('envoy_cluster_upstream_rq_completed')})` +
      ` / ${envoySum('envoy_cluster_upstream_rq_completed')}))`,
    latency: `histogram_quantile({{quantile}}, sum by (le, destination_version) (${envoyVersion(
      `rate(envoy_cluster_upstream_rq_time_bucket{${envoyCluster}}[{{window}}])`,
    )}))`,
  },
};

/**
 * Escapes a value for a PromQL double-quoted string (backslash, quote, newline).
 *
 * @public
 */
export function escapePromqlString(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

/**
 * Escapes a value so that, as a regex (RE2, fully anchored by Prometheus), it matches only
 * itself: `backend.prod` must not match `backendXprod`.
 *
 * @public
 */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** A PromQL duration such as `30s`, `1m`, `1h30m`. */
const PROMQL_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/**
 * True when `value` is a PromQL duration (`30s`, `1m`, `1h30m`).
 *
 * @public
 */
export function isPromqlDuration(value: string): boolean {
  return PROMQL_DURATION.test(value);
}

/**
 * Fills a template's placeholders. Label values are escaped for PromQL strings (and
 * `{{hostRegex}}` for regexes first), so a namespace or service name cannot change the query.
 * Throws on an unknown placeholder or an invalid window.
 *
 * @public
 */
export function renderCanaryQuery(
  template: string,
  params: CanaryQueryParams,
): string {
  if (!isPromqlDuration(params.window)) {
    throw new Error(`window: ${params.window} is not a PromQL duration`);
  }
  const host = `${params.service}.${params.namespace}.svc.${
    params.clusterDomain ?? 'cluster.local'
  }`;
  const values: Record<string, string | undefined> = {
    namespace: escapePromqlString(params.namespace),
    service: escapePromqlString(params.service),
    host: escapePromqlString(host),
    hostRegex: escapePromqlString(escapeRegex(host)),
    window: params.window,
    quantile:
      params.quantile === undefined ? undefined : String(params.quantile),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`query template: unknown or unset placeholder {{${name}}}`);
    }
    return value;
  });
}
