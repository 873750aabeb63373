import type { AccessDenials } from '../api/access';
import { valuesByVersion } from '../health/prometheusResult';
import { compareCodeUnits } from './identity';
import {
  escapePromqlString,
  escapeRegex,
  isPromqlDuration,
} from '../health/promql';

/**
 * PromQL templates that count RBAC denials per pod of a Service. Placeholders:
 * `{{namespace}}`, `{{pods}}` (the pods' names as an anchored regex alternation) and
 * `{{window}}`. Each answers one instant vector keyed by the label `pod`.
 *
 * @public
 */
export interface AccessDenialQueryTemplates {
  /** Shadow (dry-run) ALLOW decisions that denied: requests an enforced policy would deny. */
  wouldBeDenied: string;
  /** Requests the RBAC filters denied (every enforced policy of the workload). */
  denied: string;
}

/**
 * Envoy's RBAC filter counters as Istio's proxies export them. Istio names the shadow rules of
 * dry-run ALLOW policies with stat prefix `istio_dry_run_allow_` (istio/istio
 * pilot/pkg/security/authz/model/model.go, `RBACShadowRulesAllowStatPrefix`), so Envoy counts
 * `http.<hcm prefix>.rbac.istio_dry_run_allow_.shadow_denied` on HTTP ports (e.g. prefix
 * `inbound_0.0.0.0_8080`) and `tcp.rbac.istio_dry_run_allow_.shadow_denied` on TCP ports
 * (network filter stat prefix `tcp.`), and `….rbac.denied` for enforced denials. Istio's
 * bootstrap turns those suffixes into the tags `authz_dry_run_action`, `authz_dry_run_result`
 * and `authz_enforce_result` (istio/istio tools/packaging/common/envoy_bootstrap.json,
 * `stats_tags`): the HTTP metric is then `envoy_http_inbound_0_0_0_0_8080_rbac{…}` (istio.io
 * docs, authz-dry-run task), while the TCP name also loses parts to the bootstrap's
 * `tcp_prefix` tag. Only these counters carry the `authz_*` tags, so the queries select by the
 * tags, not by metric names. The mesh config's `proxyStatsMatcher` must keep the stats (the
 * local mesh includes `.*rbac.*`).
 *
 * Names differ per port, so the ports are summed per pod first. The count over the window is
 * the sum now minus the sum a window ago, or the sum itself when the pod's counters are younger
 * than the window: a dry-run policy's counters appear with the policy, and `increase()` would
 * miss everything counted before their first scrape (measured on the local mesh: 46 shadow
 * denials in Envoy, 0 from `increase()`). A counter reset (proxy restart) is clamped to 0.
 */
const RBAC_METRICS = '__name__=~"envoy_.+"';
const POD_SCOPE = 'namespace="{{namespace}}",pod=~"{{pods}}"';
const increasePerPod = (filter: string) => {
  const now = `sum by (pod) ({${RBAC_METRICS},${filter},${POD_SCOPE}})`;
  const windowAgo = `sum by (pod) ({${RBAC_METRICS},${filter},${POD_SCOPE}} offset {{window}})`;
  return `clamp_min((${now} - ${windowAgo}) or ${now}, 0)`;
};
/**
 * The default templates; the scrape targets must carry `namespace` and `pod` labels (the
 * local mesh's Prometheus and Istio's Prometheus addon both set them).
 *
 * @public
 */
export const defaultAccessDenialQueries: AccessDenialQueryTemplates = {
  wouldBeDenied: increasePerPod(
    'authz_dry_run_action="allow",authz_dry_run_result="denied"',
  ),
  denied: increasePerPod('authz_enforce_result="denied"'),
};

/**
 * Fills a denial template; names are escaped so they cannot change the query. Throws on an
 * unknown placeholder, an invalid window, or no pods.
 *
 * @public
 */
export function renderAccessDenialQuery(
  template: string,
  params: { namespace: string; pods: string[]; window: string },
): string {
  if (!isPromqlDuration(params.window)) {
    throw new Error(`window: ${params.window} is not a PromQL duration`);
  }
  if (params.pods.length === 0) throw new Error('pods: none to query');
  const values: Record<string, string> = {
    namespace: escapePromqlString(params.namespace),
    pods: escapePromqlString(
      [...params.pods].sort().map(escapeRegex).join('|'),
    ),
    window: params.window,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`query template: unknown placeholder {{${name}}}`);
    }
    return value;
  });
}

/**
 * Reads a denial answer (instant vector keyed by `pod`) as counts: `increase()` extrapolates,
 * so values are rounded to whole requests. Throws when the answer is not an instant vector.
 *
 * @public
 */
export function accessDenialsFromAnswer(
  answer: unknown,
  kind: 'would-be-denied' | 'denied',
  window: string,
): AccessDenials {
  const byPod = [...valuesByVersion(answer, 'pod')]
    .map(([pod, value]) => ({ pod, count: Math.max(0, Math.round(value)) }))
    .sort((a, b) => compareCodeUnits(a.pod, b.pod));
  return {
    state: 'ok',
    kind,
    window,
    total: byPod.reduce((sum, p) => sum + p.count, 0),
    byPod,
  };
}
